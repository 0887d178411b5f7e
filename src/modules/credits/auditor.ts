// The ledger auditor (LG-5): proves LG-2 and the other ledger invariants for every member, page by page, each page
// read in one snapshot, then checks global conservation in a snapshot of its own. It reports every difference it
// finds; it never repairs anything. Runs on demand (console, CLI, benchmarks) and daily (sweep.jobs.ts).
import { z } from 'zod';
import type { Ctx } from '../../deps.ts';
import { isPostgres, type Executor } from '../../db/database.ts';
import { yieldBetweenBatches } from '../../db/batches.ts';
import { effectiveLotState, lotBuckets, type Account, type Lot } from './ledger.rules.ts';
import { lotsTable, rawQuery } from './ledger.repository.ts';
import { computeSnapshot, periodSpan, sampleSnapshots } from './snapshot.repository.ts';
import { creditTables, type CreditAuditRunRow } from './ledger.table.ts';

export interface AuditProblem {
  memberId: string | null;
  check: string;
  detail: string;
}

export interface AuditTotals {
  /** Credits given to members: earnings and bonuses (issued) and net agent adjustments. */
  issued: number;
  adjusted: number;
  spent: number;
  expired: number;
  reversed: number;
  forfeited: number;
  /** issued + adjusted − spent − expired − reversed − forfeited. */
  outstanding: number;
  /** What members hold according to their postings, their account rows and their lots. */
  memberPostings: number;
  accountBalances: number;
  lotRemainingMinusDebt: number;
}

export interface AuditReport {
  id: string;
  trigger: string;
  actorId: string | null;
  startedAtMs: number;
  finishedAtMs: number;
  ok: boolean;
  membersChecked: number;
  transactionsChecked: number;
  problemCount: number;
  /** The first problems found (at most maxStoredProblems). */
  problems: AuditProblem[];
  totals: AuditTotals;
}

export const maxStoredProblems = 100;

export interface AuditOptions {
  trigger: 'schedule' | 'manual' | 'cli' | 'bench' | 'test';
  actorId: string | null;
  /**
   * Members per read (default 100). Between pages the event loop turns (db/batches.ts), so on SQLite inside
   * `patron serve` a request waits for one page at most: measured at 50,000 members, pages of 500 held the loop
   * 57 ms each (median), pages of 100 11 ms, for the same 7.3 s in all. PostgreSQL at 20,000 members: 4.5–4.8 s
   * against 3.7–4.3 s with pages of 500.
   */
  pageSize?: number;
  /**
   * Pages audited at once on PostgreSQL, each in its own snapshot on a connection of its own (default 1). SQLite
   * audits one page at a time whatever is asked: it has one connection. With more than one, the problems found are
   * the same but the first `maxStoredProblems` kept may come in another order.
   */
  concurrency?: number;
  /** Audit one member only (skips the global checks). */
  memberId?: string;
}

function inSnapshot<T>(db: Executor, work: (db: Executor) => Promise<T>): Promise<T> {
  if (db.isTransaction) return work(db);
  const builder = db.transaction();
  return (isPostgres(db) ? builder.setIsolationLevel('repeatable read') : builder).execute(work);
}

class Findings {
  count = 0;
  readonly list: AuditProblem[] = [];
  add(memberId: string | null, check: string, detail: string): void {
    this.count += 1;
    if (this.list.length < maxStoredProblems) this.list.push({ memberId, check, detail });
  }
}

interface PageResult {
  members: number;
  transactions: number;
}

const lotChunk = 500;

/**
 * What the checks read of an account and of a lot, and nothing more: the other columns play no part in a check, and
 * reading whole lot rows (their order, line and transaction IDs) was a third of the auditor's own CPU.
 */
type AuditedAccount = Pick<Account, 'memberId' | 'version' | 'pending' | 'available' | 'held' | 'debt' | 'unlockedThroughMs'>;
type AuditedLot = Pick<Lot, 'id' | 'memberId' | 'state' | 'original' | 'remaining' | 'held'>;
const accountColumns = 'member_id, version, pending, available, held, debt, unlocked_through_ms';
const lotColumns = 'id, member_id, state, original, remaining, held, unlock_at_ms';
type Numeric = number | string;

