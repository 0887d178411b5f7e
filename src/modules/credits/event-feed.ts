// The credits events as a feed over the ledger (migration 0425): a consumer reads the transactions committed after
// its position, in commit order, and gets their `credits.*` events (credit-events.ts). The ledger writes nothing for
// its events, and a row that committed is a row the feed will give, exactly once per consumer position.
//
// Positions are opaque text: SQLite the last rowid read; PostgreSQL `xid|member|version` of the last row read (''
// is the start). PostgreSQL gives only rows whose transaction ID is below the oldest transaction still running, so a
// transaction that commits late is read late, never skipped; a writing transaction held open (an idle session)
// holds back the feed until it ends. Transaction IDs belong to a cluster: a database restored into another cluster
// (pg_dump, pg_restore) carries IDs the new cluster may not have reached, and the feed stops there until
// `rebaseCreditFeed` (run by `patron restore --reapply-only`) clears them.
import type { Ctx } from '../../deps.ts';
import { isPostgres, type Executor } from '../../db/database.ts';
import { assert } from '../../platform/assert.ts';
import type { DomainEvent } from '../events/index.ts';
import { creditEventsOf, type StoredPosting } from './credit-events.ts';
import { rawExecute, rawQuery } from './ledger.repository.ts';

/** Consumers with a stored position (migration 0425 starts each at the ledger's end when it ran). */
export type CreditFeedConsumer = 'webhooks';

export interface CreditFeedPage {
  events: DomainEvent[];
  /** Transactions read (with or without events); fewer than asked means the feed is caught up. */
  transactions: number;
  /** Where the next page starts. */
  position: string;
}

interface FeedRow {
  pos: number | string;
  member_id: string;
  version: number;
  id: string;
  kind: string;
  order_id: string | null;
  recorded_at_ms: number | string;
  postings: string | StoredPosting[] | null;
}

const sqliteFeed = `select rowid as pos, member_id, version, id, kind, order_id, recorded_at_ms, postings
  from credit_transactions where rowid > ? order by rowid limit ?`;

/** PostgreSQL: rows after a position (parameters xid, xid, member, version; pgPosition). */
const pgAfterPosition = `commit_xid >= ?::xid8 and (commit_xid, member_id, version) > (?::xid8, ?, ?)`;

/** PostgreSQL: a stored position past this cluster's transaction IDs (the database came from another cluster). */
const pgPastThisCluster = `(split_part(cursor, '|', 1) <> '' and split_part(cursor, '|', 1)::xid8 >= pg_snapshot_xmax(pg_current_snapshot()))`;

const pgFeed = `select commit_xid::text as pos, member_id, version, id, kind, order_id, recorded_at_ms, postings
  from credit_transactions
  where commit_xid is not null and commit_xid < pg_snapshot_xmin(pg_current_snapshot()) and ${pgAfterPosition}
  order by commit_xid, member_id, version limit ?`;

function pgPosition(position: string): [string, string, number] {
  if (position === '') return ['0', '', -1];
  const [xid, memberId, version] = position.split('|');
  assert(xid !== undefined && memberId !== undefined && version !== undefined, 'a PostgreSQL feed position is xid|member|version');
  return [xid, memberId, Number(version)];
}

function positionOf(db: Executor, row: FeedRow): string {
  return isPostgres(db) ? `${row.pos}|${row.member_id}|${row.version}` : String(row.pos);
}

/** Up to `limit` transactions committed after `position`, in commit order, with their events. */
export async function readCreditFeed(db: Executor, position: string, limit: number): Promise<CreditFeedPage> {
  let rows: FeedRow[];
  if (isPostgres(db)) {
    const [xid, memberId, version] = pgPosition(position);
    rows = await rawQuery<FeedRow>(db, pgFeed, [xid, xid, memberId, version, limit]);
  } else {
    rows = await rawQuery<FeedRow>(db, sqliteFeed, [Number(position || 0), limit]);
  }
  const events: DomainEvent[] = [];
  for (const row of rows) {
    const postings = typeof row.postings === 'string' ? (JSON.parse(row.postings) as StoredPosting[]) : (row.postings ?? []);
    events.push(...creditEventsOf({ id: row.id, memberId: row.member_id, kind: row.kind, orderId: row.order_id, recordedAtMs: Number(row.recorded_at_ms), postings }));
  }
  const last = rows[rows.length - 1];
  return { events, transactions: rows.length, position: last ? positionOf(db, last) : position };
}

