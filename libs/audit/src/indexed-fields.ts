import { isIsoDate } from '@app/domain';
import type { JsonValue, RecordedEvent } from '@app/event-store';

/**
 * What the audit index keeps of an event besides its chain link, so history queries can find
 * events by measure, agency and dates without reading the log (chain-store.ts). The in-memory
 * filter (history.ts) reads the same fields through this one function, so both agree.
 */
export interface IndexedFields {
  /** data.measureCode (report events and their corrections and retractions). */
  readonly measureCode?: string;
  /** metadata.agencyId (who recorded it), else data.agencyId (e.g. an agency's API key). */
  readonly agencyId?: string;
  /** The business date it describes: metadata.occurredOn, else data.occurredOn (YYYY-MM-DD). */
  readonly occurredOn?: string;
  /**
   * When it was recorded (ms since the epoch): metadata.recordedAt — the api's clock, which
   * export/import keeps — else the store's commit time (`created`), which they do not keep.
   */
  readonly recordedAtMs: number;
}

function field(value: JsonValue | undefined, name: string): JsonValue | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? value[name] : undefined;
}

function text(value: JsonValue | undefined): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function date(value: JsonValue | undefined): string | undefined {
  return isIsoDate(value) ? value : undefined;
}

export function indexedFieldsOf(event: Pick<RecordedEvent, 'data' | 'metadata' | 'created'>): IndexedFields {
  const recordedAt = text(event.metadata.recordedAt);
  const parsed = recordedAt === undefined ? Number.NaN : Date.parse(recordedAt);
  return {
    measureCode: text(field(event.data, 'measureCode')),
    agencyId: text(event.metadata.agencyId) ?? text(field(event.data, 'agencyId')),
    occurredOn: date(event.metadata.occurredOn) ?? date(field(event.data, 'occurredOn')),
    recordedAtMs: Number.isFinite(parsed) ? parsed : event.created.getTime(),
  };
}
