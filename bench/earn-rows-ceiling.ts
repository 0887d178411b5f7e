// The earn's own rows written by raw statements (issue 12): what an earn costs the database with no application
// code at all, on the ledger's real tables, indexes and dataset. An earn of two order lines writes one transaction
// row (its postings and its idempotent answer inside, and on SQLite its two lots, deferred: migration 0429) and the
// member's account (marked the first time; its credits event is read from the transaction row later: no row of its
// own since migration 0425); on PostgreSQL, and in the `lotRows` variant on SQLite, the two lots as rows; the
// ceilings C_sqlite and C_pg_batch write one row and update one. The gap between this and the ledger's earn is what
// the application adds; the gap between this and C_sqlite / C_pg_batch is what the data model costs.
//
// Rows are the shape and size of a real earn's (ledger.repository.ts appendColumns), keys are
// time-ordered IDs as the ledger draws them, members are random. No reads: versions come from a map loaded before
// the clock starts (the ledger reads the account and the idempotency key first), so this is an upper bound.
import { readIntoPageCache } from './page-cache.ts';
import { copyFileSync, existsSync, rmSync } from 'node:fs';
import type { DatabaseSync, SQLInputValue } from 'node:sqlite';
import pg from 'pg';
import { copyLedgerTables } from './postgres-schema.ts';
import { assert } from '../src/platform/assert.ts';
import { DAY_MS, createSimulatedClock } from '../src/platform/clock.ts';
import { createIdGenerator } from '../src/platform/ids.ts';
import { measure } from './load-measure.ts';
import { openNodeSqlite } from '../src/db/node-sqlite-adapter.ts';
import { safetyNetCheckpointPages, startCheckpointer } from '../src/db/sqlite-checkpointer.ts';

const txColumns = ['member_id', 'version', 'id', 'kind', 'reason', 'idem_scope', 'idem_key', 'request_hash', 'policy_version', 'at_ms', 'recorded_at_ms', 'credits', 'available_after', 'pending_after', 'held_after', 'debt_after', 'lifetime_after', 'order_id', 'result', 'postings'] as const;
const lotColumns = ['member_id', 'id', 'source', 'state', 'original', 'remaining', 'held', 'reversed', 'qualifying_minor', 'refunded_qualifying_minor', 'unlock_at_ms', 'expires_at_ms', 'order_id', 'order_line_id', 'transaction_id', 'policy_version', 'created_at_ms'] as const;

const T0 = Date.parse('2026-03-02T17:00:00.000Z');

interface EarnRows {
  memberId: string;
  version: number;
  credits: number;
  tx: SQLInputValue[];
  lots: SQLInputValue[][];
  /** The lots in the transaction row's short form (sqlite-append.repository.ts compactLot). */
  deferredLots: string;
  expires: number;
}

/** One earn's rows, as the ledger writes them for an order of two lines (50 and 7 credits). */
function earnRows(ids: ReturnType<typeof createIdGenerator>, memberId: string, version: number): EarnRows {
  const [orderId, line1, line2, txId, lot1, lot2] = [ids.next('ord'), ids.next('oln'), ids.next('oln'), ids.next('ltx'), ids.next('lot'), ids.next('lot')];
  const unlock = T0 + 30 * DAY_MS;
  const expires = unlock + 365 * DAY_MS;
  const result = JSON.stringify({ transactionId: txId, memberId, orderId, credits: 57, policyVersion: 1, unlockAtMs: unlock, expiresAtMs: expires, lines: [{ lineId: line1, credits: 50, lotId: lot1 }, { lineId: line2, credits: 7, lotId: lot2 }] });
  const postings = JSON.stringify([['pending', lot1, null, 50], ['program:issued', lot1, null, -50], ['pending', lot2, null, 7], ['program:issued', lot2, null, -7]]);
  const lot = (id: string, line: string, credits: number): SQLInputValue[] => [memberId, id, 'order', 'pending', credits, credits, 0, 0, credits * 100, 0, unlock, expires, orderId, line, txId, 1, T0];
  return {
    memberId,
    version,
    credits: 57,
    deferredLots: JSON.stringify([[lot1, 'order', 'pending', 50, 5000, unlock, expires, line1], [lot2, 'order', 'pending', 7, 700, unlock, expires, line2]]),
    expires,
    tx: [memberId, version, txId, 'earn', 'order', 'earn', orderId, 'WcLIhxXMMMIUItXTkwVJyCPQoImsutPXlufUorLOPXc', 1, T0, T0, 57, 0, 57, 0, 0, 57, orderId, result, postings],
    lots: [lot(lot1, line1, 50), lot(lot2, line2, 7)],
  };
}

