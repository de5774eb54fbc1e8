import 'reflect-metadata';
import { type ArgumentMetadata, Injectable, type PipeTransform } from '@nestjs/common';
import { APP_PIPE } from '@nestjs/core';
import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { Args, ArgsType, Field, GraphQLModule, GraphQLSchemaHost, Int, ObjectType, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { Test } from '@nestjs/testing';
import { execute, parse, printSchema } from 'graphql';
import { PlainFieldResolver, whenReady } from './plain-field.js';

// What PlainFieldResolver relies on in @nestjs/graphql: a field resolver without parameter
// metadata is bound as it is, so no global pipe runs for it and it may answer synchronously.
// If a version of @nestjs/graphql stops doing so, these fail (and the Measure fields would get
// Nest's arguments instead of graphql-js's).

const piped: string[] = [];

@Injectable()
class RecordingPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    piped.push(`${metadata.type}:${metadata.data ?? ''}`);
    return value;
  }
}

@ObjectType()
class Thing {
  @Field()
  name: string;
}

@ArgsType()
class ScaleArgs {
  @Field(() => Int, { nullable: true })
  times?: number | null;

  @Field(() => String, { nullable: true })
  suffix?: string | null;
}

const calls: unknown[][] = [];

@Resolver(() => Thing)
class ThingResolver {
  @Query(() => Thing)
  thing(@Args('name') name: string): Thing {
    return { name };
  }

  @ResolveField(() => String)
  @PlainFieldResolver()
  scaled(thing: Thing, @Args() args: ScaleArgs, context: { tag?: string }): string {
    calls.push([thing, args, context.tag]);
    return `${thing.name.repeat(args.times ?? 1)}${args.suffix ?? ''}`;
  }

  @ResolveField(() => String)
  piped(@Parent() thing: Thing, @Args() args: ScaleArgs): string {
    return `${thing.name}${args.suffix ?? ''}`;
  }
}

describe('PlainFieldResolver', () => {
  let schema: import('graphql').GraphQLSchema;
  let close: () => Promise<void>;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [GraphQLModule.forRoot<ApolloDriverConfig>({ driver: ApolloDriver, autoSchemaFile: true })],
      providers: [ThingResolver, { provide: APP_PIPE, useClass: RecordingPipe }],
    }).compile();
    const app = moduleRef.createNestApplication();
    await app.init();
    schema = app.get(GraphQLSchemaHost).schema;
    close = () => app.close();
  }, 60_000);
  afterAll(async () => close?.());

  it('keeps the arguments in the schema', () => {
    expect(printSchema(schema)).toContain('scaled(times: Int, suffix: String): String!');
  });

  it('is called as graphql-js calls a resolver, without the global pipe', async () => {
    piped.length = 0;
    calls.length = 0;
    const result = await execute({
      schema,
      document: parse('{ thing(name: "ab") { scaled(times: 3, suffix: "!") piped(suffix: "?") } }'),
      contextValue: { tag: 'request-1' },
    });
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({ thing: { scaled: 'ababab!', piped: 'ab?' } });
    expect(calls).toEqual([[{ name: 'ab' }, { times: 3, suffix: '!' }, 'request-1']]);
    // The query's argument and the wrapped field's two parameters went through the pipe; the plain field's did not.
    expect(piped.sort()).toEqual(['body:', 'body:name', 'custom:']);
  });

  it('answers synchronously when the method does', () => {
    const field = schema.getType('Thing') as import('graphql').GraphQLObjectType;
    const resolve = field.getFields().scaled.resolve!;
    const value = resolve({ name: 'x' }, { times: 2 }, {}, {} as never);
    expect(value).toBe('xx');
  });
});

describe('whenReady', () => {
  it('maps a value at once and a promise when it settles', async () => {
    expect(whenReady(2, (x) => x + 1)).toBe(3);
    const later = whenReady(Promise.resolve(2), (x) => x + 1);
    expect(later).toBeInstanceOf(Promise);
    await expect(later).resolves.toBe(3);
    await expect(whenReady(Promise.reject(new Error('no')), (x: number) => x)).rejects.toThrow('no');
  });
});
