#!/usr/bin/env node
// The CLI entry (`npx ledger …`, `npm run cli -- …`): the TypeScript sources in a checkout with
// the dev dependencies, else the compiled CLI in dist/ (see run-entry.js).
import { runEntry } from './run-entry.js';

await runEntry('cli', 'ledger');
