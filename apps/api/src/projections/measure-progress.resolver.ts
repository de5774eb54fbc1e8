import { Inject } from '@nestjs/common';
import { Args, Float, Int, ResolveField, Resolver } from '@nestjs/graphql';
import { AccessPolicy, Action, type AuthContext, type Principal, UnauthenticatedError, mayPerformAny } from '@app/auth';
import { DomainError, shownValue } from '@app/domain';
import { type AssessmentEntry, type MeasureEvaluation, type ProjectionSnapshot, ProjectionTimeoutError } from '@app/projections';
import { Measure } from '../common/models/measure.model.js';
import { measureAssignment } from './measure-assignment.js';
import { IndicatorAggregate } from '../common/models/measure.model.js';
import { MeasureFundingStatus } from './models/funding-status.model.js';
import {
  AgencyValue,
  FundingArgs,
  Granularity,
  IndicatorValue,
  MeasureStatus,
  PeriodArgs,
  type PeriodRangeInput,
  PeriodValue,
  ProgressArgs,
  ReadModelArgs,
  StatusReason,
} from './models/measure-progress.model.js';
import type { MonthRange } from '@app/projections';
import { isIsoDate } from '@app/plan';
import { AssessmentModel, type ImplementationLevel } from '../common/models/assessment.model.js';
import { datedAsOf } from './projection-args.js';
import { checkedYear } from '../common/query-arguments.js';
import { measureFundingModel } from './projections.mapper.js';
import { PointInTimeInput } from '../common/dto/point-in-time.input.js';
import { createValidationPipe } from '../common/validation.js';
import { ProjectionsService } from './projections.service.js';
import { PlainFieldResolver, whenReady } from './plain-field.js';
import { timeoutAnswer } from './projection-timeout.filter.js';

/** A value now, or once the read models have it (atLeastPosition) or a replay made it (at). */
type Eventually<T> = T | Promise<T>;

/**
 * Said by every field below that checks access. They are nullable for that reason (GraphQL's rule:
 * a field that can fail on its own is nullable): a refusal then nulls that one field of that one
 * measure, not the Measure and with it the whole `measures` list it sits in.
 */
export const REFUSED =
  "Null, with a FORBIDDEN error at this field naming the measure (extensions.rule, extensions.measureCode), when the caller may not read this measure's progress: an agency reads the progress only of measures it is a responsible body or a partner of (docs/status.md).";

/** What a caller needs to read any progress field of a measure; which measures: assertCanReadMeasure. */
const READ_PROGRESS: readonly Action[] = [Action.READ_PROJECTIONS, Action.READ_ASSIGNED_PROJECTIONS];

/** Checks `at` as the global pipe checks it on queries (PointInTimeInput's rules). */
const pointInTimePipe = createValidationPipe();

/**
 * Progress fields on the plan's Measure type, computed from the read models at query time.
 *
 * Each field is a plain resolver (PlainFieldResolver): no Nest wrapper and validation pipe per
 * field and measure, and synchronous unless it has to wait (atLeastPosition ahead of the read
 * models) or replay (at) — what made a `measures` query cost several ms of CPU (issue 24). So
 * each field here checks its own arguments (asOf, atLeastPosition: BAD_USER_INPUT naming them;
 * at: PointInTimeInput's rules, as the pipe checks them) and access: coordinators and auditors
 * read every measure's progress; an agency only that of the measures it is a responsible body or
 * a partner of (AccessPolicy.assertCanReadMeasure); others see the measure, not its progress:
 * each field that checks access is nullable (REFUSED), so a refusal is null plus one FORBIDDEN
 * error at that field's path. Field resolvers run without the global guard in any case.
 *
 * Every measure of a request is computed from one snapshot (see ProjectionsService.snapshot),
 * and every measure of a plan is evaluated once per snapshot and asOf (ProjectionSnapshot).
 */
@Resolver(() => Measure)
export class MeasureProgressResolver {
  constructor(
    @Inject(ProjectionsService) private readonly projections: ProjectionsService,
    @Inject(AccessPolicy) private readonly policy: AccessPolicy,
  ) {}

  @ResolveField(() => MeasureStatus, { nullable: true, description: `Where the measure stands on asOf (see MeasureStatus). ${REFUSED}` })
  @PlainFieldResolver()
  status(measure: Measure, @Args() args: ProgressArgs, context: AuthContext): Eventually<MeasureStatus> {
    return whenReady(this.evaluation(measure, args, context, 'Measure.status'), (e) => e.status as MeasureStatus);
  }