function toAuditedAccount(row: { member_id: string; version: Numeric; pending: Numeric; available: Numeric; held: Numeric; debt: Numeric; unlocked_through_ms: Numeric | null }): AuditedAccount {
  return {
    memberId: row.member_id, version: Number(row.version), pending: Number(row.pending), available: Number(row.available), held: Number(row.held), debt: Number(row.debt),
    unlockedThroughMs: row.unlocked_through_ms === null ? null : Number(row.unlocked_through_ms),
  };
}

/** The lot in the state it is in (effectiveLotState, with its account's unlockedThroughMs): its postings must agree. */
function toAuditedLot(row: { id: string; member_id: string; state: string; original: Numeric; remaining: Numeric; held: Numeric; unlock_at_ms: Numeric }, unlockedThroughMs: number | null): AuditedLot {
  const state = effectiveLotState(row.state as Lot['state'], Number(row.unlock_at_ms), unlockedThroughMs);
  return { id: row.id, memberId: row.member_id, state, original: Number(row.original), remaining: Number(row.remaining), held: Number(row.held) };
}

interface PostingSums {
  /** Per member and bucket (LG-2's cached balances). */
  bucketSums: { member_id: string; account: string; total: number }[];
  /** Per lot and bucket (LG-2's lot state). */
  lotSums: { member_id: string; lot_id: string; account: string; total: number }[];
  /** Held postings per hold and lot. */
  heldSums: { hold_id: string | null; lot_id: string | null; total: number }[];
  /** Transactions whose postings do not sum to zero. */
  unbalanced: { member_id: string; version: number; total: number }[];
}

/**
 * A page's four sums of its members' postings, from one read of them: the postings live as JSON inside their
 * transaction rows (migration 0420), and four queries over the view expanded that JSON four times (5.6 of 12.5 s of
 * an audit at 100k members on SQLite). The same sums, grouped as the four queries grouped them. Measured at 100k
 * members, alternating: SQLite 13.2–14.3 → 12.2–13.2 s, PostgreSQL 17.0–22.3 → 14.0–16.5 s.
 */
async function postingSums(db: Executor, range: { text: string; params: string[] }): Promise<PostingSums> {
  const rows = await rawQuery<{ kind: string; member_id: string | null; version: number; account: string | null; lot_id: string | null; hold_id: string | null; total: number }>(
    db,
    `with p as materialized (select member_id, version, account, lot_id, hold_id, amount from credit_postings where ${range.text})
     select 'bucket' as kind, member_id, 0 as version, account, cast(null as text) as lot_id, cast(null as text) as hold_id, sum(amount) as total
       from p where account in ('pending', 'available', 'held', 'debt') group by member_id, account
     union all select 'lot', member_id, 0, account, lot_id, cast(null as text), sum(amount)
       from p where lot_id is not null and account in ('pending', 'available', 'held') group by member_id, lot_id, account
     union all select 'held', cast(null as text), 0, cast(null as text), lot_id, hold_id, sum(amount)
       from p where account = 'held' group by hold_id, lot_id
     union all select 'unbalanced', member_id, version, cast(null as text), cast(null as text), cast(null as text), sum(amount)
       from p group by member_id, version having sum(amount) <> 0`,
    range.params,
  );
  const sums: PostingSums = { bucketSums: [], lotSums: [], heldSums: [], unbalanced: [] };
  for (const row of rows) {
    if (row.kind === 'bucket') sums.bucketSums.push({ member_id: row.member_id!, account: row.account!, total: row.total });
    else if (row.kind === 'lot') sums.lotSums.push({ member_id: row.member_id!, lot_id: row.lot_id!, account: row.account!, total: row.total });
    else if (row.kind === 'held') sums.heldSums.push({ hold_id: row.hold_id, lot_id: row.lot_id, total: row.total });
    else sums.unbalanced.push({ member_id: row.member_id!, version: row.version, total: row.total });
  }
  return sums;
}

/**
 * The members a page answers for: after the previous page's last account up to its own last (`upTo`), and on the last
 * page (`upTo` undefined) every member to the end, so that postings of a member without an account are found wherever
 * its ID sorts (a page bounded by its first and last accounts missed those between two pages and after the last
 * account). Or one member only.
 */
