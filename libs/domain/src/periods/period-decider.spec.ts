import { DomainError } from '../errors.js';
import { type DecideContext, type ReportCommand, type ReportState, decideReport, evolveReport, initialReportState } from '../reporting/report-decider.js';
import type { ReportEvent } from '../reporting/report-events.js';
import { parsePeriodId, periodOfDate, periodStreamName, periodsBetween } from './period-calendar.js';
import {
  type PeriodCommand,
  type PeriodDecideContext,
  type PeriodGateInfo,
  type PeriodState,
  assertPeriodWritable,
  decidePeriod,
  evolvePeriod,
  initialPeriodState,
  periodDuplicateReceipt,
} from './period-decider.js';
import type { PeriodEvent, PeriodStatus } from './period-events.js';
import { refusalOf } from '../../../../test/support/refusal.js';

const ctx: PeriodDecideContext = { today: '2023-07-15', plan: { length: 'quarter', from: '2022-04-14', to: '2023-12-31' }, measureCodes: ['I.1.1', 'II.1.3'] };
const cmd = (kind: PeriodCommand['kind'], requestId: string, over: Partial<PeriodCommand> = {}): PeriodCommand => ({
  kind,
  planId: 'hu-2022-2023',
  agencyId: 'ministry-of-interior',
  periodId: '2023-Q1',
  requestId,
  ...over,
});

let position = 10n;
function run(state: PeriodState, command: PeriodCommand, c: PeriodDecideContext = ctx): PeriodState {
  return decidePeriod(command, state, c).reduce((s: PeriodState, e: PeriodEvent) => {
    position += 1n;
    const revision = s.revision === undefined ? 0n : s.revision + 1n;
    return evolvePeriod(s, { ...e, id: `e-${position}`, stream: 's', position, revision, metadata: {} });
  }, state);
}
const refusal = (fn: () => unknown): DomainError => refusalOf(DomainError, fn);

describe('period calendar', () => {
  it('maps dates to months, quarters and years, leap days included', () => {
    expect(periodOfDate('2024-02-29', 'quarter')).toEqual({ periodId: '2024-Q1', from: '2024-01-01', to: '2024-03-31' });
    expect(periodOfDate('2024-02-10', 'month')).toEqual({ periodId: '2024-02', from: '2024-02-01', to: '2024-02-29' });
    expect(periodOfDate('2023-12-31', 'quarter').periodId).toBe('2023-Q4');
    expect(periodOfDate('2023-06-30', 'year')).toEqual({ periodId: '2023', from: '2023-01-01', to: '2023-12-31' });
  });
  it('parses only ids of the plan\'s length', () => {
    expect(parsePeriodId('2023-Q3', 'quarter')).toEqual({ periodId: '2023-Q3', from: '2023-07-01', to: '2023-09-30' });
    for (const bad of ['2023-Q5', '2023-Q0', '2023-07', '2023', 'Q1-2023', '2023-q1']) expect(parsePeriodId(bad, 'quarter')).toBeUndefined();
    expect(parsePeriodId('2023-13', 'month')).toBeUndefined();
  });
  it('lists the periods overlapping a plan period', () => {
    expect(periodsBetween('2022-04-14', '2023-12-31', 'quarter').map((p) => p.periodId)).toEqual([
      '2022-Q2', '2022-Q3', '2022-Q4', '2023-Q1', '2023-Q2', '2023-Q3', '2023-Q4',
    ]);
    expect(periodsBetween('2022-11-30', '2023-01-01', 'month').map((p) => p.periodId)).toEqual(['2022-11', '2022-12', '2023-01']);
  });
  it('names streams no other ids can collide with', () => {
    expect(periodStreamName('hu-2022-2023', 'acme-east', '2023-Q1')).toBe('period-hu-2022-2023/acme-east/2023-Q1');
    expect(() => periodStreamName('hu', 'acme/x', '2023-Q1')).toThrow(/No period stream/);
  });
});

