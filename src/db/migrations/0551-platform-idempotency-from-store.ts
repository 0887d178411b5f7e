import type { Kysely } from 'kysely';

// Moves the store's idempotency records (store_idempotency_keys, migration 0500) into the platform's idempotency_keys
// (0011), then drops the store's table. Numbered in the payments range only because it must sort after 0500.
//
// The store scoped a key as `<caller ID>:<route name>`; the platform keys it by caller and `METHOD /path`. The
// request hash is unchanged (sha256 of the canonical JSON of { url, body }), so a retry of a request answered before
// the upgrade still gets its first answer. Guests' records (`guest:<email>:<route>`) are not moved: they hold an
// email address in the clear, and the platform keys guests by a keyed hash that a migration cannot compute; they would
// have expired within a day. The store's prune job is gone, so its queued slots are removed with it.
const routes: Record<string, { scope: string; memberRoute: boolean }> = {
  'place-order': { scope: 'POST /api/v1/store/orders', memberRoute: true },
  'cancel-order': { scope: 'POST /api/v1/store/orders/:orderId/cancel', memberRoute: true },
  redeem: { scope: 'POST /api/v1/store/rewards/:rewardId/redeem', memberRoute: true },
  'external-order': { scope: 'POST /api/v1/store/external-orders', memberRoute: false },
  'agent-cancel': { scope: 'POST /api/v1/agent/store/orders/:orderId/cancel', memberRoute: false },
  'agent-refund': { scope: 'POST /api/v1/agent/store/orders/:orderId/refunds', memberRoute: false },
};

const leaseMs = 60_000;
const pageSize = 500;

interface OldRow {
  scope: string;
  key: string;
  request_hash: string;
  state: 'in_progress' | 'done';
  response_status: number | null;
  response_body: string | null;
  created_at_ms: number | string;
}

export async function up(db: Kysely<any>): Promise<void> {
  let after: { scope: string; key: string } | null = null;
  for (;;) {
    let query = db.selectFrom('store_idempotency_keys').selectAll().where('scope', 'not like', 'guest:%');
    if (after) {
      const { scope, key } = after;
      query = query.where((eb) => eb.or([eb('scope', '>', scope), eb.and([eb('scope', '=', scope), eb('key', '>', key)])]));
    }
    const page = (await query.orderBy('scope').orderBy('key').limit(pageSize).execute()) as OldRow[];
    const moved = [];
    for (const row of page) {
      const split = row.scope.indexOf(':');
      const route = routes[row.scope.slice(split + 1)];
      if (split < 1 || !route) continue;
      const caller = row.scope.slice(0, split);
      const createdAtMs = Number(row.created_at_ms);
      moved.push({
        caller,
        scope: route.scope,
        key: row.key,
        request_hash: row.request_hash,
        state: row.state,
        attempt: 1,
        // A record left in progress was a crashed request: its lease is long over, so a retry may run it.
        locked_until_ms: row.state === 'in_progress' ? createdAtMs + leaseMs : null,
        response_status: row.response_status,
        response_body: row.response_body,
        member_id: route.memberRoute && caller.startsWith('mem_') ? caller : null,
        created_at_ms: createdAtMs,
      });
    }
    if (moved.length > 0) await db.insertInto('idempotency_keys').values(moved).onConflict((oc) => oc.doNothing()).execute();
    if (page.length < pageSize) break;
    after = page.at(-1)!;
  }
  await db.schema.dropTable('store_idempotency_keys').execute();
  await db.deleteFrom('jobs').where('type', '=', 'store-prune-idempotency').where('state', '=', 'queued').execute();
}
