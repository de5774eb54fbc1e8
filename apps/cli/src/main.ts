import 'reflect-metadata';
import { loadDotEnv } from '@app/config';
import { runCli } from './cli.js';

// ./.env, when present, fills variables the environment does not set (as for the api).
loadDotEnv();
process.exitCode = await runCli(process.argv.slice(2));
