/** A read-your-writes wait expired: the projections had not applied `position` in time. */
export class ProjectionTimeoutError extends Error {
  override readonly name = 'ProjectionTimeoutError';
  constructor(
    /** The position waited for. */
    readonly position: bigint,
    /** Where the projections were when the wait gave up. */
    readonly reached: bigint,
    readonly timeoutMs: number,
  ) {
    super(`The projections did not reach position ${position} within ${timeoutMs} ms (they are at ${reached})`);
  }
}

/** A projection's evolve threw: the runner stopped at the event before it. */
export class ProjectionFailedError extends Error {
  override readonly name = 'ProjectionFailedError';
  constructor(
    readonly projection: string,
    /** The event that could not be applied. */
    readonly eventPosition: bigint,
    options?: { cause?: unknown },
  ) {
    super(`Projection ${projection} failed at position ${eventPosition}`, options);
  }
}

/** The runner was stopped while something waited for it. */
export class ProjectionsStoppedError extends Error {
  override readonly name = 'ProjectionsStoppedError';
  constructor() {
    super('The projection runner is stopped');
  }
}
