import { PostgresAdapter, sql, type Kysely } from 'kysely';

// PostgreSQL only (issue 12, PF-8): a lot's unlock (pending → available), nine in ten of a day's sweep events, becomes
// a HOT update: a new row version on the same page and no index entry at all. PostgreSQL updates in place only when no
// column that any index uses (key, expression or partial predicate) changes value, and both partial indexes on lots
// named `state` (the live lots `state in ('pending', 'available')`, the expiry warnings `state = 'available'`), so
// every unlock wrote a new row elsewhere and an entry in each of the three indexes. They now name `live`, a stored
// generated column that is true for a pending or an available lot: it does not change at an unlock, only when a lot
// ends (spent, expired, voided, forfeited). The warnings' index then holds pending lots too, entered at the earn at
// its right edge (expiry times only grow); the warnings' finder asks for `state = 'available'` as well.
// A page needs room for the new version: lots leave a tenth of each page free (fillfactor 90, set first, so that the
// rewrite adding the column applies it to every page; the table is locked meanwhile: about 18 s for 3M lots, measured).
// Measured with the day's sweep by set-based SQL alone (bench/sweep-rows-ceiling.ts) on two copies of one ledger of
// 100k members, rebuilt alike but for this, six days alternating: 1.22–1.28 s a day against 1.41–1.52 s (−15 %), 86 %
// of lot updates HOT against none; fillfactor 100 gave 62 % and −8 %, 80 no more than 90. The application's sweep,
// four days each alternating: 9.2–9.7k events/s against 7.3–8.2k (+18 %); earns and spends unchanged
// (docs/PERFORMANCE.md, "Session 28").
//
// Readers that walk live lots say `live` so that the planner can use the partial indexes (a predicate on `state` does
// not imply one on `live` for it); writers that inserted `select *` of a lot record now list the stored columns (a
// generated column takes no value). Both are edits of the functions as they stand, each checked to apply once.
const lotColumns =
  'member_id, id, source, state, original, remaining, held, reversed, qualifying_minor, refunded_qualifying_minor, unlock_at_ms, expires_at_ms, order_id, ' +
  'order_line_id, transaction_id, policy_version, warned_at_ms, created_at_ms';

/** Per function (by its argument list), the edits: [text as it stands, replacement]. */
const edits: Record<string, [string, string][]> = {
  'credits_book(text)': [["l.member_id = p_member and l.state in ('pending', 'available')", 'l.member_id = p_member and l.live']],
  'credits_balance(text,bigint)': [
    ["l.member_id = a.member_id and l.state = 'pending'", "l.member_id = a.member_id and l.live and l.state = 'pending'"],
    ["l.member_id = a.member_id and l.state = 'available'", "l.member_id = a.member_id and l.live and l.state = 'available'"],
  ],
  'credits_spend(jsonb)': [["where member_id = m and state = 'available'", "where member_id = m and live and state = 'available'"]],
  'credits_append(jsonb)': [
    ["insert into credit_lots select * from jsonb_populate_recordset(null::credit_lots, p->'lots')", `insert into credit_lots (${lotColumns}) select ${lotColumns} from jsonb_populate_recordset(null::credit_lots, p->'lots')`],
  ],
  'credits_append_group(jsonb)': [
    [
      "insert into credit_lots select x.* from applied a cross join lateral jsonb_populate_recordset(null::credit_lots, a.i->'lots') x",
      `insert into credit_lots (${lotColumns}) select ${lotColumns.replace(/(\w+)/g, 'x.$1')} from applied a cross join lateral jsonb_populate_recordset(null::credit_lots, a.i->'lots') x`,
    ],
  ],
  'credits_write(jsonb)': [
    ["insert into credit_lots select * from jsonb_populate_recordset(null::credit_lots, p->'newLots')", `insert into credit_lots (${lotColumns}) select ${lotColumns} from jsonb_populate_recordset(null::credit_lots, p->'newLots')`],
  ],
};

export async function up(db: Kysely<any>): Promise<void> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
  // The functions' definitions before the column exists: `select *` still matches the table here.
  const definitions = new Map<string, string>();
  for (const signature of Object.keys(edits)) {
    const { rows } = await sql<{ definition: string }>`select pg_get_functiondef(to_regprocedure(${signature})) as definition`.execute(db);
    let definition = rows[0]?.definition;
    if (!definition) throw new Error(`migration 0426: function ${signature} is missing`);
    for (const [from, to] of edits[signature]!) {
      const at = definition.indexOf(from);
      if (at < 0 || definition.indexOf(from, at + 1) >= 0) throw new Error(`migration 0426: ${signature} does not read as expected (${from.slice(0, 60)}…)`);
      definition = definition.replace(from, to);
    }
    definitions.set(signature, definition);
  }
  await sql`alter table credit_lots set (fillfactor = 90)`.execute(db);
  await sql`alter table credit_lots add column live boolean generated always as (state in ('pending', 'available')) stored`.execute(db);
  await sql`drop index credit_lots_member_live`.execute(db);
  await sql`create index credit_lots_member_live on credit_lots (member_id, expires_at_ms, id) where live`.execute(db);
  await sql`drop index credit_lots_warning_due`.execute(db);
  await sql`create index credit_lots_warning_due on credit_lots (expires_at_ms) where live and warned_at_ms is null`.execute(db);
  // pg_get_functiondef gives `create or replace function …` with the function's settings (credits_append_group's
  // plan_cache_mode, migration 0423) as they are.
  for (const definition of definitions.values()) await sql.raw(definition).execute(db);
}
