import { type AppConfig, loadConfig } from '@app/config';
import { type EventStore, openEventStore } from '@app/event-store';

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

/** What every command gets: output that honours --json, the config and the store. */
export class CliContext {
  private store?: EventStore;
  private cachedConfig?: AppConfig;

  constructor(
    readonly json: boolean,
    private readonly out: NodeJS.WritableStream = process.stdout,
    private readonly err: NodeJS.WritableStream = process.stderr,
  ) {}

  get config(): AppConfig {
    this.cachedConfig ??= loadConfig();
    return this.cachedConfig;
  }

  async eventStore(): Promise<EventStore> {
    this.store ??= await openEventStore(this.config);
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

  /** Progress on stderr, so stdout stays clean for pipes and --json. */
  progress(done: number, total: number | undefined, label: string): void {
    if (this.json || !(this.err as NodeJS.WriteStream).isTTY) return;
    const width = 30;
    const bar =
      total && total > 0
        ? `[${'#'.repeat(Math.round((done / total) * width)).padEnd(width, '.')}] ${done}/${total}`
        : `${done}`;
    this.err.write(`\r${label} ${bar}`);
    if (total !== undefined && done >= total) this.err.write('\n');
  }

  error(message: string): void {
    this.err.write(`${message}\n`);
  }

  async close(): Promise<void> {
    await this.store?.close();
  }
}

export function bigintReplacer(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}