type PageRange = { after: string; upTo: string | undefined } | { only: string };

/**
 * The next page's last account: the `pageSize`-th after `after`, or undefined when fewer are left (the last page).
 * Read before the page's own snapshot, so pages can be handed out ahead; the ranges still cover every member ID once
 * whatever is written in between, and an account created meanwhile is audited by the page whose range holds it.
 */
async function pageEnd(db: Executor, after: string, pageSize: number): Promise<string | undefined> {
  const [row] = await rawQuery<{ member_id: string }>(db, `select member_id from credit_accounts where member_id > ? order by member_id limit 1 offset ?`, [after, pageSize - 1]);
  return row?.member_id;
}

async function auditPage(db: Executor, page: PageRange, findings: Findings): Promise<PageResult> {
  const inRange = (column: string): { text: string; params: string[] } =>
    'only' in page
      ? { text: `${column} = ?`, params: [page.only] }
      : page.upTo === undefined
        ? { text: `${column} > ?`, params: [page.after] }
        : { text: `${column} > ? and ${column} <= ?`, params: [page.after, page.upTo] };
  const range = inRange('member_id');
  const accounts = (await rawQuery<Parameters<typeof toAuditedAccount>[0]>(db, `select ${accountColumns} from credit_accounts where ${range.text} order by member_id`, range.params)).map(toAuditedAccount);
  if (accounts.length === 0 && 'only' in page) return { members: 0, transactions: 0 };
  const byMember = new Map(accounts.map((a) => [a.memberId, a]));
  const { bucketSums, lotSums, heldSums, unbalanced } = await postingSums(db, range);

  // LG-2: cached balances = sum of postings, bucket by bucket.
  const fromPostings = new Map<string, { pending: number; available: number; held: number; debt: number }>();
  for (const row of bucketSums) {
    const entry = fromPostings.get(row.member_id) ?? { pending: 0, available: 0, held: 0, debt: 0 };
    const total = Number(row.total);
    if (row.account === 'debt') entry.debt -= total;
    else entry[row.account as 'pending' | 'available' | 'held'] += total;
    fromPostings.set(row.member_id, entry);
  }
  for (const memberId of fromPostings.keys()) if (!byMember.has(memberId)) findings.add(memberId, 'account-missing', 'postings exist for a member without an account row');
  for (const account of accounts) {
    const sums = fromPostings.get(account.memberId) ?? { pending: 0, available: 0, held: 0, debt: 0 };
    for (const bucket of ['pending', 'available', 'held', 'debt'] as const) {
      if (sums[bucket] !== account[bucket]) findings.add(account.memberId, 'balance-vs-postings', `${bucket}: account ${account[bucket]}, postings ${sums[bucket]}`);
    }
    if (account.debt > 0 && account.available > 0) findings.add(account.memberId, 'debt-settles-first', `debt ${account.debt} while ${account.available} credits are available`);
  }

  // LG-2: lot state = sum of the lot's postings; 0 ≤ held ≤ remaining ≤ original.
  const perLot = new Map<string, { pending: number; available: number; held: number }>();
  const memberOfLot = new Map<string, string>();
  for (const row of lotSums) {
    memberOfLot.set(row.lot_id, row.member_id);
    const entry = perLot.get(row.lot_id) ?? { pending: 0, available: 0, held: 0 };
    entry[row.account as 'pending' | 'available' | 'held'] += Number(row.total);
    perLot.set(row.lot_id, entry);
  }
  type LotRow = Parameters<typeof toAuditedLot>[0];
  const liveLots = await rawQuery<LotRow>(db, `select ${lotColumns} from ${lotsTable(db)} where ${range.text} and state in ('pending', 'available')`, range.params);
  const unlockedThrough = (memberId: string) => byMember.get(memberId)?.unlockedThroughMs ?? null;
  const lots = new Map<string, AuditedLot>(liveLots.map((row) => [row.id, toAuditedLot(row, unlockedThrough(row.member_id))]));
  // Lots that left the live set (spent, expired, voided…) but have postings: fetched by key, a page of members at a time.
  const others = [...perLot.keys()].filter((id) => !lots.has(id));
  for (let i = 0; i < others.length; i += lotChunk) {
    const chunk = others.slice(i, i + lotChunk);
    const members = [...new Set(chunk.map((id) => memberOfLot.get(id)!))];
    const rows = await rawQuery<LotRow>(
      db,
      `select ${lotColumns} from ${lotsTable(db)} where member_id in (${members.map(() => '?').join(', ')}) and id in (${chunk.map(() => '?').join(', ')})`,
      [...members, ...chunk],
    );
    for (const row of rows) lots.set(row.id, toAuditedLot(row, unlockedThrough(row.member_id)));
  }
  const lotTotals = new Map<string, { pending: number; available: number; held: number }>();
  for (const lot of lots.values()) {
    if (!(lot.held >= 0 && lot.held <= lot.remaining && lot.remaining <= lot.original)) {
      findings.add(lot.memberId, 'lot-bounds', `lot ${lot.id}: held ${lot.held}, remaining ${lot.remaining}, original ${lot.original}`);
    }
    if (lot.state === 'pending' && lot.held !== 0) findings.add(lot.memberId, 'lot-bounds', `lot ${lot.id}: a pending lot is held`);
    const buckets = lotBuckets(lot);
    const sums = perLot.get(lot.id) ?? { pending: 0, available: 0, held: 0 };
    for (const bucket of ['pending', 'available', 'held'] as const) {
      if (buckets[bucket] !== sums[bucket]) findings.add(lot.memberId, 'lot-vs-postings', `lot ${lot.id} ${bucket}: lot ${buckets[bucket]}, postings ${sums[bucket]}`);
    }
    const total = lotTotals.get(lot.memberId) ?? { pending: 0, available: 0, held: 0 };
    total.pending += buckets.pending;
    total.available += buckets.available;
    total.held += buckets.held;
    lotTotals.set(lot.memberId, total);
  }
  for (const id of perLot.keys()) if (!lots.has(id)) findings.add(null, 'lot-missing', `postings name lot ${id}, which does not exist`);
  if (!isPostgres(db)) await auditDeferredLots(db, inRange, findings);
  for (const account of accounts) {
    const total = lotTotals.get(account.memberId) ?? { pending: 0, available: 0, held: 0 };
    for (const bucket of ['pending', 'available', 'held'] as const) {
      if (total[bucket] !== account[bucket]) findings.add(account.memberId, 'balance-vs-lots', `${bucket}: account ${account[bucket]}, lots ${total[bucket]}`);
    }
  }

  // Holds: what each active hold holds on each lot = the held postings under it = the lots' held amounts.
  const holders = inRange('h.member_id');
  const holdLots = await rawQuery<{ hold_id: string; lot_id: string; held: number; member_id: string }>(
    db,
    `select hl.hold_id, hl.lot_id, hl.held, hl.member_id from credit_hold_lots hl join credit_holds h on h.id = hl.hold_id
     where ${holders.text} and h.state = 'active'`,
    holders.params,
  );
  const expectedHeld = new Map(holdLots.map((r) => [`${r.hold_id}|${r.lot_id}`, Number(r.held)]));
  for (const row of heldSums) {
    const key = `${row.hold_id}|${row.lot_id}`;
    const total = Number(row.total);
    if (total !== (expectedHeld.get(key) ?? 0)) findings.add(null, 'hold-vs-postings', `hold ${row.hold_id} on lot ${row.lot_id}: postings ${total}, hold ${expectedHeld.get(key) ?? 0}`);
    expectedHeld.delete(key);
  }
  for (const [key, held] of expectedHeld) if (held !== 0) findings.add(null, 'hold-vs-postings', `hold/lot ${key}: hold ${held}, no postings`);
  const heldByLot = new Map<string, number>();
  for (const row of holdLots) heldByLot.set(row.lot_id, (heldByLot.get(row.lot_id) ?? 0) + Number(row.held));
  for (const lot of lots.values()) {
    if ((heldByLot.get(lot.id) ?? 0) !== lot.held) findings.add(lot.memberId, 'lot-vs-holds', `lot ${lot.id}: held ${lot.held}, active holds ${heldByLot.get(lot.id) ?? 0}`);
  }

  // Double entry: every transaction's postings sum to zero.
  for (const row of unbalanced) findings.add(row.member_id, 'double-entry', `transaction version ${row.version} sums to ${row.total}`);

  // Gap-free versions: 1…version, one transaction each; no postings without their transaction.
  const versions = await rawQuery<{ member_id: string; n: number; low: number; high: number }>(
    db,
    `select member_id, count(*) as n, min(version) as low, max(version) as high from credit_transactions where ${range.text} group by member_id`,
    range.params,
  );
  let transactions = 0;
  const seen = new Set<string>();
  for (const row of versions) {
    const n = Number(row.n);
    transactions += n;
    seen.add(row.member_id);
    const account = byMember.get(row.member_id);
    if (!account) continue;
    if (Number(row.low) !== 1 || Number(row.high) !== n || n !== account.version) {
      findings.add(row.member_id, 'gap-free-versions', `${n} transactions, versions ${row.low}…${row.high}, account at version ${account.version}`);
    }
  }
  for (const account of accounts) if (!seen.has(account.memberId) && account.version !== 0) findings.add(account.memberId, 'gap-free-versions', `account at version ${account.version} without transactions`);
  // Only the rows written before migration 0420 can lack their transaction: a posting since then lives inside its
  // transaction's row. (Through the view, PostgreSQL planned this as a parallel query per page: ~50 ms of worker start
  // for a few thousand rows, most of the audit's time.)
  const legacy = inRange('p.member_id');
  const [orphans] = await rawQuery<{ n: number }>(
    db,
    `select count(*) as n from credit_postings_legacy p where ${legacy.text}
     and not exists (select 1 from credit_transactions t where t.member_id = p.member_id and t.version = p.version)`,
    legacy.params,
  );
  if (Number(orphans?.n ?? 0) > 0) findings.add(null, 'orphan-postings', `${orphans?.n} postings have no transaction`);

  return { members: accounts.length, transactions };
}