describe('decidePeriod', () => {
  it('walks submit → return → submit → approve → reopen → approve', () => {
    let s = run(initialPeriodState, cmd('submit', 's1'));
    expect(s.status).toBe('SUBMITTED');
    s = run(s, cmd('return', 'r1', { comment: 'Q1 trainings missing' }));
    expect(s.status).toBe('RETURNED');
    s = run(s, cmd('submit', 's2'));
    s = run(s, cmd('approve', 'a1'));
    expect(s.status).toBe('APPROVED');
    s = run(s, cmd('reopen', 'o1', { reason: 'Participant count corrected by GRETA review' }));
    expect(s.status).toBe('REOPENED');
    s = run(s, cmd('approve', 'a2'));
    expect(s.status).toBe('APPROVED');
    expect(s.revision).toBe(5n);
  });

  it('records what the agency submitted for', () => {
    const [event] = decidePeriod(cmd('submit', 's1', { comment: '  all in ' }), initialPeriodState, ctx);
    expect(event).toEqual({ type: 'PeriodSubmitted', data: { planId: 'hu-2022-2023', agencyId: 'ministry-of-interior', periodId: '2023-Q1', requestId: 's1', measureCodes: ['I.1.1', 'II.1.3'], comment: 'all in' } });
  });

  it('answers a retry with the first receipt and refuses a reused request id', () => {
    const s = run(initialPeriodState, cmd('submit', 's1'));
    expect(decidePeriod(cmd('submit', 's1'), s, ctx)).toEqual([]);
    expect(periodDuplicateReceipt(cmd('submit', 's1'), s).revision).toBe(0n);
    const approved = run(s, cmd('approve', 'a1'));
    // A late retry of the submission still answers, after the period moved on.
    expect(decidePeriod(cmd('submit', 's1'), approved, ctx)).toEqual([]);
    expect(refusal(() => decidePeriod(cmd('approve', 's1'), approved, ctx))).toMatchObject({ code: 'CONFLICT', extra: { field: 'requestId' } });
    expect(refusal(() => decidePeriod(cmd('submit', 'bad id!'), s, ctx))).toMatchObject({ code: 'BAD_USER_INPUT', extra: { field: 'requestId' } });
  });

  it.each<[PeriodCommand['kind'], PeriodStatus[], Partial<PeriodCommand>]>([
    ['approve', ['OPEN', 'RETURNED', 'APPROVED'], {}],
    ['return', ['OPEN', 'RETURNED', 'APPROVED', 'REOPENED'], { comment: 'Fix it please' }],
    ['reopen', ['OPEN', 'SUBMITTED', 'RETURNED', 'REOPENED'], { reason: 'Figures changed' }],
    ['submit', ['SUBMITTED', 'APPROVED'], {}],
  ])('refuses %s from %j with CONFLICT naming periodId', (kind, statuses, over) => {
    for (const status of statuses) {
      const state: PeriodState = { status, revision: 0n, requests: new Map() };
      expect({ status, e: refusal(() => decidePeriod(cmd(kind, 'x1', over), state, ctx)) }).toMatchObject({ status, e: { code: 'CONFLICT', extra: { field: 'periodId' } } });
    }
  });

  it('refuses a submission before the period has ended, a period of another length or outside the plan, and an unknown plan', () => {
    expect(refusal(() => decidePeriod(cmd('submit', 's1', { periodId: '2023-Q3' }), initialPeriodState, ctx))).toMatchObject({ extra: { field: 'periodId', reason: expect.stringMatching(/not ended.*2023-09-30/) } });
    // The last day of the period is not yet after it.
    expect(refusal(() => decidePeriod(cmd('submit', 's1', { periodId: '2023-Q2' }), initialPeriodState, { ...ctx, today: '2023-06-30' }))).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(decidePeriod(cmd('submit', 's1', { periodId: '2023-Q2' }), initialPeriodState, { ...ctx, today: '2023-07-01' })).toHaveLength(1);
    for (const periodId of ['2023-05', '2023', '2024-Q1', '2022-Q1']) {
      expect(refusal(() => decidePeriod(cmd('submit', 's1', { periodId }), initialPeriodState, ctx))).toMatchObject({ code: 'BAD_USER_INPUT', extra: { field: 'periodId' } });
    }
    expect(refusal(() => decidePeriod(cmd('submit', 's1'), initialPeriodState, { today: ctx.today }))).toMatchObject({ extra: { field: 'planId' } });
  });

  it('needs a comment to return and a reason to reopen', () => {
    const submitted = run(initialPeriodState, cmd('submit', 's1'));
    expect(refusal(() => decidePeriod(cmd('return', 'r1', { comment: ' ' }), submitted, ctx))).toMatchObject({ extra: { field: 'comment' } });
    const approved = run(submitted, cmd('approve', 'a1'));
    expect(refusal(() => decidePeriod(cmd('reopen', 'o1'), approved, ctx))).toMatchObject({ extra: { field: 'reason' } });
  });
});

