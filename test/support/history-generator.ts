/**
 * A realistic, deterministic event history for the 2022–2023 plan, for tests and benchmarks.
 *
 *   const store = SqliteEventStore.open(file);
 *   const result = await generateHistory(store, { events: 100_000, seed: 7 });
 *
 * What it writes, in this order:
 * - the plan adoption, through the real `loadPlan` (so the plan stream is what the api writes);
 * - `events - 1` report events: activities of the types each measure's indicators count (and
 *   FundsDisbursed where the measure has funding), recorded by every agency allowed to report
 *   for the measure (responsible or partner, groups expanded to their members), with details
 *   drawn from the catalogue's field kinds in plausible ranges, dated inside the plan period;
 *   about 2% corrections and 0.5% retractions of recently recorded reports.
 *
 * Everything but the store's own commit time (`created`) is a function of the seed: event ids,
 * correlation ids, report ids, details, and (on one SQLite store) positions. Every report is
 * one the api would have accepted: the unit test replays each event through `decideReport`.
 *
 * Two ways to write it (both produce the same rows, see the spec):
 * - `generateHistory(store, …)`: through `EventStore.append` with many appends in flight, so the
 *   SQLite adapter's group commit writes hundreds per transaction. Works on any adapter.
 * - `generateHistoryBulk(file, …)`: the documented bulk mode for building SQLite fixtures. The
 *   plan still goes through the adapter; the report events are inserted with better-sqlite3
 *   into the adapter's `events` table in transactions of `batchSize` rows, skipping the
 *   adapter's per-append revision lookup (the generator knows every stream's revision), with
 *   no journal and no fsync while it loads (one fsync at the end, and the file is left in WAL
 *   mode as the adapter expects). Only for a new store nothing else opens meanwhile.
 */
