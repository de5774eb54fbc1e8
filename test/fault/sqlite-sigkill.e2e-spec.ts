import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '@app/event-store';
import { spawnTs, watchLines } from './support/spawn-ts.js';

describe('embedded store durability (fault)', () => {
  it('loses no acknowledged append when the process is killed with SIGKILL', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'apl-kill-'));
    const file = join(dir, 'events.db');
    try {
      const child = spawnTs('test/fault/support/append-child.ts', [file]);
      const acked = new Map<string, bigint>();
      const exited = watchLines(child, (line) => {
        const [tag, stream, position] = line.split(' ');
        if (tag !== 'ACK') return;
        acked.set(stream, BigInt(position));
        // Kill in the middle of a stream of appends, right after an acknowledgement.
        if (acked.size === 500) child.kill('SIGKILL');
      });
      const { signal, stderr } = await exited;
      expect(stderr).not.toMatch(/Error/);
      expect(signal).toBe('SIGKILL');
      expect(acked.size).toBeGreaterThanOrEqual(500);

      const store = SqliteEventStore.open(file);
      try {
        for (const [stream, position] of acked) {
          const events = await store.readStream(stream);
          expect(events).toHaveLength(1);
          expect(events[0].position).toBe(position);
        }
      } finally {
        await store.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