const insertText = (table: string, columns: readonly string[]) => `insert into ${table} (${columns.join(', ')}) values (${columns.map(() => '?').join(', ')})`;

/**
 * What-ifs of the data model, applied to the copy before the clock starts (bench/earn-rows-variants.ts): each says
 * what one part of an earn costs by leaving it out or changing it.
 */
export interface EarnRowsVariant {
  /** SQLite: the lots as rows of credit_lots, as before migration 0429 (the variants below that change lots imply it). */
  lotRows?: boolean;
  /** credit_lots as a rowid table (rows appended) with its primary key as a unique index. */
  rowidLots?: boolean;
  /** One lot per earn instead of one per order line. */
  oneLot?: boolean;
  /** The transaction row without its idempotent answer (`result`). */
  noResult?: boolean;
  /** No lots at all: the transaction row (which carries the lots' postings) and the account. */
  noLots?: boolean;
  /** The transaction row alone, its indexes included: no lots, no account (an earn as one appended row). */
  transactionOnly?: boolean;
}

/**
 * What-ifs of PostgreSQL's earn rows (bench/earn-rows-variants-pg.ts): `asWritten` is PF-5c (the transaction row, its
 * two lot rows, the account); `lotsInRow` the lots as JSON in the transaction row (as SQLite's deferred lots, migration
 * 0429) and no lot rows; `transactionRow` the transaction row alone; `transactionRowBare` that row with its primary key
 * as its only index (no idempotency, event-feed or snapshot index).
 */
export type PgEarnRowsVariant = 'asWritten' | 'lotsInRow' | 'transactionRow' | 'transactionRowBare';

/** Earns per second, and where each earn's time went (µs per earn: its statements by table, its share of COMMIT). */
export interface EarnRowsProfile {
  perSecond: number;
  perEarnUs: { transaction: number; lots: number; account: number; commit: number };
}

function applySqliteVariant(db: DatabaseSync, variant: EarnRowsVariant): void {
  if (!variant.rowidLots) return;
  const table = db.prepare("select sql from sqlite_schema where name = 'credit_lots'").get() as { sql: string };
  const indexes = db.prepare("select sql from sqlite_schema where tbl_name = 'credit_lots' and type = 'index' and sql is not null").all() as { sql: string }[];
  const rowid = table.sql.replace('"credit_lots"', '"credit_lots_rowid"').replace(/\)\s*without rowid\s*$/i, ')');
  assert(rowid !== table.sql, 'credit_lots is a WITHOUT ROWID table');
  // The views over credit_lots (migration 0429) are dropped while the table is replaced, then made again.
  const views = db.prepare("select name, sql from sqlite_schema where type = 'view' and name like 'credit_lots%' order by name desc").all() as { name: string; sql: string }[];
  db.exec('begin');
  for (const view of views) db.exec(`drop view ${view.name}`);
  db.exec(rowid);
  db.exec('insert into credit_lots_rowid select * from credit_lots order by member_id, id');
  db.exec('drop table credit_lots');
  db.exec('alter table credit_lots_rowid rename to credit_lots');
  for (const index of indexes) db.exec(index.sql);
  for (const view of [...views].reverse()) db.exec(view.sql);
  db.exec('commit');
}