import { closeSync, fsyncSync, openSync, readFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import {
  type DecideContext,
  type Details,
  type EventMetadata,
  type EventTypeSpec,
  type FieldSpec,
  REPORT_CORRECTED,
  REPORT_RETRACTED,
  eventTypeSpec,
  minimumOf,
  reportStreamName,
  upcasters,
} from '@app/domain';
import { type EventStore, type ExpectedRevision, type JsonObject, type JsonValue, type NewEvent, NO_STREAM, SqliteEventStore, nextLink } from '@app/event-store';
import { type Measure, type Plan, type PlanEventSource, loadPlan, parsePlan, sha256Hex } from '@app/plan';

/** The plan the history is about, relative to the repository root. */
export const HISTORY_PLAN_FILE = 'libs/plan/plans/hu-2022-2023.yaml';
const PLAN_EVENT_ID = '00000000-0000-4000-8000-000000000001';
const PLAN_URL = new URL('../../libs/plan/plans/hu-2022-2023.yaml', import.meta.url);

export interface HistoryProgress {
  /** Events stored so far (the plan adoption included). */
  readonly written: number;
  readonly total: number;
  readonly elapsedMs: number;
}

export interface HistoryOptions {
  /** Total events to store, the plan adoption included. Default 1,000,000. */
  readonly events?: number;
  /** Same seed, same history. Default 1. */
  readonly seed?: number;
  /** Called about every `progressEvery` events and once at the end. */
  readonly onProgress?: (progress: HistoryProgress) => void;
  readonly progressEvery?: number;
  /** Share of events that correct an earlier report. Default 0.02. */
  readonly correctionRate?: number;
  /** Share of events that retract an earlier report. Default 0.005. */
  readonly retractionRate?: number;
  /** generateHistory: appends in flight at once (what group commit batches). Default 512. */
  readonly concurrency?: number;
  /** generateHistoryBulk: rows per transaction. Default 10,000. */
  readonly batchSize?: number;
  /** Another plan (parsed and valid) instead of the 2022–2023 one. */
  readonly plan?: Plan;
}

export interface HistoryResult {
  readonly events: number;
  /** Activity reports recorded (first events of report streams). */
  readonly reports: number;
  readonly corrections: number;
  readonly retractions: number;
  /** Events per event type. */
  readonly byType: Readonly<Record<string, number>>;
  readonly planPosition: bigint;
  readonly headPosition: bigint;
  readonly elapsedMs: number;
  /** Transactions the SQLite adapter committed (append mode), or the bulk mode's transactions. */
  readonly commits?: number;
}

/** One append the generator asks for: a single event on one stream at a known revision. */
export interface GeneratedAppend {
  readonly stream: string;
  readonly expected: bigint | typeof NO_STREAM;
  readonly event: NewEvent & { readonly id: string; readonly metadata: JsonObject };
  readonly kind: 'record' | 'correct' | 'retract';
}

/** The 2022–2023 plan as the plan file defines it. */
export function historyPlan(): Plan {
  const parsed = parsePlan(readFileSync(PLAN_URL, 'utf8'), HISTORY_PLAN_FILE);
  if (!parsed.plan) throw new Error(`The plan file ${HISTORY_PLAN_FILE} is invalid: ${parsed.errors.map((e) => e.message).join('; ')}`);
  return parsed.plan;
}

/** How the generator records the plan adoption: pinned, so the history stays deterministic. */
export function historyPlanSource(plan: Plan): PlanEventSource {
  return {
    principal: 'bench:history-generator',
    sourceFile: HISTORY_PLAN_FILE,
    sha256: sha256Hex(readFileSync(PLAN_URL)),
    correlationId: 'history-generator-plan-adoption',
    // The decision's date: the adoption precedes every report.
    recordedAt: `${plan.legalBasis.date}T10:00:00.000Z`,
  };
}

// ---------------------------------------------------------------------------------------------
// Randomness

/** mulberry32: small, fast and good enough for test data; never for anything secret. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** A version-4-shaped UUID drawn from `rng`. */
function uuidFrom(rng: () => number): string {
  const b: number[] = [];
  for (let i = 0; i < 4; i++) {
    const n = (rng() * 4294967296) >>> 0;
    b.push(n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255);
  }
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = b.map((x) => HEX[x]);
  return `${h[0]}${h[1]}${h[2]}${h[3]}-${h[4]}${h[5]}-${h[6]}${h[7]}-${h[8]}${h[9]}-${h[10]}${h[11]}${h[12]}${h[13]}${h[14]}${h[15]}`;
}

const int = (rng: () => number, min: number, max: number) => min + Math.floor(rng() * (max - min + 1));
const pick = <T>(rng: () => number, values: readonly T[]): T => values[Math.floor(rng() * values.length)];
/** Mostly small, sometimes large: counts of people and things are skewed like that. */
const skewed = (rng: () => number, min: number, max: number) => min + Math.floor((max - min + 1) * rng() ** 2.5);

// ---------------------------------------------------------------------------------------------
// Plausible details

/** Per field name: the range a real report's figure falls in (within the catalogue's max). */
const COUNT_RANGES: Readonly<Record<string, readonly [number, number]>> = {
  participants: [4, 180],
  days: [1, 5],
  casesExamined: [0, 25],
  victimsIdentified: [0, 4],
  peopleReached: [500, 400_000],
  cases: [1, 12],
  copies: [100, 20_000],
  consultations: [1, 15],
  victims: [1, 6],
  facilities: [0, 2],
  places: [1, 24],
  accessRights: [1, 150],
  audience: [20, 450],
  experts: [1, 25],
  investigationsOpened: [5, 90],
  averageDurationDays: [60, 720],
  publications: [1, 12],
};

const TEXTS: Readonly<Record<string, readonly string[]>> = {
  title: [
    'Victim identification at border controls',
    'Working group on labour exploitation',
    'Safe relationships — secondary school module',
    'Regional round table on child protection',
    'Online recruitment and grooming: what to look for',
    'Coordination meeting of county coordinators',
    'Annual review of the referral mechanism',
    'Training for child welfare professionals',
    'Work abroad safely',
    'Case conference on sexual exploitation',
  ],
  audience: ['border police officers', 'child welfare professionals', 'labour inspectors', 'prosecutors', 'teachers', 'consular staff'],
  inspectionKind: ['labour inspection', 'access monitoring', 'shelter inspection', 'recruitment agency check'],
  location: ['Budapest', 'Miskolc', 'Debrecen', 'Szeged', 'Pécs', 'Győr', 'Nyíregyháza', 'Kecskemét', 'Székesfehérvár', 'Szombathely', 'Eger', 'Salgótarján', 'Kaposvár', 'Zalaegerszeg', 'Békéscsaba'],
  channel: ['online', 'schools', 'television', 'radio', 'print', 'events'],
  institution: ['Miskolc vocational school', 'ELTE Faculty of Social Sciences', "Debrecen children's home", 'University of Public Service', 'Pécs secondary school'],
  courseTitle: ['Human trafficking and social work', 'Criminology of exploitation', 'Victim support practice'],
  material: ['Information card on assistance', 'SANSZ handbook', 'Leaflet for jobseekers abroad', 'Poster for schools'],
  recipients: ['child welfare services', 'county hospitals', 'county government offices', 'consulates', 'shelters'],
  fromCountry: ['Netherlands', 'Germany', 'Austria', 'United Kingdom', 'Switzerland', 'Belgium'],
  facility: ['State-financed old people’s home, Pécs', "Children's home, Esztergom", 'Temporary home, Budapest'],
  facilityKind: ['halfway house', 'designated places', 'service location', 'crisis accommodation'],
  destination: ['Vienna, Federal Criminal Police Office', 'The Hague, Europol', 'Bratislava, Ministry of Interior', 'Berlin, BKA'],
  partnerCountries: ['Austria, Germany', 'Netherlands', 'United Kingdom', 'Switzerland, Austria'],
  caseRef: ['JIT-2022-03', 'JIT-2022-11', 'JIT-2023-07', 'JIT-2023-12'],
  role: ['county prosecutor specialised in trafficking', 'victim identification expert', 'labour exploitation analyst'],
  medium: ['Belügyi Szemle', 'Ügyészségi Szemle', 'Magyar Rendészet', 'Család, Gyermek, Ifjúság'],
  purpose: ['Construction of a halfway house', 'Operation of the shelter', 'Prevention programme materials', 'Training costs', 'IT development'],
  beneficiary: ['Hungarian Baptist Aid', 'DGSACP', 'National Police Headquarters', 'Margit Slachta Institute'],
  documentRef: ['BM/1234/2022', 'IM/877/2023', 'EMMI/45-2/2022', 'KIM/301/2023'],
  legalAct: ['Act CLIV of 1997', 'Act C of 2012', 'Government Decree 354/2012'],
  system: ['EKAT', 'Robotzsaru', 'KENYSZI'],
  addressee: ['Government', 'Minister of Interior', 'National Coordination Mechanism'],
};
const FALLBACK_TEXT = ['as reported', 'see the attached document', 'details on file'];

function dateOfDay(day: number): string {
  return new Date(day * 86_400_000).toISOString().slice(0, 10);
}
const dayOf = (iso: string) => Math.floor(Date.parse(`${iso}T00:00:00Z`) / 86_400_000);

function fieldValue(rng: () => number, field: FieldSpec, measure: MeasurePlan, occurredDay: number): string | number | boolean {
  switch (field.kind) {
    case 'count': {
      const [min, max] = COUNT_RANGES[field.name] ?? [1, 50];
      return Math.min(skewed(rng, min, max), field.max ?? Number.MAX_SAFE_INTEGER);
    }
    case 'money':
      // Integer HUF, rounded to thousands: 50,000 to 25 million per payment.
      return String(skewed(rng, 50, 25_000) * 1000);
    case 'text':
      return pick(rng, TEXTS[field.name] ?? FALLBACK_TEXT);
    case 'boolean':
      return rng() < 0.4;
    case 'enum':
      if (field.name === 'source' && measure.fundingSources.length > 0) return pick(rng, measure.fundingSources);
      return pick(rng, field.values ?? []);
    case 'date': {
      // The only dates of the catalogue bound the period a statistic covers: from the start of
      // the quarter to the day it was reported.
      if (field.name === 'periodEnd') return dateOfDay(occurredDay);
      const d = new Date(occurredDay * 86_400_000);
      return dateOfDay(Date.UTC(d.getUTCFullYear(), Math.floor(d.getUTCMonth() / 3) * 3, 1) / 86_400_000);
    }
    default: {
      const unreachable: never = field.kind;
      throw new Error(`Unknown field kind ${String(unreachable)}`);
    }
  }
}

function makeDetails(rng: () => number, spec: EventTypeSpec, measure: MeasurePlan, occurredDay: number): Details {
  const details: Record<string, string | number | boolean> = {};
  for (const field of spec.fields) {
    if (!field.required && rng() < 0.35) continue;
    details[field.name] = fieldValue(rng, field, measure, occurredDay);
  }
  return details;
}

/** The details of a correction: one figure (or text) fixed, the rest as reported. */
function correctedDetails(rng: () => number, spec: EventTypeSpec, details: Details, measure: MeasurePlan, occurredDay: number): Details {
  const next: Record<string, string | number | boolean> = { ...details };
  const numeric = spec.fields.filter((f) => (f.kind === 'count' || f.kind === 'money') && f.name in next);
  if (numeric.length > 0) {
    const field = pick(rng, numeric);
    if (field.kind === 'money') next[field.name] = String(BigInt(next[field.name] as string) + BigInt(int(rng, 1, 500) * 1000));
    else {
      const value = next[field.name] as number;
      next[field.name] = value > minimumOf(field) && (rng() < 0.5 || value >= (field.max ?? Infinity)) ? value - 1 : value + int(rng, 1, 5);
    }
    return next;
  }
  const texts = spec.fields.filter((f) => f.kind === 'text' && f.name in next);
  if (texts.length > 0) {
    const field = pick(rng, texts);
    next[field.name] = `${next[field.name] as string} (corrected)`;
    return next;
  }
  // Nothing figure-like to fix: report it again from scratch (the caller checks it differs).
  return makeDetails(rng, spec, measure, occurredDay);
}

const CORRECTION_REASONS = [
  'typo in the participant count',
  'figures updated from the attendance sheet',
  'wrong amount entered, corrected from the payment order',
  'date and figures checked against the minutes',
  'duplicate line removed from the count',
];
const RETRACTION_REASONS = ['recorded twice by mistake', 'activity was cancelled', 'reported under the wrong agency', 'not part of this measure'];

// ---------------------------------------------------------------------------------------------
// The plan, as what may be reported

interface MeasurePlan {
  readonly measure: Measure;
  /** Agencies allowed to report: responsible and partners, groups replaced by their members. */
  readonly agencies: readonly string[];
  /** Event types the measure accepts. */
  readonly types: readonly EventTypeSpec[];
  readonly fundingSources: readonly string[];
  /** Relative share of the reports. */
  readonly weight: number;
}

/** Agency ids with every group replaced by its members (recursively); groups themselves left out. */
export function expandAgencyIds(plan: Plan, ids: readonly string[]): string[] {
  const byId = new Map(plan.agencies.map((a) => [a.id, a]));
  const out = new Set<string>();
  const seen = new Set<string>();
  const pending = [...ids];
  while (pending.length > 0) {
    const id = pending.shift()!;
    if (seen.has(id)) continue;
    seen.add(id);
    const agency = byId.get(id);
    if (agency?.kind === 'group') pending.push(...(agency.members ?? []));
    else out.add(id);
  }
  return [...out];
}

/** What the reporting handler accepts for a measure (the same rule as its measureContext). */
export function acceptedTypes(measure: Measure): string[] {
  const types = [...new Set(measure.indicators.map((i) => i.event))];
  const hasFunding = measure.funding.sources.length > 0 || (measure.funding.allocations?.length ?? 0) > 0;
  if (hasFunding && !types.includes('FundsDisbursed')) types.push('FundsDisbursed');
  return types;
}

function measurePlans(plan: Plan, rng: () => number): MeasurePlan[] {
  const measures = plan.pillars.flatMap((p) => p.objectives.flatMap((o) => o.measures));
  // Some measures are reported on far more than others: weights 1/rank^0.6 over a seeded order.
  const ranks = measures.map((_, i) => i);
  for (let i = ranks.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [ranks[i], ranks[j]] = [ranks[j], ranks[i]];
  }
  return measures
    .map((measure, i) => ({
      measure,
      agencies: expandAgencyIds(plan, [...measure.responsible, ...measure.partners]),
      types: acceptedTypes(measure).map((t) => {
        const spec = eventTypeSpec(t);
        if (!spec) throw new Error(`Measure ${measure.code} counts ${t}, which is not in the catalogue`);
        return spec;
      }),
      fundingSources: [...measure.funding.sources, ...(measure.funding.allocations ?? []).flatMap((a) => (a.source ? [a.source] : []))],
      weight: 1 / (ranks[i] + 1) ** 0.6,
    }))
    .filter((m) => m.agencies.length > 0 && m.types.length > 0);
}

/** Relative frequency of a type among a measure's types: milestones are rare, payments less common. */
function typeWeight(spec: EventTypeSpec): number {
  if (spec.category === 'milestone') return 0.04;
  if (spec.category === 'funds') return 0.3;
  return 1;
}

interface Slot {
  readonly m: MeasurePlan;
  readonly agency: string;
  readonly type: EventTypeSpec;
}

/** Cumulative-weight table for picking slots. */
class WeightedSlots {
  private readonly cumulative: Float64Array;
  private readonly total: number;
  constructor(readonly slots: readonly Slot[], weight: (slot: Slot) => number) {
    this.cumulative = new Float64Array(slots.length);
    let sum = 0;
    slots.forEach((slot, i) => {
      sum += weight(slot);
      this.cumulative[i] = sum;
    });
    this.total = sum;
  }
  pick(rng: () => number): Slot {
    const x = rng() * this.total;
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cumulative[mid] <= x) lo = mid + 1;
      else hi = mid;
    }
    return this.slots[lo];
  }
}