/**
 * Every member's page, `concurrency` at a time. The pages' ends are read one after another (each starts after the
 * previous page's end), the pages themselves run in parallel, each in its own snapshot.
 */
async function auditPages(db: Executor, pageSize: number, concurrency: number, findings: Findings, tally: (page: PageResult) => void): Promise<void> {
  let after: string | undefined = '';
  let stopped = false;
  let ends: Promise<unknown> = Promise.resolve();
  const nextRange = (): Promise<PageRange | undefined> => {
    const taken = ends.then(async (): Promise<PageRange | undefined> => {
      if (after === undefined || stopped) return undefined;
      const upTo = await pageEnd(db, after, pageSize);
      const range = { after, upTo };
      after = upTo;
      return range;
    });
    ends = taken.catch(() => undefined);
    return taken;
  };
  let pages = 0;
  const worker = async () => {
    try {
      for (let range = await nextRange(); range !== undefined; range = await nextRange()) {
        if (pages++ > 0) await yieldBetweenBatches();
        const page = range;
        tally(await inSnapshot(db, (snapshot) => auditPage(snapshot, page, findings)));
      }
    } catch (error) {
      stopped = true;
      throw error;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

/**
 * SQLite's lots still in their transaction rows (migration 0429): none is also in credit_lots (it would count twice
 * where the checks above, keyed by lot, see it once), and each marked account has such lots, marked no later than the
 * soonest of their expiries (a later mark would let the sweep find their warnings late). Read as the view flattens
 * (the page's accounts, then their transactions from the mark): joined in SQL with credit_lots or the accounts, SQLite
 * built the whole view for every page (an S run's audit took 294 s instead of about 30).
 */
async function auditDeferredLots(db: Executor, inRange: (column: string) => { text: string; params: string[] }, findings: Findings): Promise<void> {
  const range = inRange('member_id');
  const deferred = await rawQuery<{ member_id: string; id: string; expires_at_ms: number }>(db, `select member_id, id, expires_at_ms from credit_lots_deferred where ${range.text}`, range.params);
  const marks = await rawQuery<{ member_id: string; mark: number | null }>(
    db,
    `select member_id, deferred_expires_at_ms as mark from credit_accounts where ${range.text} and deferred_from_version is not null`,
    range.params,
  );
  const soonest = new Map<string, number>();
  for (const lot of deferred) soonest.set(lot.member_id, Math.min(soonest.get(lot.member_id) ?? Infinity, Number(lot.expires_at_ms)));
  for (const { member_id: memberId, mark } of marks) {
    const first = soonest.get(memberId);
    if (first === undefined) findings.add(memberId, 'lot-deferred-mark', 'the account marks deferred lots and has none');
    else if (mark === null || Number(mark) > first) findings.add(memberId, 'lot-deferred-mark', `deferred lots' soonest expiry ${first}, marked ${mark}`);
  }
  for (let i = 0; i < deferred.length; i += lotChunk) {
    const chunk = deferred.slice(i, i + lotChunk);
    const members = [...new Set(chunk.map((lot) => lot.member_id))];
    const stored = await rawQuery<{ member_id: string; id: string }>(
      db,
      `select member_id, id from credit_lots where member_id in (${members.map(() => '?').join(', ')}) and id in (${chunk.map(() => '?').join(', ')})`,
      [...members, ...chunk.map((lot) => lot.id)],
    );
    for (const row of stored) findings.add(row.member_id, 'lot-deferred-twice', `lot ${row.id} is in credit_lots and in its transaction row`);
  }
}

async function auditGlobal(db: Executor, findings: Findings): Promise<AuditTotals> {
  const rows = await rawQuery<{ account: string; total: number }>(db, `select account, sum(amount) as total from credit_postings group by account`, []);
  const sum = (name: string) => Number(rows.find((r) => r.account === name)?.total ?? 0);
  const all = rows.reduce((s, r) => s + Number(r.total), 0);
  if (all !== 0) findings.add(null, 'global-double-entry', `all postings sum to ${all}`);
  const memberPostings = sum('pending') + sum('available') + sum('held') + sum('debt');
  const [accounts] = await rawQuery<{ total: number | null }>(db, `select sum(available + pending + held - debt) as total from credit_accounts`, []);
  const [lots] = await rawQuery<{ total: number | null }>(db, `select sum(remaining) as total from ${lotsTable(db)}`, []);
  const [debt] = await rawQuery<{ total: number | null }>(db, `select sum(debt) as total from credit_accounts`, []);
  const totals: AuditTotals = {
    issued: 0 - sum('program:issued') + 0,
    adjusted: 0 - sum('program:adjusted') + 0,
    spent: sum('program:spent'),
    expired: sum('program:expired'),
    reversed: sum('program:reversed'),
    forfeited: sum('program:forfeited'),
    outstanding: 0,
    memberPostings,
    accountBalances: Number(accounts?.total ?? 0),
    lotRemainingMinusDebt: Number(lots?.total ?? 0) - Number(debt?.total ?? 0),
  };
  totals.outstanding = totals.issued + totals.adjusted - totals.spent - totals.expired - totals.reversed - totals.forfeited;
  if (totals.outstanding !== memberPostings) findings.add(null, 'conservation', `outstanding ${totals.outstanding}, member postings ${memberPostings}`);
  if (totals.accountBalances !== memberPostings) findings.add(null, 'conservation', `account balances ${totals.accountBalances}, member postings ${memberPostings}`);
  if (totals.lotRemainingMinusDebt !== memberPostings) findings.add(null, 'conservation', `lots − debt ${totals.lotRemainingMinusDebt}, member postings ${memberPostings}`);
  return totals;
}

function emptyTotals(): AuditTotals {
  return { issued: 0, adjusted: 0, spent: 0, expired: 0, reversed: 0, forfeited: 0, outstanding: 0, memberPostings: 0, accountBalances: 0, lotRemainingMinusDebt: 0 };
}

/** How many of the newest balance snapshots each run recomputes from the postings. */
export const snapshotSample = 50;

/**
 * PF-7 snapshots are derived data, but a wrong one would make point-in-time reads wrong: a sample of them (the
 * newest, or the audited member's) is recomputed from the postings alone and must agree in every field.
 */
async function auditSnapshots(db: Executor, findings: Findings, memberId?: string): Promise<void> {
  for (const stored of await sampleSnapshots(db, snapshotSample, memberId)) {
    const version = Number(stored.version);
    const fresh = await computeSnapshot(db, stored.member_id, version, 0, { fromScratch: true });
    const differs = !fresh || fresh.sums !== stored.sums || fresh.at_ms !== Number(stored.at_ms) || fresh.max_at_ms !== Number(stored.max_at_ms)
      || fresh.lifetime_after !== Number(stored.lifetime_after) || fresh.recorded_at_ms !== Number(stored.recorded_at_ms)
      || Number(stored.base_version) >= version
      || (await periodSpan(db, stored.member_id, Number(stored.base_version), version)).minAtMs !== Number(stored.period_min_at_ms);
    if (differs) findings.add(stored.member_id, 'snapshot-vs-postings', `balance snapshot at version ${version} disagrees with the postings`);
  }
}

/** Checks everything without storing a run (tests and benchmarks use it directly too). */
export async function auditCreditsLedger(ctx: Ctx, options: AuditOptions): Promise<AuditReport> {
  const startedAtMs = ctx.clock.nowMs();
  const findings = new Findings();
  const pageSize = options.pageSize ?? 100;
  let membersChecked = 0;
  let transactionsChecked = 0;
  const tally = (page: PageResult) => {
    membersChecked += page.members;
    transactionsChecked += page.transactions;
  };
  if (options.memberId !== undefined) {
    const only = options.memberId;
    tally(await inSnapshot(ctx.db, (db) => auditPage(db, { only }, findings)));
  } else {
    await auditPages(ctx.db, pageSize, isPostgres(ctx.db) ? Math.max(1, options.concurrency ?? 1) : 1, findings, tally);
  }
  const totals = options.memberId === undefined ? await inSnapshot(ctx.db, (db) => auditGlobal(db, findings)) : emptyTotals();
  await auditSnapshots(ctx.db, findings, options.memberId);
  return {
    id: ctx.ids.next('aud'),
    trigger: options.trigger,
    actorId: options.actorId,
    startedAtMs,
    finishedAtMs: ctx.clock.nowMs(),
    ok: findings.count === 0,
    membersChecked,
    transactionsChecked,
    problemCount: findings.count,
    problems: findings.list,
    totals,
  };
}

/** `runCreditsAudit(deps)`: audits and stores the run for the console. */
export async function runCreditsAudit(ctx: Ctx, options: AuditOptions = { trigger: 'manual', actorId: null }): Promise<AuditReport> {
  const report = await auditCreditsLedger(ctx, options);
  const row: CreditAuditRunRow = {
    id: report.id,
    trigger: report.trigger,
    actor_id: report.actorId,
    started_at_ms: report.startedAtMs,
    finished_at_ms: report.finishedAtMs,
    ok: report.ok ? 1 : 0,
    members_checked: report.membersChecked,
    transactions_checked: report.transactionsChecked,
    problem_count: report.problemCount,
    problems: JSON.stringify(report.problems),
    totals: JSON.stringify(report.totals),
  };
  await creditTables(ctx.db).insertInto('credit_audit_runs').values(row).execute();
  return report;
}

const storedProblems = z.array(z.object({ memberId: z.string().nullable(), check: z.string(), detail: z.string() }));
const storedTotals = z.object({
  issued: z.number(), adjusted: z.number(), spent: z.number(), expired: z.number(), reversed: z.number(), forfeited: z.number(),
  outstanding: z.number(), memberPostings: z.number(), accountBalances: z.number(), lotRemainingMinusDebt: z.number(),
});

function toReport(row: CreditAuditRunRow): AuditReport {
  return {
    id: row.id,
    trigger: row.trigger,
    actorId: row.actor_id,
    startedAtMs: Number(row.started_at_ms),
    finishedAtMs: Number(row.finished_at_ms),
    ok: Number(row.ok) === 1,
    membersChecked: Number(row.members_checked),
    transactionsChecked: Number(row.transactions_checked),
    problemCount: Number(row.problem_count),
    problems: storedProblems.parse(JSON.parse(row.problems)),
    totals: storedTotals.parse(JSON.parse(row.totals)),
  };
}

export async function listAuditRuns(ctx: Pick<Ctx, 'db'>, options: { limit?: number } = {}): Promise<AuditReport[]> {
  const rows = await creditTables(ctx.db).selectFrom('credit_audit_runs').selectAll().orderBy('started_at_ms', 'desc').orderBy('id', 'desc').limit(options.limit ?? 20).execute();
  return rows.map(toReport);
}