  @ResolveField(() => StatusReason, { nullable: true, description: `Why the measure has its status on asOf (see StatusReason, docs/status.md). ${REFUSED}` })
  @PlainFieldResolver()
  statusReason(measure: Measure, @Args() args: ProgressArgs, context: AuthContext): Eventually<StatusReason> {
    return whenReady(this.evaluation(measure, args, context, 'Measure.statusReason'), (e) => e.reason as StatusReason);
  }

  // Plan data only: no access check, no arguments.
  @ResolveField(() => Boolean, { description: 'Whether the plan gives the measure a finish line: at least one indicator with a target, or a milestone.' })
  hasFinishLine(measure: Measure): boolean {
    return measure.indicators.some((i) => (i.target ?? null) !== null || i.aggregate === IndicatorAggregate.MILESTONE);
  }

  @ResolveField(() => AssessmentModel, {
    nullable: true,
    description: `The assessment in force on asOf: of the assessments as of that day or earlier, the latest. Null when there is none. ${REFUSED}`,
  })
  @PlainFieldResolver()
  assessment(measure: Measure, @Args() args: ProgressArgs, context: AuthContext): Eventually<AssessmentModel | null> {
    return whenReady(this.evaluation(measure, args, context, 'Measure.assessment'), (e) => (e.assessment ? assessmentModel(e.assessment) : null));
  }

  @ResolveField(() => [AssessmentModel], {
    nullable: true,
    description: `Every assessment of the measure as it now stands (corrections applied), by asOf; history: assessmentHistory. ${REFUSED}`,
  })
  @PlainFieldResolver()
  assessments(measure: Measure, @Args() args: ReadModelArgs, context: AuthContext): Eventually<AssessmentModel[]> {
    return whenReady(this.snapshot(measure, args, context, 'Measure.assessments'), (snapshot) =>
      snapshot.assessments(measure.planId, measure.code).map(assessmentModel),
    );
  }

  @ResolveField(() => Float, {
    nullable: true,
    description: `Overall progress in percent on asOf (the reports dated on or before it; default today, every report): the lowest of its targeted indicators and milestones; null when it has none. ${REFUSED}`,
  })
  @PlainFieldResolver()
  progress(measure: Measure, @Args() args: ProgressArgs, context: AuthContext): Eventually<number | null> {
    return whenReady(this.evaluation(measure, args, context, 'Measure.progress'), (e) => e.progress ?? null);
  }

  @ResolveField(() => Int, {
    nullable: true,
    description: `Reports counted on the measure (any event type; retracted ones excluded), of those dated on or before asOf when given. ${REFUSED}`,
  })
  @PlainFieldResolver()
  reportCount(measure: Measure, @Args() args: ProgressArgs, context: AuthContext): Eventually<number> {
    const asOf = datedAsOf(args.asOf);
    return whenReady(this.snapshot(measure, args, context, 'Measure.reportCount'), (snapshot) => snapshot.measureFigures(measure.planId, measure.code, asOf).reports);
  }

  @ResolveField(() => [IndicatorValue], {
    nullable: true,
    description: `The measure's indicators with their values, from the plan's current definitions: over the reports dated on or before asOf when given (breakdowns too), else every report. ${REFUSED}`,
  })
  @PlainFieldResolver()
  indicatorValues(measure: Measure, @Args() args: ProgressArgs, context: AuthContext): Eventually<IndicatorValue[]> {
    const asOf = datedAsOf(args.asOf);
    return whenReady(this.snapshot(measure, args, context, 'Measure.indicatorValues'), (snapshot) => {
      const evaluation = this.evaluate(snapshot, measure, asOf, args.at);
      const figures = snapshot.measureFigures(measure.planId, measure.code, asOf);
      return evaluation.indicators.map((i) => ({
        key: i.indicator.key,
        label: i.indicator.label,
        event: i.indicator.event,
        aggregate: i.indicator.aggregate as IndicatorAggregate,
        field: i.indicator.field,
        target: i.target,
        value: Number(i.value),
        exactValue: i.value.toString(),
        progress: i.progress,
        achieved: i.achieved,
        figures,
        indicator: i.indicator,
      }));
    });
  }

  @ResolveField(() => MeasureFundingStatus, { nullable: true, description: `Allocated against disbursed money (of one year, or all). ${REFUSED}` })
  @PlainFieldResolver()
  fundingStatus(measure: Measure, @Args() args: FundingArgs, context: AuthContext): Eventually<MeasureFundingStatus> {
    const year = checkedYear(args.year);
    const asOf = datedAsOf(args.asOf);
    const prepare = (s: ProjectionSnapshot) => s.prepareFundingAsOf(measure.planId, asOf, [measure.code]);
    return whenReady(this.snapshot(measure, args, context, 'Measure.fundingStatus', prepare), (snapshot) => {
      const summary = snapshot.fundingSummary(measure.planId, year, asOf);
      const funding = summary?.measures.find((m) => m.measureCode === measure.code);
      if (!funding) throw notYet(measure, snapshot, args.at);
      return measureFundingModel(funding);
    });
  }