// ---------------------------------------------------------------------------------------------
// The history

interface LiveReport {
  readonly stream: string;
  readonly m: MeasurePlan;
  readonly agency: string;
  readonly reportId: string;
  readonly type: EventTypeSpec;
  readonly principalId: string;
  occurredDay: number;
  details: Details;
  revision: bigint;
  retracted: boolean;
  corrections: number;
}

/** How many recent reports corrections and retractions choose from: fixes come soon after. */
const RECENT_REPORTS = 20_000;

/**
 * The report events of the history, in the order they are to be stored (the plan adoption is
 * not among them). Pure function of the plan, the seed and the counts.
 */
export function* historyEvents(
  plan: Plan,
  options: { readonly count: number; readonly seed?: number; readonly correctionRate?: number; readonly retractionRate?: number },
): Generator<GeneratedAppend> {
  const rng = seededRandom(options.seed ?? 1);
  const idRng = seededRandom(((options.seed ?? 1) ^ 0x5bd1e995) >>> 0);
  const correctionRate = options.correctionRate ?? 0.02;
  const retractionRate = options.retractionRate ?? 0.005;
  const measures = measurePlans(plan, rng);
  const slots: Slot[] = measures.flatMap((m) => m.agencies.flatMap((agency) => m.types.map((type) => ({ m, agency, type }))));
  const weighted = new WeightedSlots(slots, (s) => (s.m.weight / s.m.agencies.length) * (typeWeight(s.type) / s.m.types.reduce((n, t) => n + typeWeight(t), 0)));
  // First, every measure reported once by each of its agencies and once with each of its types,
  // so that even a short history covers the whole plan; then weighted draws.
  const coverage: Slot[] = measures.flatMap((m) =>
    Array.from({ length: Math.max(m.agencies.length, m.types.length) }, (_, k) => ({ m, agency: m.agencies[k % m.agencies.length], type: m.types[k % m.types.length] })),
  );

  const periodFrom = dayOf(plan.period.from);
  const periodTo = dayOf(plan.period.to);
  // Recording runs from the day after adoption to a month after the period: a steady clock.
  const recordFrom = Date.parse(`${plan.legalBasis.date}T00:00:00Z`) + 86_400_000;
  const recordTo = Date.parse(`${plan.period.to}T00:00:00Z`) + 31 * 86_400_000;
  const step = (recordTo - recordFrom) / Math.max(1, options.count);

  const perAgency = new Map<string, number>();
  const principals = new Map<string, string>();
  const principalOf = (agency: string) => {
    let id = principals.get(agency);
    if (!id) {
      id = `key${(principals.size + 1).toString().padStart(4, '0')}${agency.replace(/[^a-z]/g, '').slice(0, 12)}`;
      principals.set(agency, id);
    }
    return id;
  };
  const recent: LiveReport[] = [];
  let recentNext = 0;

  for (let i = 0; i < options.count; i++) {
    const recordedMs = Math.floor(recordFrom + i * step + rng() * step);
    const recordedAt = new Date(recordedMs).toISOString();
    const recordedDay = Math.floor(recordedMs / 86_400_000);
    const correlationId = uuidFrom(idRng);
    const causationId = uuidFrom(idRng);
    const id = uuidFrom(idRng);

    const roll = rng();
    let target: LiveReport | undefined;
    if (i >= coverage.length && recent.length > 0 && roll < correctionRate + retractionRate) {
      for (let tries = 0; tries < 4 && !target; tries++) {
        const candidate = recent[Math.floor(rng() * recent.length)];
        if (!candidate.retracted && candidate.corrections < 3) target = candidate;
      }
    }

    if (target && roll < correctionRate) {
      // A correction: one figure fixed; sometimes the date too.
      let occurredDay = target.occurredDay;
      if (rng() < 0.1) occurredDay = Math.min(Math.max(periodFrom, occurredDay + int(rng, -3, 3)), periodTo, recordedDay);
      let details = correctedDetails(rng, target.type, target.details, target.m, occurredDay);
      if (occurredDay === target.occurredDay && sameDetails(details, target.details)) {
        details = { ...details };
        occurredDay = occurredDay > periodFrom ? occurredDay - 1 : occurredDay + 1;
      }
      const occurredOn = dateOfDay(occurredDay);
      const expected = target.revision;
      target.revision += 1n;
      target.occurredDay = occurredDay;
      target.details = details;
      target.corrections += 1;
      yield {
        kind: 'correct',
        stream: target.stream,
        expected,
        event: {
          id,
          type: REPORT_CORRECTED,
          data: { ...refOf(plan, target), activityType: target.type.type, occurredOn, details, reason: pick(rng, CORRECTION_REASONS), requestId: `fix-${target.reportId}-${target.corrections}` } as JsonValue,
          metadata: metadataOf(target, REPORT_CORRECTED, recordedAt, occurredOn, correlationId, causationId),
        },
      };
      continue;
    }
    if (target) {
      const expected = target.revision;
      target.revision += 1n;
      target.retracted = true;
      yield {
        kind: 'retract',
        stream: target.stream,
        expected,
        event: {
          id,
          type: REPORT_RETRACTED,
          data: { ...refOf(plan, target), activityType: target.type.type, reason: pick(rng, RETRACTION_REASONS), requestId: `withdraw-${target.reportId}` } as JsonValue,
          metadata: metadataOf(target, REPORT_RETRACTED, recordedAt, dateOfDay(target.occurredDay), correlationId, causationId),
        },
      };
      continue;
    }

    // A new report. Mostly about the last few weeks; one in ten catches up on older activity.
    const slot = i < coverage.length ? coverage[i] : weighted.pick(rng);
    const latest = Math.min(recordedDay, periodTo);
    const lag = rng() < 0.1 ? Math.floor(rng() * (latest - periodFrom + 1)) : Math.floor(-Math.log(1 - rng()) * 12);
    const occurredDay = Math.max(periodFrom, latest - lag);
    const occurredOn = dateOfDay(occurredDay);
    const n = (perAgency.get(slot.agency) ?? 0) + 1;
    perAgency.set(slot.agency, n);
    const reportId = `${occurredOn.slice(0, 4)}-${n.toString().padStart(7, '0')}`;
    const report: LiveReport = {
      stream: reportStreamName(slot.agency, reportId),
      m: slot.m,
      agency: slot.agency,
      reportId,
      type: slot.type,
      principalId: principalOf(slot.agency),
      occurredDay,
      details: makeDetails(rng, slot.type, slot.m, occurredDay),
      revision: 0n,
      retracted: false,
      corrections: 0,
    };
    if (recent.length < RECENT_REPORTS) recent.push(report);
    else {
      recent[recentNext] = report;
      recentNext = (recentNext + 1) % RECENT_REPORTS;
    }
    yield {
      kind: 'record',
      stream: report.stream,
      expected: NO_STREAM,
      event: {
        id,
        type: slot.type.type,
        data: { ...refOf(plan, report), occurredOn, details: report.details } as JsonValue,
        metadata: metadataOf(report, slot.type.type, recordedAt, occurredOn, correlationId, causationId),
      },
    };
  }
}