/**
 * Earns per second written by one connection, `perCommit` earns per transaction as the ledger's group commit makes
 * them from 16 callers, into a copy of `ledgerFile` (the bench's loaded ledger, with its WAL) made beside it and removed
 * afterwards.
 */
export async function sqliteEarnRowsCeiling(ledgerFile: string, seconds: number, options: EarnRowsOptions = {}): Promise<number> {
  return (await sqliteEarnRowsProfile(ledgerFile, seconds, options)).perSecond;
}

interface EarnRowsOptions {
  perCommit?: number;
  variant?: EarnRowsVariant;
  checkpoints?: 'background' | 'none';
  /** A copy of the ledger made ahead by copyLedgerFile (while nothing was measured), written into and removed. */
  copy?: string;
}

/** A copy of the ledger file for the earn rows to be written into, named `suffix`. */
export function copyLedgerFile(ledgerFile: string, suffix = 'earn-rows'): string {
  const file = `${ledgerFile}.${suffix}`;
  copyFileSync(ledgerFile, file);
  // With its WAL: a checkpoint of the source may stop short while another connection reads (at XS the whole schema
  // was still in the WAL, and the copy had no tables). The copy replays the WAL when it is opened.
  if (existsSync(`${ledgerFile}-wal`)) copyFileSync(`${ledgerFile}-wal`, `${file}-wal`);
  return file;
}

/** sqliteEarnRowsCeiling with the time split by statement and COMMIT. */
export async function sqliteEarnRowsProfile(ledgerFile: string, seconds: number, options: EarnRowsOptions = {}): Promise<EarnRowsProfile> {
  const file = options.copy ?? copyLedgerFile(ledgerFile);
  try {
    // Its pages in memory first, as the ledger's own are when the service is measured.
    readIntoPageCache(file);
    return await writeEarnRows(file, seconds, options);
  } finally {
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });
  }
}

