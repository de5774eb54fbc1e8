/** Nest injection token for the process's EventStore (see EventStoreModule). */
export const EVENT_STORE = Symbol('EVENT_STORE');

/**
 * Nest injection token for the process's LogConsumerBoard: every log consumer of the
 * application registers there; readiness and metrics read it (see EventStoreModule).
 */
export const LOG_CONSUMERS = Symbol('LOG_CONSUMERS');
