import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import {
  type AppendResult,
  type EventStore,
  type JsonObject,
  type JsonValue,
  type NewEvent,
  NO_STREAM,
  type RecordedEvent,
} from '@app/event-store';
import { ChainBuilder, type ChainHead } from './hash-chain.js';

/**
 * The export format (docs/audit.md, "Export format"): NDJSON, one stored event per line, in
 * global order, with these fields in this order —
 *   {"id","type","stream","revision","position","data","metadata","created"}
 * revision and position as decimal strings (bigints), created as an ISO instant (the store's
 * commit time). Nothing else: no header, no trailer, so `head`, `wc -l` and `jq -c` work on it.
 */
export interface ExportedEvent {
  readonly id: string;
  readonly type: string;
  readonly stream: string;
  readonly revision: string;
  readonly position: string;
  readonly data: JsonValue;
  readonly metadata: JsonObject;
  readonly created: string;
}

export function toExported(event: RecordedEvent): ExportedEvent {
  return {
    id: event.id,
    type: event.type,
    stream: event.stream,
    revision: event.revision.toString(),
    position: event.position.toString(),
    data: event.data,
    metadata: event.metadata,
    created: event.created.toISOString(),
  };
}

export interface TransferResult {
  readonly events: number;
  /** The chain head over the events written or read: equal on both sides of a migration. */
  readonly head: ChainHead;
  readonly durationMs: number;
}

const WRITE_CHUNK = 64 * 1024;

/** The destination of an export closed (without an error of its own) before the log's end. */
export class DestinationClosedError extends Error {
  override readonly name = 'DestinationClosedError';
  constructor() {
    super('The destination closed before the export ended');
  }
}

/**
 * Writes the whole log to `out` as NDJSON, streaming: a page of events at a time, waiting for the
 * destination when it is full (constant memory whatever the log's length). The chain head is
 * computed on the way, so the operator can check the import against it.
 */
export async function exportLog(options: {
  readonly store: EventStore;
  readonly out: Writable;
  readonly onProgress?: (events: number, position: bigint, head: bigint) => void;
  readonly progressEvery?: number;
}): Promise<TransferResult> {
  const started = performance.now();
  const { store, out } = options;
  const every = options.progressEvery ?? 5_000;
  const headPosition = await store.headPosition();
  const chain = new ChainBuilder();
  let events = 0;
  let buffer = '';
  // A destination that fails or closes (a pipe to `head`) stops the export with its error. One
  // listener of each kind for the whole export, removed at the end: waiting for `drain` adds
  // none (a race of `once(drain)` and `once(close)` left the loser's listeners behind each time).
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const onError = (error: Error) => {
    failure ??= error;
    wake?.();
  };
  const onClose = () => {
    failure ??= new DestinationClosedError();
    wake?.();
  };
  const onDrain = () => wake?.();
  out.on('error', onError);
  out.on('close', onClose);
  out.on('drain', onDrain);
  const flush = async () => {
    if (failure) throw failure;
    if (!buffer) return;
    const chunk = buffer;
    buffer = '';
    if (!out.write(chunk)) {
      // Backpressure: nothing more is read from the store until the destination has drained.
      await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
      if (failure) throw failure;
    }
  };
  try {
    for await (const event of store.readAll()) {
      // What is appended while exporting belongs to the next export.
      if (event.position > headPosition) break;
      chain.add(event);
      buffer += `${JSON.stringify(toExported(event))}\n`;
      events += 1;
      if (buffer.length >= WRITE_CHUNK) await flush();
      if (events % every === 0) options.onProgress?.(events, event.position, headPosition);
    }
    await flush();
  } finally {
    out.off('error', onError);
    out.off('close', onClose);
    out.off('drain', onDrain);
  }
  options.onProgress?.(events, chain.head.position, headPosition);
  return { events, head: chain.head, durationMs: performance.now() - started };
}