function refOf(plan: Plan, report: LiveReport) {
  return { planId: plan.id, measureCode: report.m.measure.code, agencyId: report.agency, reportId: report.reportId };
}

function metadataOf(report: LiveReport, type: string, recordedAt: string, occurredOn: string, correlationId: string, causationId: string): JsonObject {
  const metadata: EventMetadata = {
    agencyId: report.agency,
    principalId: report.principalId,
    principalRole: 'AGENCY',
    recordedAt,
    occurredOn,
    correlationId,
    causationId,
    schemaVersion: upcasters.currentVersion(type),
  };
  return metadata as unknown as JsonObject;
}

function sameDetails(a: Details, b: Details): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}

/** The decide context the api would have used when the event was recorded. */
export function decideContextAt(recordedAt: string): Pick<DecideContext, 'today'> {
  return { today: recordedAt.slice(0, 10) };
}

// ---------------------------------------------------------------------------------------------
// Writers

interface Tally {
  reports: number;
  corrections: number;
  retractions: number;
  byType: Record<string, number>;
}

function tally(t: Tally, item: GeneratedAppend): void {
  if (item.kind === 'record') t.reports += 1;
  else if (item.kind === 'correct') t.corrections += 1;
  else t.retractions += 1;
  t.byType[item.event.type] = (t.byType[item.event.type] ?? 0) + 1;
}

