// The one way an operation touches a member's credits: one transaction (the caller's, or one of its own), the
// member's account row locked first, the idempotency key checked under that lock (LG-3), time events due by now
// materialised before the operation (CR-9), then everything written back in as few statements as the dialect allows.
import { hash as digest } from 'node:crypto';
import type { z } from 'zod';
import type { Ctx } from '../../deps.ts';
import { AppError } from '../../platform/errors.ts';
import { canonicalJson } from '../../platform/canonical-json.ts';
import { assert, assertNever } from '../../platform/assert.ts';
import {
  advanceTo, closeTransaction, computeNextDue, emptyAccount, finishOperation, newBook, openTransaction,
  type Account, type Book, type Env, type TransactionDraft, type TransactionKind, type TransactionLinks,
} from './ledger.rules.ts';
import { isPostgres } from '../../db/database.ts';
import { databaseMemo } from '../../db/database-memo.ts';
import { appendBook, callAppend, insertEmptyAccount, lockMember, persistBooks, type FastAnswer, type LoadedMember } from './ledger.repository.ts';
import { appendInGroup, inLedgerTransaction } from './group-commit.ts';
import { getCurrentPolicy, getPolicyVersion } from './policy.service.ts';
import type { Policy } from './policy.rules.ts';
import { enqueueNotices } from './notices.ts';

export function requestHash(scope: string, request: unknown): string {
  // The one-shot digest: the same SHA-256 as a Hash object's, without making one per operation.
  return digest('sha256', `${scope}\n${canonicalJson(request)}`, 'base64url');
}

export interface OperationContext {
  book: Book;
  env: Env;
  policy: Policy;
  /** Opens the operation's own transaction, carrying its idempotency key and request hash. */
  open(kind: TransactionKind, reason: string, links?: TransactionLinks): TransactionDraft;
}

export interface OperationSpec<R> {
  memberId: string;
  /** The idempotency scope (usually the operation's name) and the caller's key (LG-3, PL-4). */
  scope: string;
  key: string;
  request: unknown;
  resultSchema: z.ZodType<R>;
  /** Create the account row when the member has none yet (operations that add credits). */
  createAccount: boolean;
  /** Load every live lot and hold even when no time event is due (anything that spends or inspects lots). */
  needsBook: boolean | ((policy: Policy, nowMs: number) => boolean);
  /** The answer when the member has no account and createAccount is false. */
  whenMissing(): R;
  /** The answer for a closed account (CR-22): refuse, or a no-op result. */
  whenClosed(account: Account): R;
  /**
   * PostgreSQL fast path for operations that only append one transaction with new lots (earnings, bonuses, upward
   * adjustments): one call does it when the account is open, no time event is due and (if asked) there is no debt;
   * otherwise the general path runs. `when` says whether this request qualifies at all.
   */
  fastAppend?: { requireNoDebt: boolean; when?: (policy: Policy, nowMs: number) => boolean };
  /** Extra reads under the lock (the lot of an order line, the lots of a spend). */
  prepare?(ctx: Ctx, operation: OperationContext): Promise<void>;
  apply(operation: OperationContext): R;
}

/**
 * Runs one member operation in the caller's transaction, or (when the caller holds none) in a group commit: queued
 * with concurrent operations, committed together, each in its own savepoint (group-commit.ts).
 */
export async function runMemberOperation<R>(ctx: Ctx, spec: OperationSpec<R>): Promise<R> {
  const hash = requestHash(spec.scope, spec.request);
  if (spec.fastAppend && !ctx.db.isTransaction) {
    const grouped = await appendGrouped(ctx, spec, hash);
    if (grouped.done) return grouped.value;
    if (grouped.tried) return inLedgerTransaction(ctx, spec.memberId, (trx) => operate(trx, spec, hash));
  }
  return inLedgerTransaction(ctx, spec.memberId, async (trx) => {
    if (spec.fastAppend && isPostgres(trx.db)) {
      const fast = await appendFast(trx, spec, hash);
      if (fast.done) return fast.value;
    }
    return operate(trx, spec, hash);
  });
}

