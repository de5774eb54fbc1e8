import type { RecordedEvent } from '@app/event-store';
import { foldProjection } from '../fold.js';
import { DEMO_PLAN_FILE, loadTestPlan } from '../test-support.js';
import { agencyPeriods, periodEntry, periodsProjection } from './periods.projection.js';
import { planPeriods, reportingAgenciesByMeasure, reportingAgenciesOf, returnedPeriods, unsubmittedPeriods } from './periods.query.js';

let position = 0n;
function event(type: string, agencyId: string, periodId: string, extra: Record<string, string | string[]> = {}, planId = 'p'): RecordedEvent {
  position += 1n;
  return {
    id: `e${position}`,
    type,
    stream: `period-${planId}/${agencyId}/${periodId}`,
    revision: 0n,
    position,
    data: { planId, agencyId, periodId, requestId: `r${position}`, ...extra },
    metadata: { recordedAt: `2024-01-0${Number(position % 9n) + 1}T10:00:00.000Z` },
    created: new Date(0),
  };
}

describe('periods projection', () => {
  it('folds each step into the period of its plan and agency; other plans and agencies stay apart', () => {
    const events = [
      event('PeriodSubmitted', 'a', '2023-Q1', { measureCodes: ['M.1'] }),
      event('PeriodReturned', 'a', '2023-Q1', { comment: 'Add March' }),
      event('PeriodSubmitted', 'a', '2023-Q1', { measureCodes: ['M.1', 'M.2'] }),
      event('PeriodApproved', 'a', '2023-Q1'),
      event('PeriodReopened', 'a', '2023-Q1', { reason: 'GRETA review' }),
      event('PeriodApproved', 'a', '2023-Q1', { comment: 'Final' }),
      event('PeriodSubmitted', 'b', '2023-Q1', { measureCodes: ['M.1'] }),
      event('PeriodSubmitted', 'a', '2023-Q1', { measureCodes: ['X'] }, 'other-plan'),
      event('MeetingHeld', 'a', '2023-Q1'),
    ];
    const { state } = foldProjection(periodsProjection, events);
    expect(periodEntry(state, 'p', 'a', '2023-Q1')).toEqual({
      status: 'APPROVED',
      measureCodes: ['M.1', 'M.2'],
      comment: 'Final',
      reason: 'GRETA review',
      position: '6',
      recordedAt: expect.any(String),
      approvals: 2,
    });
    expect(periodEntry(state, 'p', 'b', '2023-Q1')?.status).toBe('SUBMITTED');
    expect(periodEntry(state, 'other-plan', 'a', '2023-Q1')?.measureCodes).toEqual(['X']);
    expect(periodEntry(state, 'p', 'a', '2023-Q2')).toBeUndefined();
    expect([...agencyPeriods(state, 'p', 'a').keys()]).toEqual(['2023-Q1']);
    // Folding part of the log answers as the ledger stood then.
    expect(periodEntry(foldProjection(periodsProjection, events.slice(0, 2)).state, 'p', 'a', '2023-Q1')).toMatchObject({ status: 'RETURNED', comment: 'Add March', approvals: 0 });
  });

  it('lists periods not submitted after they ended and submissions returned, per reporting agency of the plan', () => {
    const plan = loadTestPlan(DEMO_PLAN_FILE);
    const agencies = reportingAgenciesOf(plan);
    const [first, second] = planPeriods(plan);
    const agency = agencies[0];
    const { state } = foldProjection(periodsProjection, [
      event('PeriodSubmitted', agency, first.periodId, { measureCodes: [] }, plan.id),
      event('PeriodReturned', agency, first.periodId, { comment: 'Missing figures' }, plan.id),
    ]);
    // Asked long after the plan: every period has ended; the first two are looked at.
    const unsubmitted = unsubmittedPeriods(state, plan, '2999-01-01').filter((p) => p.span.to <= second.to);
    expect(unsubmitted.some((p) => p.agencyId === agency && p.span.periodId === first.periodId)).toBe(false);
    expect(unsubmitted.filter((p) => p.span.periodId === first.periodId).map((p) => p.agencyId)).toEqual(agencies.slice(1));
    expect(unsubmitted.filter((p) => p.span.periodId === second.periodId).map((p) => p.agencyId)).toEqual(agencies);
    // Nothing has ended before the plan starts.
    expect(unsubmittedPeriods(state, plan, first.from)).toEqual([]);
    expect(returnedPeriods(state, plan).map((p) => [p.agencyId, p.span.periodId, p.entry?.comment])).toEqual([[agency, first.periodId, 'Missing figures']]);
    // Groups (the demo plan's contain each other) are replaced by their members, once each.
    const kinds = new Map(plan.agencies.map((a) => [a.id, a.kind]));
    for (const ids of reportingAgenciesByMeasure(plan).values()) for (const id of ids) expect(kinds.get(id)).not.toBe('group');
  });
});
