import { Field, ObjectType } from '@nestjs/graphql';

@ObjectType({ description: 'Whether the service is up and what it runs on.' })
export class Health {
  @Field({ description: '"ok" when the event store answers.' })
  status: string;

  @Field({ description: 'The event store adapter: "sqlite" (embedded) or "eventstoredb".' })
  store: string;

  @Field({ description: 'Global position of the last stored event (a bigint, as a string).' })
  headPosition: string;

  @Field({ description: 'The version of the api (package.json).' })
  version: string;
}