function planOf(options: HistoryOptions): Plan {
  return options.plan ?? historyPlan();
}

async function adoptPlan(store: EventStore, plan: Plan): Promise<bigint> {
  if ((await store.headPosition()) !== 0n) throw new Error('generateHistory needs an empty store (report ids would collide)');
  // The adoption goes through the real loadPlan; only its event id is pinned, for determinism.
  const pinned: EventStore = Object.create(store, {
    append: { value: (stream: string, events: readonly NewEvent[], expected: ExpectedRevision) => store.append(stream, events.map((e) => ({ ...e, id: PLAN_EVENT_ID })), expected) },
  });
  const adopted = await loadPlan(pinned, plan, historyPlanSource(plan));
  if (adopted.outcome !== 'adopted' || adopted.position === undefined) throw new Error(`Plan ${plan.id} was not adopted (${adopted.outcome})`);
  return adopted.position;
}

/**
 * Fills an empty store through `EventStore.append`, keeping `concurrency` appends in flight
 * (the SQLite adapter then commits them in groups). A correction or retraction whose report's
 * earlier append is still in flight waits for it first, so any adapter sees a consistent order.
 */
export async function generateHistory(store: EventStore, options: HistoryOptions = {}): Promise<HistoryResult> {
  const started = performance.now();
  const total = options.events ?? 1_000_000;
  if (!Number.isInteger(total) || total < 1) throw new Error('events must be a whole number ≥ 1');
  const concurrency = options.concurrency ?? 512;
  const every = options.progressEvery ?? 50_000;
  const plan = planOf(options);
  const commitsBefore = store instanceof SqliteEventStore ? store.commitCount : 0;
  const planPosition = await adoptPlan(store, plan);
  const t: Tally = { reports: 0, corrections: 0, retractions: 0, byType: { PlanAdopted: 1 } };

  let written = 1;
  let inflight = 0;
  let failure: unknown;
  let wake: (() => void) | undefined;
  const pendingByStream = new Map<string, Promise<unknown>>();
  const settle = () => {
    inflight -= 1;
    written += 1;
    if (options.onProgress && written % every === 0) options.onProgress({ written, total, elapsedMs: performance.now() - started });
    const w = wake;
    wake = undefined;
    w?.();
  };
  const fail = (error: unknown) => {
    failure ??= error;
    settle();
  };

  for (const item of historyEvents(plan, { count: total - 1, seed: options.seed, correctionRate: options.correctionRate, retractionRate: options.retractionRate })) {
    if (failure) break;
    while (inflight >= concurrency) await new Promise<void>((resolve) => (wake = resolve));
    if (item.kind !== 'record') {
      const before = pendingByStream.get(item.stream);
      if (before) await before;
    }
    tally(t, item);
    inflight += 1;
    const promise = store.append(item.stream, [item.event], item.expected).then(settle, fail);
    pendingByStream.set(item.stream, promise);
    void promise.then(() => {
      if (pendingByStream.get(item.stream) === promise) pendingByStream.delete(item.stream);
    });
  }
  while (inflight > 0) await new Promise<void>((resolve) => (wake = resolve));
  if (failure) throw failure;
  const elapsedMs = performance.now() - started;
  options.onProgress?.({ written, total, elapsedMs });
  return {
    events: written,
    ...t,
    planPosition,
    headPosition: await store.headPosition(),
    elapsedMs,
    commits: store instanceof SqliteEventStore ? store.commitCount - commitsBefore : undefined,
  };
}

