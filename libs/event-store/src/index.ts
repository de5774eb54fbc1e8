export * from './event-store.port.js';
export * from './event-store.token.js';
export * from './event-store.module.js';
export * from './open-event-store.js';
export * from './sqlite/sqlite-event-store.js';
export * from './command-handling/handle-command.js';
export * from './consumer/index.js';
export * from './testing/faulty-event-store.js';
