import type { RecordedEvent } from '@app/event-store';
import { foldProjection } from '../fold.js';
import { KeyedState } from '../keyed-state.js';
import { TestLog } from '../test-support.js';
import { REPORT_LIST, type ReportEntry, type ReportListFilter, listReports, listReportsAt, reportListProjection } from './report-list.projection.js';

describe('report list: what was done, report by report', () => {
  const log = new TestLog();
  const t1 = log.report('TrainingDelivered', { agencyId: 'police', measureCode: 'A.1.1', reportId: 't1' }, '2030-03-01', { title: 'Border', participants: 10, days: 1 });
  const t2 = log.report('TrainingDelivered', { agencyId: 'police', measureCode: 'A.1.1', reportId: 't2' }, '2030-04-01', { title: 'Airport', participants: 5, days: 1 });
  log.report('CampaignConducted', { agencyId: 'ministry', measureCode: 'A.1.2', reportId: 'c1' }, '2030-05-01', { title: 'Work abroad safely', scope: 'LOCAL' });
  log.correct(t1, '2030-03-02', { title: 'Border police', participants: 12, days: 1 });
  log.correct(t1, '2030-03-02', { title: 'Border police', participants: 11, days: 1 });
  log.retract(t2);
  // A correction after the retraction changes nothing.
  log.correct(t2, '2030-04-01', { title: 'x', participants: 1, days: 1 });
  const { state } = foldProjection(reportListProjection, log.events);

  it('keeps each report’s current details, status and number of corrections, in recording order', () => {
    const page = listReports(state, {}, 10);
    expect(page.reports.map((r) => [r.reportId, r.type, r.occurredOn, r.details.title, r.status, r.corrections])).toEqual([
      ['t1', 'TrainingDelivered', '2030-03-02', 'Border police', 'ACTIVE', 2],
      ['t2', 'TrainingDelivered', '2030-04-01', 'Airport', 'RETRACTED', 0],
      ['c1', 'CampaignConducted', '2030-05-01', 'Work abroad safely', 'ACTIVE', 0],
    ]);
    expect(page.reports[1].retractionReason).toBe('reported in error');
  });

  it('filters by measure, agency, type, business dates and status, and pages', () => {
    const ids = (f: Parameters<typeof listReports>[1]) => listReports(state, f, 10).reports.map((r) => r.reportId);
    expect(ids({ measureCode: 'A.1.1' })).toEqual(['t1', 't2']);
    expect(ids({ agencyId: 'ministry' })).toEqual(['c1']);
    expect(ids({ eventType: 'CampaignConducted' })).toEqual(['c1']);
    expect(ids({ occurredFrom: '2030-03-03', occurredTo: '2030-04-30' })).toEqual(['t2']);
    expect(ids({ status: 'ACTIVE' })).toEqual(['t1', 'c1']);
    const first = listReports(state, {}, 2);
    expect(first).toMatchObject({ totalCount: 3, hasNextPage: true });
    const next = listReports(state, {}, 2, BigInt(first.reports[1].position));
    expect(next.reports.map((r) => r.reportId)).toEqual(['c1']);
    expect(next.hasNextPage).toBe(false);
  });
});

