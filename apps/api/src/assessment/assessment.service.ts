import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { type Principal } from '@app/auth';
import {
  type AssessmentCommand,
  type AssessmentContext,
  type AssessmentEvent,
  type AssessmentState,
  DomainError,
  type EventMetadata,
  assessmentDecider,
  assessmentStreamName,
  receiptOf,
  upcasters,
} from '@app/domain';
import { CommandConflictError, EVENT_STORE, type EventStore, type RecordedEvent, type StoredEvent, handleCommand } from '@app/event-store';
import { MeasureLookupError, type MeasureRef, PlanCatalog } from '@app/plan';
import { latestToday } from '../common/latest-today.js';
import type { AssessmentReceipt } from './models/assessment.model.js';

/**
 * The request path of assessments (ARCHITECTURE.md): the measure from the plan catalogue, then
 * the generic handleCommand with the assessment decider (libs/domain assessment/) on the
 * measure's stream. Who may assess is the resolver's @Allow(ASSESS_MEASURE).
 */
@Injectable()
export class AssessmentService {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly catalog: PlanCatalog,
  ) {}

  async execute(command: AssessmentCommand, target: { measureCode: string; planId?: string }, principal: Principal, correlationId: string): Promise<AssessmentReceipt> {
    const { plan, measure } = this.lookup(target.measureCode, target.planId);
    const ctx: AssessmentContext = {
      planId: plan.id,
      measureCode: measure.code,
      period: plan.period,
      indicatorKeys: measure.indicators.map((i) => i.key),
      today: latestToday(),
    };
    const stream = assessmentStreamName(plan.id, measure.code);
    const causationId = randomUUID();
    const recordedAt = new Date().toISOString();
    let result;
    try {
      result = await handleCommand<AssessmentState, AssessmentCommand, AssessmentEvent>(this.store, stream, assessmentDecider(ctx), command, {
        // Assessments are few per measure: always read, so a repeat is found on the first try.
        read: (recorded: RecordedEvent) => upcasters.upcast(recorded) as unknown as StoredEvent<AssessmentEvent>,
        metadata: (event) => {
          const metadata: EventMetadata = {
            principalId: principal.id,
            principalRole: principal.role,
            recordedAt,
            occurredOn: event.data.asOf,
            correlationId,
            causationId,
            schemaVersion: upcasters.currentVersion(event.type),
          };
          return metadata as never;
        },
      });
    } catch (error) {
      if (error instanceof CommandConflictError) {
        throw new DomainError('CONFLICT', `The assessments of ${measure.code} are being changed by concurrent requests; retry`, { field: 'assessmentId' });
      }
      throw error;
    }
    const written = result.newEvents[result.newEvents.length - 1];
    const stored = written ? { eventId: written.id, position: written.position, revision: written.revision, type: written.type } : receiptOf(command, result.newState);
    if (!stored) throw new Error(`${stream}: no event stored for ${command.assessmentId} after the command`);
    return {
      planId: plan.id,
      measureCode: measure.code,
      assessmentId: command.assessmentId,
      stream,
      eventId: stored.eventId,
      eventType: stored.type,
      position: stored.position.toString(),
      revision: stored.revision.toString(),
      duplicate: written === undefined,
    };
  }

  /** The measure an assessment is about; BAD_USER_INPUT naming measureCode or planId when unknown. */
  lookup(measureCode: string, planId?: string): MeasureRef {
    try {
      return this.catalog.findMeasure(measureCode, planId ?? undefined);
    } catch (error) {
      if (!(error instanceof MeasureLookupError)) throw error;
      if (error.reason === 'ambiguous') throw DomainError.badInput('planId', `is required: ${error.message}`);
      if (planId && !this.catalog.plan(planId)) throw DomainError.badInput('planId', `${planId} is not an adopted plan`);
      throw DomainError.badInput('measureCode', `${measureCode} is not a measure of ${planId ? `plan ${planId}` : 'any adopted plan'}`);
    }
  }
}
