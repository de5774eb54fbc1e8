import { API_KEY_ISSUED, API_KEY_REVOKED, API_KEY_STREAM_PREFIX } from '@app/auth';
import type { ImportCheck, ImportViolation } from '@app/audit';
import { storedAssessmentEventViolations, storedPeriodEventViolations, storedReportEventViolations } from '@app/domain';
import { PLAN_EVENT_TYPES, planIdOfStream } from '@app/plan';

const KEY_EVENT_TYPES: ReadonlySet<string> = new Set([API_KEY_ISSUED, API_KEY_REVOKED]);
const PLAN_TYPES: ReadonlySet<string> = new Set(PLAN_EVENT_TYPES);

/**
 * What `ledger import` checks of each event before writing anything: the event types this
 * ledger has, each on a stream of its owner. Report events (the catalogue's activities,
 * corrections, retractions) are checked whole by the domain's rules for stored events, after
 * the upcasters (libs/domain storedReportEventViolations): the same rules the deciders record
 * with, so nothing enters the log that the read models would count half. Assessments and
 * reporting periods are checked by the domain's rules for theirs (ids, levels, dates, texts, their
 * own streams). A ledger's own export holds nothing else: each family a decider writes must be
 * here (imported-events.spec.ts records one of each through the deciders and imports it).
 */
export const importedEventCheck: ImportCheck = (event): readonly ImportViolation[] => {
  const own = storedReportEventViolations(event) ?? storedAssessmentEventViolations(event) ?? storedPeriodEventViolations(event);
  if (own) return own;
  if (PLAN_TYPES.has(event.type)) {
    return planIdOfStream(event.stream) === undefined ? [{ field: 'stream', reason: `must be a plan stream (plan-<planId>) for ${event.type}` }] : [];
  }
  if (KEY_EVENT_TYPES.has(event.type)) {
    return event.stream.startsWith(API_KEY_STREAM_PREFIX) ? [] : [{ field: 'stream', reason: `must be a key stream (${API_KEY_STREAM_PREFIX}<keyId>) for ${event.type}` }];
  }
  return [{ field: 'type', reason: `"${event.type}" is not an event type of this ledger (the event catalogue, plans, API keys, assessments, reporting periods)` }];
};
