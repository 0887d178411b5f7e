// Credits posted by kind for /metrics (PL-12), counted from the ledger's event feed (event-feed.ts) rather than
// inside the ledger's write path, so counting costs a write nothing. Each scrape reads the transactions committed
// since the previous one (at most `maxPerScrape`, the rest on the next scrape); the first scrape of a process starts
// at the feed's end, so the counters count from then, as Prometheus counters do.
import type { ScrapeMetric } from '../../http/metrics.ts';
import { databaseMemo } from '../../db/database-memo.ts';
import { creditFeedEnd, readCreditFeed } from './event-feed.ts';

const maxPerScrape = 20_000;
const pageSize = 2_000;

interface Tally {
  /** Undefined until the first scrape found where to start. */
  position: string | undefined;
  events: Map<string, number>;
  credits: Map<string, number>;
  /** The catch-up in progress: prom-client collects the metrics of a scrape concurrently, and both read one tally. */
  pending: Promise<Tally> | null;
}

const tallies = databaseMemo((): Tally => ({ position: undefined, events: new Map(), credits: new Map(), pending: null }));

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
  if (tally.position === undefined) {
    tally.position = await creditFeedEnd(db);
    return tally;
  }
  for (let read = 0; read < maxPerScrape; ) {
    const page = await readCreditFeed(db, tally.position, pageSize);
    for (const event of page.events) {
      const kind = event.type.slice('credits.'.length);
      tally.events.set(kind, (tally.events.get(kind) ?? 0) + 1);
      tally.credits.set(kind, (tally.credits.get(kind) ?? 0) + Math.abs(event.data.credits as number));
    }
    tally.position = page.position;
    read += page.transactions;
    if (page.transactions < pageSize) break;
  }
  return tally;
}

export const ledgerMetrics: ScrapeMetric[] = [
  {
    name: 'patron_credits_postings_total',
    help: 'Ledger operations by kind (earned, unlocked, expired, reversed, spent), from the credits event feed',
    type: 'counter',
    labelNames: ['kind'],
    async read(db) {
      const tally = await current(db);
      return [...tally.events].map(([kind, value]) => ({ labels: { kind }, value }));
    },
  },
  {
    name: 'patron_credits_posted_total',
    help: 'Credits moved by kind (earned, unlocked, expired, reversed, spent), from the credits event feed',
    type: 'counter',
    labelNames: ['kind'],
    async read(db) {
      const tally = await current(db);
      return [...tally.credits].map(([kind, value]) => ({ labels: { kind }, value }));
    },
  },
];