/** Why an import stopped: `line` is the line of the file it could not take (1-based). */
export class ImportError extends Error {
  override readonly name = 'ImportError';
  constructor(
    message: string,
    readonly line?: number,
    /** The field of the line's event that broke a rule (`data.details.participants`), when one did. */
    readonly field?: string,
    readonly reason?: string,
  ) {
    super(line === undefined ? message : `line ${line}: ${message}`);
  }
}

/** A rule an event of the file broke: the field (a path in the exported event) and why. */
export interface ImportViolation {
  readonly field: string;
  readonly reason: string;
}

/**
 * Checks one event of an export before anything is written: what is wrong with it (empty when
 * nothing). The cli passes the domain's rules (the event catalogue and the upcasters).
 */
export type ImportCheck = (event: ParsedEvent) => readonly ImportViolation[];

/** An empty store holds no event: the only kind import writes into. */
export async function isEmptyStore(store: EventStore): Promise<boolean> {
  for await (const _ of store.readAll({ maxCount: 1 })) return false;
  return true;
}

/**
 * Loads an export into an EMPTY store (either adapter): each event appended to its stream, in
 * the file's (global) order, with its id, type, data and metadata unchanged, at its revision —
 * the expected revision of each append is the previous revision of its stream, so a file with a
 * gap or a reordering within a stream is refused by the store, never silently renumbered.
 * Consecutive events of one stream go in one append.
 *
 * Positions and commit times are the new store's own (an adapter chooses them); the original
 * ones stay in the export file. Since the hash chain covers neither (hash-chain.ts), the chain
 * head after import equals the head of the exported store.
 *
 * `inFlight` appends are issued without waiting for the previous ones: the embedded store commits
 * queued appends in arrival order (group commit), so global order is kept and one fsync serves
 * hundreds of events. EventStoreDB gives no order between concurrent appends to different
 * streams, so there it is 1 (each append awaited).
 *
 * With `check`, the whole file is read once first and every event checked — by `check`, and for
 * the revisions of its stream (each stream from 0, one by one) — before anything is written: a
 * refusal names the line (and the field and reason) and leaves the store empty. `input` is then
 * a function opening the file afresh for each read.
 */
export async function importLog(options: {
  readonly store: EventStore;
  readonly input: Readable | (() => Readable);
  readonly check?: ImportCheck;
  readonly inFlight?: number;
  readonly onProgress?: (events: number) => void;
  readonly progressEvery?: number;
}): Promise<TransferResult> {
  const started = performance.now();
  const { store } = options;
  if (!(await isEmptyStore(store))) {
    throw new ImportError(`The ${store.kind} store already holds events (up to position ${await store.headPosition()}): import only into an empty store`);
  }
  if (options.check) {
    if (typeof options.input !== 'function') throw new TypeError('importLog: a checked import reads the file twice, so `input` must open it');
    await checkAll(options.input(), options.check);
  }
  const inFlight = Math.max(1, options.inFlight ?? (store.kind === 'sqlite' ? 256 : 1));
  const every = options.progressEvery ?? 5_000;
  const chain = new ChainBuilder();
  const pending: Array<{ promise: Promise<AppendResult>; line: number }> = [];
  let failure: ImportError | undefined;
  let events = 0;
  let lastPosition: bigint | undefined;
  let batch: { stream: string; first: bigint; next: bigint; events: NewEvent[]; line: number } | undefined;

  const settleOldest = async () => {
    const oldest = pending.shift()!;
    try {
      const result = await oldest.promise;
      lastPosition = result.position;
    } catch (error) {
      failure ??= new ImportError(`the store refused the event: ${(error as Error).message}`, oldest.line);
    }
  };
  const send = async () => {
    if (!batch) return;
    const { stream, first, line } = batch;
    const promise = store.append(stream, batch.events, first === 0n ? NO_STREAM : first - 1n);
    // Observed at once so a refusal is never unhandled while earlier appends are awaited.
    promise.catch(() => undefined);
    pending.push({ promise, line });
    batch = undefined;
    while (pending.length >= inFlight && !failure) await settleOldest();
  };

  const lines = createInterface({ input: typeof options.input === 'function' ? options.input() : options.input, crlfDelay: Number.POSITIVE_INFINITY });
  let lineNumber = 0;
  try {
    for await (const text of lines) {
      lineNumber += 1;
      if (failure) break;
      if (text.trim() === '') continue;
      const event = parseLine(text, lineNumber);
      const sequence = chain.head.sequence + 1n;
      chain.add({ ...event, position: BigInt(sequence) });
      if (batch && (batch.stream !== event.stream || event.revision !== batch.next)) await send();
      if (failure) break;
      if (!batch) batch = { stream: event.stream, first: event.revision, next: event.revision, events: [], line: lineNumber };
      batch.events.push({ id: event.id, type: event.type, data: event.data, metadata: event.metadata });
      batch.next = event.revision + 1n;
      events += 1;
      if (events % every === 0) options.onProgress?.(events);
    }
    if (!failure) await send();
  } finally {
    lines.close();
    while (pending.length > 0) await settleOldest();
  }
  if (failure) throw failure;
  options.onProgress?.(events);
  // The chain was folded with sequence numbers for positions; report the store's own last one.
  const head = { ...chain.head, position: lastPosition ?? 0n };
  return { events, head, durationMs: performance.now() - started };
}

