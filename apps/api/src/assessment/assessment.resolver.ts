import { Inject } from '@nestjs/common';
import { Args, Context, ID, Resolver } from '@nestjs/graphql';
import { Action, AccessPolicy, Allow, CurrentPrincipal, type Principal } from '@app/auth';
import { assessmentStreamName, upcasters } from '@app/domain';
import { EVENT_STORE, type EventStore } from '@app/event-store';
import { correlationIdOf } from '../common/correlation-id.js';
import { EventEnvelope, toEnvelope } from '../common/models/event-envelope.model.js';
import { AssessMeasureInput, CorrectAssessmentInput } from './dto/assessment.input.js';
import { AssessmentReceipt } from './models/assessment.model.js';
import { AssessmentService } from './assessment.service.js';
import { RefusableQuery, RefusableMutation } from '../common/refusable-query.js';

interface GqlContext {
  req?: { id?: unknown; headers?: Record<string, string | string[] | undefined> };
}

/** The lists as sent: undefined when omitted (or null), so a correction can keep what is recorded. */
const content = (input: AssessMeasureInput) => ({
  level: input.level,
  asOf: input.asOf,
  narrative: input.narrative,
  evidence: input.evidence ?? undefined,
  indicatorComments: input.indicatorComments?.map((c) => ({ indicatorKey: c.indicatorKey, comment: c.comment })),
});

/** Coordinators' assessments of measures: record, correct, read the history (the current ones are on Measure). */
@Resolver()
export class AssessmentResolver {
  constructor(
    private readonly assessments: AssessmentService,
    private readonly policy: AccessPolicy,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  @RefusableMutation(() => AssessmentReceipt, {
    description: "Records a coordinator's judgement of a measure as of a date (OGP IRM level, narrative, evidence). Retrying with the same assessmentId is safe.",
  })
  @Allow(Action.ASSESS_MEASURE)
  assessMeasure(@Args('input') input: AssessMeasureInput, @CurrentPrincipal() principal: Principal, @Context() ctx: GqlContext): Promise<AssessmentReceipt> {
    return this.assessments.execute(
      { kind: 'assess', assessmentId: input.assessmentId, ...content(input) },
      { measureCode: input.measureCode, planId: input.planId },
      principal,
      correlationIdOf(ctx.req),
    );
  }

  @RefusableMutation(() => AssessmentReceipt, { description: 'Replaces what an assessment says, with a reason; the original stays in the history.' })
  @Allow(Action.ASSESS_MEASURE)
  correctAssessment(@Args('input') input: CorrectAssessmentInput, @CurrentPrincipal() principal: Principal, @Context() ctx: GqlContext): Promise<AssessmentReceipt> {
    return this.assessments.execute(
      { kind: 'correct', assessmentId: input.assessmentId, correctionId: input.correctionId, reason: input.reason, ...content(input) },
      { measureCode: input.measureCode, planId: input.planId },
      principal,
      correlationIdOf(ctx.req),
    );
  }

  @RefusableQuery(() => [EventEnvelope], { description: "A measure's assessment stream: every assessment and correction, oldest first." })
  @Allow(Action.READ_PROJECTIONS, Action.READ_HISTORY, Action.READ_ASSIGNED_PROJECTIONS)
  async assessmentHistory(
    @Args('measureCode') measureCode: string,
    @CurrentPrincipal() principal: Principal,
    @Args('planId', { type: () => ID, nullable: true }) planId?: string,
  ): Promise<EventEnvelope[]> {
    const { plan, measure } = this.assessments.lookup(measureCode, planId ?? undefined);
    this.policy.assertCanReadMeasure(principal, measure, 'assessmentHistory');
    const events = await this.store.readStream(assessmentStreamName(plan.id, measure.code));
    return events.map((e) => toEnvelope(upcasters.upcast(e)));
  }
}
