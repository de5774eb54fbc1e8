import { DomainError } from '../errors.js';
import {
  type DecideContext,
  type ReportCommand,
  type ReportState,
  decideReport,
  duplicateReceipt,
  evolveReport,
  initialReportState,
  deleteRequestId,
  updateRequestId,
} from './report-decider.js';
import type { ReportEvent } from './report-events.js';
import { refusalOf } from '../../../../test/support/refusal.js';

const measure = {
  planId: 'plan-x',
  measureCode: 'M.1.1',
  period: { from: '2022-01-01', to: '2023-12-31' },
  countedTypes: ['TrainingDelivered', 'MeetingHeld'],
  hasFunding: true,
};
const ctx: DecideContext = { today: '2023-06-30', measure, planPeriod: (planId) => (planId === 'plan-x' ? measure.period : undefined), period: () => undefined };
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
    return evolveReport(s, { ...e, id: `evt-${position}`, stream: 'activity-agency-a/r-1', position, revision, metadata: {} });
  }, state);
}

function appended(decision: readonly ReportEvent[]): readonly ReportEvent[] {
  if (decision.length === 0) throw new Error('expected events, got a duplicate');
  return decision;
}

/** The DomainError `fn` throws; fails the test when it throws nothing or something else. */
const refusal = (fn: () => unknown): DomainError => refusalOf(DomainError, fn);