describe('report list at a past position (listReportsAt)', () => {
  const log = new TestLog();
  const police = (reportId: string, measureCode = 'A.1.1') => ({ agencyId: 'police', measureCode, reportId });
  const t1 = log.report('TrainingDelivered', police('t1'), '2030-03-01', { title: 'Border', participants: 10, days: 1 });
  const m1 = log.report('MeetingHeld', { agencyId: 'ministry', measureCode: 'A.1.2', reportId: 'm1' }, '2030-02-10', { title: 'Round table', participants: 8 });
  const t2 = log.report('TrainingDelivered', police('t2'), '2030-04-01', { title: 'Airport', participants: 5, days: 1 });
  log.correct(t1, '2030-05-20', { title: 'Border police', participants: 12, days: 2 }); // moved out of March
  const t3 = log.report('TrainingDelivered', police('t3', 'A.1.2'), '2030-03-15', { title: 'Seaport', participants: 7, days: 1 });
  log.retract(t2);
  log.correct(m1, '2030-02-11', { title: 'Round table', participants: 9 });
  log.correct(t1, '2030-03-05', { title: 'Border police', participants: 11, days: 2 }); // and back into March
  log.correct(t2, '2030-04-01', { title: 'ignored after the retraction', participants: 1, days: 1 });
  log.retract(t3);
  log.report('TrainingDelivered', police('t4'), '2030-03-20', { title: 'Rail', participants: 3, days: 1 });
  const live = foldProjection(reportListProjection, log.events).state;

  /** The fold-back the point-in-time view does: a stream's own events up to the position, folded alone. */
  function entriesAt(position: bigint, asked: string[][]) {
    return async (streams: readonly string[]): Promise<ReadonlyMap<string, ReportEntry>> => {
      asked.push([...streams]);
      const found = new Map<string, ReportEntry>();
      for (const stream of streams) {
        const own = log.events.filter((e: RecordedEvent) => e.stream === stream && e.position <= position);
        const state = foldProjection(reportListProjection, own).state;
        for (const group of state.groups(REPORT_LIST)) for (const entry of state.group(REPORT_LIST, group).values()) found.set(entry.stream, entry);
      }
      return found;
    };
  }

  const FILTERS: ReportListFilter[] = [
    {},
    { agencyId: 'police' },
    { measureCode: 'A.1.1' },
    { status: 'RETRACTED' },
    { status: 'ACTIVE', occurredFrom: '2030-03-01', occurredTo: '2030-03-31' },
    { eventType: 'MeetingHeld' },
    { agencyId: 'police', reportId: 't1' },
  ];

  it('equals the list of the register folded up to each position, for every filter and page, reading back only what changed since', async () => {
    const head = log.events[log.events.length - 1].position;
    for (let position = 0n; position <= head; position++) {
      const then = foldProjection(reportListProjection, log.events.filter((e) => e.position <= position)).state;
      for (const filter of FILTERS) {
        for (const [first, after] of [[10, undefined], [1, undefined], [2, 2n], [2, 4n]] as const) {
          const asked: string[][] = [];
          const page = await listReportsAt(live, position, filter, first, after, entriesAt(position, asked));
          expect({ position, filter, first, after, page }).toEqual({ position, filter, first, after, page: listReports(then, filter, first, after) });
          // Only reports recorded by the position and changed after it were read back, each once.
          const streams = asked.flat();
          expect(new Set(streams).size).toBe(streams.length);
          for (const stream of streams) {
            const entry = [...live.group(REPORT_LIST, stream.includes('police') ? 'police' : 'ministry').values()].find((r) => r.stream === stream)!;
            expect(BigInt(entry.position) <= position && BigInt(entry.lastPosition) > position).toBe(true);
          }
        }
      }
    }
  });

  it('reads nothing back at the head, and nothing for reports outside the filter’s fixed fields', async () => {
    const head = log.events[log.events.length - 1].position;
    const asked: string[][] = [];
    await listReportsAt(live, head, {}, 10, undefined, entriesAt(head, asked));
    expect(asked).toEqual([]);
    // After t1's first correction (position 4) t1, m1, t2 and t3 change again; only A.1.2's are asked for A.1.2.
    const page = await listReportsAt(live, 4n, { measureCode: 'A.1.2' }, 10, undefined, entriesAt(4n, asked));
    expect(asked).toEqual([[m1.stream]]);
    expect(page.reports.map((r) => [r.reportId, r.details.participants, r.corrections])).toEqual([['m1', 8, 0]]);
  });

  it('keeps the position of each entry’s last change', () => {
    const t1Now = live.get(REPORT_LIST, 'police', t1.stream)!;
    expect([t1Now.position, t1Now.lastPosition, t1Now.corrections]).toEqual([t1.position.toString(), '8', 2]);
    // A correction after the retraction changes nothing, so it is not the last change.
    expect(live.get(REPORT_LIST, 'police', t2.stream)!.lastPosition).toBe('6');
  });
});

describe('report list pages', () => {
  it('pages in recording order however the register holds its entries (positions of any length, groups in any order)', () => {
    // A register loaded in another order than recorded: positions 1…400 spread over 3 agencies, shuffled.
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const positions = Array.from({ length: 400 }, (_, i) => BigInt(i * 37 + 1));
    positions.sort(() => random() - 0.5);
    const state = new KeyedState();
    for (const p of positions) {
      const agencyId = ['a', 'b', 'c'][Number(p % 3n)];
      const entry: ReportEntry = {
        stream: `activity-${agencyId}-${p}`, planId: 'p', measureCode: p % 2n === 0n ? 'M.1' : 'M.2', agencyId, reportId: `r${p}`, type: 'MeetingHeld',
        occurredOn: '2030-01-01', details: {}, status: 'ACTIVE', corrections: 0, recordedAt: 'x', updatedAt: 'x', position: p.toString(), lastPosition: p.toString(),
      };
      state.put(REPORT_LIST.name, agencyId, entry.stream, entry);
    }
    const sorted = [...positions].sort((x, y) => (x < y ? -1 : 1));
    for (const filter of [{}, { agencyId: 'b' }, { measureCode: 'M.1' }] as ReportListFilter[]) {
      const expected = sorted.filter((p) => (filter.agencyId === undefined || ['a', 'b', 'c'][Number(p % 3n)] === filter.agencyId) && (filter.measureCode === undefined || (p % 2n === 0n ? 'M.1' : 'M.2') === filter.measureCode));
      for (const first of [1, 7, 50, 500]) {
        for (const after of [undefined, -1n, 0n, 1n, 38n, 500n, 5000n, 14764n, 20000n]) {
          const following = expected.filter((p) => after === undefined || p > after);
          const page = listReports(state, filter, first, after);
          expect({ filter, first, after, page: page.reports.map((r) => r.position), total: page.totalCount, more: page.hasNextPage }).toEqual({
            filter, first, after, page: following.slice(0, first).map(String), total: expected.length, more: following.length > first,
          });
        }
      }
    }
  });
});