/** LG-3: the same key and request answer the first result; the same key with another request is a conflict. */
export function replayResult<R>(scope: string, key: string, schema: z.ZodType<R>, hash: string, hit: { requestHash: string; result: string | null }): R {
  if (hit.requestHash !== hash) {
    throw new AppError('idempotency_conflict', 'This idempotency key was already used with a different request.', { scope, key });
  }
  assert(hit.result !== null, `the transaction under key ${scope}/${key} has no stored result`);
  return schema.parse(JSON.parse(hit.result));
}

function replay<R>(spec: OperationSpec<R>, hash: string, hit: { requestHash: string; result: string | null }): R {
  return replayResult(spec.scope, spec.key, spec.resultSchema, hash, hit);
}

/** The current policy as far as this process knows (a hint: the database re-checks the version it is given). */
export async function policyHint(ctx: Ctx): Promise<Policy> {
  const known = latestOf(ctx.db).policy;
  if (known) return known;
  const policy = await getCurrentPolicy(ctx);
  rememberLatest(ctx, policy);
  return policy;
}

export interface PreparedAppend<R> {
  result: R;
  payload: Record<string, unknown>;
}

/** Runs an append-only operation on an empty stand-in book and packs what it wrote for credits_append. */
export function prepareAppend<R>(ctx: Ctx, spec: OperationSpec<R>, hash: string, policy: Policy): PreparedAppend<R> {
  const nowMs = ctx.clock.nowMs();
  const book = newBook(emptyAccount(spec.memberId, nowMs), [], [], false);
  const env: Env = { nowMs, policyVersion: policy.version, newId: (prefix) => ctx.ids.next(prefix) };
  let own: TransactionDraft | undefined;
  const result = spec.apply({
    book,
    env,
    policy,
    open(kind, reason, links) {
      assert(own === undefined, 'an operation opens one transaction');
      own = openTransaction(book, env, { kind, reason, idemScope: spec.scope, idemKey: spec.key, requestHash: hash, atMs: nowMs, links });
      return own;
    },
  });
  assert(own, `operation ${spec.scope} recorded no transaction`);
  own.result = JSON.stringify(result);
  closeTransaction(book, own, { keepEmpty: true });
  const after = book.account;
  assert(after.held === 0 && after.debt === 0, 'an append only adds pending or available credits');
  return {
    result,
    payload: {
      memberId: spec.memberId,
      nowMs,
      idemScope: spec.scope,
      idemKey: spec.key,
      requestHash: hash,
      policyVersion: policy.version,
      requireNoDebt: spec.fastAppend?.requireNoDebt ?? true,
      availableDelta: after.available,
      pendingDelta: after.pending,
      lifetimeDelta: after.lifetimeEarned,
      nextDueAtMs: computeNextDue(book),
      // The rules' own objects: SQLite's group binds their values, PostgreSQL's callers send them as its functions read
      // them (ledger.repository.ts callAppend, callAppendGroup).
      ...appendBook(book),
    },
  };
}

/** Settles a fast-path answer: the result, a replay, or "not done" (the general path takes over). */
export function settleAppend<R>(spec: OperationSpec<R>, hash: string, prepared: PreparedAppend<R>, answer: FastAnswer): { done: true; value: R } | { done: false } {
  switch (answer.status) {
    case 'applied':
      return { done: true, value: prepared.result };
    case 'replay':
      return { done: true, value: replay(spec, hash, answer) };
    case 'insufficient':
    case 'fallback':
      return { done: false };
    default:
      return assertNever(answer, 'fast-path answer');
  }
}

/**
 * Outside a caller's transaction: the append goes with the group's other appends in one statement (PostgreSQL) or
 * one synchronous write transaction (SQLite; group-commit.ts appendInGroup). `tried` says it reached the database and needs the general path (a due time
 * event, debt, a new policy); neither `done` nor `tried` means there was no append group to join.
 */
