import { PostgresAdapter, sql, type Kysely } from 'kysely';

// Issue 12, PF-1 (SQLite): an earn's lots ride in its transaction row until their member's lots are next written.
// An earn through an append group wrote its transaction row, its account and its lot rows; the lot rows were half of
// its WAL pages (bench/ledger-wal-frames.ts: 2.96 of 6.04 pages an earn, the member's lot leaf and its splits, and
// 0.30 for the warnings' index), and the earn's rows without them ran 0.53–0.66 × C_sqlite against 0.24–0.26
// (bench/earn-rows-variants.ts; docs/PERFORMANCE.md "Session 32"). Now the append group writes the lots it issues as
// JSON in the transaction row (`lots`, in a short form: below) and marks the account:
// `deferred_from_version`, the version of the first transaction whose lots are not in credit_lots; every transaction
// of the member from there on with `lots` holds deferred ones, and no other does. `credit_lots_deferred` reads them
// as lot rows, and `credit_lots_all` is both: every reader of lots reads that view, or credit_lots itself when the
// account it holds has no mark. The first write to any of the
// member's lots (a spend, a hold, a reversal, a warning, an expiry) first copies them into credit_lots and clears the
// mark (materializeDeferredLots in ledger.repository.ts), so the lot's page is written then, by an operation that
// writes that page anyway. An unlock writes no lot since 0427, so a deferred lot stays where it is through it.
//
// The expiry warnings (CR-10) find lots through credit_lots_warning_due, which deferred lots are not in: the account
// keeps the soonest expiry among them (`deferred_expires_at_ms`), and the sweep reads the accounts' partial index on it
// beside the lots' (sweep.repository.ts) and copies those members' lots into credit_lots before anything else
// (sweep.jobs.ts). Equal expiries are ordered by `deferred_seq`, the rowid of the transaction that set the mark, which
// grows with time (0427 orders the lots' warnings by lot ID for the same reason): ordered by member instead, earns
// sharing one expiry landed all over the index. An integer, where a lot ID made the account row 30 bytes longer.
//
// PostgreSQL's earns keep writing lot rows: there an earn is one round trip (credits_append_group), whose cost the lot
// row hardly adds to. Its transactions get the `lots` column only, always null, so both schemas declare the same
// personal data (the privacy export reads the columns the map declares); the accounts' mark and the views are SQLite's.

// A deferred lot's columns: from its entry in the row's `lots` ([id, source, state, original, qualifying_minor,
// unlock_at_ms, expires_at_ms, order_line_id]), from its transaction, or as every lot is issued (nothing spent, held,
// reversed or warned yet). The append group writes there only lots of that shape; any other gets its row.
const deferredLotFields: [column: string, value: string][] = [
  ['id', 'j.value ->> 0'],
  ['member_id', 'a.member_id'],
  ['source', 'j.value ->> 1'],
  ['state', 'j.value ->> 2'],
  ['original', 'j.value ->> 3'],
  ['remaining', 'j.value ->> 3'],
  ['held', '0'],
  ['reversed', '0'],
  ['qualifying_minor', 'j.value ->> 4'],
  ['refunded_qualifying_minor', '0'],
  ['unlock_at_ms', 'j.value ->> 5'],
  ['expires_at_ms', 'j.value ->> 6'],
  ['order_id', 't.order_id'],
  ['order_line_id', 'j.value ->> 7'],
  ['transaction_id', 't.id'],
  ['policy_version', 't.policy_version'],
  ['warned_at_ms', 'null'],
  ['created_at_ms', 't.at_ms'],
];

export async function up(db: Kysely<any>): Promise<void> {
  // Both databases have the column, as the personal-data map declares it (the export reads what it declares);
  // PostgreSQL's stays null.
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    await sql`alter table credit_transactions add column lots jsonb`.execute(db);
    return;
  }
  await sql`alter table credit_transactions add column lots text`.execute(db);
  await sql`alter table credit_accounts add column deferred_from_version integer`.execute(db);
  await sql`alter table credit_accounts add column deferred_expires_at_ms integer`.execute(db);
  await sql`alter table credit_accounts add column deferred_seq integer`.execute(db);
  await sql`create index credit_accounts_deferred_expiry on credit_accounts (deferred_expires_at_ms, deferred_seq) where deferred_from_version is not null`.execute(db);
  // The accounts first (CROSS JOIN keeps SQLite's planner to that order): a reader's `member_id = ?` or range of
  // members is the accounts' key, and only a marked account goes on to its transactions from the mark on (their
  // (member_id, version) key) and each one's JSON; a whole-table read starts from the accounts' partial index.
  const fields = deferredLotFields.map(([column, value]) => `${value} as ${column}`).join(', ');
  await sql
    .raw(
      `create view credit_lots_deferred as select ${fields}
       from credit_accounts a
       cross join credit_transactions t on t.member_id = a.member_id and t.version >= a.deferred_from_version
       join json_each(t.lots) j
       where a.deferred_from_version is not null and t.lots is not null`,
    )
    .execute(db);
  const columns = deferredLotFields.map(([column]) => column).join(', ');
  await sql.raw(`create view credit_lots_all as select ${columns} from credit_lots union all select ${columns} from credit_lots_deferred`).execute(db);
}