/**
 * In the caller's transaction: moves `consumer` to the feed's end without reading what lies before it (a consumer
 * with no use for those events: the webhook fan-out when no endpoint takes a credits type). False when another
 * instance holds the position, or when it is past this cluster's transaction IDs (rebaseCreditFeed decides then).
 */
export async function skipCreditEvents(ctx: Pick<Ctx, 'db'>, consumer: CreditFeedConsumer): Promise<boolean> {
  assert(ctx.db.isTransaction, 'a consumer moves its position in its own transaction');
  const cursor = await lockPosition(ctx, consumer);
  if (cursor === undefined) return false;
  const end = await creditFeedEnd(ctx.db);
  if (end !== cursor) await storePosition(ctx.db, consumer, end);
  return true;
}

function storePosition(db: Executor, consumer: string, position: string): Promise<number> {
  return rawExecute(db, 'update credit_event_cursors set cursor = ? where key = ?', [position, consumer]);
}

/**
 * The consumer's position, locked for the caller's transaction; undefined when another instance holds it (PostgreSQL,
 * SKIP LOCKED) or when it is past this cluster's transaction IDs: the database came from another cluster
 * (rebaseCreditFeed).
 */
async function lockPosition(ctx: Pick<Ctx, 'db'>, consumer: CreditFeedConsumer): Promise<string | undefined> {
  const [row] = await rawQuery<{ cursor: string; moved?: boolean }>(ctx.db, isPostgres(ctx.db) ? pgCursor : 'select cursor from credit_event_cursors where key = ?', [consumer]);
  return !row || row.moved ? undefined : row.cursor;
}

const pgCursor = `select cursor, ${pgPastThisCluster} as moved from credit_event_cursors where key = ? for update skip locked`;

/**
 * PostgreSQL, after the database was restored into another cluster: ledger rows written under the old cluster's
 * transaction IDs at or above the new cluster's next one lose their `commit_xid` (the one column of a ledger row that
 * is not a bookkeeping fact, so the append-only trigger is set aside for this one statement), and positions past it
 * move to the feed's end. New transactions are read from then on; transactions the old database committed and no
 * consumer had read are not told (their rows are unchanged). Answers what it changed: nothing when nothing came from
 * elsewhere (and on SQLite, whose rowids travel with the file).
 */
export async function rebaseCreditFeed(ctx: Pick<Ctx, 'db'>): Promise<{ clearedRows: number; movedPositions: number }> {
  assert(ctx.db.isTransaction, 'the rebase runs in its own transaction');
  if (!isPostgres(ctx.db)) return { clearedRows: 0, movedPositions: 0 };
  const [next] = await rawQuery<{ xmax: string }>(ctx.db, 'select pg_snapshot_xmax(pg_current_snapshot())::text as xmax', []);
  const cursors = await rawQuery<{ key: string; moved: boolean }>(ctx.db, `select key, ${pgPastThisCluster} as moved from credit_event_cursors for update`, []);
  const movedCursors = cursors.filter((c) => c.moved);
  const [ahead] = await rawQuery<{ n: number }>(ctx.db, 'select count(*)::integer as n from credit_transactions where commit_xid >= ?::xid8', [next!.xmax]);
  if (movedCursors.length === 0 && ahead!.n === 0) return { clearedRows: 0, movedPositions: 0 };
  await rawExecute(ctx.db, 'alter table credit_transactions disable trigger credit_transactions_append_only', []);
  const cleared = await rawExecute(ctx.db, 'update credit_transactions set commit_xid = null where commit_xid >= ?::xid8', [next!.xmax]);
  await rawExecute(ctx.db, 'alter table credit_transactions enable trigger credit_transactions_append_only', []);
  const end = await creditFeedEnd(ctx.db);
  for (const c of movedCursors) await storePosition(ctx.db, c.key, end);
  return { clearedRows: cleared, movedPositions: movedCursors.length };
}

