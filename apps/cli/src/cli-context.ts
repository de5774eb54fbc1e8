import { existsSync } from 'node:fs';
import { type AppConfig, loadConfig } from '@app/config';
import { type EventStore, embeddedStoreFile, openEventStore } from '@app/event-store';
import { ProgressReporter } from './progress.js';

/** Exit codes shared by every command (sysexits-style). */
export const EXIT = {
  OK: 0,
  /** The command ran but found a problem (invalid plan, broken chain, digest mismatch). */
  FAILED: 1,
  USAGE: 64,
  DATA: 65,
  NO_INPUT: 66,
  UNAVAILABLE: 69,
  CONFIG: 78,
} as const;

/** Thrown by commands to stop with a message and an exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.FAILED,
  ) {
    super(message);
  }
}

/**
 * The embedded store's file must exist unless the command was told to create it: run without
 * the api's DATA_DIR, the CLI would otherwise create an empty store elsewhere and report on it
 * (head 0), or issue keys into it that the api never sees.
 */
export function missingStoreError(file: string, dataDir: string): CliError {
  return new CliError(
    `No event store at ${file} (DATA_DIR=${dataDir}). Set DATA_DIR to the api's data directory, ` +
      'or pass --create to start a new, empty store there.',
    EXIT.UNAVAILABLE,
  );
}

/** What every command gets: output that honours --json, the config and the store. */
export class CliContext {
  private store?: EventStore;
  private cachedConfig?: AppConfig;
  private readonly bars: ProgressReporter;

  constructor(
    readonly json: boolean,
    private readonly out: NodeJS.WritableStream = process.stdout,
    private readonly err: NodeJS.WritableStream = process.stderr,
  ) {
    this.bars = new ProgressReporter(err);
  }

  get config(): AppConfig {
    this.cachedConfig ??= loadConfig();
    return this.cachedConfig;
  }

  /**
   * The configured store. The embedded one must exist already (exit 69 naming the file it looked
   * for) unless `create` (the command's --create); EventStoreDB is a server, never created here.
   */
  async eventStore(options: { create?: boolean } = {}): Promise<EventStore> {
    if (!this.store) {
      const config = this.config;
      const file = embeddedStoreFile(config.dataDir);
      if (!config.eventStoreConnectionString && !options.create && !existsSync(file)) throw missingStoreError(file, config.dataDir);
      this.store = await openEventStore(config);
    }
    return this.store;
  }

  /** Human output: printed unless --json. */
  info(line: string): void {
    if (!this.json) this.out.write(`${line}\n`);
  }

  /** The command's result: JSON with --json, else the human text. */
  result(value: unknown, human: string): void {
    this.out.write(this.json ? `${JSON.stringify(value, bigintReplacer, 2)}\n` : `${human}\n`);
  }

  /**
   * Progress on stderr, so stdout stays clean for pipes and --json: a bar on a terminal, plain
   * lines otherwise (see ProgressReporter); none with --json.
   */
  progress(done: number, total: number | undefined, label: string): void {
    if (!this.json) this.bars.update(done, total, label);
  }

  error(message: string): void {
    this.err.write(`${message}\n`);
  }

  async close(): Promise<void> {
    this.bars.stop();
    await this.store?.close();
  }
}

export function bigintReplacer(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}
