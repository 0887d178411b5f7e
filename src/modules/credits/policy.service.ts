// Program policy versions (CR-6): read (cached: a published version never changes), list and publish.
import type { Ctx } from '../../deps.ts';
import { transact } from '../../deps.ts';
import type { Executor } from '../../db/database.ts';
import { databaseMemo } from '../../db/database-memo.ts';
import { AppError } from '../../platform/errors.ts';
import { recordAudit } from '../audit/index.ts';
import { isUniqueViolation } from '../../db/unique-violation.ts';
import { creditTables, type CreditPolicyRow } from './ledger.table.ts';
import { policySettingsSchema, type Policy, type PolicySettings, type PolicySettingsInput } from './policy.rules.ts';

function toPolicy(row: CreditPolicyRow): Policy {
  return {
    version: Number(row.version),
    earnCreditsPerMajorUnit: Number(row.earn_credits_per_major_unit),
    spendCreditsPerMajorUnit: Number(row.spend_credits_per_major_unit),
    registrationBonusCredits: Number(row.registration_bonus_credits),
    profileBonusCredits: Number(row.profile_bonus_credits),
    pendingPeriodMs: Number(row.pending_period_ms),
    lifetimeMs: Number(row.lifetime_ms),
    expiryWarningMs: Number(row.expiry_warning_ms),
    holdTimeoutMs: Number(row.hold_timeout_ms),
    plusMultiplier: Number(row.plus_multiplier),
    adjustmentApprovalThresholdCredits: Number(row.adjustment_approval_threshold_credits),
    publishedAtMs: Number(row.published_at_ms),
    publishedBy: row.published_by,
    note: row.note,
  };
}

// Versions are immutable (the table refuses UPDATE), so a version once read is cached for good. The cache is keyed by
// database (src/db/database-memo.ts): tests open many databases.
const cacheFor = databaseMemo(() => new Map<number, Policy>());

export async function getPolicyVersion(ctx: Pick<Ctx, 'db'>, version: number): Promise<Policy> {
  const map = cacheFor(ctx.db);
  const cached = map.get(version);
  if (cached) return cached;
  const row = await creditTables(ctx.db).selectFrom('credit_policies').selectAll().where('version', '=', version).executeTakeFirst();
  if (!row) throw new AppError('not_found', `Policy version ${version} was not found.`);
  const policy = toPolicy(row);
  map.set(version, policy);
  return policy;
}

export async function currentPolicyVersion(ctx: Pick<Ctx, 'db'>): Promise<number> {
  const row = await creditTables(ctx.db).selectFrom('credit_policies').select((eb) => eb.fn.max('version').as('version')).executeTakeFirstOrThrow();
  return Number(row.version);
}

export async function getCurrentPolicy(ctx: Pick<Ctx, 'db'>): Promise<Policy> {
  return getPolicyVersion(ctx, await currentPolicyVersion(ctx));
}

/** The highest version this process has seen (a hint for single-statement fast paths, which re-check it). */
export function cachedCurrentVersion(db: Executor): number | undefined {
  const map = cacheFor(db);
  let max: number | undefined;
  for (const version of map.keys()) if (max === undefined || version > max) max = version;
  return max;
}

export async function listPolicies(ctx: Pick<Ctx, 'db'>): Promise<Policy[]> {
  const rows = await creditTables(ctx.db).selectFrom('credit_policies').selectAll().orderBy('version', 'desc').execute();
  return rows.map(toPolicy);
}

export interface PublishPolicyInput {
  /** Every setting; one left out that has a carry-over rule (the approval threshold) keeps the current value. */
  settings: PolicySettingsInput;
  note: string | null;
  actor: { id: string; role: 'agent' | 'admin' };
}

/** Publishes the next version; postings already made keep the version they recorded (CR-6). */
export async function publishPolicy(ctx: Ctx, input: PublishPolicyInput): Promise<Policy> {
  const given = policySettingsSchema.parse(input.settings);
  const work = async (trx: Ctx): Promise<Policy> => {
    const latest = await currentPolicyVersion(trx);
    const settings: PolicySettings = {
      ...given,
      adjustmentApprovalThresholdCredits: given.adjustmentApprovalThresholdCredits ?? (await getPolicyVersion(trx, latest)).adjustmentApprovalThresholdCredits,
    };
    const row: CreditPolicyRow = {
      version: latest + 1,
      earn_credits_per_major_unit: settings.earnCreditsPerMajorUnit,
      spend_credits_per_major_unit: settings.spendCreditsPerMajorUnit,
      registration_bonus_credits: settings.registrationBonusCredits,
      profile_bonus_credits: settings.profileBonusCredits,
      pending_period_ms: settings.pendingPeriodMs,
      lifetime_ms: settings.lifetimeMs,
      expiry_warning_ms: settings.expiryWarningMs,
      hold_timeout_ms: settings.holdTimeoutMs,
      plus_multiplier: settings.plusMultiplier,
      adjustment_approval_threshold_credits: settings.adjustmentApprovalThresholdCredits,
      published_at_ms: trx.clock.nowMs(),
      published_by: input.actor.id,
      note: input.note,
    };
    try {
      await creditTables(trx.db).insertInto('credit_policies').values(row).execute();
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      throw new AppError('conflict', 'Another policy version was published at the same time. Reload and try again.');
    }
    await recordAudit(trx, {
      actor: { id: input.actor.id, role: input.actor.role },
      action: 'credits.policy_published',
      memberId: null,
      subject: `policy:${row.version}`,
      // The note is free text: it stays on the policy version the subject names, not in the audit log (PV-33).
      details: { version: row.version, ...settings },
    });
    return toPolicy(row);
  };
  return ctx.db.isTransaction ? work(ctx) : transact(ctx, work);
}