  /**
   * The request's snapshot, once the principal may read this measure's progress (FORBIDDEN
   * otherwise, naming `operation`) and the arguments are valid (BAD_USER_INPUT otherwise).
   */
  private snapshot(
    measure: Measure,
    args: ReadModelArgs,
    context: AuthContext,
    operation: string,
    /** What a replay reads back before answering; default the asOf month's reports of the measure (prepareAsOf). */
    prepare?: (replayed: ProjectionSnapshot) => Promise<void>,
  ): Eventually<ProjectionSnapshot> {
    const principal = context.principal;
    if (!principal) throw new UnauthenticatedError();
    this.assertCanRead(principal, measure, operation);
    const at = args.at;
    // Auditors' replays only (REPLAY): the pipe's check costs a promise, nothing else does.
    // A replay with asOf inside a month: that month's reports of this measure read back first (prepareAsOf).
    const asOf = datedAsOf((args as ProgressArgs).asOf);
    const snapshot =
      at !== undefined && at !== null
        ? (pointInTimePipe.transform(at, { type: 'body', metatype: PointInTimeInput, data: 'at' }) as Promise<PointInTimeInput>)
            .then((checked) => this.projections.snapshotNow(context, args.atLeastPosition, checked))
            .then(async (replayed) => {
              // Every field alike (reportCount, assessments, … not only status): a measure the
              // ledger did not hold yet at that point is NOT_FOUND naming `at`, not 0 or [].
              if (!replayed.measure(measure.code, measure.planId)) throw notYet(measure, replayed, at);
              await (prepare ? prepare(replayed) : replayed.prepareAsOf(measure.planId, asOf, [measure.code]));
              return replayed;
            })
        : this.projections.snapshotNow(context, args.atLeastPosition);
    // Waiting for atLeastPosition (also behind an empty `at`): its expiry is the client's TIMEOUT, as on the queries.
    return snapshot instanceof Promise ? snapshot.catch(answerTimeout) : snapshot;
  }

  /**
   * FORBIDDEN naming the field and the measure (a `measures` list answers one refusal per field and
   * measure, each at its own path). The message is built only for a refusal: this runs for every
   * progress field of every measure of a request.
   */
  private assertCanRead(principal: Principal, measure: Measure, operation: string): void {
    if (!mayPerformAny(principal, READ_PROGRESS)) this.policy.assertAllowed(principal, READ_PROGRESS, `${operation} of measure ${measure.code}`);
    this.policy.assertCanReadMeasure(principal, measureAssignment(measure), operation);
  }

  private evaluation(measure: Measure, args: ProgressArgs, context: AuthContext, operation: string): Eventually<MeasureEvaluation> {
    const date = datedAsOf(args.asOf);
    return whenReady(this.snapshot(measure, args, context, operation), (snapshot) => this.evaluate(snapshot, measure, date, args.at));
  }

  /** asOf undefined: today over every report (ProjectionSnapshot.evaluatePlan). */
  private evaluate(snapshot: ProjectionSnapshot, measure: Measure, asOf: string | undefined, at: PointInTimeInput | null | undefined): MeasureEvaluation {
    const evaluation = snapshot.evaluate(measure.planId, measure.code, asOf);
    if (!evaluation) throw notYet(measure, snapshot, at);
    return evaluation;
  }
}

/**
 * NOT_FOUND for a measure the read models do not hold. Asked with `at`, the usual cause is a point
 * before the plan (or the amendment that added the measure) was recorded: the answer says so and
 * names `at`, instead of reading as if the measure did not exist.
 */
function notYet(measure: Measure, snapshot: ProjectionSnapshot, at: PointInTimeInput | null | undefined): DomainError {
  if (at === undefined || at === null) return new DomainError('NOT_FOUND', `No measure ${measure.code} in the read models of plan ${measure.planId} (yet)`);
  const reason = `is position ${snapshot.position}, before plan ${measure.planId} held measure ${measure.code} (the plan was not adopted yet, or not amended to hold it)`;
  return new DomainError('NOT_FOUND', `No measure ${measure.code} at position ${snapshot.position}: the ledger then ${snapshot.position === 0n ? 'held no events' : 'did not hold it yet'}`, { field: 'at', reason });
}

