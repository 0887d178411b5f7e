import { PostgresAdapter, sql, type Kysely } from 'kysely';

// Issue 12, PF-8 (PostgreSQL): the ledger's writes arrive as arrays. credits_write (migrations 0401, 0420, 0425–0427)
// takes every row as a JSON object keyed by its column names, read by jsonb_populate_recordset; parsing that payload
// into jsonb sorts each object's keys, and `perf` during a day's sweep at S put jsonb_in at 17 % of the server's CPU
// (the sweep's batches of about 190 events, each a transaction row of 28 columns and its account's 11), with the
// service waiting on the server half the time. credits_write_arrays writes the same rows with the same statements from
// arrays in the column order below (ledger.repository.ts sends its TableWrite columns, and a test holds the two lists
// equal), each value cast to its column's type. Measured on 200 transaction rows as the sweep writes them: 4.3 ms to
// parse and read as objects, 1.5 ms as arrays; the payload 43 % smaller.
//
// credits_write stays for instances still running the code before this migration (a rolling upgrade).

/** Each part of the payload: its table and the columns its arrays hold, in order. */
export const writeArrayColumns = {
  transactions: ['credit_transactions', [
    'member_id', 'version', 'id', 'kind', 'reason', 'idem_scope', 'idem_key',
    'request_hash', 'policy_version', 'at_ms', 'recorded_at_ms', 'credits',
    'available_after', 'pending_after', 'held_after', 'debt_after', 'lifetime_after',
    'order_id', 'order_line_id', 'case_id', 'hold_id', 'lot_id', 'reason_code',
    'note', 'actor_id', 'actor_role', 'result', 'postings',
  ]],
  newLots: ['credit_lots', [
    'id', 'member_id', 'source', 'state', 'original', 'remaining', 'held',
    'reversed', 'qualifying_minor', 'refunded_qualifying_minor', 'unlock_at_ms', 'expires_at_ms',
    'order_id', 'order_line_id', 'transaction_id', 'policy_version', 'warned_at_ms', 'created_at_ms',
  ]],
  changedLots: ['credit_lots', ['member_id', 'id', 'state', 'remaining', 'held', 'reversed', 'refunded_qualifying_minor', 'warned_at_ms']],
  newHolds: ['credit_holds', ['id', 'member_id', 'state', 'credits', 'captured', 'order_id', 'expires_at_ms', 'created_at_ms', 'resolved_at_ms']],
  changedHolds: ['credit_holds', ['id', 'state', 'captured', 'resolved_at_ms']],
  newHoldLots: ['credit_hold_lots', ['hold_id', 'lot_id', 'member_id', 'allocated', 'held', 'captured']],
  changedHoldLots: ['credit_hold_lots', ['hold_id', 'lot_id', 'held', 'captured']],
  accounts: ['credit_accounts', [
    'member_id', 'state', 'version', 'available', 'pending', 'held', 'debt',
    'lifetime_earned', 'next_due_at_ms', 'unlocked_through_ms', 'updated_at_ms',
  ]],
} as const satisfies Record<string, readonly [string, readonly string[]]>;

export async function up(db: Kysely<any>): Promise<void> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
  const described = await sql<{ table_name: string; column_name: string; data_type: string }>`
    select table_name, column_name, data_type from information_schema.columns where table_schema = current_schema()
      and table_name in ('credit_transactions', 'credit_lots', 'credit_holds', 'credit_hold_lots', 'credit_accounts')`.execute(db);
  const types = new Map(described.rows.map((row) => [`${row.table_name}.${row.column_name}`, row.data_type]));
  /** The part's rows as a relation with its columns named and typed. */
  const rowsOf = (part: keyof typeof writeArrayColumns): string => {
    const [table, columns] = writeArrayColumns[part];
    const values = columns.map((column, i) => {
      const type = types.get(`${table}.${column}`);
      if (!type) throw new Error(`${table}.${column} does not exist`);
      // A JSON null in a jsonb column is SQL NULL, as jsonb_populate_recordset made it.
      if (type === 'jsonb') return `nullif(e->${i}, 'null'::jsonb) as ${column}`;
      return type === 'text' ? `e->>${i} as ${column}` : `(e->>${i})::${type} as ${column}`;
    });
    return `(select ${values.join(', ')} from jsonb_array_elements(p->'${part}') e)`;
  };
  const list = (part: keyof typeof writeArrayColumns) => writeArrayColumns[part][1].join(', ');
  await sql
    .raw(`
    create or replace function credits_write_arrays(p jsonb) returns void language plpgsql as $$
    begin
      insert into credit_transactions (${list('transactions')}) select ${list('transactions')} from ${rowsOf('transactions')} x;
      insert into credit_lots (${list('newLots')}) select ${list('newLots')} from ${rowsOf('newLots')} x;
      update credit_lots l set state = x.state, remaining = x.remaining, held = x.held, reversed = x.reversed,
          refunded_qualifying_minor = x.refunded_qualifying_minor, warned_at_ms = x.warned_at_ms
        from ${rowsOf('changedLots')} x where l.member_id = x.member_id and l.id = x.id;
      insert into credit_holds (${list('newHolds')}) select ${list('newHolds')} from ${rowsOf('newHolds')} x;
      update credit_holds h set state = x.state, captured = x.captured, resolved_at_ms = x.resolved_at_ms
        from ${rowsOf('changedHolds')} x where h.id = x.id;
      insert into credit_hold_lots (${list('newHoldLots')}) select ${list('newHoldLots')} from ${rowsOf('newHoldLots')} x;
      update credit_hold_lots h set held = x.held, captured = x.captured
        from ${rowsOf('changedHoldLots')} x where h.hold_id = x.hold_id and h.lot_id = x.lot_id;
      update credit_accounts a set state = x.state, version = x.version, available = x.available, pending = x.pending, held = x.held,
          debt = x.debt, lifetime_earned = x.lifetime_earned, next_due_at_ms = x.next_due_at_ms, unlocked_through_ms = x.unlocked_through_ms,
          updated_at_ms = x.updated_at_ms
        from ${rowsOf('accounts')} x where a.member_id = x.member_id;
    end $$`)
    .execute(db);
}
