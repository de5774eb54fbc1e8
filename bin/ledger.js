#!/usr/bin/env node
// The CLI entry (`npx ledger …`): runs the compiled CLI; build it first with `npm run build`.
import('../dist/apps/cli/src/main.js');
