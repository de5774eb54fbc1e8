import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ConsumerState, ConsumerStatus } from '@app/event-store';

/** What the projection gauges read (see common/projection-progress.token.ts). */
export interface ProjectionGaugeSource {
  readonly position: bigint;
  lag(): Promise<bigint>;
  projections(): readonly { readonly name: string; readonly position: bigint }[];
}

const CONSUMER_STATES: readonly ConsumerState[] = ['created', 'catching-up', 'live', 'retrying', 'failed', 'stopped'];

/** Operation names are the client's choice: a bounded set of them becomes labels, the rest "other". */
const MAX_OPERATION_NAMES = 200;
const OPERATION_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

let processRegistry: Registry | undefined;

/**
 * Node.js process metrics (CPU, memory, event loop, GC), collected once per process into their
 * own registry: their observers are per process, and several apps share one in tests.
 */
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

/**
 * The api's Prometheus metrics, in a registry of this application (never prom-client's global
 * one): appends by event type and outcome, store errors, GraphQL operation latency, projection
 * position and lag. Served with the process metrics at GET /metrics.
 */
@Injectable()
export class LedgerMetrics {
  readonly registry = new Registry();

  readonly eventsAppended = new Counter({
    name: 'ledger_events_appended_total',
    help: 'Events the api tried to append, by event type and outcome (ok, conflict: wrong expected revision, error).',
    labelNames: ['event_type', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly appendDuration = new Histogram({
    name: 'ledger_event_store_append_duration_seconds',
    help: 'Time of one append (one stream, one or more events) until durable, by outcome.',
    labelNames: ['outcome'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  readonly storeErrors = new Counter({
    name: 'ledger_event_store_errors_total',
    help: 'Event store operations that failed (not counting expected-revision conflicts), by operation.',
    labelNames: ['operation'] as const,
    registers: [this.registry],
  });

  readonly graphqlDuration = new Histogram({
    name: 'ledger_graphql_operation_duration_seconds',
    help: 'GraphQL operation latency, from request to response, by operation type, name and outcome (ok, error).',
    labelNames: ['operation_type', 'operation_name', 'outcome'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  private projectionSource: ProjectionGaugeSource | undefined;
  private consumerSource: (() => readonly ConsumerStatus[]) | undefined;
  private readonly operationNames = new Set<string>();

  constructor() {
    // collect() runs with the gauge as `this`; the source is read at scrape time.
    const projections = () => this.projectionSource;
    new Gauge({
      name: 'ledger_projection_position',
      help: 'Global position each projection has applied.',
      labelNames: ['projection'] as const,
      registers: [this.registry],
      collect() {
        this.reset();
        for (const p of projections()?.projections() ?? []) this.set({ projection: p.name }, Number(p.position));
      },
    });
    new Gauge({
      name: 'ledger_projection_lag_positions',
      help: 'How far the slowest projection is behind the event store head, in positions (events in the embedded store, commit positions in EventStoreDB).',
      registers: [this.registry],
      async collect() {
        const source = projections();
        if (!source) return;
        try {
          this.set(Number(await source.lag()));
        } catch {
          // The store does not answer: the errors counter says so; the gauge keeps its last value.
        }
      },
    });
    const consumers = () => this.consumerSource?.() ?? [];
    new Gauge({
      name: 'ledger_log_consumer_state',
      help: 'State of each log consumer (plan catalog, key registry, hash chain, projections, live updates): 1 for its current state, 0 for the others.',
      labelNames: ['consumer', 'state'] as const,
      registers: [this.registry],
      collect() {
        this.reset();
        for (const c of consumers()) for (const state of CONSUMER_STATES) this.set({ consumer: c.name, state }, c.state === state ? 1 : 0);
      },
    });
    new Gauge({
      name: 'ledger_log_consumer_position',
      help: 'Global position of the last event each log consumer applied.',
      labelNames: ['consumer'] as const,
      registers: [this.registry],
      collect() {
        this.reset();
        for (const c of consumers()) this.set({ consumer: c.name }, Number(c.position));
      },
    });
    new Counter({
      name: 'ledger_log_consumer_failures_total',
      help: 'Failed attempts of each log consumer since the process started: transient store errors it retried, and the failure it stopped at.',
      labelNames: ['consumer'] as const,
      registers: [this.registry],
      collect() {
        this.reset();
        for (const c of consumers()) this.inc({ consumer: c.name }, c.failures);
      },
    });
  }

  /** Where the log consumer metrics read from (the application's LogConsumerBoard). */
  trackConsumers(statuses: () => readonly ConsumerStatus[]): void {
    this.consumerSource = statuses;
  }

  /** Where the projection gauges read from (set once the projections exist). */
  trackProjections(source: ProjectionGaugeSource): void {
    this.projectionSource = source;
  }

  /** The label for an operation name: sanitized, and bounded in number. */
  operationLabel(name: string | null | undefined): string {
    if (!name) return 'anonymous';
    if (!OPERATION_NAME.test(name)) return 'invalid';
    if (this.operationNames.has(name)) return name;
    if (this.operationNames.size >= MAX_OPERATION_NAMES) return 'other';
    this.operationNames.add(name);
    return name;
  }

  /** The text exposition of the process and api metrics. */
  async render(): Promise<{ contentType: string; body: string }> {
    const body = `${await processMetrics().metrics()}\n${await this.registry.metrics()}`;
    return { contentType: this.registry.contentType, body };
  }
}
