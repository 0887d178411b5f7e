// Outgoing texts (NT-6): stored with the change that causes them, then sent through the SMS provider port by a job,
// like the email outbox (NT-1). Without a provider, texts are held for the console, never sent later.
import { z } from 'zod';
import { transact, type Ctx, type Deps } from '../../deps.ts';
import { enqueueJob, type JobHandler } from '../../jobs/index.ts';
import { marketingTables, type TextKind, type TextRow } from './marketing.table.ts';

export const sendTextJobType = 'marketing-send-text';

/** Writes the text and its send job in the caller's transaction; a repeated dedupe key is a no-op (false). */
export async function queueText(ctx: Ctx, input: { memberId: string | null; phone: string; body: string; kind: TextKind; dedupeKey?: string }): Promise<{ textId: string; queued: boolean }> {
  const row: TextRow = { id: ctx.ids.next('mkt'), member_id: input.memberId, phone: input.phone, body: input.body, kind: input.kind, state: 'queued', dedupe_key: input.dedupeKey ?? null, created_at_ms: ctx.clock.nowMs(), sent_at_ms: null };
  const result = await marketingTables(ctx.db).insertInto('marketing_texts').values(row).onConflict((oc) => oc.column('dedupe_key').doNothing()).executeTakeFirst();
  if (Number(result.numInsertedOrUpdatedRows ?? 0n) === 0) return { textId: row.id, queued: false };
  await enqueueJob(ctx, { type: sendTextJobType, payload: { textId: row.id }, key: `${sendTextJobType}:${row.id}`, maxAttempts: 10 });
  return { textId: row.id, queued: true };
}

const sendPayload = z.strictObject({ textId: z.string().regex(/^mkt_[0-9a-z]+$/) });

export const sendText: JobHandler = async (deps: Deps, payload) => {
  const { textId } = sendPayload.parse(payload);
  const text = await marketingTables(deps.db).selectFrom('marketing_texts').selectAll().where('id', '=', textId).executeTakeFirst();
  if (!text || text.state !== 'queued') return;
  const provider = deps.ports.sms;
  if (!provider) {
    await marketingTables(deps.db).updateTable('marketing_texts').set({ state: 'held' }).where('id', '=', textId).where('state', '=', 'queued').execute();
    return;
  }
  await provider.send({ to: text.phone, body: text.body, reference: text.id });
  await transact(deps, async (trx) => {
    await marketingTables(trx.db).updateTable('marketing_texts').set({ state: 'sent', sent_at_ms: trx.clock.nowMs() }).where('id', '=', textId).where('state', '=', 'queued').execute();
  });
};

export interface TextView {
  id: string;
  memberId: string | null;
  phone: string;
  body: string;
  kind: TextKind;
  state: TextRow['state'];
  createdAtMs: number;
  sentAtMs: number | null;
}

/** The newest texts, for the console. */
export async function listTexts(ctx: Pick<Ctx, 'db'>, limit: number): Promise<TextView[]> {
  const rows = await marketingTables(ctx.db).selectFrom('marketing_texts').selectAll().orderBy('id', 'desc').limit(limit).execute();
  return rows.map((r) => ({ id: r.id, memberId: r.member_id, phone: r.phone, body: r.body, kind: r.kind, state: r.state, createdAtMs: Number(r.created_at_ms), sentAtMs: r.sent_at_ms === null ? null : Number(r.sent_at_ms) }));
}
