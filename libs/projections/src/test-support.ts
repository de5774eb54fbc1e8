import { readFileSync } from 'node:fs';
import { REPORT_CORRECTED, REPORT_RETRACTED, reportStreamName } from '@app/domain';
import type { JsonObject, JsonValue, RecordedEvent } from '@app/event-store';
import { type Plan, type PlanChange, parsePlan, planAdopted, planAmended, planStreamName } from '@app/plan';

/**
 * Test helpers (not exported by the lib's index): a global log built in memory, with the
 * report and plan events the projections read, shaped as libs/domain and libs/plan write them.
 */
export class TestLog {
  readonly events: RecordedEvent[] = [];
  private next = 1n;
  private readonly revisions = new Map<string, bigint>();

  append(stream: string, type: string, data: JsonValue, metadata: JsonObject = {}): RecordedEvent {
    const revision = (this.revisions.get(stream) ?? -1n) + 1n;
    this.revisions.set(stream, revision);
    const position = this.next++;
    const event: RecordedEvent = {
      id: `e-${position}`,
      type,
      stream,
      revision,
      position,
      data,
      metadata: { recordedAt: `2030-06-01T00:00:${String(Number(position % 60n)).padStart(2, '0')}.000Z`, ...metadata },
      created: new Date('2030-06-01T00:00:00.000Z'),
    };
    this.events.push(event);
    return event;
  }

  adopt(plan: Plan): RecordedEvent {
    const event = planAdopted(plan, { principal: 'test', recordedAt: '2030-01-01T00:00:00.000Z', correlationId: 'c' });
    return this.append(planStreamName(plan.id), event.type, event.data as unknown as JsonValue, event.metadata as unknown as JsonObject);
  }

  amend(planId: string, changes: readonly PlanChange[]): RecordedEvent {
    const event = planAmended(planId, changes, { principal: 'test', recordedAt: '2030-01-02T00:00:00.000Z', correlationId: 'c' });
    return this.append(planStreamName(planId), event.type, event.data as unknown as JsonValue, event.metadata as unknown as JsonObject);
  }

  report(
    type: string,
    ref: { readonly agencyId: string; readonly reportId: string; readonly measureCode: string; readonly planId?: string },
    occurredOn: string,
    details: JsonObject,
  ): RecordedEvent {
    const { agencyId, reportId, measureCode, planId = 'demo-2030' } = ref;
    return this.append(reportStreamName(agencyId, reportId), type, { planId, measureCode, agencyId, reportId, occurredOn, details }, {
      agencyId,
      occurredOn,
    });
  }

  correct(original: RecordedEvent, occurredOn: string, details: JsonObject): RecordedEvent {
    const data = original.data as JsonObject;
    const { planId, measureCode, agencyId, reportId } = data;
    return this.append(original.stream, REPORT_CORRECTED, {
      planId,
      measureCode,
      agencyId,
      reportId,
      activityType: original.type,
      occurredOn,
      details,
      reason: 'figures were wrong',
    });
  }

  retract(original: RecordedEvent): RecordedEvent {
    const { planId, measureCode, agencyId, reportId } = original.data as JsonObject;
    return this.append(original.stream, REPORT_RETRACTED, {
      planId,
      measureCode,
      agencyId,
      reportId,
      activityType: original.type,
      reason: 'reported in error',
    });
  }
}

export function loadTestPlan(path: string): Plan {
  const parsed = parsePlan(readFileSync(path, 'utf8'), path);
  if (!parsed.plan) throw new Error(`Invalid test plan ${path}: ${JSON.stringify(parsed.errors)}`);
  return parsed.plan;
}

export const DEMO_PLAN_FILE = 'test/fixtures/plans/demo-plan.yaml';
export const HU_PLAN_FILE = 'libs/plan/plans/hu-2022-2023.yaml';
