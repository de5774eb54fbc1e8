export * from './report-errors.js';
export * from './report-source.js';
export * from './report-model.js';
export * from './render.js';
export * from './words.js';
export * from './spreadsheet-dates.js';