describe('decideReport: record', () => {
  it('records an activity the measure counts, with clean details', () => {
    const decision = decideReport(record({ details: { title: '  Course ', participants: 20, days: 2 } }), initialReportState, ctx);
    expect(decision).toEqual([
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
    ]);
  });

  it('refuses an unknown measure naming measureCode', () => {
    const e = refusal(() => decideReport(record(), initialReportState, { today: ctx.today, period: ctx.period }));
    expect(e.extra.field).toBe('measureCode');
    expect(e.extra.reason).toBe('is not a measure of any adopted plan');
    // A code that differs only in case or spaces from one of a plan: the one meant is named.
    const meant = refusal(() => decideReport(record(), initialReportState, { today: ctx.today, period: ctx.period, measureMeant: 'I.1.2' }));
    expect(meant.extra).toMatchObject({ field: 'measureCode', reason: 'is not a measure of any adopted plan; did you mean "I.1.2"?' });
  });

  it('refuses a type the measure does not count, saying what it counts', () => {
    const e = refusal(() => decideReport(record({ type: 'InspectionConducted', details: { inspectionKind: 'x', joint: true } }), initialReportState, ctx));
    expect(e.code).toBe('BAD_USER_INPUT');
    expect(e.extra.field).toBe('measureCode');
    expect(e.message).toContain('M.1.1 does not count InspectionConducted: its indicators count TrainingDelivered, MeetingHeld (and FundsDisbursed)');
  });

  it('accepts FundsDisbursed only for a measure with funding', () => {
    const funds = record({ type: 'FundsDisbursed', details: { amount: '132000000', source: 'national', purpose: 'Construction' } });
    expect(decideReport(funds, initialReportState, ctx)).toHaveLength(1);
    const e = refusal(() => decideReport(funds, initialReportState, { ...ctx, measure: { ...measure, hasFunding: false } }));
    expect(e.message).toContain('it has no funding in the plan');
  });

  it.each([
    ['2023-07-01', /occurredOn is in the future: the latest date accepted is 2023-06-30, the date already begun in the time zone furthest ahead \(UTC\+14\)/],
    ['2021-12-31', /occurredOn is outside the period of plan plan-x \(2022-01-01 to 2023-12-31\)/],
    ['2023-02-30', /occurredOn must be a real calendar date written YYYY-MM-DD \(got "2023-02-30"\)/],
    ['30/02/2023', /occurredOn must be a real calendar date written YYYY-MM-DD \(got "30\/02\/2023"\)/],
  ])('refuses occurredOn %s', (occurredOn, message) => {
    const e = refusal(() => decideReport(record({ occurredOn }), initialReportState, ctx));
    expect(e.extra.field).toBe('occurredOn');
    expect(e.message).toMatch(message);
  });

  it.each([
    [{ title: 'x', participants: -1, days: 1 }, 'participants', 'must be at least 1'],
    [{ title: 'x', participants: 0, days: 1 }, 'participants', 'must be at least 1'],
    [{ title: 'x', participants: 3, days: 0 }, 'days', 'must be at least 1'],
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
    for (const zero of ['0', '000']) {
      const e = refusal(() => decideReport(funds(zero), initialReportState, ctx));
      expect([e.extra.field, e.extra.reason]).toEqual(['amount', 'must be at least 1 HUF (got 0)']);
    }
    for (const malformed of ['1.5', '1e6', '1,000', '', ' 12']) {
      expect(refusal(() => decideReport(funds(malformed), initialReportState, ctx)).extra.field).toBe('amount');
    }
  });

  it('answers an identical retry with the first receipt, and refuses other content under the same reportId', () => {
    const first = decideReport(record(), initialReportState, ctx);
    const state = apply(initialReportState, appended(first));
    expect(decideReport(record(), state, ctx)).toEqual([]);
    expect(duplicateReceipt(record(), state)).toEqual(expect.objectContaining({ revision: 0n, type: 'TrainingDelivered' }));
    const other = refusal(() => decideReport(record({ details: { title: 'Border police course', participants: 21, days: 2 } }), state, ctx));
    expect(other.code).toBe('CONFLICT');
    expect(other.extra.field).toBe('reportId');
    // It says what differs, so the sender sees a change to send as a correction, not a clash of ids.
    expect(other.extra.reason).toBe('already used for a different report (participants 20 → 21)');
    const moved = refusal(() => decideReport(record({ occurredOn: '2023-03-02' }), state, ctx));
    expect(moved.message).toContain('(occurredOn 2023-03-01 → 2023-03-02)');
    expect(moved.message).toMatch(/use correctTrainingDelivered, or a bulk import with importStrategy CREATE_AND_UPDATE, to change it$/);
    // Another type under the same reportId: no correction can do that, so none is advised.
    const otherType = refusal(() => decideReport(record({ type: 'MeetingHeld', details: { title: 'Round table', meetingKind: 'ROUND_TABLE', participants: 5 } }), state, ctx));
    expect(otherType.message).toMatch(/\(TrainingDelivered on M\.1\.1, 2023-03-01\); a report's type and measure cannot change: give this one another reportId, or retract r-1 and record it anew$/);
  });

  it('says, for a reportId of a corrected report, what differs from its first record and from what it holds now', () => {
    const first = apply(initialReportState, appended(decideReport(record(), initialReportState, ctx)));
    const fix: ReportCommand = { kind: 'correct', agencyId: 'agency-a', reportId: 'r-1', requestId: 'fix-1', type: 'TrainingDelivered', details: { title: 'Border police course', participants: 21, days: 2 }, reason: 'Recount' };
    const corrected = apply(first, appended(decideReport(fix, first, ctx)));
    const sameAsNow = refusal(() => decideReport(record({ details: { title: 'Border police course', participants: 21, days: 2 } }), corrected, ctx));
    expect(sameAsNow.extra.reason).toBe(
      'already used for a different report (participants 20 → 21 against its first record; it was corrected to exactly this since: send it with importStrategy CREATE_AND_UPDATE, which leaves it as it is)',
    );
    const other = refusal(() => decideReport(record({ details: { title: 'Border police course', participants: 25, days: 2 } }), corrected, ctx));
    expect(other.extra.reason).toBe('already used for a different report (participants 20 → 25 against its first record, participants 21 → 25 against what it holds after its correction)');
    // The first record itself is still a retry: the first receipt.
    expect(decideReport(record(), corrected, ctx)).toEqual([]);
  });
});

describe('decideReport: correct and retract', () => {
  const recorded = () => apply(initialReportState, appended(decideReport(record(), initialReportState, ctx)));
  const correct = (over: Partial<Extract<ReportCommand, { kind: 'correct' }>> = {}): ReportCommand => ({
    kind: 'correct',
    type: 'TrainingDelivered',
    agencyId: 'agency-a',
    reportId: 'r-1',
    requestId: 'fix-1',
    details: { title: 'Border police course', participants: 18, days: 2 },
    reason: 'Two participants did not attend',
    ...over,
  });
  const retract = (over: Partial<Extract<ReportCommand, { kind: 'retract' }>> = {}): ReportCommand => ({
    kind: 'retract',
    agencyId: 'agency-a',
    reportId: 'r-1',
    requestId: 'withdraw-1',
    reason: 'Reported twice by mistake',
    ...over,
  });
  /** Applies each command's decision in turn; a duplicate applies nothing. */
  const run = (state: ReportState, ...commands: ReportCommand[]): ReportState =>
    commands.reduce((s, c) => apply(s, decideReport(c, s, ctx)), state);

  it('corrects the figures, keeping the original in the state and the request id in the event', () => {
    const decision = decideReport(correct(), recorded(), ctx);
    expect(decision[0]).toMatchObject({ type: 'ReportCorrected', data: { requestId: 'fix-1', activityType: 'TrainingDelivered' } });
    const state = apply(recorded(), appended(decision));
    expect(state.status === 'active' && state.details.participants).toBe(18);
    expect(state.status === 'active' && state.original.details.participants).toBe(20);
  });

  it('answers a retry of an earlier correction with its first receipt at any later time, changing nothing', () => {
    // 24 → 22 (fix-1) → 21 (fix-2), then fix-1 arrives again: the figures stay 21.
    const to = (participants: number, requestId: string) => correct({ requestId, details: { title: 'Border police course', participants, days: 2 } });
    const state = run(recorded(), to(22, 'fix-1'), to(21, 'fix-2'));
    expect(decideReport(to(22, 'fix-1'), state, ctx)).toEqual([]);
    const receipt = duplicateReceipt(to(22, 'fix-1'), state);
    expect(receipt).toMatchObject({ revision: 1n, type: 'ReportCorrected' });
    expect(state.status === 'active' && state.details.participants).toBe(21);
    // … also after the report was retracted.
    const retracted = run(state, retract());
    expect(decideReport(to(22, 'fix-1'), retracted, ctx)).toEqual([]);
    expect(duplicateReceipt(to(22, 'fix-1'), retracted)).toEqual(receipt);
  });

  it('refuses a request id reused for other content with CONFLICT naming requestId', () => {
    const state = run(recorded(), correct());
    for (const other of [
      correct({ details: { title: 'Border police course', participants: 17, days: 2 } }),
      correct({ reason: 'Another reason entirely' }),
      correct({ occurredOn: '2023-03-02' }),
      retract({ requestId: 'fix-1' }),
    ]) {
      const e = refusal(() => decideReport(other, state, ctx));
      expect([e.code, e.extra.field]).toEqual(['CONFLICT', 'requestId']);
    }
  });

  it('refuses a correction made against a stale revision with CONFLICT naming expectedRevision', () => {
    const state = run(recorded(), correct());
    const stale = refusal(() => decideReport(correct({ requestId: 'fix-2', expectedRevision: 0n, details: { title: 'x', participants: 3, days: 1 } }), state, ctx));
    expect([stale.code, stale.extra.field]).toEqual(['CONFLICT', 'expectedRevision']);
    expect(decideReport(correct({ requestId: 'fix-2', expectedRevision: 1n, details: { title: 'x', participants: 3, days: 1 } }), state, ctx)).toHaveLength(1);
    expect(refusal(() => decideReport(retract({ expectedRevision: 5n }), state, ctx)).extra.field).toBe('expectedRevision');
  });

  it('refuses a correction that changes nothing, an unknown report, a missing reason, bad figures and another type', () => {
    expect(refusal(() => decideReport(correct({ details: { title: 'Border police course', participants: 20, days: 2 } }), recorded(), ctx)).extra.field).toBe('input');
    expect(refusal(() => decideReport(correct(), initialReportState, ctx)).code).toBe('NOT_FOUND');
    expect(refusal(() => decideReport(correct({ reason: ' ' }), recorded(), ctx)).extra.field).toBe('reason');
    // A blank reason is refused in the one wording of an empty text; a short one says why it is short.
    expect(refusal(() => decideReport(correct({ reason: ' ' }), recorded(), ctx)).extra.reason).toBe('is required');
    expect(refusal(() => decideReport(correct({ reason: 'ok' }), recorded(), ctx)).extra.reason).toMatch(/at least 3 characters/);
    expect(refusal(() => decideReport(correct({ details: { title: 'x', participants: -3, days: 1 } }), recorded(), ctx)).extra.field).toBe('participants');
    expect(refusal(() => decideReport(correct({ details: { title: 'x', participants: 0, days: 1 } }), recorded(), ctx)).extra.field).toBe('participants');
    expect(refusal(() => decideReport(correct({ requestId: 'bad/id' }), recorded(), ctx)).extra.field).toBe('requestId');
    const other = refusal(() => decideReport(correct({ type: 'MeetingHeld', details: { title: 'x', meetingKind: 'OTHER' } }), recorded(), ctx));
    expect([other.code, other.extra.field]).toEqual(['BAD_USER_INPUT', 'reportId']);
    expect(other.message).toContain('correctTrainingDelivered');
  });

  it.each(['2023-02-30', '2031-01-01', '1900-01-01', '2023-13-01', '23-01-01'])(
    'checks a corrected date %s against the plan the report was recorded under, even when the measure left the plan',
    (occurredOn) => {
      // No measure in the context: the plan no longer holds the report's measure.
      const withoutMeasure: DecideContext = { today: ctx.today, planPeriod: ctx.planPeriod, period: ctx.period };
      const e = refusal(() => decideReport(correct({ occurredOn }), recorded(), withoutMeasure));
      expect([e.code, e.extra.field]).toEqual(['BAD_USER_INPUT', 'occurredOn']);
    },
  );

  it('accepts a valid correction of a report whose measure left the plan, and refuses one whose plan is unknown', () => {
    expect(decideReport(correct({ occurredOn: '2023-04-01' }), recorded(), { today: ctx.today, planPeriod: ctx.planPeriod, period: ctx.period })).toHaveLength(1);
    const e = refusal(() => decideReport(correct(), recorded(), { today: ctx.today, period: ctx.period }));
    expect(e.extra.field).toBe('reportId');
    expect(e.message).toContain('plan-x');
  });

  it('retracts once; a retry is a duplicate, another retraction and a correction are conflicts', () => {
    const state = run(recorded(), retract());
    expect(state.status).toBe('retracted');
    expect(decideReport(retract(), state, ctx)).toEqual([]);
    expect(refusal(() => decideReport(retract({ requestId: 'withdraw-2' }), state, ctx)).code).toBe('CONFLICT');
    expect(refusal(() => decideReport(correct({ requestId: 'fix-9' }), state, ctx)).code).toBe('CONFLICT');
  });
});

describe('decideReport: record with importStrategy CREATE_AND_UPDATE', () => {
  const upsert = (details: Record<string, unknown>, over: Partial<Extract<ReportCommand, { kind: 'record' }>> = {}): ReportCommand =>
    record({ details, strategy: { kind: 'CREATE_AND_UPDATE', reason: 'Attendance sheet recounted' }, ...over });
  const course = (participants: number, title = 'Border police course') => ({ title, participants, days: 2 });
  const stored = () => apply(initialReportState, appended(decideReport(record(), initialReportState, ctx)));
  const run = (state: ReportState, ...commands: ReportCommand[]): ReportState => commands.reduce((s, c) => apply(s, decideReport(c, s, ctx)), state);

  it('records a new report as CREATE does', () => {
    expect(decideReport(upsert(course(20)), initialReportState, ctx)).toEqual(decideReport(record(), initialReportState, ctx));
  });

  it('turns a changed row into a correction with the reason and a request id derived from report, revision and content', () => {
    const [event] = appended(decideReport(upsert(course(21), { occurredOn: '2023-03-05' }), stored(), ctx));
    expect(event).toMatchObject({
      type: 'ReportCorrected',
      data: { reportId: 'r-1', activityType: 'TrainingDelivered', occurredOn: '2023-03-05', details: course(21), reason: 'Attendance sheet recounted' },
    });
    const requestId = (event.data as { requestId: string }).requestId;
    expect(requestId).toBe(updateRequestId('r-1', 0n, '2023-03-05', course(21)));
    expect(requestId).toMatch(/^import:[0-9a-f]{40}$/);
    // Key order of the details does not change it; content and revision do.
    expect(updateRequestId('r-1', 0n, '2023-03-05', { days: 2, participants: 21, title: 'Border police course' })).toBe(requestId);
    expect(updateRequestId('r-1', 1n, '2023-03-05', course(21))).not.toBe(requestId);
    expect(updateRequestId('r-1', 0n, '2023-03-05', course(22))).not.toBe(requestId);
    expect(updateRequestId('r-2', 0n, '2023-03-05', course(21))).not.toBe(requestId);
  });

  it('changes nothing for a row equal to the CURRENT content, answering the receipt of the event that set it', () => {
    const corrected = run(stored(), upsert(course(21)));
    expect(decideReport(upsert(course(21)), corrected, ctx)).toEqual([]);
    expect(duplicateReceipt(upsert(course(21)), corrected)).toEqual(corrected.status !== 'absent' && { ...corrected.last });
    expect(corrected.status !== 'absent' && corrected.last.type).toBe('ReportCorrected');
    // The original content is now a change back, not a repeat …
    expect(decideReport(upsert(course(20)), corrected, ctx)[0]).toMatchObject({ type: 'ReportCorrected', data: { details: course(20) } });
    // … while CREATE still answers the original as a repeat.
    expect(decideReport(record(), corrected, ctx)).toEqual([]);
    // Unchanged, a report never corrected answers its first event; no reason is needed.
    expect(decideReport(upsert(course(20), { strategy: { kind: 'CREATE_AND_UPDATE' } }), stored(), ctx)).toEqual([]);
  });

  it('sets a report back and forth (12 → 21 → 12 → 21) with a new correction each time', () => {
    let state = stored();
    const ids = new Set<string>();
    for (const participants of [21, 20, 21, 20]) {
      const [event] = appended(decideReport(upsert(course(participants)), state, ctx));
      ids.add((event.data as { requestId: string }).requestId);
      state = apply(state, [event]);
    }
    expect(ids.size).toBe(4);
    expect(state.status !== 'absent' && state.details.participants).toBe(20);
  });

  it.each([undefined, '', '   '])('refuses a changed row without a reason (%p), naming reason and what it changes', (reason) => {
    const e = refusal(() => decideReport(upsert(course(21), { occurredOn: '2023-03-05', strategy: { kind: 'CREATE_AND_UPDATE', reason } }), stored(), ctx));
    expect([e.code, e.extra.field]).toEqual(['BAD_USER_INPUT', 'reason']);
    expect(e.extra.reason).toContain('is required');
    expect(e.extra.reason).toContain('participants 20 → 21');
    expect(e.extra.reason).toContain('occurredOn 2023-03-01 → 2023-03-05');
    // A reason too short is refused by the correction's own rule.
    expect(refusal(() => decideReport(upsert(course(21), { strategy: { kind: 'CREATE_AND_UPDATE', reason: 'no' } }), stored(), ctx)).extra).toMatchObject({ field: 'reason', reason: expect.stringContaining('at least 3') });
  });

  it('applies the correction rules: a locked period refuses it FORBIDDEN, a bad date BAD_USER_INPUT', () => {
    const locked: DecideContext = {
      ...ctx,
      period: (_plan, _agency, date) => ({ span: { periodId: '2023-Q1', from: '2023-01-01', to: '2023-03-31' }, status: date <= '2023-03-31' ? 'APPROVED' : 'OPEN' }),
    };
    const e = refusal(() => decideReport(upsert(course(21)), stored(), locked));
    expect([e.code, e.extra.rule, e.extra.period]).toEqual(['FORBIDDEN', 'period-locked', '2023-Q1']);
    // Unchanged rows of a locked period are still repeats: nothing is written.
    expect(decideReport(upsert(course(20)), stored(), locked)).toEqual([]);
    expect(refusal(() => decideReport(upsert(course(21), { occurredOn: '2031-01-01' }), stored(), ctx)).extra.field).toBe('occurredOn');
  });

  it('refuses what a correction cannot change — another type, another measure — and a retracted report, with CONFLICT', () => {
    const otherType = refusal(() => decideReport(upsert({ title: 'Round table', meetingKind: 'OTHER' }, { type: 'MeetingHeld' }), stored(), ctx));
    expect([otherType.code, otherType.extra.field]).toEqual(['CONFLICT', 'reportId']);
    const elsewhere: DecideContext = { ...ctx, measure: { ...measure, measureCode: 'M.2.2' } };
    const moved = refusal(() => decideReport(upsert(course(21)), stored(), elsewhere));
    expect([moved.code, moved.extra.field]).toEqual(['CONFLICT', 'measureCode']);
    expect(moved.message).toContain('M.1.1');
    const retracted = run(stored(), { kind: 'retract', agencyId: 'agency-a', reportId: 'r-1', requestId: 'w-1', reason: 'Reported twice' });
    const changedRow = refusal(() => decideReport(upsert(course(21)), retracted, ctx));
    expect(changedRow.extra).toMatchObject({ field: 'reportId', reason: expect.stringContaining('was retracted ("Reported twice")') });
    expect(changedRow.message).toContain('new reportId');
    // Unchanged too: the sheet says the report counts, the ledger says it does not; a repeat would hide that.
    expect(refusal(() => decideReport(upsert(course(20)), retracted, ctx))).toMatchObject({ code: 'CONFLICT', extra: { field: 'reportId' } });
  });
});

describe('decideReport: record with importStrategy DELETE', () => {
  const course = (participants: number) => ({ title: 'Border police course', participants, days: 2 });
  const remove = (participants = 20, over: Partial<Extract<ReportCommand, { kind: 'record' }>> = {}): ReportCommand =>
    record({ details: course(participants), strategy: { kind: 'DELETE', reason: 'Reported under the wrong agency' }, ...over });
  const stored = () => apply(initialReportState, appended(decideReport(record(), initialReportState, ctx)));

  it('retracts the report the row shows, with the reason and a request id derived from report and revision', () => {
    const [event] = appended(decideReport(remove(), stored(), ctx));
    expect(event).toMatchObject({ type: 'ReportRetracted', data: { reportId: 'r-1', reason: 'Reported under the wrong agency', requestId: deleteRequestId('r-1', 0n) } });
    expect(deleteRequestId('r-1', 0n)).toMatch(/^import:[0-9a-f]{40}$/);
    expect(deleteRequestId('r-1', 1n)).not.toBe(deleteRequestId('r-1', 0n));
    // Once retracted, the same row is a repeat answered with the retraction.
    const retracted = apply(stored(), [event]);
    expect(decideReport(remove(), retracted, ctx)).toEqual([]);
    expect(duplicateReceipt(remove(), retracted)).toMatchObject({ type: 'ReportRetracted' });
  });

  it('retracts only a report as it stands: other figures or date CONFLICT naming what differs, an unknown reportId NOT_FOUND', () => {
    const other = refusal(() => decideReport(remove(21), stored(), ctx));
    expect([other.code, other.extra.field]).toEqual(['CONFLICT', 'reportId']);
    expect(other.extra.reason).toContain('participants 20 → 21');
    expect(refusal(() => decideReport(remove(20, { occurredOn: '2023-03-02' }), stored(), ctx)).code).toBe('CONFLICT');
    const elsewhere: DecideContext = { ...ctx, measure: { ...measure, measureCode: 'M.2.2' } };
    expect(refusal(() => decideReport(remove(), stored(), elsewhere)).extra.field).toBe('measureCode');
    const unknown = refusal(() => decideReport(remove(), initialReportState, ctx));
    expect([unknown.code, unknown.extra.field]).toEqual(['NOT_FOUND', 'reportId']);
  });

  it('needs a reason, and applies the retraction rules: a locked period refuses it', () => {
    const e = refusal(() => decideReport(remove(20, { strategy: { kind: 'DELETE' } }), stored(), ctx));
    expect([e.code, e.extra.field]).toEqual(['BAD_USER_INPUT', 'reason']);
    const locked: DecideContext = { ...ctx, period: () => ({ span: { periodId: '2023-Q1', from: '2023-01-01', to: '2023-03-31' }, status: 'APPROVED' }) };
    expect(refusal(() => decideReport(remove(), stored(), locked)).extra).toMatchObject({ rule: 'period-locked', period: '2023-Q1' });
  });
});
