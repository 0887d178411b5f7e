// Credits posted by kind for /metrics (PL-12), counted from the domain-event outbox rather than inside the ledger:
// the ledger records `credits.earned|unlocked|expired|reversed|spent` in the same transaction as each posting, so
// counting those events after the fact costs the ledger nothing. Each scrape reads the events written since the
// previous one (a primary-key range, at most `maxPerScrape`, the rest on the next scrape); the first scrape of a
// process starts at the newest event, so the counters count from then, as Prometheus counters do.
import type { ScrapeMetric } from '../../http/metrics.ts';
import { databaseMemo } from '../../db/database-memo.ts';
import { eventTables } from './events.table.ts';
import { selectEventsAfter } from './events.repository.ts';

const maxPerScrape = 20_000;
const pageSize = 2_000;

interface Tally {
  /** Undefined until the first scrape found where to start. */
  cursor: string | null | undefined;
  events: Map<string, number>;
  credits: Map<string, number>;
  /** The catch-up in progress: prom-client collects the metrics of a scrape concurrently, and both read one tally. */
  pending: Promise<Tally> | null;
}

const tallies = databaseMemo((): Tally => ({ cursor: undefined, events: new Map(), credits: new Map(), pending: null }));

function current(db: Parameters<ScrapeMetric['read']>[0]): Promise<Tally> {
  const tally = tallies(db);
  tally.pending ??= catchUp(db).finally(() => {
    tally.pending = null;
  });
  return tally.pending;
}

/** Reads the credits events since the last call into the per-database tally. */
async function catchUp(db: Parameters<ScrapeMetric['read']>[0]): Promise<Tally> {
  const tally = tallies(db);
  if (tally.cursor === undefined) {
    const newest = await eventTables(db).selectFrom('domain_events').select('id').orderBy('id', 'desc').limit(1).executeTakeFirst();
    tally.cursor = newest?.id ?? null;
    return tally;
  }
  for (let read = 0; read < maxPerScrape; ) {
    const rows = await selectEventsAfter(db, tally.cursor, pageSize);
    if (rows.length === 0) break;
    for (const row of rows) {
      if (!row.type.startsWith('credits.')) continue;
      const kind = row.type.slice('credits.'.length);
      tally.events.set(kind, (tally.events.get(kind) ?? 0) + 1);
      const credits = (JSON.parse(row.data) as { credits?: unknown }).credits;
      if (typeof credits === 'number' && Number.isFinite(credits)) tally.credits.set(kind, (tally.credits.get(kind) ?? 0) + Math.abs(credits));
    }
    tally.cursor = rows[rows.length - 1]!.id;
    read += rows.length;
    if (rows.length < pageSize) break;
  }
  return tally;
}

export const ledgerEventMetrics: ScrapeMetric[] = [
  {
    name: 'patron_credits_postings_total',
    help: 'Ledger operations by kind (earned, unlocked, expired, reversed, spent), from the credits.* domain events',
    type: 'counter',
    labelNames: ['kind'],
    async read(db) {
      const tally = await current(db);
      return [...tally.events].map(([kind, value]) => ({ labels: { kind }, value }));
    },
  },
  {
    name: 'patron_credits_posted_total',
    help: 'Credits moved by kind (earned, unlocked, expired, reversed, spent), from the credits.* domain events',
    type: 'counter',
    labelNames: ['kind'],
    async read(db) {
      const tally = await current(db);
      return [...tally.credits].map(([kind, value]) => ({ labels: { kind }, value }));
    },
  },
];