export interface CreditFeedStatus {
  /** Ledger transactions committed and not yet read by the consumer (counted up to `unreadCountLimit`). */
  unread: number;
  /** PostgreSQL: the consumer's position is past this cluster's transaction IDs (restored into another cluster). */
  moved: boolean;
  /** PostgreSQL: how long the oldest transaction that writes has been open (later events wait for it); null if none. */
  oldestWriterOpenMs: number | null;
}

/** The most `creditFeedStatus` counts of unread transactions. */
export const unreadCountLimit = 10_000;

/**
 * For `patron doctor`: how far `consumer` is behind, and on PostgreSQL what may hold its feed (a moved database, a
 * writing transaction left open; pg_stat_activity shows other roles' sessions to superusers and pg_read_all_stats).
 */
export async function creditFeedStatus(db: Executor, consumer: CreditFeedConsumer): Promise<CreditFeedStatus> {
  const [row] = await rawQuery<{ cursor: string }>(db, 'select cursor from credit_event_cursors where key = ?', [consumer]);
  assert(row, `migration 0425 creates the ${consumer} position`);
  if (!isPostgres(db)) {
    const [count] = await rawQuery<{ n: number }>(db, 'select count(*) as n from (select 1 from credit_transactions where rowid > ? limit ?)', [Number(row.cursor || 0), unreadCountLimit]);
    return { unread: Number(count!.n), moved: false, oldestWriterOpenMs: null };
  }
  const [xid, memberId, version] = pgPosition(row.cursor);
  const [state] = await rawQuery<{ moved: boolean; unread: number; oldest_ms: number | null }>(
    db,
    `select ${pgPastThisCluster} as moved,
       (select count(*)::integer from (select 1 from credit_transactions where ${pgAfterPosition} limit ?) u) as unread,
       (select (extract(epoch from now() - min(xact_start)) * 1000)::bigint from pg_stat_activity where backend_xid is not null and pid <> pg_backend_pid()) as oldest_ms
     from credit_event_cursors where key = ?`,
    [xid, xid, memberId, version, unreadCountLimit, consumer],
  );
  return { unread: Number(state!.unread), moved: state!.moved, oldestWriterOpenMs: state!.oldest_ms === null ? null : Number(state!.oldest_ms) };
}

/** The position after the last transaction readable now (a consumer that starts here gets what commits next). */
export async function creditFeedEnd(db: Executor): Promise<string> {
  if (!isPostgres(db)) {
    const [row] = await rawQuery<{ pos: number | null }>(db, 'select max(rowid) as pos from credit_transactions', []);
    return String(row?.pos ?? 0);
  }
  const [row] = await rawQuery<FeedRow>(
    db,
    `select commit_xid::text as pos, member_id, version from credit_transactions
     where commit_xid is not null and commit_xid < pg_snapshot_xmin(pg_current_snapshot())
     order by commit_xid desc, member_id desc, version desc limit 1`,
    [],
  );
  return row ? positionOf(db, row) : '';
}

/**
 * In the caller's transaction: the next page of `consumer`'s feed, its position moved past it (committed with the
 * caller's work, so a crash before the commit reads the page again). Undefined when another instance holds the
 * consumer's position (PostgreSQL, SKIP LOCKED): that instance is reading these events.
 */
export async function takeCreditEvents(ctx: Pick<Ctx, 'db'>, consumer: CreditFeedConsumer, limit: number): Promise<CreditFeedPage | undefined> {
  assert(ctx.db.isTransaction, 'a consumer takes credits events in its own transaction');
  const cursor = await lockPosition(ctx, consumer);
  if (cursor === undefined) return undefined;
  const page = await readCreditFeed(ctx.db, cursor, limit);
  if (page.transactions > 0) await storePosition(ctx.db, consumer, page.position);
  return page;
}
