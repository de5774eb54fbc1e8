import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { SqliteEventStore } from '@app/event-store';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { EXIT } from './cli-context.js';
import { COMMAND_GROUPS } from './commands/index.js';
import { withoutPassword } from './commands/status.command.js';
import { ledger } from '../../../test/support/cli.js';


/** The command paths each group registers, e.g. ['plan'], ['plan', 'validate'], … */
function commandPaths(): string[][] {
  const scratch = new Command('ledger');
  for (const group of COMMAND_GROUPS) group.register(scratch, async () => undefined);
  const walk = (command: Command, path: string[]): string[][] =>
    command.commands.flatMap((sub) => [[...path, sub.name()], ...walk(sub, [...path, sub.name()])]);
  return walk(scratch, []);
}

describe('ledger (the CLI entry)', () => {
  it('`ledger --help` lists every registered command group, and the exit codes', async () => {
    const { code, stdout } = await ledger('--help');
    expect(code).toBe(EXIT.OK);
    const topLevel = commandPaths().filter((path) => path.length === 1);
    expect(topLevel.length).toBeGreaterThanOrEqual(COMMAND_GROUPS.length);
    for (const [name] of topLevel) expect(stdout).toMatch(new RegExp(`^  ${name}\\b`, 'm'));
    expect(stdout).toMatch(/--json/);
    for (const value of Object.values(EXIT)) expect(stdout).toMatch(new RegExp(`^  ${value} +\\S`, 'm'));
  });

  it.each(commandPaths().map((path) => [path.join(' '), path]))('`ledger %s --help` describes the command', async (_, path) => {
    const { code, stdout } = await ledger(...(path as string[]), '--help');
    expect(code).toBe(EXIT.OK);
    expect(stdout).toMatch(new RegExp(`^Usage: ledger ${(path as string[]).join(' ')}\\b`, 'm'));
    // A description under the usage line, and the global --json.
    expect(stdout.split('\n')[2]?.trim()).not.toBe('');
    expect(stdout).toMatch(/--json/);
  });

  it('an unknown command exits 64 with a message', async () => {
    const { code, stderr } = await ledger('frobnicate');
    expect(code).toBe(EXIT.USAGE);
    expect(stderr).toMatch(/unknown command 'frobnicate'/);
  });

  it('an unknown option or a missing argument exits 64', async () => {
    expect((await ledger('plan', 'validate')).code).toBe(EXIT.USAGE);
    expect((await ledger('status', '--frob')).code).toBe(EXIT.USAGE);
  });

  it('--version prints the version', async () => {
    const { code, stdout } = await ledger('--version');
    expect(code).toBe(EXIT.OK);
    expect(stdout).toMatch(/^\d+\.\d+\.\d+/);
  });

  describe('status', () => {
    const saved = { ...process.env };
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'apl-cli-status-'));
      process.env.DATA_DIR = dir;
      delete process.env.EVENTSTORE_CONNECTION_STRING;
    });
    afterEach(() => {
      process.env = { ...saved };
      rmSync(dir, { recursive: true, force: true });
    });

    it('refuses a store that does not exist: exit 69 naming the file it looked for, and creates nothing', async () => {
      for (const args of [['status'], ['keys', 'list'], ['agencies'], ['verify'], ['replay'], ['export'], ['keys', 'revoke', 'abc', '--reason', 'x'], ['keys', 'issue', '--role', 'admin', '--label', 'x']]) {
        const { code, stdout, stderr } = await ledger(...args);
        expect({ args, code }).toEqual({ args, code: EXIT.UNAVAILABLE });
        expect(stderr).toContain(`No event store at ${join(dir, 'events.db')} (DATA_DIR=${dir})`);
        expect(stdout).toBe('');
      }
      expect(existsSync(join(dir, 'events.db'))).toBe(false);
    });

    it('tells the store kind and head position, human or --json', async () => {
      await SqliteEventStore.open(join(dir, 'events.db')).close();
      const human = await ledger('status');
      expect(human.code).toBe(EXIT.OK);
      expect(human.stdout).toMatch(/^store: sqlite at .*events\.db$/m);
      expect(human.stdout).toMatch(/^head position: 0$/m);
      const json = await ledger('status', '--json');
      expect(JSON.parse(json.stdout)).toMatchObject({ store: { kind: 'sqlite', headPosition: '0' } });
    });

    it('never prints the password of a connection string', () => {
      expect(withoutPassword('esdb://admin:changeit@db.internal:2113?tls=true')).toBe('esdb://admin:***@db.internal:2113?tls=true');
      expect(withoutPassword('esdb://localhost:2113?tls=false')).toBe('esdb://localhost:2113?tls=false');
    });

    it('exits 78 naming the variable when the configuration is bad', async () => {
      process.env.LOG_LEVEL = 'loud';
      const { code, stderr } = await ledger('status');
      expect(code).toBe(EXIT.CONFIG);
      expect(stderr).toMatch(/Invalid configuration: LOG_LEVEL/);
    });
  });
});
