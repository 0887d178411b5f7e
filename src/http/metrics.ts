// Prometheus metrics (PL-12): process defaults, request durations by route pattern (never by raw URL), and business
// metrics (docs/CONTRACTS.md, "ops"): counters that code increments as things happen (flow outcomes, webhook
// deliveries) and gauges read at scrape time with cheap indexed queries (job queue, outboxes, ledger events).
import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Executor } from '../db/database.ts';
import { databaseMemo } from '../db/database-memo.ts';
import { readQueue } from '../jobs/index.ts';

/** One installation's business counters (one per database, so the tests' installations never share counts). */
export interface BusinessCounters {
  registry: Registry;
  flowOutcomes: Counter<'flow' | 'outcome'>;
  webhookDeliveries: Counter<'outcome' | 'event_type'>;
}

const businessCounters = databaseMemo((): BusinessCounters => {
  const registry = new Registry();
  return {
    registry,
    flowOutcomes: new Counter({
      name: 'patron_flow_outcomes_total',
      help: 'Durable flow runs finished, by flow (checkout, refund, redemption, case-resolution) and outcome (completed, compensated, failed)',
      labelNames: ['flow', 'outcome'] as const,
      registers: [registry],
    }),
    webhookDeliveries: new Counter({
      name: 'patron_webhook_deliveries_total',
      help: 'Outgoing webhook delivery attempts by outcome (delivered, failed, gave_up) and event type',
      labelNames: ['outcome', 'event_type'] as const,
      registers: [registry],
    }),
  };
});

export const flowOutcomes = ['completed', 'compensated', 'failed'] as const;
export type FlowOutcome = (typeof flowOutcomes)[number];

/** A durable flow run finished (src/flows/runner.ts); `flow` is its type, e.g. `checkout`. */
export function countFlowOutcome(db: Executor, flow: string, outcome: FlowOutcome): void {
  businessCounters(db).flowOutcomes.inc({ flow, outcome });
}

export const webhookDeliveryOutcomes = ['delivered', 'failed', 'gave_up'] as const;
export type WebhookDeliveryOutcome = (typeof webhookDeliveryOutcomes)[number];

/**
 * One outgoing webhook delivery attempt (for the webhooks module): `delivered` for a 2xx, `failed` for any other
 * answer or none (it will be retried), `gave_up` when the attempt was the last one. Call it after the attempt, outside
 * any transaction that may roll back, so a count is never made for an attempt that did not happen.
 */
export function countWebhookDelivery(db: Executor, outcome: WebhookDeliveryOutcome, eventType: string): void {
  businessCounters(db).webhookDeliveries.inc({ outcome, event_type: eventType });
}

/** The business counters' exposition text for one installation (tests read a count through it). */
export function businessMetricsText(db: Executor): Promise<string> {
  return businessCounters(db).registry.metrics();
}

/** A reading taken at scrape time: one gauge, one value per label set. */
export interface GaugeReading {
  labels?: Record<string, string>;
  value: number;
}

/**
 * A metric computed when Prometheus scrapes, from cheap queries (an index range or a primary-key seek, never a scan
 * of a table that grows with the business). A `counter` reading is the running total (it only grows while the process
 * lives). Modules export theirs and app.ts lists them, so this layer imports no module.
 */
export interface ScrapeMetric {
  name: string;
  help: string;
  type?: 'gauge' | 'counter';
  labelNames?: readonly string[];
  read(db: Executor, nowMs: number): Promise<GaugeReading[]>;
}

/** The job queue's backlog (src/jobs): due, scheduled, running and failed jobs, and the oldest due job's wait. */
export const jobQueueMetrics: ScrapeMetric[] = [
  {
    name: 'patron_jobs',
    help: 'Background jobs by state: due (queued, time has come), scheduled (queued for later), running, failed (attempts used up)',
    labelNames: ['state'],
    async read(db, nowMs) {
      const queue = await readQueue(db, nowMs);
      return (['due', 'scheduled', 'running', 'failed'] as const).map((state) => ({ labels: { state }, value: queue[state] }));
    },
  },
  {
    name: 'patron_jobs_oldest_due_age_seconds',
    help: 'How long the oldest due job has waited for a worker (0 without a backlog)',
    async read(db, nowMs) {
      return [{ value: (await readQueue(db, nowMs)).oldestDueAgeMs / 1000 }];
    },
  },
];

export interface MetricsOptions {
  db: Executor;
  nowMs: () => number;
  metrics: readonly ScrapeMetric[];
}

export function installMetrics(app: FastifyInstance, options?: MetricsOptions): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const duration = new Histogram({
    name: 'patron_http_request_duration_seconds',
    help: 'HTTP request duration by method, route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  if (options) {
    for (const metric of [...jobQueueMetrics, ...options.metrics]) {
      const read = () => metric.read(options.db, options.nowMs());
      const base = { name: metric.name, help: metric.help, labelNames: metric.labelNames ?? [], registers: [registry] };
      if (metric.type === 'counter') {
        new Counter({
          ...base,
          async collect() {
            this.reset();
            for (const reading of await read()) if (reading.value > 0) this.inc(reading.labels ?? {}, reading.value);
          },
        });
      } else {
        new Gauge({
          ...base,
          async collect() {
            this.reset();
            for (const reading of await read()) this.set(reading.labels ?? {}, reading.value);
          },
        });
      }
    }
  }
  app.addHook('onResponse', async (request, reply) => {
    duration.observe(
      { method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });
  const scraped = options ? Registry.merge([registry, businessCounters(options.db).registry]) : registry;
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    reply.type(scraped.contentType);
    return scraped.metrics();
  });
  return scraped;
}
