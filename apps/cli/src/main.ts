import 'reflect-metadata';
import { loadDotEnv } from '@app/config';
import { runCli } from './cli.js';

// A reader that stops early (`ledger --json keys list | head`) closes the pipe: what was written
// is all it wanted. Unhandled, the next write's EPIPE crashed the CLI with a stack trace; now
// output just stops and the command ends with its own exit code.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
}

// ./.env, when present, fills variables the environment does not set (as for the api).
loadDotEnv();
process.exitCode = await runCli(process.argv.slice(2));
