import type { JsonObject, JsonValue } from '@app/event-store';

/**
 * Upcasters let an event type's data change shape without touching stored events: each one
 * turns data of `fromVersion` into `fromVersion + 1`, and reading applies the chain from the
 * version an event was written with (metadata.schemaVersion, 1 when absent) to the current one.
 * New events are written at the current version of their type.
 */
export interface Upcaster {
  readonly type: string;
  readonly fromVersion: number;
  upcast(data: JsonValue): JsonValue;
}

export interface VersionedEvent {
  readonly type: string;
  readonly data: JsonValue;
  readonly metadata: JsonObject;
}

export class UpcasterRegistry {
  private readonly byType = new Map<string, Map<number, Upcaster>>();

  constructor(upcasters: readonly Upcaster[]) {
    for (const u of upcasters) {
      const chain = this.byType.get(u.type) ?? new Map<number, Upcaster>();
      if (chain.has(u.fromVersion)) throw new Error(`Two upcasters for ${u.type} v${u.fromVersion}`);
      chain.set(u.fromVersion, u);
      this.byType.set(u.type, chain);
    }
    for (const [type, chain] of this.byType) {
      for (let v = 1; v <= chain.size; v++) {
        if (!chain.has(v)) throw new Error(`Upcasters of ${type} must form a chain from v1; v${v} is missing`);
      }
    }
  }

  /** The version new events of `type` are written with. */
  currentVersion(type: string): number {
    return (this.byType.get(type)?.size ?? 0) + 1;
  }

  /** The event as the current code expects it; the stored event is left as it was. */
  upcast<E extends VersionedEvent>(event: E): E {
    const chain = this.byType.get(event.type);
    const stored = typeof event.metadata.schemaVersion === 'number' ? event.metadata.schemaVersion : 1;
    if (!chain || stored >= chain.size + 1) return event;
    let data = event.data;
    for (let v = stored; v <= chain.size; v++) data = chain.get(v)!.upcast(data);
    return { ...event, data, metadata: { ...event.metadata, schemaVersion: chain.size + 1, storedSchemaVersion: stored } };
  }
}

/**
 * The upcasters in force. Every event type is at v1 today; when one changes shape, add its
 * upcaster here (and a test that a stored v1 event reads as v2).
 */
export const UPCASTERS: readonly Upcaster[] = [];

export const upcasters = new UpcasterRegistry(UPCASTERS);