async function appendGrouped<R>(ctx: Ctx, spec: OperationSpec<R>, hash: string): Promise<{ done: true; value: R } | { done: false; tried: boolean }> {
  const policy = await policyHint(ctx);
  if (spec.fastAppend?.when && !spec.fastAppend.when(policy, ctx.clock.nowMs())) return { done: false, tried: false };
  const prepared = prepareAppend(ctx, spec, hash, policy);
  const answer = appendInGroup(ctx, spec.memberId, { payload: prepared.payload });
  if (!answer) return { done: false, tried: false };
  const settled = settleAppend(spec, hash, prepared, await answer);
  return settled.done ? settled : { done: false, tried: true };
}

async function appendFast<R>(ctx: Ctx, spec: OperationSpec<R>, hash: string): Promise<{ done: true; value: R } | { done: false }> {
  const policy = await policyHint(ctx);
  if (spec.fastAppend?.when && !spec.fastAppend.when(policy, ctx.clock.nowMs())) return { done: false };
  const prepared = prepareAppend(ctx, spec, hash, policy);
  const answer = await callAppend(ctx.db, prepared.payload);
  return settleAppend(spec, hash, prepared, answer);
}

async function operate<R>(ctx: Ctx, spec: OperationSpec<R>, hash: string): Promise<R> {
  const nowMs = ctx.clock.nowMs();
  const load = async (policyHint: Policy | undefined): Promise<LoadedMember> => {
    const force = typeof spec.needsBook === 'function' ? (policyHint ? spec.needsBook(policyHint, nowMs) : true) : spec.needsBook;
    return lockMember(ctx.db, { memberId: spec.memberId, idemScope: spec.scope, idemKey: spec.key, forceBook: force, nowMs });
  };
  let loaded = await load(latestOf(ctx.db).policy);
  if (loaded.idempotent) return replay(spec, hash, loaded.idempotent);
  if (!loaded.account) {
    if (!spec.createAccount) return spec.whenMissing();
    await insertEmptyAccount(ctx.db, spec.memberId, nowMs);
    loaded = await load(latestOf(ctx.db).policy);
    if (loaded.idempotent) return replay(spec, hash, loaded.idempotent);
  }
  const policy = await getPolicyVersion(ctx, loaded.currentPolicyVersion);
  rememberLatest(ctx, policy);
  let account = loaded.account ?? emptyAccount(spec.memberId, nowMs);
  if (account.state === 'closed') return spec.whenClosed(account);
  // The first read guessed whether the book was needed with the policy then known; settle it with the real one.
  if (!loaded.lots && typeof spec.needsBook === 'function' && spec.needsBook(policy, nowMs)) {
    loaded = await lockMember(ctx.db, { memberId: spec.memberId, idemScope: spec.scope, idemKey: spec.key, forceBook: true, nowMs });
    account = loaded.account!;
  }
  const complete = loaded.lots !== undefined;
  const book = newBook(account, loaded.lots ?? [], loaded.holds ?? [], complete);
  const env: Env = { nowMs, policyVersion: policy.version, newId: (prefix) => ctx.ids.next(prefix) };
  if (complete) advanceTo(book, env, nowMs);
  let own: TransactionDraft | undefined;
  const operation: OperationContext = {
    book,
    env,
    policy,
    open(kind, reason, links) {
      assert(own === undefined, 'an operation opens one transaction');
      own = openTransaction(book, env, { kind, reason, idemScope: spec.scope, idemKey: spec.key, requestHash: hash, atMs: nowMs, links });
      return own;
    },
  };
  await spec.prepare?.(ctx, operation);
  const result = spec.apply(operation);
  assert(own, `operation ${spec.scope} recorded no transaction`);
  own.result = JSON.stringify(result);
  closeTransaction(book, own, { keepEmpty: true });
  finishOperation(book, env);
  await persistBooks(ctx.db, [book]);
  await enqueueNotices(ctx, book.notices);
  return result;
}

// The newest policy this process has used, per database: a hint for deciding what to load before the lock read
// tells us the real current version (a stale hint costs one more read, never a wrong answer).
const latestOf = databaseMemo((): { policy?: Policy } => ({}));



function rememberLatest(ctx: Ctx, policy: Policy): void {
  const latest = latestOf(ctx.db);
  if (!latest.policy || latest.policy.version < policy.version) latest.policy = policy;
}
