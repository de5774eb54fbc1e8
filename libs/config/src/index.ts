export * from './config.js';
export * from './config.module.js';
export * from './env-file.js';
export * from './version.js';
