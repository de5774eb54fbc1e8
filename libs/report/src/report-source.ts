import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { type ChainHead, EMPTY_HEAD, nextLink } from '@app/audit';
import { eventTypeSpec, upcasters } from '@app/domain';
import type { EventStore, RecordedEvent } from '@app/event-store';
import {
  type Change,
  ChangeSet,
  KeyedState,
  NO_POSITION,
  activityProjection,
  assessmentsProjection,
  plansProjection,
  readReportEvent,
  registerReport,
} from '@app/projections';
import { ReportInputError } from './report-errors.js';

/**
 * Everything the implementation report is computed from, as the ledger stood after one
 * position: the plans, activity and assessments read models (the same projections the api runs,
 * folded in memory), a second report register that also keeps every text field of a report (its title,
 * material, purpose, … — the live register keeps only what a read model counts), and the hash
 * chain head over the events read, so the report names exactly what it was computed from.
 */
export interface ReportSource {
  /** The last position applied (NO_POSITION: the empty ledger). */
  readonly position: bigint;
  /** The chain head after that position (docs/audit.md, "The hash chain"). */
  readonly head: ChainHead;
  /** State of the plans projection. */
  readonly plans: KeyedState;
  /** State of the activity projection (indicators, funding, agency activity, report register). */
  readonly activity: KeyedState;
  /** State of the assessments projection (the coordinators' assessments as they stood then). */
  readonly assessments: KeyedState;
  /** A report register (REPORTS table) whose figures hold every field of each counted report. */
  readonly texts: KeyedState;
}

/** Events folded between two turns of the event loop (as point-in-time folds). */
const FOLD_SLICE = 1_000n;

/** The fields of an event type: what the texts register keeps of each report. */
function allFieldsOf(type: string): string[] {
  return (eventTypeSpec(type)?.fields ?? []).map((f) => f.name);
}

/**
 * Reads the log from its start up to `position` (inclusive; default: the head when called) and
 * folds it. Cost: one pass over the log — O(events up to the position), about 25 s per million
 * events like a replay, plus a sha256 per event for the chain head — so it suits documents, not
 * dashboards. Events are upcast as the runner upcasts them; the chain hashes them as stored.
 *
 * Throws ReportInputError('atPosition', …) for a position beyond the end of the log.
 */
export async function readReportSource(store: EventStore, options: { readonly position?: bigint } = {}): Promise<ReportSource> {
  const headPosition = await store.headPosition();
  const until = options.position ?? headPosition;
  if (until > headPosition) throw new ReportInputError('atPosition', `is beyond the end of the log (its last position is ${headPosition})`);
  const plans = new KeyedState();
  const activity = new KeyedState();
  const assessments = new KeyedState();
  const texts = new KeyedState();
  // As a build from position 0 starts (and point-in-time's first snapshot): with the fields every
  // plan version will count distinct values of, so no later amendment finds them missing.
  for (const projection of [plansProjection, activityProjection]) {
    const state = projection === plansProjection ? plans : activity;
    apply(state, (await projection.initialEntries?.(store)) ?? []);
  }
  let head: ChainHead = EMPTY_HEAD;
  let position = NO_POSITION;
  if (until >= 0n) {
    for await (const stored of store.readAll()) {
      if (stored.position > until) break;
      const sequence = head.sequence + 1n;
      head = { hash: nextLink(head.hash, stored, sequence), position: stored.position, sequence };
      position = stored.position;
      // The api serves other requests meanwhile: a long fold must not hold its event loop.
      if (head.sequence % FOLD_SLICE === 0n) await yieldToEventLoop();
      const interesting =
        plansProjection.eventTypes.has(stored.type) || activityProjection.eventTypes.has(stored.type) || assessmentsProjection.eventTypes.has(stored.type);
      if (!interesting) continue;
      const event: RecordedEvent = upcasters.upcast(stored);
      apply(plans, plansProjection.eventTypes.has(event.type) ? plansProjection.evolve(plans, event) : []);
      apply(activity, activityProjection.eventTypes.has(event.type) ? activityProjection.evolve(activity, event) : []);
      apply(assessments, assessmentsProjection.eventTypes.has(event.type) ? assessmentsProjection.evolve(assessments, event) : []);
      const report = readReportEvent(event);
      if (report) {
        // The same register rule as the projection (correction replaces, retraction removes),
        // keeping every field of the type instead of only the counted ones.
        const cs = new ChangeSet(texts);
        registerReport(cs, report, allFieldsOf(report.activityType));
        apply(texts, cs.changes);
      }
    }
  }
  return { position, head, plans, activity, assessments, texts };
}

function apply(state: KeyedState, changes: readonly Change[]): void {
  for (const change of changes) state.apply(change);
}
