// Emails about credits (CR-8, CR-10). The ledger transaction that caused them enqueues one `credits-notices` job
// (atomically with its postings); the job looks up the members' addresses and queues the emails, each under a dedupe
// key, so a notice is written once however often the work behind it is retried, and the sweep's transactions stay
// short (one contact lookup per member would otherwise dominate them).
import { z } from 'zod';
import { transact, type Ctx, type Deps } from '../../deps.ts';
import { enqueueJob, type JobHandler } from '../../jobs/index.ts';
import { queueEmail } from '../notifications/index.ts';
import { compareIds, type Notice } from './ledger.rules.ts';
import { creditsUnlockedEmail } from './emails/credits-unlocked.ts';
import { creditsExpiringEmail, maxExpiringLots } from './emails/credits-expiring.ts';
import { creditsExpiredEmail } from './emails/credits-expired.ts';

type Contact = { email: string; firstName: string | null } | undefined;

export interface ExpiryWarning {
  memberId: string;
  lotId: string;
  credits: number;
  expiresAtMs: number;
}

async function contactOf(ctx: Ctx, cache: Map<string, Contact>, memberId: string): Promise<Contact> {
  if (!cache.has(memberId)) cache.set(memberId, await ctx.ports.memberContacts.contactOf(ctx.db, memberId));
  return cache.get(memberId);
}

/**
 * Unlocked and expired notices, one email per member and kind for the lots one transaction (or sweep batch) handled,
 * keyed by the first of those lots; members without a contact (closed, erased, or not a person) get none.
 */
export async function deliverNotices(ctx: Ctx, notices: readonly Notice[]): Promise<void> {
  if (notices.length === 0) return;
  const grouped = new Map<string, { memberId: string; kind: Notice['kind']; credits: number; lotId: string }>();
  for (const notice of notices) {
    const key = `${notice.memberId}|${notice.kind}`;
    const entry = grouped.get(key);
    if (entry) {
      entry.credits += notice.credits;
      if (notice.lotId < entry.lotId) entry.lotId = notice.lotId;
    } else grouped.set(key, { memberId: notice.memberId, kind: notice.kind, credits: notice.credits, lotId: notice.lotId });
  }
  const contacts = new Map<string, Contact>();
  for (const notice of grouped.values()) {
    const contact = await contactOf(ctx, contacts, notice.memberId);
    if (!contact) continue;
    const firstName = contact.firstName ?? undefined;
    if (notice.kind === 'unlocked') {
      await queueEmail(ctx, { memberId: notice.memberId, to: contact.email, template: creditsUnlockedEmail, data: { credits: notice.credits, firstName }, dedupeKey: `credits-unlocked:${notice.lotId}` });
    } else {
      await queueEmail(ctx, { memberId: notice.memberId, to: contact.email, template: creditsExpiredEmail, data: { credits: notice.credits, firstName }, dedupeKey: `credits-expired:${notice.lotId}` });
    }
  }
}

/**
 * CR-10: every lot is warned once, ahead of its expiry (the sweep records `warned_at_ms` per lot); the member gets one
 * email per sweep batch (a member is in one batch of a sweep) for all of the lots warned together: the total credits,
 * the soonest expiry and each lot's amount and expiry (soonest first; lots expiring at the same moment are listed as
 * one only if there would otherwise be more rows than the email lists, and none at all if there still are), keyed by
 * the first of those lots, so a retried job queues nothing twice.
 */
export async function deliverExpiryWarnings(ctx: Ctx, warnings: readonly ExpiryWarning[]): Promise<void> {
  const grouped = new Map<string, { memberId: string; lotId: string; credits: number; expiresAtMs: number; lots: ExpiryWarning[] }>();
  for (const warning of warnings) {
    const entry = grouped.get(warning.memberId);
    if (entry) {
      entry.credits += warning.credits;
      if (warning.lotId < entry.lotId) entry.lotId = warning.lotId;
      if (warning.expiresAtMs < entry.expiresAtMs) entry.expiresAtMs = warning.expiresAtMs;
      entry.lots.push(warning);
    } else grouped.set(warning.memberId, { memberId: warning.memberId, lotId: warning.lotId, credits: warning.credits, expiresAtMs: warning.expiresAtMs, lots: [warning] });
  }
  const contacts = new Map<string, Contact>();
  for (const warning of grouped.values()) {
    const contact = await contactOf(ctx, contacts, warning.memberId);
    if (!contact) continue;
    await queueEmail(ctx, {
      memberId: warning.memberId,
      to: contact.email,
      template: creditsExpiringEmail,
      data: { credits: warning.credits, expiresAt: new Date(warning.expiresAtMs).toISOString(), firstName: contact.firstName ?? undefined, lots: lotRows(warning.lots) },
      dedupeKey: `credits-expiring:${warning.lotId}`,
    });
  }
}

/** The rows of a warning's breakdown, soonest first; undefined when they would not fit the email. */
function lotRows(lots: readonly ExpiryWarning[]): Array<{ credits: number; expiresAt: string }> | undefined {
  const sorted = [...lots].sort((a, b) => a.expiresAtMs - b.expiresAtMs || compareIds(a.lotId, b.lotId));
  let rows = sorted.map((lot) => ({ credits: lot.credits, expiresAtMs: lot.expiresAtMs }));
  if (rows.length > maxExpiringLots) {
    const merged: typeof rows = [];
    for (const row of rows) {
      const last = merged.at(-1);
      if (last && last.expiresAtMs === row.expiresAtMs) last.credits += row.credits;
      else merged.push({ ...row });
    }
    rows = merged;
  }
  if (rows.length > maxExpiringLots) return undefined;
  return rows.map((row) => ({ credits: row.credits, expiresAt: new Date(row.expiresAtMs).toISOString() }));
}

export const creditsNoticesJobType = 'credits-notices';

const noticesPayload = z.strictObject({
  notices: z.array(z.strictObject({ kind: z.enum(['unlocked', 'expired']), memberId: z.string(), lotId: z.string(), credits: z.number().int().positive(), atMs: z.number().int() })),
  warnings: z.array(z.strictObject({ memberId: z.string(), lotId: z.string(), credits: z.number().int().positive(), expiresAtMs: z.number().int() })),
});

/** In the caller's transaction: the notices go out exactly when the postings behind them commit. */
export async function enqueueNotices(ctx: Ctx, notices: readonly Notice[], warnings: readonly ExpiryWarning[] = []): Promise<void> {
  if (notices.length === 0 && warnings.length === 0) return;
  await enqueueJob(ctx, { type: creditsNoticesJobType, payload: { notices, warnings } });
}

/** Idempotent: every email carries a dedupe key, so a retried job queues nothing twice. */
export const creditsNoticesJob: JobHandler = async (deps: Deps, payload) => {
  const { notices, warnings } = noticesPayload.parse(payload);
  await transact(deps, async (trx) => {
    await deliverNotices(trx, notices);
    await deliverExpiryWarnings(trx, warnings);
  });
};
