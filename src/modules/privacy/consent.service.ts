// Consent records (PV-22): recording choices append-only and reading a subject's current choice per purpose, with
// the notice version it was given under, so a changed notice asks again.
import { z } from 'zod';
import type { Ctx } from '../../deps.ts';
import { lockSubjectKeys } from '../../db/subject-lock.ts';
import { assert } from '../../platform/assert.ts';
import { normalizeEmail } from '../accounts/index.ts';
import { recordEvents } from '../events/index.ts';
import { consentChoices, consentMethods, consentPurposes, defaultChoice, regionPattern, type ConsentChoice, type ConsentMethod, type ConsentPurpose } from './consent.rules.ts';
import { insertConsentRecords, insertNotice, selectConsentRecords, selectCurrentNotices, type SubjectKeys } from './consent.repository.ts';
import type { ConsentRecordRow } from './consent.table.ts';

const subjectInput = z
  .strictObject({
    memberId: z.string().min(1).max(100).nullish(),
    deviceId: z.string().min(8).max(100).regex(/^[A-Za-z0-9_-]+$/).nullish(),
    email: z.string().trim().max(320).email().nullish(),
    phone: z.string().regex(/^\+[1-9]\d{6,14}$/, 'a phone number in E.164 form (+15551234567)').nullish(),
  })
  .refine((s) => Boolean(s.memberId || s.deviceId || s.email || s.phone), 'a consent subject needs a member, device, email or phone');

export type ConsentSubject = z.input<typeof subjectInput>;

const choiceInput = z.strictObject({
  purpose: z.enum(consentPurposes),
  choice: z.enum(consentChoices),
  /** The notice version the subject saw; the current one when omitted. */
  noticeVersion: z.number().int().positive().optional(),
});

const recordInput = z.strictObject({
  subject: subjectInput,
  choices: z.array(choiceInput).min(1).max(consentPurposes.length),
  method: z.enum(consentMethods),
  region: z.string().regex(regionPattern).nullable(),
  source: z.string().regex(/^[a-z][a-z0-9_:-]*$/i).max(100).optional(),
});

export type RecordConsentInput = z.input<typeof recordInput>;

export interface ConsentRecord {
  id: string;
  purpose: ConsentPurpose;
  choice: ConsentChoice;
  method: ConsentMethod;
  noticeVersion: number;
  region: string | null;
  recordedAtMs: number;
  source: string | null;
  subject: { memberId: string | null; deviceId: string | null; email: string | null; phone: string | null };
}

function toRecord(row: ConsentRecordRow): ConsentRecord {
  return {
    id: row.id,
    purpose: row.purpose,
    choice: row.choice,
    method: row.method,
    noticeVersion: Number(row.notice_version),
    region: row.region,
    recordedAtMs: Number(row.recorded_at_ms),
    source: row.source,
    subject: { memberId: row.member_id, deviceId: row.device_id, email: row.email, phone: row.phone },
  };
}

function subjectLockKeys(keys: SubjectKeys): string[] {
  return (['memberId', 'deviceId', 'email', 'phone'] as const).flatMap((key) => (keys[key] ? [`consent:${key}:${keys[key]}`] : []));
}

function keysOf(subject: ConsentSubject): SubjectKeys {
  const parsed = subjectInput.parse(subject);
  return { memberId: parsed.memberId ?? null, deviceId: parsed.deviceId ?? null, email: parsed.email ? normalizeEmail(parsed.email) : null, phone: parsed.phone ?? null };
}

/** The current notice version of each purpose (version 1 until a notice is changed). */
export async function currentNoticeVersions(ctx: Pick<Ctx, 'db'>): Promise<Record<ConsentPurpose, number>> {
  const versions = Object.fromEntries(consentPurposes.map((p) => [p, 1])) as Record<ConsentPurpose, number>;
  for (const notice of await selectCurrentNotices(ctx.db)) versions[notice.purpose] = Number(notice.version);
  return versions;
}

/** Publishes a changed notice text for a purpose: a new version, so every earlier choice for it is asked again. */
export async function publishConsentNotice(ctx: Ctx, purpose: ConsentPurpose, text: string): Promise<number> {
  assert(ctx.db.isTransaction, 'publishConsentNotice runs in the caller’s transaction');
  const version = (await currentNoticeVersions(ctx))[purpose] + 1;
  await insertNotice(ctx.db, { purpose, version, text, published_at_ms: ctx.clock.nowMs() });
  return version;
}

