/** Nest injection token for the process's EventStore (see EventStoreModule). */
export const EVENT_STORE = Symbol('EVENT_STORE');