/**
 * Bulk mode (SQLite only): builds the same history in the store file `file` (created if
 * absent, must hold no events) far faster than appends, for benchmark fixtures. See the top
 * of this file for what it skips.
 */
export async function generateHistoryBulk(file: string, options: HistoryOptions = {}): Promise<HistoryResult> {
  const started = performance.now();
  const total = options.events ?? 1_000_000;
  if (!Number.isInteger(total) || total < 1) throw new Error('events must be a whole number ≥ 1');
  const batchSize = options.batchSize ?? 10_000;
  const every = options.progressEvery ?? 50_000;
  const plan = planOf(options);
  const store = SqliteEventStore.open(file);
  let planPosition: bigint;
  try {
    planPosition = await adoptPlan(store, plan);
  } finally {
    await store.close();
  }
  const t: Tally = { reports: 0, corrections: 0, retractions: 0, byType: { PlanAdopted: 1 } };
  const db = new Database(file);
  let commits = 0;
  let written = 1;
  try {
    // A fixture needs neither a journal nor an fsync per commit while it is built: pages are
    // written once, straight to the database file, which is synced and put back in WAL mode
    // (what the adapter uses) at the end.
    db.pragma('journal_mode = OFF');
    db.pragma('synchronous = OFF');
    // A large page cache keeps the index B-trees (random UUIDs, stream names) in memory; it is a
    // property of this connection only, not of the file.
    db.pragma('cache_size = -524288');
    const insert = db.prepare('INSERT INTO events (id, stream, revision, type, data, metadata, created, seq, link) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
    // Each row carries its chain link as the adapter's append writes it (a row without one is
    // what verify reports as NOT_APPENDED): the chain goes on from the plan's event.
    const last = db.prepare('SELECT seq, link FROM events ORDER BY position DESC LIMIT 1').get() as { seq: number; link: string };
    let sequence = BigInt(last.seq);
    let link = last.link;
    const begin = db.prepare('BEGIN IMMEDIATE');
    const commit = db.prepare('COMMIT');
    let inBatch = 0;
    let created = '';
    let nextProgress = every;
    try {
      for (const item of historyEvents(plan, { count: total - 1, seed: options.seed, correctionRate: options.correctionRate, retractionRate: options.retractionRate })) {
        if (inBatch === 0) {
          begin.run();
          created = new Date().toISOString();
        }
        tally(t, item);
        const revision = item.expected === NO_STREAM ? 0n : item.expected + 1n;
        const data = JSON.stringify(item.event.data);
        const metadata = JSON.stringify(item.event.metadata);
        sequence += 1n;
        // The link of the stored text parsed back, as the adapter hashes it.
        link = nextLink(link, { id: item.event.id, stream: item.stream, revision, type: item.event.type, data: JSON.parse(data), metadata: JSON.parse(metadata) }, sequence);
        insert.run(item.event.id, item.stream, revision, item.event.type, data, metadata, created, sequence, link);
        inBatch += 1;
        if (inBatch >= batchSize) {
          commit.run();
          commits += 1;
          written += inBatch;
          inBatch = 0;
          if (options.onProgress && written >= nextProgress) {
            options.onProgress({ written, total, elapsedMs: performance.now() - started });
            nextProgress += every;
            // Let timers and signals through between batches.
            await new Promise<void>((resolve) => setImmediate(resolve));
          }
        }
      }
      if (inBatch > 0) {
        commit.run();
        commits += 1;
        written += inBatch;
        inBatch = 0;
      }
    } finally {
      if (db.inTransaction) db.exec('ROLLBACK');
    }
    db.pragma('synchronous = FULL');
    db.pragma('journal_mode = WAL');
  } finally {
    db.close();
  }
  // With synchronous=OFF nothing was synced: make the file durable before calling it built.
  const fd = openSync(file, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  const elapsedMs = performance.now() - started;
  options.onProgress?.({ written, total, elapsedMs });
  const reopened = SqliteEventStore.open(file);
  try {
    return { events: written, ...t, planPosition, headPosition: await reopened.headPosition(), elapsedMs, commits };
  } finally {
    await reopened.close();
  }
}