describe('assertPeriodWritable', () => {
  const span = { periodId: '2023-Q1', from: '2023-01-01', to: '2023-03-31' };
  const at = (status: PeriodStatus, entryWindowDays?: number): PeriodGateInfo => ({ span, status, entryWindowDays });

  it('refuses an approved period with FORBIDDEN period-locked, naming it', () => {
    const e = refusal(() => assertPeriodWritable(at('APPROVED'), '2023-04-02', 'occurredOn'));
    expect(e).toMatchObject({ code: 'FORBIDDEN', extra: { rule: 'period-locked', period: '2023-Q1', field: 'occurredOn' } });
    expect(e.message).toMatch(/2023-Q1/);
    for (const status of ['OPEN', 'SUBMITTED', 'RETURNED', 'REOPENED'] as const) expect(() => assertPeriodWritable(at(status), '2030-01-01', 'occurredOn')).not.toThrow();
  });

  it('closes the data-entry window N days after the period ends unless reopened or returned', () => {
    expect(() => assertPeriodWritable(at('OPEN', 15), '2023-04-15', 'occurredOn')).not.toThrow();
    expect(refusal(() => assertPeriodWritable(at('SUBMITTED', 15), '2023-04-16', 'occurredOn'))).toMatchObject({ code: 'FORBIDDEN', extra: { rule: 'entry-window-closed', period: '2023-Q1' } });
    expect(refusal(() => assertPeriodWritable(at('OPEN', 0), '2023-04-01', 'occurredOn'))).toMatchObject({ extra: { rule: 'entry-window-closed' } });
    expect(() => assertPeriodWritable(at('REOPENED', 0), '2024-01-01', 'occurredOn')).not.toThrow();
    expect(() => assertPeriodWritable(at('RETURNED', 0), '2024-01-01', 'occurredOn')).not.toThrow();
  });
});

describe('the report decider consults the period of every write', () => {
  const measure = { planId: 'plan-x', measureCode: 'M.1.1', period: { from: '2022-01-01', to: '2023-12-31' }, countedTypes: ['TrainingDelivered'], hasFunding: false };
  const locked = new Set(['agency-a/2023-Q1']);
  const rctx: DecideContext = {
    today: '2023-07-01',
    measure,
    planPeriod: () => measure.period,
    period: (_plan, agency, date) => {
      const span = periodOfDate(date, 'quarter');
      return { span, status: locked.has(`${agency}/${span.periodId}`) ? 'APPROVED' : 'OPEN' };
    },
  };
  const details = { title: 'Course', participants: 20, days: 2 };
  const record = (occurredOn: string, agencyId = 'agency-a'): ReportCommand => ({ kind: 'record', type: 'TrainingDelivered', agencyId, reportId: 'r-1', occurredOn, details });
  const stored = (command: ReportCommand): ReportState =>
    decideReport(command, initialReportState, { ...rctx, period: () => undefined }).reduce(
      (s: ReportState, e: ReportEvent) => evolveReport(s, { ...e, id: 'e1', stream: 'x', position: 1n, revision: 0n, metadata: {} }),
      initialReportState,
    );

  it('refuses a record, a correction into or out of, and a retraction in a locked period; other agencies are not locked', () => {
    expect(refusal(() => decideReport(record('2023-02-01'), initialReportState, rctx))).toMatchObject({ code: 'FORBIDDEN', extra: { rule: 'period-locked', period: '2023-Q1' } });
    expect(decideReport(record('2023-02-01', 'agency-b'), initialReportState, rctx)).toHaveLength(1);
    const inQ2 = stored(record('2023-05-01'));
    const fix = { kind: 'correct', type: 'TrainingDelivered', agencyId: 'agency-a', reportId: 'r-1', requestId: 'f1', reason: 'Date checked', details } as const;
    expect(refusal(() => decideReport({ ...fix, occurredOn: '2023-03-01' }, inQ2, rctx))).toMatchObject({ extra: { rule: 'period-locked', field: 'occurredOn' } });
    expect(decideReport({ ...fix, details: { ...details, participants: 21 } }, inQ2, rctx)).toHaveLength(1);
    const inQ1 = stored(record('2023-02-01'));
    expect(refusal(() => decideReport({ ...fix, occurredOn: '2023-05-01' }, inQ1, rctx))).toMatchObject({ extra: { rule: 'period-locked', field: 'reportId' } });
    expect(refusal(() => decideReport({ kind: 'retract', agencyId: 'agency-a', reportId: 'r-1', requestId: 'w1', reason: 'Wrong measure' }, inQ1, rctx))).toMatchObject({ extra: { rule: 'period-locked' } });
    // A retry of the original record is still answered (nothing is written either way).
    expect(decideReport(record('2023-02-01'), inQ1, rctx)).toEqual([]);
  });
});