/** The first pass of a checked import: every line parsed and checked; nothing written. */
async function checkAll(input: Readable, check: ImportCheck): Promise<void> {
  // The next revision of each stream: one entry per stream, not per event.
  const next = new Map<string, bigint>();
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  let line = 0;
  try {
    for await (const text of lines) {
      line += 1;
      if (text.trim() === '') continue;
      const event = parseLine(text, line);
      const expected = next.get(event.stream) ?? 0n;
      if (event.revision !== expected) {
        const reason = `must be ${expected}: the ${expected === 0n ? 'first event' : `event after revision ${expected - 1n}`} of stream ${event.stream} (got ${event.revision})`;
        throw new ImportError(`revision ${reason}`, line, 'revision', reason);
      }
      next.set(event.stream, expected + 1n);
      const [first, ...more] = check(event);
      if (first) {
        const others = more.length > 0 ? ` (and ${more.map((v) => v.field).join(', ')})` : '';
        throw new ImportError(`${event.type} on ${event.stream}: ${first.field} ${first.reason}${others}; nothing was imported`, line, first.field, first.reason);
      }
    }
  } finally {
    lines.close();
    input.destroy();
  }
}

/** One line of an export, parsed (its position and commit time are not kept). */
export interface ParsedEvent {
  readonly id: string;
  readonly type: string;
  readonly stream: string;
  readonly revision: bigint;
  readonly data: JsonValue;
  readonly metadata: JsonObject;
}

function parseLine(text: string, line: number): ParsedEvent {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ImportError(`not JSON (${(error as Error).message})`, line);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new ImportError('not an exported event (a JSON object per line)', line);
  const e = value as Record<string, unknown>;
  for (const field of ['id', 'type', 'stream'] as const) {
    if (typeof e[field] !== 'string' || e[field] === '') throw new ImportError(`"${field}" must be a non-empty string`, line);
  }
  const revision = typeof e.revision === 'string' || typeof e.revision === 'number' ? String(e.revision) : '';
  if (!/^\d{1,20}$/.test(revision)) throw new ImportError('"revision" must be a whole number', line);
  if (!('data' in e)) throw new ImportError('"data" is missing', line);
  const metadata = e.metadata ?? {};
  if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata)) throw new ImportError('"metadata" must be a JSON object', line);
  return { id: e.id as string, type: e.type as string, stream: e.stream as string, revision: BigInt(revision), data: e.data as JsonValue, metadata: metadata as JsonObject };
}
