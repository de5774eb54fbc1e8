import { Inject } from '@nestjs/common';
import { Query, Resolver } from '@nestjs/graphql';
import { EVENT_STORE, type EventStore } from '@app/event-store';
import { Health } from './models/health.model.js';
import { APP_VERSION } from '@app/config';
import { Public } from '@app/auth';

@Resolver(() => Health)
export class HealthResolver {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  @Query(() => Health, { description: 'Liveness of the API and its event store.' })
  @Public()
  async health(): Promise<Health> {
    const head = await this.store.headPosition();
    return { status: 'ok', store: this.store.kind, headPosition: head.toString(), version: APP_VERSION };
  }
}
