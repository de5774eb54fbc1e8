import { existsSync } from 'node:fs';
import type { EventStore } from '@app/event-store';
import {
  ACTIVITY_PROJECTION,
  API_PROJECTIONS,
  KeyedState,
  NO_POSITION,
  type Projection,
  ReadModelStore,
  type RunnerLogger,
  activityDigests,
  digestState,
  replayProjections,
} from '@app/projections';
import { boundedStore } from './bounded-store.js';

/** One projection compared: its live read model against its rebuild from position 0. */
export interface ProjectionProof {
  readonly name: string;
  readonly version: number;
  /** The live read model's version, position and digest (undefined: there is none). */
  readonly live?: { readonly version: number; readonly position: bigint; readonly digest: string };
  /** The rebuild's position and digest. */
  readonly rebuilt: { readonly position: bigint; readonly digest: string };
  readonly match: boolean;
  /** Why it does not match, in words. */
  readonly problem?: string;
  /** For a projection holding several read models (activity) that does not match: which differ. */
  readonly models?: Readonly<Record<string, { readonly live: string; readonly rebuilt: string; readonly match: boolean }>>;
}

export interface RebuildProof {
  /** True when every projection's rebuild equals its live read model (or there is no live one). */
  readonly ok: boolean;
  /** Whether live read models were found to compare with. */
  readonly compared: boolean;
  readonly projections: readonly ProjectionProof[];
  /** The files the rebuild wrote (one; one per position when live projections stand at different positions). */
  readonly files: readonly string[];
  readonly events: number;
  readonly durationMs: number;
}

export interface RebuildProofOptions {
  readonly store: EventStore;
  /** The live read models (`<DATA_DIR>/read-models.db`): compared when the file exists. */
  readonly liveFile: string;
  /** Where to rebuild (deleted first). */
  readonly outFile: string;
  readonly projections?: readonly Projection[];
  /** Events applied so far, and the position the rebuild goes to. */
  readonly onProgress?: (position: bigint, until: bigint) => void;
  readonly logger?: RunnerLogger;
}

interface LiveModel {
  readonly version: number;
  readonly position: bigint;
  readonly digest: string;
  readonly models?: Record<string, string>;
}

const quiet: RunnerLogger = { log: () => undefined, warn: () => undefined, error: () => undefined };

/**
 * Rebuild with proof (`ledger replay`): every projection rebuilt from position 0 into a fresh
 * file, up to the position its live read model has committed, and its digest (sha256 over every
 * entry in a fixed order, see digestState) compared with the live one's. Equal digests prove the
 * live read models are exactly what the log gives; a difference names the projection (and, for
 * the activity projection, which of its read models).
 *
 * The live file may be in use by a running api: each projection's committed state is read in
 * one statement and its checkpoint read before and after (read again when it moved meanwhile).
 */
export async function rebuildWithProof(options: RebuildProofOptions): Promise<RebuildProof> {
  const started = performance.now();
  // Every projection the api keeps in read-models.db (its list of reports too), so the rebuilt
  // file can stand in for the live one and every live read model is proven.
  const projections = options.projections ?? API_PROJECTIONS;
  const live = existsSync(options.liveFile) ? readLive(options.liveFile, projections) : new Map<string, LiveModel>();
  const compared = live.size > 0;

  // Projections whose live models stand at the same position are rebuilt together.
  const head = await options.store.headPosition();
  const groups = new Map<bigint, Projection[]>();
  for (const p of projections) {
    const until = live.get(p.name)?.position ?? head;
    groups.set(until, [...(groups.get(until) ?? []), p]);
  }
  const files: string[] = [];
  const proofs = new Map<string, ProjectionProof>();
  let events = 0;
  for (const [until, members] of groups) {
    const file = groups.size === 1 ? options.outFile : `${options.outFile}.${members.map((p) => p.name).join('-')}`;
    files.push(file);
    let applied = 0;
    const store = boundedStore(options.store, until, (event) => {
      applied += 1;
      if (applied % 5_000 === 0) options.onProgress?.(event.position, until);
    });
    const result = await replayProjections({ store, file, projections: members, until, logger: options.logger ?? quiet });
    options.onProgress?.(result.position, until);
    events += result.events;
    for (const p of members) {
      const model = live.get(p.name);
      const rebuilt = { position: result.position, digest: result.digests[p.name] };
      let problem: string | undefined;
      if (model) {
        if (model.version !== p.version) problem = `the live read model is version ${model.version}, the code builds version ${p.version}`;
        else if (rebuilt.position < model.position) problem = `the store ends at position ${rebuilt.position}, before the live read model's ${model.position}`;
        else if (model.digest !== rebuilt.digest) problem = `the live read model differs from its rebuild at position ${model.position}`;
      }
      proofs.set(p.name, {
        name: p.name,
        version: p.version,
        ...(model && { live: { version: model.version, position: model.position, digest: model.digest } }),
        rebuilt,
        match: problem === undefined,
        ...(problem && { problem }),
        ...(problem && model?.models && { models: compareModels(model.models, file, p) }),
      });
    }
  }
  const list = projections.map((p) => proofs.get(p.name)!);
  return { ok: list.every((p) => p.match), compared, projections: list, files, events, durationMs: performance.now() - started };
}

function readLive(file: string, projections: readonly Projection[]): Map<string, LiveModel> {
  const readModels = ReadModelStore.open(file);
  const live = new Map<string, LiveModel>();
  try {
    for (const p of projections) {
      for (let attempt = 0; ; attempt++) {
        const before = readModels.checkpoint(p.name);
        if (!before) break;
        const state = new KeyedState();
        readModels.load(p.name, state);
        const after = readModels.checkpoint(p.name);
        if ((after?.position !== before.position || after.version !== before.version) && attempt < 10) continue;
        live.set(p.name, {
          version: before.version,
          // NO_POSITION: nothing applied yet; the rebuild then applies nothing either.
          position: before.position < 0n ? NO_POSITION : before.position,
          digest: digestState(state),
          ...(p.name === ACTIVITY_PROJECTION && { models: activityDigests(state) }),
        });
        break;
      }
    }
  } finally {
    readModels.close();
  }
  return live;
}

function compareModels(live: Record<string, string>, file: string, projection: Projection): Record<string, { live: string; rebuilt: string; match: boolean }> {
  const readModels = ReadModelStore.open(file);
  try {
    const state = new KeyedState();
    readModels.load(projection.name, state);
    const rebuilt = activityDigests(state);
    return Object.fromEntries(Object.keys({ ...live, ...rebuilt }).map((m) => [m, { live: live[m] ?? '', rebuilt: rebuilt[m] ?? '', match: live[m] === rebuilt[m] }]));
  } finally {
    readModels.close();
  }
}
