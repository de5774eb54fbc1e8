export * from './plan.types.js';
export * from './plan-validator.js';
export * from './plan-parser.js';
export * from './plan-changes.js';
export * from './plan-events.js';
export * from './plan-loader.js';
export * from './plan-catalog.js';
export * from './plan-catalog.module.js';
export { deepEqual as planValuesEqual } from './plan-json.js';
