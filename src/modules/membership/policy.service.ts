// The versioned membership policy (prices, notice leads, dunning, benefits): published versions are immutable, and a
// subscription records the version its price came from.
import type { Ctx } from '../../deps.ts';
import { databaseMemo } from '../../db/database-memo.ts';
import { AppError } from '../../platform/errors.ts';
import { recordAudit, type ActorRole } from '../audit/index.ts';
import { membershipSettingsSchema, type MembershipPolicy, type MembershipSettings } from './membership.rules.ts';
import { membershipTables, type MembershipPolicyRow } from './membership.table.ts';

function toPolicy(row: MembershipPolicyRow): MembershipPolicy {
  return {
    ...membershipSettingsSchema.parse(JSON.parse(row.settings)),
    version: Number(row.version),
    publishedAtMs: Number(row.published_at_ms),
    publishedBy: row.published_by,
    note: row.note,
  };
}

// Versions never change once written (the table refuses UPDATE), so each is read once per database.
const versionsOf = databaseMemo(() => new Map<number, MembershipPolicy>());

export async function getMembershipPolicyVersion(ctx: Pick<Ctx, 'db'>, version: number): Promise<MembershipPolicy> {
  const cache = versionsOf(ctx.db);
  const cached = cache.get(version);
  if (cached) return cached;
  const row = await membershipTables(ctx.db).selectFrom('membership_policies').selectAll().where('version', '=', version).executeTakeFirst();
  if (!row) throw new AppError('not_found', `Membership policy version ${version} was not found.`);
  const policy = toPolicy(row);
  cache.set(version, policy);
  return policy;
}

export async function getCurrentMembershipPolicy(ctx: Pick<Ctx, 'db'>): Promise<MembershipPolicy> {
  const row = await membershipTables(ctx.db).selectFrom('membership_policies').select((eb) => eb.fn.max('version').as('version')).executeTakeFirstOrThrow();
  return getMembershipPolicyVersion(ctx, Number(row.version));
}

export async function listMembershipPolicies(ctx: Pick<Ctx, 'db'>): Promise<MembershipPolicy[]> {
  const rows = await membershipTables(ctx.db).selectFrom('membership_policies').selectAll().orderBy('version', 'desc').execute();
  return rows.map(toPolicy);
}

/** Publishes the next version (prices apply to joins and renewals from now on; MB-3's reminder states the price). */
export async function publishMembershipPolicy(ctx: Ctx, input: { settings: MembershipSettings; note: string | null; actor: { id: string; role: ActorRole } }): Promise<MembershipPolicy> {
  const settings = membershipSettingsSchema.parse(input.settings);
  const current = await getCurrentMembershipPolicy(ctx);
  const version = current.version + 1;
  const inserted = await membershipTables(ctx.db)
    .insertInto('membership_policies')
    .values({ version, settings: JSON.stringify(settings), published_at_ms: ctx.clock.nowMs(), published_by: input.actor.id, note: input.note })
    .onConflict((oc) => oc.column('version').doNothing())
    .executeTakeFirst();
  if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 0) throw new AppError('conflict', 'Another membership policy was published at the same moment. Reload and try again.');
  await recordAudit(ctx, { actor: input.actor, action: 'membership.policy_published', memberId: null, subject: String(version), details: { version } });
  return getMembershipPolicyVersion(ctx, version);
}
