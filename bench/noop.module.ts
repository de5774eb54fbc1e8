import { Module } from '@nestjs/common';
import { Mutation, Resolver } from '@nestjs/graphql';
import { Action, Allow } from '@app/auth';

/**
 * Bench only (never part of the production app): a mutation that does nothing, behind the same
 * access declaration as the record<EventType> mutations. Its rate is what the Nest + Apollo +
 * auth stack costs on its own, the baseline the ingest figure is compared with.
 */
@Resolver()
export class BenchNoopResolver {
  @Mutation(() => Boolean, { description: 'Benchmark baseline: authenticates and authorises like a report, then does nothing.' })
  @Allow(Action.RECORD_REPORT)
  noopMutation(): boolean {
    return true;
  }
}

@Module({ providers: [BenchNoopResolver] })
export class BenchNoopModule {}
