export * from './events/catalogue.js';
export * from './events/validate-details.js';
export * from './events/upcasters.js';
export * from './errors.js';
export * from './reporting/report-events.js';
export * from './reporting/report-decider.js';
export * from './events/events-doc.js';
