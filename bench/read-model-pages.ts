/**
 * Issue 24: CPU of one read-model commit as ReadModelStore writes it (one chunk row of report-list
 * entries as JSON, and five checkpoint upserts, in one transaction; WAL, synchronous=NORMAL) on
 * SQLite pages of 4 KiB (the default) and 16 KiB, alternating, 300 commits each, with 20 and with
 * 170 entries per commit (one client, and 64 clients, over the runner's 200-ms batch).
 *
 *   node --import @swc-node/register/esm-register bench/read-model-pages.ts   (files on /dev/shm)
 */
import Database from 'better-sqlite3';
import { rmSync } from 'node:fs';
const entry = (i: number) => ['report', 'ministry-of-interior', `activity-ministry-of-interior/r-${i}`, { stream: `activity-ministry-of-interior/r-${i}`, planId: 'hu-2022-2023', measureCode: 'II.1.3', agencyId: 'ministry-of-interior', reportId: `r-${i}`, type: 'TrainingDelivered', occurredOn: '2023-05-02', details: { title: 'Border control course', participants: 12, days: 1 }, status: 'ACTIVE', corrections: 0, recordedAt: '2026-11-30T07:00:00.000Z', updatedAt: '2026-11-30T07:00:00.000Z', position: String(i) }];
const sizes = [4096, 16384];
const dbs = sizes.map((ps) => {
  const f = `/dev/shm/ps-${ps}.db`;
  for (const s of ['', '-wal', '-shm']) rmSync(f + s, { force: true });
  const db = new Database(f);
  db.pragma(`page_size = ${ps}`);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec('CREATE TABLE projection_chunks (name TEXT NOT NULL, seq INTEGER NOT NULL, entries INTEGER NOT NULL, data TEXT NOT NULL, PRIMARY KEY (name, seq)); CREATE TABLE cp (name TEXT PRIMARY KEY, position TEXT)');
  return { ps, db, ins: db.prepare('INSERT INTO projection_chunks VALUES (?, ?, ?, ?)'), cp: db.prepare('INSERT INTO cp VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET position = excluded.position'), seq: 0, us: 0 };
});
let n = 0;
for (const perCommit of [20, 170]) {
  for (const d of dbs) d.us = 0;
  for (let r = 0; r < 300; r++) {
    for (const d of dbs) {
      const chunk = Array.from({ length: perCommit }, () => entry(n++));
      const text = JSON.stringify(chunk);
      const c = process.cpuUsage();
      d.db.transaction(() => { d.ins.run('report_list', d.seq++, perCommit, text); for (const p of ['a', 'b', 'c', 'd', 'e']) d.cp.run(p, String(n)); })();
      const u = process.cpuUsage(c);
      d.us += u.user + u.system;
    }
  }
  for (const d of dbs) console.log(`page ${d.ps}, ${perCommit} entries (${JSON.stringify(Array.from({ length: perCommit }, () => entry(1))).length} bytes) per commit: ${(d.us / 300).toFixed(0)} µs per commit, ${(d.us / 300 / perCommit).toFixed(2)} µs per entry`);
}
