import {
  type ConsumerStatus,
  type ConsumerStatusSource,
  type EventStore,
  LogConsumer,
  type LogConsumerBoard,
  PositionTimeoutError,
  type ReadAllFilter,
  type RecordedEvent,
} from '@app/event-store';
import type { Agency, Measure, Objective, Pillar, Plan } from './plan.types.js';
import { PLAN_STREAM_PREFIX, evolvePlan, fromRecordedEvent, planIdOfStream } from './plan-events.js';

/** A measure with the plan, pillar and objective it belongs to. */
export interface MeasureRef {
  readonly plan: Plan;
  readonly pillar: Pillar;
  readonly objective: Objective;
  readonly measure: Measure;
}

/** How an agency takes part in a measure: named as responsible (A) or as partner (B). */
export interface AgencyMeasureRef extends MeasureRef {
  readonly role: 'responsible' | 'partner';
}

/** The reason a measure lookup failed; callers map it to their own error vocabulary. */
export class MeasureLookupError extends Error {
  override readonly name = 'MeasureLookupError';
  constructor(
    readonly reason: 'not-found' | 'ambiguous',
    readonly code: string,
    /** not-found: the plan asked for, if any; ambiguous: every plan that has the code. */
    readonly planIds: readonly string[],
    /** not-found: the code meant, when one reads alike ({@link measureCodeMeant}). */
    readonly suggestion?: string,
  ) {
    super(
      reason === 'ambiguous'
        ? `Measure "${code}" exists in several plans (${planIds.join(', ')}); say which plan`
        : (planIds.length > 0 ? `No measure "${code}" in plan "${planIds[0]}"` : `No measure "${code}" in any adopted plan`) +
            (suggestion === undefined ? '' : `; did you mean "${suggestion}"?`),
    );
  }
}

/** A measure code without case or spaces: `i.1.2` and `I. 1.2` read as `I.1.2`. */
const codeKey = (code: string): string => code.toUpperCase().replace(/\s+/g, '');

/**
 * The code of `codes` that `code` was meant to be when it differs only in case or spaces
 * (`i.1.2`, `I. 1.2` → `I.1.2`), else undefined. Codes themselves are exact (they name streams
 * and appear in every event): a near miss is refused with the code meant, never taken.
 */
export function measureCodeMeant(code: string, codes: Iterable<string>): string | undefined {
  const key = codeKey(code);
  for (const candidate of codes) if (candidate !== code && codeKey(candidate) === key) return candidate;
  return undefined;
}

/** The catalog did not reach a position in time (the log consumer's wait, see PositionTimeoutError). */
export class PlanCatalogTimeoutError extends PositionTimeoutError {
  override readonly name: string = 'PlanCatalogTimeoutError';
  constructor(position: bigint, timeoutMs: number, reached = 0n) {
    super(position, reached, timeoutMs, 'the plan catalog');
  }
}

/** Where the catalog reports what it does; Nest's Logger fits. */
export interface PlanCatalogLogger {
  log(message: string): void;
  warn?(message: string): void;
  error(message: string): void;
}

const PLAN_FILTER: ReadAllFilter = { streamPrefixes: [PLAN_STREAM_PREFIX] };

interface PlanIndex {
  readonly plan: Plan;
  readonly measures: ReadonlyMap<string, MeasureRef>;
  readonly agencies: ReadonlyMap<string, Agency>;
}

/**
 * Every adopted plan, in memory, as currently amended. A {@link LogConsumer} (`plan-catalog`)
 * reads all plan streams once at start, then follows the store from the last position read, so
 * a plan loaded by another process (`ledger plan load` while the api runs) shows up here
 * without a restart. A failing store is retried; the consumer's state is in {@link status}.
 *
 * Plans are few and small; each plan event rebuilds that plan's indexes.
 */
export class PlanCatalog implements ConsumerStatusSource {
  private readonly index = new Map<string, PlanIndex>();
  private lastPosition: bigint | undefined;
  private readonly consumer: LogConsumer;
  private started = false;
  private readonly listeners = new Set<(planId: string, plan: Plan) => void>();

  constructor(
    store: EventStore,
    private readonly logger: PlanCatalogLogger = { log: () => undefined, error: () => undefined },
    board?: LogConsumerBoard,
  ) {
    this.consumer = new LogConsumer({
      name: 'plan-catalog',
      store,
      filter: PLAN_FILTER,
      handler: { from: () => this.lastPosition, apply: (event) => this.apply(event) },
      batchIntervalMs: 0,
      timeoutError: (position, reached, timeoutMs) => new PlanCatalogTimeoutError(position, timeoutMs, reached),
      logger: { log: (m) => logger.log(m), warn: (m) => (logger.warn ? logger.warn(m) : logger.error(m)), error: (m) => logger.error(m) },
      board,
    });
  }

  /** Reads every plan stream, then follows new plan events. Resolves once the initial read is done. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    await this.consumer.catchUp();
    // An empty catalog says nothing: on a first start the adoption that follows says what is loaded.
    if (this.index.size) this.logger.log(`${this.index.size} plan(s) in the catalog: ${[...this.index.keys()].join(', ')}`);
    this.consumer.start();
  }

  async stop(): Promise<void> {
    this.started = false;
    await this.consumer.stop();
  }

  /** The consumer's state for readiness and metrics. */
  status(): ConsumerStatus {
    return this.consumer.status();
  }

  /** Every adopted plan, by id. */
  plans(): Plan[] {
    return [...this.index.values()].map((entry) => entry.plan).sort((a, b) => a.id.localeCompare(b.id));
  }

  plan(id: string): Plan | undefined {
    return this.index.get(id)?.plan;
  }

