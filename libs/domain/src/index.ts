export * from './events/catalogue.js';
