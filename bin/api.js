#!/usr/bin/env node
// The api entry of `npm start`: the TypeScript sources in a checkout with the dev dependencies
// (serving within seconds, no build, never stale), else the compiled api in dist/ (see
// run-entry.js). Start it with `node --max-semi-space-size=64` (docs/operations.md).
import { runEntry } from './run-entry.js';

await runEntry('api', 'api');
