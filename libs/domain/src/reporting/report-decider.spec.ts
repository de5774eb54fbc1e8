import { DomainError } from '../errors.js';
import {
  type DecideContext,
  type ReportCommand,
  type ReportDecision,
  type ReportState,
  type StoredReportEvent,
  decideReport,
  evolveReport,
  initialReportState,
} from './report-decider.js';
import type { ReportEvent } from './report-events.js';

const measure = {
  planId: 'plan-x',
  measureCode: 'M.1.1',
  period: { from: '2022-01-01', to: '2023-12-31' },
  countedTypes: ['TrainingDelivered', 'MeetingHeld'],
  hasFunding: true,
};
const ctx: DecideContext = { today: '2023-06-30', measure };
const record = (over: Partial<Extract<ReportCommand, { kind: 'record' }>> = {}): ReportCommand => ({
  kind: 'record',
  type: 'TrainingDelivered',
  agencyId: 'agency-a',
  reportId: 'r-1',
  occurredOn: '2023-03-01',
  details: { title: 'Border police course', participants: 20, days: 2 },
  ...over,
});

let position = 100n;
/** Folds the decided events as the store would give them back. */
function apply(state: ReportState, events: readonly ReportEvent[]): ReportState {
  return events.reduce((s, e) => {
    position += 1n;
    const revision = s.status === 'absent' ? 0n : s.revision + 1n;
    return evolveReport(s, { ...e, id: `evt-${position}`, position, revision } as StoredReportEvent);
  }, state);
}

function appended(decision: ReportDecision): readonly ReportEvent[] {
  if (decision.kind !== 'append') throw new Error(`expected events, got ${decision.kind}`);
  return decision.events;
}

/** The DomainError `fn` throws; fails the test when it throws nothing or something else. */
function refusal(fn: () => unknown): DomainError {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  if (!(thrown instanceof DomainError)) throw new Error(`expected a DomainError, got ${String(thrown)}`);
  return thrown;
}

describe('decideReport: record', () => {
  it('records an activity the measure counts, with clean details', () => {
    const decision = decideReport(record({ details: { title: '  Course ', participants: 20, days: 2 } }), initialReportState, ctx);
    expect(decision).toEqual({
      kind: 'append',
      events: [
        {
          type: 'TrainingDelivered',
          data: {
            planId: 'plan-x',
            measureCode: 'M.1.1',
            agencyId: 'agency-a',
            reportId: 'r-1',
            occurredOn: '2023-03-01',
            details: { title: 'Course', participants: 20, days: 2 },
          },
        },
      ],
    });
  });

  it('refuses an unknown measure naming measureCode', () => {
    const e = refusal(() => decideReport(record(), initialReportState, { today: ctx.today }));
    expect(e.extra.field).toBe('measureCode');
  });

  it('refuses a type the measure does not count, saying what it counts', () => {
    const e = refusal(() => decideReport(record({ type: 'InspectionConducted', details: { inspectionKind: 'x', joint: true } }), initialReportState, ctx));
    expect(e.code).toBe('BAD_USER_INPUT');
    expect(e.extra.field).toBe('measureCode');
    expect(e.message).toContain('M.1.1 does not count InspectionConducted: its indicators count TrainingDelivered, MeetingHeld (and FundsDisbursed)');
  });

  it('accepts FundsDisbursed only for a measure with funding', () => {
    const funds = record({ type: 'FundsDisbursed', details: { amount: '132000000', source: 'national', purpose: 'Construction' } });
    expect(decideReport(funds, initialReportState, ctx).kind).toBe('append');
    const e = refusal(() => decideReport(funds, initialReportState, { ...ctx, measure: { ...measure, hasFunding: false } }));
    expect(e.message).toContain('it has no funding in the plan');
  });

  it.each([
    ['2023-07-01', /occurredOn is in the future \(today is 2023-06-30\)/],
    ['2021-12-31', /occurredOn is outside the period of plan plan-x \(2022-01-01 to 2023-12-31\)/],
    ['2023-02-30', /occurredOn must be a date written YYYY-MM-DD/],
  ])('refuses occurredOn %s', (occurredOn, message) => {
    const e = refusal(() => decideReport(record({ occurredOn }), initialReportState, ctx));
    expect(e.extra.field).toBe('occurredOn');
    expect(e.message).toMatch(message);
  });

  it.each([
    [{ title: 'x', participants: -1, days: 1 }, 'participants', 'must not be negative'],
    [{ title: 'x', participants: 5_000_000, days: 1 }, 'participants', 'must be at most 1000000'],
    [{ title: 'x', participants: 2.5, days: 1 }, 'participants', 'must be a whole number'],
    [{ title: 'x', days: 1 }, 'participants', 'is required'],
    [{ title: 'x', participants: 1, days: 1, trainees: 3 }, 'trainees', 'is not a field of TrainingDelivered'],
  ])('refuses bad details %j naming the field', (details, field, reason) => {
    const e = refusal(() => decideReport(record({ details }), initialReportState, ctx));
    expect(e.extra.field).toBe(field);
    expect(e.extra.reason).toContain(reason);
  });

  it('refuses negative and absurd money', () => {
    const funds = (amount: string) => record({ type: 'FundsDisbursed', details: { amount, source: 'eu', purpose: 'p' } });
    expect(refusal(() => decideReport(funds('-5'), initialReportState, ctx)).extra.reason).toBe('must not be negative');
    expect(refusal(() => decideReport(funds('99999999999999999999'), initialReportState, ctx)).extra.reason).toMatch(/at most 1000000000000 HUF/);
  });

  it('answers an identical retry with the first receipt, and refuses other content under the same reportId', () => {
    const first = decideReport(record(), initialReportState, ctx);
    const state = apply(initialReportState, appended(first));
    const retry = decideReport(record(), state, ctx);
    expect(retry).toEqual({ kind: 'duplicate', receipt: expect.objectContaining({ revision: 0n, type: 'TrainingDelivered' }) });
    const other = refusal(() => decideReport(record({ details: { title: 'Border police course', participants: 21, days: 2 } }), state, ctx));
    expect(other.code).toBe('CONFLICT');
    expect(other.extra.field).toBe('reportId');
  });
});

