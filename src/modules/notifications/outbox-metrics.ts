// The notification outbox's backlog for /metrics (PL-12): counts by state and the age of the oldest queued message,
// read through the `outbox_messages (state, created_at_ms)` index (migration 0930).
import { sql } from 'kysely';
import type { ScrapeMetric } from '../../http/metrics.ts';
import { outboxTables } from './outbox.table.ts';

export const outboxMetrics: ScrapeMetric[] = [
  {
    name: 'patron_outbox_messages',
    help: 'Email outbox messages waiting: queued (to send), held (no SMTP server configured), failed (gave up)',
    labelNames: ['state'],
    async read(db) {
      const readings = [];
      for (const state of ['queued', 'held', 'failed'] as const) {
        const row = await outboxTables(db).selectFrom('outbox_messages').select(sql<number>`count(*)`.as('n')).where('state', '=', state).executeTakeFirstOrThrow();
        readings.push({ labels: { state }, value: Number(row.n) });
      }
      return readings;
    },
  },
  {
    name: 'patron_outbox_oldest_queued_age_seconds',
    help: 'Age of the oldest email still queued in the outbox (0 when none is waiting)',
    async read(db, nowMs) {
      const oldest = await outboxTables(db).selectFrom('outbox_messages').select('created_at_ms').where('state', '=', 'queued').orderBy('created_at_ms').limit(1).executeTakeFirst();
      return [{ value: oldest ? Math.max(0, nowMs - Number(oldest.created_at_ms)) / 1000 : 0 }];
    },
  },
];