async function writeEarnRows(file: string, seconds: number, options: EarnRowsOptions): Promise<EarnRowsProfile> {
  const { perCommit = 16, variant = {}, checkpoints = 'background' } = options;
  // The ledger's connection as openDatabase makes it: its settings, the WAL copied into the database file by a
  // background thread, the writer's own threshold as the safety net. `checkpoints: 'none'` leaves the WAL to grow (not
  // a way to run, but it shows what the copying costs).
  const db = openNodeSqlite(file, checkpoints === 'none' ? 0 : safetyNetCheckpointPages);
  applySqliteVariant(db, variant);
  db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
  const checkpointer = checkpoints === 'background' ? startCheckpointer(file) : undefined;
  const versions = new Map<string, number>();
  for (const row of db.prepare('select member_id, version from credit_accounts').all() as { member_id: string; version: number }[]) versions.set(row.member_id, row.version);
  const members = [...versions.keys()];
  const insertTx = db.prepare(insertText('credit_transactions', txColumns));
  const insertLot = db.prepare(insertText('credit_lots', lotColumns));
  const update = db.prepare('update credit_accounts set version = ?, pending = pending + ?, lifetime_earned = lifetime_earned + ?, updated_at_ms = ? where member_id = ?');
  const insertDeferred = db.prepare(insertText('credit_transactions', [...txColumns, 'lots']));
  const updateMarking = db.prepare(`update credit_accounts set version = ?, pending = pending + ?, lifetime_earned = lifetime_earned + ?, updated_at_ms = ?,
    deferred_from_version = ?, deferred_expires_at_ms = ?, deferred_seq = ? where member_id = ?`);
  const marked = new Set<string>();
  const clock = createSimulatedClock(T0);
  const ids = createIdGenerator(clock);
  let seed = 11;
  const random = () => (seed = (seed * 48_271) % 2_147_483_647) / 2_147_483_647;
  const lotRows = variant.lotRows || variant.rowidLots || variant.oneLot;
  const writeLots = lotRows && !variant.noLots && !variant.transactionOnly;
  const deferLots = !lotRows && !variant.noLots && !variant.transactionOnly;
  const writeEarns = (): EarnRowsProfile => {
    const spent = { transaction: 0, lots: 0, account: 0, commit: 0 };
    const start = performance.now();
    const end = start + seconds * 1000;
    let n = 0;
    while (performance.now() < end) {
      db.exec('begin immediate');
      for (let k = 0; k < perCommit; k++, n++) {
        const memberId = members[Math.floor(random() * members.length)]!;
        const version = versions.get(memberId)! + 1;
        versions.set(memberId, version);
        const rows = earnRows(ids, memberId, version);
        if (variant.noResult) rows.tx[txColumns.indexOf('result')] = null;
        let t = performance.now();
        const seq = deferLots ? Number(insertDeferred.run(...rows.tx, rows.deferredLots).lastInsertRowid) : insertTx.run(...rows.tx) && 0;
        spent.transaction += performance.now() - t;
        t = performance.now();
        if (writeLots) for (const lot of variant.oneLot ? rows.lots.slice(0, 1) : rows.lots) insertLot.run(...lot);
        spent.lots += performance.now() - t;
        t = performance.now();
        if (deferLots && !marked.has(memberId)) {
          // The member's first deferred lots mark its account (later ones expire later and leave the mark).
          updateMarking.run(version, rows.credits, rows.credits, T0, version, rows.expires, seq, memberId);
          marked.add(memberId);
        } else if (!variant.transactionOnly) update.run(version, rows.credits, rows.credits, T0, memberId);
        spent.account += performance.now() - t;
      }
      const t = performance.now();
      db.exec('commit');
      spent.commit += performance.now() - t;
    }
    const us = (ms: number) => (ms * 1000) / n;
    return {
      perSecond: n / ((performance.now() - start) / 1000),
      perEarnUs: { transaction: us(spent.transaction), lots: us(spent.lots), account: us(spent.account), commit: us(spent.commit) },
    };
  };
  // Once unmeasured first, as the PostgreSQL one does: the copy's pages come into the cache as earns touch them.
  writeEarns();
  db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
  const profile = writeEarns();
  await checkpointer?.stop();
  db.close();
  return profile;
}

/**
 * Earns per second written by 16 connections, `perStatement` earns per statement (C_pg_batch's 100 rows), each
 * connection on its own members (as C_pg_batch's), into copies of the loaded schema's three tables in `scratchSchema`:
 * made here, or (`copied`) already there, left by pgSweepRowsCeiling (one copy of a ledger at M takes minutes).
 * Drops `scratchSchema` at the end either way.
 */