describe('decideReport: correct and retract', () => {
  const recorded = () => apply(initialReportState, appended(decideReport(record(), initialReportState, ctx)));
  const correct = (over: Partial<Extract<ReportCommand, { kind: 'correct' }>> = {}): ReportCommand => ({
    kind: 'correct',
    agencyId: 'agency-a',
    reportId: 'r-1',
    details: { title: 'Border police course', participants: 18, days: 2 },
    reason: 'Two participants did not attend',
    ...over,
  });

  it('corrects the figures, keeping the original in the state', () => {
    const decision = decideReport(correct(), recorded(), ctx);
    expect(decision.kind).toBe('append');
    const state = apply(recorded(), appended(decision));
    expect(state.status === 'active' && state.details.participants).toBe(18);
    expect(state.status === 'active' && state.original.details.participants).toBe(20);
  });

  it('treats the same correction sent twice as one', () => {
    const once = apply(recorded(), appended(decideReport(correct(), recorded(), ctx)));
    expect(decideReport(correct(), once, ctx).kind).toBe('duplicate');
  });

  it('refuses a correction that changes nothing, an unknown report, a missing reason and bad figures', () => {
    expect(refusal(() => decideReport(correct({ details: { title: 'Border police course', participants: 20, days: 2 } }), recorded(), ctx)).extra.field).toBe('details');
    expect(refusal(() => decideReport(correct(), initialReportState, ctx)).code).toBe('NOT_FOUND');
    expect(refusal(() => decideReport(correct({ reason: ' ' }), recorded(), ctx)).extra.field).toBe('reason');
    expect(refusal(() => decideReport(correct({ details: { title: 'x', participants: -3, days: 1 } }), recorded(), ctx)).extra.field).toBe('details.participants');
  });

  it('retracts once; a retracted report cannot be corrected', () => {
    const retract: ReportCommand = { kind: 'retract', agencyId: 'agency-a', reportId: 'r-1', reason: 'Reported twice by mistake' };
    const decision = decideReport(retract, recorded(), ctx);
    const state = apply(recorded(), appended(decision));
    expect(state.status).toBe('retracted');
    expect(decideReport(retract, state, ctx).kind).toBe('duplicate');
    expect(refusal(() => decideReport({ ...retract, reason: 'Another reason' }, state, ctx)).code).toBe('CONFLICT');
    expect(refusal(() => decideReport(correct(), state, ctx)).code).toBe('CONFLICT');
  });
});
