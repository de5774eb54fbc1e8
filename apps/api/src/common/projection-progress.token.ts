/**
 * How far the read models of this instance are: what readiness and the projection metrics
 * read. A token, so health and metrics depend on this interface only; the projections feature
 * provides it (projections/projection-progress.ts).
 */
export interface ProjectionProgress {
  /** The runner's state: created, catching-up, live, stopped or failed. */
  readonly state: string;
  /** The global position every projection has applied (the slowest one). */
  readonly position: bigint;
  /**
   * How far that is behind the store's head, in positions (asks the store). Positions count
   * events in the embedded store; in EventStoreDB they are commit positions (bytes).
   */
  lag(): Promise<bigint>;
  /** How many events the store holds after that position, counted up to `limit`. */
  eventsBehind(limit: number): Promise<number>;
  /** Each projection's applied position. */
  projections(): readonly { readonly name: string; readonly position: bigint }[];
}

/** Injection token of the instance's {@link ProjectionProgress}. */
export const PROJECTION_PROGRESS = Symbol('PROJECTION_PROGRESS');