  /**
   * The measure with this code. Without `planId` the code must be unique across plans.
   * Throws {@link MeasureLookupError} (not-found / ambiguous).
   */
  findMeasure(code: string, planId?: string): MeasureRef {
    if (planId !== undefined) {
      const measures = this.index.get(planId)?.measures;
      const ref = measures?.get(code);
      if (!ref) throw new MeasureLookupError('not-found', code, [planId], measures && measureCodeMeant(code, measures.keys()));
      return ref;
    }
    const refs = this.entries().flatMap((entry) => entry.measures.get(code) ?? []);
    if (refs.length === 0) throw new MeasureLookupError('not-found', code, [], measureCodeMeant(code, this.entries().flatMap((entry) => [...entry.measures.keys()])));
    if (refs.length > 1) throw new MeasureLookupError('ambiguous', code, refs.map((r) => r.plan.id));
    return refs[0];
  }

  /** Every measure, in plan order; of one plan when `planId` is given. */
  measures(planId?: string): MeasureRef[] {
    return this.entries(planId).flatMap((entry) => [...entry.measures.values()]);
  }

  /**
   * An agency from the plans' registers. Agency ids are stable across plans; when several plans
   * register the same id, the one of the plan adopted or amended last wins.
   */
  agency(id: string, planId?: string): Agency | undefined {
    if (planId !== undefined) return this.index.get(planId)?.agencies.get(id);
    let found: Agency | undefined;
    for (const entry of this.index.values()) found = entry.agencies.get(id) ?? found;
    return found;
  }

  /** Every registered agency (of one plan, or of all plans with duplicates resolved as in {@link agency}). */
  agencies(planId?: string): Agency[] {
    const byId = new Map<string, Agency>();
    for (const entry of planId === undefined ? this.index.values() : this.entries(planId)) {
      for (const agency of entry.agencies.values()) byId.set(agency.id, agency);
    }
    const sorted = [...byId.values()];
    return planId === undefined ? sorted.sort((a, b) => a.id.localeCompare(b.id)) : sorted;
  }

  /**
   * The ids plus, for every group among them, its members — recursively (a group may contain
   * groups, even one that contains it). Groups stay in the result: a measure naming a group
   * concerns the group as well as each member. Without `planId`, a group's members are the
   * union of what every plan says.
   */
  expandAgencies(ids: Iterable<string>, planId?: string): Set<string> {
    const entries = this.entries(planId);
    const result = new Set<string>();
    const pending = [...ids];
    while (pending.length > 0) {
      const id = pending.pop()!;
      if (result.has(id)) continue;
      result.add(id);
      for (const entry of entries) {
        for (const member of entry.agencies.get(id)?.members ?? []) if (!result.has(member)) pending.push(member);
      }
    }
    return result;
  }

  /**
   * The measures an agency takes part in: where it is named responsible or partner, directly or
   * through a group it belongs to. Responsible wins when it is both.
   */
  measuresForAgency(agencyId: string, planId?: string): AgencyMeasureRef[] {
    const out: AgencyMeasureRef[] = [];
    for (const entry of this.entries(planId)) {
      for (const ref of entry.measures.values()) {
        if (this.expandAgencies(ref.measure.responsible, entry.plan.id).has(agencyId)) out.push({ ...ref, role: 'responsible' });
        else if (this.expandAgencies(ref.measure.partners, entry.plan.id).has(agencyId)) out.push({ ...ref, role: 'partner' });
      }
    }
    return out;
  }

  /** Global position of the last plan event applied; undefined before the first one. */
  get position(): bigint | undefined {
    return this.lastPosition;
  }

  /**
   * Resolves once the catalog has applied the plan event at `position` (e.g. the one a
   * `loadPlan` just wrote). Rejects like every log consumer's wait (LogConsumer.waitForPosition):
   * {@link PlanCatalogTimeoutError} after `timeoutMs`, the failure when the catalog failed,
   * ConsumerStoppedError once stopped.
   */
  waitForPosition(position: bigint, timeoutMs: number): Promise<void> {
    if (this.reached(position)) return Promise.resolve();
    return this.consumer.waitForPosition(position, timeoutMs);
  }

  /** Called after each plan event with the plan as it now stands; returns an unsubscribe. */
  onChange(listener: (planId: string, plan: Plan) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private reached(position: bigint): boolean {
    return this.lastPosition !== undefined && this.lastPosition >= position;
  }

  private entries(planId?: string): PlanIndex[] {
    if (planId === undefined) return [...this.index.values()];
    const entry = this.index.get(planId);
    return entry ? [entry] : [];
  }

  private apply(recorded: RecordedEvent): void {
    const planId = planIdOfStream(recorded.stream);
    try {
      const event = planId === undefined ? undefined : fromRecordedEvent(recorded);
      if (planId !== undefined && event) {
        const plan = evolvePlan(this.index.get(planId)?.plan, event);
        // Re-inserted so the map's order is "least recently changed first" (see agency()).
        this.index.delete(planId);
        this.index.set(planId, indexPlan(plan));
        for (const listener of this.listeners) listener(planId, plan);
      }
    } catch (error) {
      // The plan keeps its last good state; the rest of the catalog stays usable.
      this.logger.error(
        `Cannot apply ${recorded.type} at position ${recorded.position} of ${recorded.stream}: ${(error as Error).message}`,
      );
    }
    this.lastPosition = recorded.position;
  }
}

function indexPlan(plan: Plan): PlanIndex {
  const measures = new Map<string, MeasureRef>();
  for (const pillar of plan.pillars) {
    for (const objective of pillar.objectives) {
      for (const measure of objective.measures) measures.set(measure.code, { plan, pillar, objective, measure });
    }
  }
  return { plan, measures, agencies: new Map(plan.agencies.map((agency) => [agency.id, agency])) };
}
