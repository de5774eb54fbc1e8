import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { PROJECTION_PROGRESS, type ProjectionProgress } from '../common/projection-progress.token.js';

/** How long the store has to tell its head position (or count the events behind) before readiness fails. */
export const STORE_CHECK_TIMEOUT_MS = 3_000;

/** What readiness says about the projections: up or down, with the details the probe answers. */
export interface ProjectionsVerdict {
  readonly up: boolean;
  readonly details: {
    readonly state: string;
    readonly position: string;
    /**
     * Events the store holds after `position`, counted up to maxLag + 1: exact while at most
     * maxLag, else maxLag + 1 (the count stops there; `reason` then says "more than maxLag").
     */
    readonly eventsBehind?: number;
    readonly maxLag?: number;
    readonly reason?: string;
  };
}

/**
 * The projections' part of readiness: running (catching up or live) and at most `maxLag` events
 * behind the store's head. Counted in events, not positions (positions are bytes in EventStoreDB).
 */
export async function assessProjections(progress: ProjectionProgress, maxLag: number): Promise<ProjectionsVerdict> {
  const state = progress.state;
  const position = progress.position.toString();
  if (state !== 'catching-up' && state !== 'live' && state !== 'retrying') return { up: false, details: { state, position, reason: `the projection runner is ${state}` } };
  let behind: number;
  try {
    behind = await withTimeout(progress.eventsBehind(maxLag + 1), STORE_CHECK_TIMEOUT_MS);
  } catch (error) {
    return { up: false, details: { state, position, reason: `lag unknown: ${(error as Error).message}` } };
  }
  if (behind > maxLag) return { up: false, details: { state, position, eventsBehind: behind, maxLag, reason: `more than ${maxLag} events behind the store` } };
  return { up: true, details: { state, position, eventsBehind: behind, maxLag } };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Readiness in the log, one line per change instead of one error with a stack trace per probe:
 * a warning when the instance becomes not ready (with why), a line when it becomes ready again
 * (with how long it took). While nothing changes, probes log only at debug.
 *
 * From the start until the projections have first caught up it also checks by itself every
 * second, so a new instance on a large store says when it has caught up even when nothing probes.
 */
@Injectable()
export class ReadinessLog implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Readiness');
  private ready: boolean | undefined;
  private notReadySince = 0;
  private watcher: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    @Inject(PROJECTION_PROGRESS) private readonly progress: ProjectionProgress,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Records a readiness verdict; `why` says what failed (not ready) or where it stands (ready). */
  observe(ready: boolean, why: string): void {
    if (!ready && this.ready !== false) {
      this.notReadySince = performance.now();
      this.logger.warn(`Not ready: ${why}`);
    } else if (!ready) {
      this.logger.debug(`Still not ready: ${why}`);
    } else if (this.ready === false) {
      this.logger.log(`Ready after ${((performance.now() - this.notReadySince) / 1000).toFixed(1)} s: ${why}`);
    }
    this.ready = ready;
  }

  onApplicationBootstrap(): void {
    this.watch();
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    clearTimeout(this.watcher);
  }

  private watch(): void {
    if (this.stopped) return;
    this.watcher = setTimeout(() => {
      assessProjections(this.progress, this.config.readinessMaxLag)
        .then((verdict) => {
          if (this.stopped) return;
          this.observe(verdict.up, describeProjections(verdict));
          if (!verdict.up) this.watch();
        })
        .catch(() => this.watch());
    }, 1_000);
    this.watcher.unref();
  }
}

/** One line on the projections' verdict, for the log. */
export function describeProjections(verdict: ProjectionsVerdict): string {
  const d = verdict.details;
  return verdict.up
    ? `projections caught up: ${d.eventsBehind ?? 0} events behind at position ${d.position} (${d.state})`
    : `projections: ${d.reason} (${d.state}, at position ${d.position})`;
}
