import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NO_STREAM, SqliteEventStore } from '@app/event-store';
import { UpcasterRegistry, upcasters } from './upcasters.js';

describe('upcasters', () => {
  // A v2 of TrainingDelivered that renamed `days` to `trainingDays`: stored v1 events read as v2.
  const v2 = new UpcasterRegistry([
    {
      type: 'TrainingDelivered',
      fromVersion: 1,
      upcast: (data) => {
        const { details, ...rest } = data as { details: { days?: number } & Record<string, unknown> };
        const { days, ...others } = details;
        return { ...rest, details: { ...others, trainingDays: days ?? 0 } };
      },
    },
  ]);

  it('reads a stored v1 event as v2 without touching the stored data', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'apl-upcast-'));
    const store = SqliteEventStore.open(join(dir, 'events.db'));
    try {
      await store.append('activity-a-1', [{ type: 'TrainingDelivered', data: { details: { participants: 3, days: 2 } }, metadata: { schemaVersion: 1 } }], NO_STREAM);
      const [stored] = await store.readStream('activity-a-1');
      const read = v2.upcast(stored);
      expect(read.data).toEqual({ details: { participants: 3, trainingDays: 2 } });
      expect(read.metadata).toMatchObject({ schemaVersion: 2, storedSchemaVersion: 1 });
      const [again] = await store.readStream('activity-a-1');
      expect(again.data).toEqual({ details: { participants: 3, days: 2 } });
      expect(v2.currentVersion('TrainingDelivered')).toBe(2);
      expect(v2.upcast(read)).toBe(read);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a broken chain', () => {
    expect(() => new UpcasterRegistry([{ type: 'X', fromVersion: 2, upcast: (d) => d }])).toThrow(/v1 is missing/);
  });

  it('has every type at v1 today', () => {
    expect(upcasters.currentVersion('MeetingHeld')).toBe(1);
  });
});
