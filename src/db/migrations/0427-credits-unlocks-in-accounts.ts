import { PostgresAdapter, sql, type Kysely } from 'kysely';

// Issue 12, PF-8: a lot's unlock no longer rewrites the lot. Nine in ten of a day's sweep events are unlocks, and each
// rewrote its lot's row (SQLite: one lot page per event of the 2.2 a day's sweep writes, bench/sweep-wal-frames.ts;
// PostgreSQL: a row version, HOT since 0426, but a page all the same) only to change `state` from pending to available.
// The unlock's posting and the account's balances already say it; the account now also says how far unlocks have
// been written: `unlocked_through_ms`, the moment its whole book was last brought to (advanceTo). A lot stored as
// pending whose unlock time is at or before it is available (effectiveLotState in ledger.rules.ts); every lot still
// truly pending unlocks after it. Whatever else writes the lot (a spend, a hold, a warning, its expiry) writes its
// state as it is (the one-call spends too). Measured on the day's sweep, leaving out the unlocked lots' writes, alternating: SQLite 1.38–1.49 s
// → 0.91–1.21 s a day at 100k members, PostgreSQL's set-based SQL alone 2.42–2.73 → 1.81–2.03 s (docs/PERFORMANCE.md,
// "Session 29"). Existing rows need nothing: with no moment yet, every stored pending lot is pending.
//
// The expiry warnings' index must then hold stored pending lots too, as PostgreSQL's already does (`live`, 0426):
// on SQLite its predicate becomes `state in ('pending', 'available')`, so an earn's lot enters it. Keyed by expiry
// alone, an index of a WITHOUT ROWID table orders equal expiries by the table's key (member, lot), and lots earned at
// one moment landed all over the index: 1.5 more pages per earn (bench/ledger-wal-frames.ts). Keyed by (expiry, lot
// ID), and lot IDs growing with time, an earn's entry goes at the right edge, as expiries only grow. PostgreSQL's functions that tell pending from
// available in SQL (the balance's lists, the one-call spend) read the account's moment; credits_write writes it.
const edits: Record<string, [string, string][]> = {
  'credits_balance(text,bigint)': [
    ["l.live and l.state = 'pending' and l.remaining > 0", "l.live and l.state = 'pending' and (a.unlocked_through_ms is null or l.unlock_at_ms > a.unlocked_through_ms) and l.remaining > 0"],
    ["l.live and l.state = 'available' and l.expires_at_ms > p_now", "l.live and (l.state = 'available' or l.unlock_at_ms <= a.unlocked_through_ms) and l.expires_at_ms > p_now"],
  ],
  'credits_spend(jsonb)': [
    ["where member_id = m and live and state = 'available'", "where member_id = m and live and (state = 'available' or unlock_at_ms <= acc.unlocked_through_ms)"],
    ["state = case when remaining - take = 0 then 'depleted' else state end", "state = case when remaining - take = 0 then 'depleted' else 'available' end"],
  ],
  'credits_write(jsonb)': [["next_due_at_ms = x.next_due_at_ms, updated_at_ms = x.updated_at_ms", 'next_due_at_ms = x.next_due_at_ms, unlocked_through_ms = x.unlocked_through_ms, updated_at_ms = x.updated_at_ms']],
};

export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table credit_accounts add column unlocked_through_ms bigint`.execute(db);
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) {
    await sql`drop index credit_lots_warning_due`.execute(db);
    await sql`create index credit_lots_warning_due on credit_lots (expires_at_ms, id) where state in ('pending', 'available') and warned_at_ms is null`.execute(db);
    return;
  }
  for (const [signature, changes] of Object.entries(edits)) {
    const { rows } = await sql<{ definition: string }>`select pg_get_functiondef(to_regprocedure(${signature})) as definition`.execute(db);
    let definition = rows[0]?.definition;
    if (!definition) throw new Error(`migration 0427: function ${signature} is missing`);
    for (const [from, to] of changes) {
      const at = definition.indexOf(from);
      if (at < 0 || definition.indexOf(from, at + 1) >= 0) throw new Error(`migration 0427: ${signature} does not read as expected (${from.slice(0, 60)}…)`);
      definition = definition.replace(from, to);
    }
    await sql.raw(definition).execute(db);
  }
}
