export * from './consumer-errors.js';
export * from './interruptible-delay.js';
export * from './position-waiters.js';
export * from './log-consumer.js';
