import { PostgresAdapter, sql, type Kysely } from 'kysely';

// Issue 12, point 2 (fewer index entries per operation), PF-8: the sweep's own events (unlock, expire, hold timeout;
// scope `system`) carry no idempotency key. Their key (`unlock:` and the lot's ID) was written into the unique
// idempotency index by every event and read by nothing: no outside caller can repeat a time event (LG-3 keys outside
// events), and an event happens once because it moves its lot or hold out of the state it starts from, under the
// member's lock (ledger.rules.ts advanceTo). Measured on PostgreSQL's set-based day (bench/sweep-rows-variants-pg.ts,
// the index left out): 1.07× at 100,000 members, 1.03× and 1.14× at 1,000,000.
//
// `idem_key` becomes nullable and the uniqueness a partial unique index over the keyed rows (same name, same columns
// in the same order). Every reader looks a key up by equality (`idem_key = …`), which implies `idem_key is not null`,
// so both planners still read it through this index (test/modules/credits-unkeyed-events.test.ts checks the plans).
// One plan needed telling: the append group's (credits_append_group_arrays), planned once per connection, on tables
// as small as a new installation's joined the group's keys to a bitmap scan of the whole partial index (its predicate
// as the scan's only condition) and kept that plan as the table grew; without bitmap scans it reads each key, as it
// does at any size (migration 0433 took sequential scans away for the same reason).
// Rows written before keep their keys: ledger rows are never updated.
//
// SQLite cannot drop a table constraint or a NOT NULL in place: the table is rebuilt as migrations 0421 and 0422 did,
// rows copied with their rowids, and its triggers, indexes and the views reading it recreated as they were. Measured on
// a ledger of 1,000,000 transactions: 9.6 s on SQLite, 1.7 s on PostgreSQL (the index build), writes waiting meanwhile.
const keyedIndex = 'create unique index credit_transactions_idempotency on credit_transactions (idem_scope, idem_key, member_id) where idem_key is not null';

export async function up(db: Kysely<any>): Promise<void> {
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    await sql`alter table credit_transactions drop constraint credit_transactions_idempotency, alter column idem_key drop not null`.execute(db);
    await sql.raw(keyedIndex).execute(db);
    await sql`alter function credits_append_group_arrays(jsonb) set enable_bitmapscan = off`.execute(db);
    return;
  }
  const table = (await sql<{ sql: string }>`select sql from sqlite_master where type = 'table' and name = 'credit_transactions'`.execute(db)).rows[0]?.sql ?? '';
  const constraint = /,\s*constraint credit_transactions_idempotency unique \(idem_scope, idem_key, member_id\)/;
  const notNull = /\bidem_key text not null\b/;
  if (!constraint.test(table) || !notNull.test(table)) throw new Error('migration 0422 creates credit_transactions with its idempotency constraint and a required idem_key');
  const unkeyed = table
    .replace(constraint, '')
    .replace(notNull, 'idem_key text')
    .replace(/^create table\s+("credit_transactions"|credit_transactions)(?=\s*\()/i, 'create table credit_transactions_unkeyed');
  if (!unkeyed.startsWith('create table credit_transactions_unkeyed')) throw new Error('unexpected definition of credit_transactions');
  // Everything else defined on the table (the append-only triggers, its indexes), and the views that read it, directly
  // or through another view: a view naming a table that is gone fails the rename below, so they go first and come
  // back last, in the order they were made.
  const definitions = (
    await sql<{ type: string; name: string; sql: string }>`select type, name, sql from sqlite_master
      where sql is not null and ((tbl_name = 'credit_transactions' and type in ('index', 'trigger')) or type = 'view') order by rowid`.execute(db)
  ).rows;
  const reading = new Set(['credit_transactions']);
  for (let grew = true; grew; ) {
    grew = false;
    for (const view of definitions.filter((d) => d.type === 'view' && !reading.has(d.name))) {
      if ([...reading].some((name) => new RegExp(`\\b${name}\\b`).test(view.sql))) {
        reading.add(view.name);
        grew = true;
      }
    }
  }
  const dependents = definitions.filter((d) => d.type !== 'view' || reading.has(d.name));
  for (const view of dependents.filter((d) => d.type === 'view').reverse()) await sql.raw(`drop view ${view.name}`).execute(db);
  await sql.raw(unkeyed).execute(db);
  // With their rowids: SQLite's event feed keeps a consumer's position as the last rowid it read (event-feed.ts).
  const columns = (await sql<{ name: string }>`select name from pragma_table_info('credit_transactions') order by cid`.execute(db)).rows.map((c) => c.name).join(', ');
  await sql.raw(`insert into credit_transactions_unkeyed (rowid, ${columns}) select rowid, ${columns} from credit_transactions order by rowid`).execute(db);
  await sql`drop table credit_transactions`.execute(db);
  await sql`alter table credit_transactions_unkeyed rename to credit_transactions`.execute(db);
  for (const dependent of dependents.filter((d) => d.type !== 'view')) await sql.raw(dependent.sql).execute(db);
  await sql.raw(keyedIndex).execute(db);
  for (const dependent of dependents.filter((d) => d.type === 'view')) await sql.raw(dependent.sql).execute(db);
}
