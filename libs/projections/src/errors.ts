import { ConsumerHandlerError, ConsumerStoppedError, PositionTimeoutError } from '@app/event-store';

/** A read-your-writes wait expired: the projections had not applied `position` in time. */
export class ProjectionTimeoutError extends PositionTimeoutError {
  override readonly name: string = 'ProjectionTimeoutError';
  constructor(position: bigint, reached: bigint, timeoutMs: number) {
    super(position, reached, timeoutMs, 'the projections');
  }
}

/**
 * A projection cannot apply an event (its evolve threw, or the event does not have the shape
 * the event catalogue declares): the runner stopped at the event before it, with nothing of
 * this one applied to any projection.
 */
export class ProjectionFailedError extends ConsumerHandlerError {
  override readonly name: string = 'ProjectionFailedError';
  constructor(
    readonly projection: string,
    /** The event that could not be applied. */
    readonly eventPosition: bigint,
    options?: { cause?: unknown; reason?: string },
  ) {
    const cause = options?.cause;
    const why = options?.reason ?? (cause instanceof Error ? cause.message : cause === undefined ? 'it failed' : JSON.stringify(cause));
    super('projections', eventPosition, `projection ${projection} cannot apply the event: ${why}`, options);
  }
}

/** The runner was stopped while something waited for it. */
export class ProjectionsStoppedError extends ConsumerStoppedError {
  override readonly name: string = 'ProjectionsStoppedError';
  constructor() {
    super('projections');
    this.message = 'The projection runner is stopped';
  }
}