/**
 * Appends one record per choice in the caller's transaction, and a `consent.changed` event for a member's changes.
 * Only choices that differ from the subject's current one are written unless `always` is set (a banner click that
 * repeats the same choice is not a change; GPC must be recorded "once per change", PV-24).
 */
export async function recordConsent(ctx: Ctx, input: RecordConsentInput, options: { always?: boolean } = {}): Promise<ConsentRecord[]> {
  assert(ctx.db.isTransaction, 'recordConsent runs in the caller’s transaction');
  const parsed = recordInput.parse(input);
  const keys = keysOf(parsed.subject);
  // One writer per subject at a time, so two concurrent requests (a page's parallel requests carrying Sec-GPC, a
  // double click) cannot both decide that the same change is new.
  await lockSubjectKeys(ctx.db, subjectLockKeys(keys));
  const versions = await currentNoticeVersions(ctx);
  const current = options.always ? null : await statesOf(ctx, keys, versions, parsed.region);
  const at = ctx.clock.nowMs();
  const rows: ConsentRecordRow[] = [];
  for (const choice of parsed.choices) {
    const noticeVersion = choice.noticeVersion ?? versions[choice.purpose];
    const now = current?.[choice.purpose];
    if (now && now.recorded && now.choice === choice.choice && now.noticeVersion === noticeVersion) continue;
    rows.push({
      id: ctx.ids.next('pcn'),
      member_id: keys.memberId ?? null,
      device_id: keys.deviceId ?? null,
      email: keys.email ?? null,
      phone: keys.phone ?? null,
      purpose: choice.purpose,
      notice_version: noticeVersion,
      choice: choice.choice,
      method: parsed.method,
      region: parsed.region,
      recorded_at_ms: at,
      source: parsed.source ?? null,
    });
  }
  await insertConsentRecords(ctx.db, rows);
  if (keys.memberId) {
    await recordEvents(ctx, rows.map((row) => ({ type: 'consent.changed' as const, subjectId: keys.memberId as string, memberId: keys.memberId ?? null, data: { consentId: row.id, purpose: row.purpose, choice: row.choice, method: row.method } })));
  }
  return rows.map(toRecord);
}

export interface PurposeState {
  choice: ConsentChoice;
  /** False when no current record exists and the regional default applies. */
  recorded: boolean;
  /** True when the choice was given under an older notice and must be asked again (PV-22). */
  stale: boolean;
  noticeVersion: number | null;
  method: ConsentMethod | null;
  recordedAtMs: number | null;
  /** The region the (latest) record was made in; null without one. */
  region: string | null;
}

/**
 * The subject's current choice per purpose: the latest record across the subject's keys (member, device, email,
 * phone), or the regional default when there is none or it was given under an older notice.
 */
export async function currentConsents(ctx: Pick<Ctx, 'db'>, subject: ConsentSubject, options: { region: string | null }): Promise<Record<ConsentPurpose, PurposeState>> {
  return statesOf(ctx, keysOf(subject), await currentNoticeVersions(ctx), options.region);
}

/** The states of already-parsed subject keys under the given notice versions (recordConsent has both at hand). */
async function statesOf(ctx: Pick<Ctx, 'db'>, keys: SubjectKeys, versions: Record<ConsentPurpose, number>, region: string | null): Promise<Record<ConsentPurpose, PurposeState>> {
  const latest = new Map<ConsentPurpose, ConsentRecordRow>();
  for (const row of await selectConsentRecords(ctx.db, keys)) latest.set(row.purpose, row);
  const states = {} as Record<ConsentPurpose, PurposeState>;
  for (const purpose of consentPurposes) {
    const row = latest.get(purpose);
    const stale = row !== undefined && Number(row.notice_version) < versions[purpose];
    states[purpose] =
      row === undefined || stale
        ? { choice: defaultChoice(purpose, region), recorded: false, stale, noticeVersion: row ? Number(row.notice_version) : null, method: row?.method ?? null, recordedAtMs: row ? Number(row.recorded_at_ms) : null, region: row?.region ?? null }
        : { choice: row.choice, recorded: true, stale: false, noticeVersion: Number(row.notice_version), method: row.method, recordedAtMs: Number(row.recorded_at_ms), region: row.region };
  }
  return states;
}

/** The subject's whole consent history, oldest first (console, export). */
export async function consentHistory(ctx: Pick<Ctx, 'db'>, subject: ConsentSubject): Promise<ConsentRecord[]> {
  return (await selectConsentRecords(ctx.db, keysOf(subject))).map(toRecord);
}