export async function pgEarnRowsCeiling(url: string, schema: string, scratchSchema: string, seconds: number, options: { perStatement?: number; copied?: boolean; variant?: PgEarnRowsVariant } = {}): Promise<number> {
  const perStatement = options.perStatement ?? 100;
  const variant = options.variant ?? 'asWritten';
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  const types = new Map<string, string>();
  try {
    if (!options.copied) await copyLedgerTables(url, schema, scratchSchema);
    const described = await admin.query<{ table_name: string; column_name: string; data_type: string }>(
      'select table_name, column_name, data_type from information_schema.columns where table_schema = $1', [scratchSchema]);
    for (const row of described.rows) types.set(`${row.table_name}.${row.column_name}`, row.data_type);
    const versions = new Map<string, number>();
    for (const row of (await admin.query<{ member_id: string; version: number }>(`select member_id, version from ${scratchSchema}.credit_accounts`)).rows) versions.set(row.member_id, Number(row.version));
    const members = [...versions.keys()];
    const workers = 16;
    const unnest = (table: string, columns: readonly string[], from: number) =>
      `select * from unnest(${columns.map((c, i) => `$${from + i}::${types.get(`${table}.${c}`) === 'jsonb' ? 'text' : types.get(`${table}.${c}`)}[]`).join(', ')})`;
    const cast = (table: string, columns: readonly string[]) => columns.map((c) => (types.get(`${table}.${c}`) === 'jsonb' ? `${c}::jsonb` : c)).join(', ');
    if (variant === 'transactionRowBare') {
      // The copy's transactions keep their primary key only.
      for (const index of ['credit_transactions_idempotency', 'credit_transactions_commit_order', 'credit_transactions_snapshot_due']) await admin.query(`drop index if exists ${scratchSchema}.${index}`);
    }
    const txRowColumns = variant === 'lotsInRow' ? [...txColumns, 'lots'] : txColumns;
    let p = 1;
    const txFrom = p; p += txRowColumns.length;
    const lotFrom = p; p += variant === 'asWritten' ? lotColumns.length : 0;
    const insertTx = `insert into credit_transactions (${txRowColumns.join(', ')}) select ${cast('credit_transactions', txRowColumns)} from (${unnest('credit_transactions', txRowColumns, txFrom)}) as x(${txRowColumns.join(', ')})`;
    const statement = variant === 'transactionRow' || variant === 'transactionRowBare' ? insertTx : `with
      t as (${insertTx}),
      ${variant === 'asWritten' ? `l as (insert into credit_lots (${lotColumns.join(', ')}) ${unnest('credit_lots', lotColumns, lotFrom)})` : 'l as (select 1)'}
      -- "= any" as well as the join: by the join alone the planner hashes the batch and scans every account.
      update credit_accounts a set version = u.v, pending = a.pending + u.c, lifetime_earned = a.lifetime_earned + u.c, updated_at_ms = $${p + 3}
      from unnest($${p}::text[], $${p + 1}::int[], $${p + 2}::int[]) as u(m, v, c)
      where a.member_id = u.m and a.member_id = any($${p}::text[])`;
    const pool = new pg.Pool({ connectionString: url, max: workers, options: `-c search_path=${scratchSchema}` });
    const clock = createSimulatedClock(T0);
    const ids = createIdGenerator(clock);
    let seed = 13;
    const random = () => (seed = (seed * 48_271) % 2_147_483_647) / 2_147_483_647;
    const own = Array.from({ length: workers }, (_, w) => members.filter((_, i) => i % workers === w));
    // A statement takes each member once, so a small ledger (XS: 62 members a connection) fills it with fewer.
    const perCall = Math.min(perStatement, Math.floor(own[workers - 1]!.length / 2));
    const columnsOf = (rows: SQLInputValue[][], width: number) => Array.from({ length: width }, (_, c) => rows.map((row) => row[c]));
    try {
      // Run once unmeasured first: right after the copy's checkpoint nearly every page an earn touches costs a
      // full-page image in the WAL, which the ledger's own measurement, later in the run, mostly does not pay.
      const earnBatch = (w: number) => {
        // One earn per member per statement (a member twice would need its versions in order within the statement).
        const chosen = new Set<string>();
        while (chosen.size < perCall) chosen.add(own[w]![Math.floor(random() * own[w]!.length)]!);
        const earns = [...chosen].map((memberId) => {
          const version = versions.get(memberId)! + 1;
          versions.set(memberId, version);
          return earnRows(ids, memberId, version);
        });
        const txRows = earns.map((e) => (variant === 'lotsInRow' ? [...e.tx, e.deferredLots] : e.tx));
        const txOnly = variant === 'transactionRow' || variant === 'transactionRowBare';
        return pool.query(statement, [
          ...columnsOf(txRows, txRowColumns.length),
          ...(variant === 'asWritten' ? columnsOf(earns.flatMap((e) => e.lots), lotColumns.length) : []),
          ...(txOnly ? [] : [earns.map((e) => e.memberId), earns.map((e) => e.version), earns.map((e) => e.credits), T0]),
        ]);
      };
      await measure(seconds, workers, earnBatch);
      return (await measure(seconds, workers, earnBatch)).perSecond * perCall;
    } finally {
      await pool.end();
    }
  } finally {
    await admin.query(`drop schema if exists ${scratchSchema} cascade`);
    await admin.end();
  }
}