function answerTimeout(error: unknown): never {
  throw error instanceof ProjectionTimeoutError ? timeoutAnswer(error) : error;
}

export function assessmentModel(entry: AssessmentEntry): AssessmentModel {
  return {
    assessmentId: entry.assessmentId,
    level: entry.level as ImplementationLevel,
    asOf: entry.asOf,
    narrative: entry.narrative,
    evidence: [...entry.evidence],
    indicatorComments: entry.indicatorComments.map((c) => ({ ...c })),
    corrections: entry.corrections,
    recordedAt: entry.recordedAt,
    recordedBy: entry.recordedBy,
    updatedAt: entry.updatedAt,
    position: entry.position,
  };
}

/**
 * Breakdowns of an indicator value, from the same snapshot as the value (no access check: the
 * value itself was checked). Plain resolvers (PlainFieldResolver), as the fields of Measure:
 * monthRanges and yearStartMonth check the arguments.
 */
@Resolver(() => IndicatorValue)
export class IndicatorValueResolver {
  @ResolveField(() => [PeriodValue], {
    description:
      'The value per period of occurredOn: per calendar month, quarter or year (granularity; periods with reports), per reporting year starting on yearStartsOn (e.g. "04-01", the US TIP year; years with reports), or over each of the given ranges (in order, 0 where nothing was reported). Figures are kept per month, so periods are whole months.',
  })
  @PlainFieldResolver()
  byPeriod(value: IndicatorValue, @Args() args: PeriodArgs): PeriodValue[] {
    const model = (b: { key: string; value: bigint }) => ({ period: b.key, value: Number(b.value), exactValue: b.value.toString() });
    if (args.ranges && args.ranges.length > 0) return value.figures.byRanges(value.indicator, monthRanges(args.ranges)).map(model);
    if (args.yearStartsOn) return value.figures.byReportingYear(value.indicator, yearStartMonth(args.yearStartsOn)).map(model);
    return value.figures.byPeriod(value.indicator, args.granularity ?? Granularity.MONTH).map(model);
  }

  @ResolveField(() => [AgencyValue], { description: 'The value per reporting agency, for agencies with reports.' })
  byAgency(value: IndicatorValue): AgencyValue[] {
    return value.figures.byAgency(value.indicator).map((b) => ({ agencyId: b.key, value: Number(b.value), exactValue: b.value.toString() }));
  }
}

const MAX_RANGES = 100;
/** PeriodRangeInput.label's limit. */
const MAX_LABEL = 100;

/** Ranges checked as whole months (figures are kept per month of occurredOn); BAD_USER_INPUT names the range. */
export function monthRanges(ranges: readonly PeriodRangeInput[]): MonthRange[] {
  if (ranges.length > MAX_RANGES) throw DomainError.badInput('ranges', `must hold at most ${MAX_RANGES} ranges (got ${ranges.length})`);
  return ranges.map((r, i) => {
    if (!isIsoDate(r.from) || !r.from.endsWith('-01')) {
      throw DomainError.badInput(`ranges[${i}].from`, `must be the first day of a month, YYYY-MM-01: figures are kept per month of occurredOn (got ${shownValue(r.from)})`);
    }
    const lastDay = isIsoDate(r.to) ? new Date(Date.UTC(Number(r.to.slice(0, 4)), Number(r.to.slice(5, 7)), 0)).getUTCDate() : -1;
    if (lastDay < 0 || Number(r.to.slice(8, 10)) !== lastDay) {
      throw DomainError.badInput(`ranges[${i}].to`, `must be the last day of a month, YYYY-MM-DD: figures are kept per month of occurredOn (got ${shownValue(r.to)})`);
    }
    if (r.to < r.from) throw DomainError.badInput(`ranges[${i}].to`, `is before from (${r.from})`);
    if (r.label != null && r.label.length > MAX_LABEL) throw DomainError.badInput(`ranges[${i}].label`, `must be at most ${MAX_LABEL} characters long`);
    return { key: r.label ?? `${r.from}/${r.to}`, from: r.from.slice(0, 7), to: r.to.slice(0, 7) };
  });
}

/** The month (1–12) a reporting year starts in, from "MM-01". */
export function yearStartMonth(yearStartsOn: string): number {
  const match = /^(0[1-9]|1[0-2])-(\d{2})$/.exec(yearStartsOn);
  if (!match) throw DomainError.badInput('yearStartsOn', 'must be a day of the year written MM-DD, e.g. "04-01"');
  if (match[2] !== '01') throw DomainError.badInput('yearStartsOn', 'must be the first day of a month (MM-01): figures are kept per month of occurredOn');
  return Number(match[1]);
}
