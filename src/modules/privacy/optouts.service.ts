// Opt-outs take effect at once (PV-4): the subject's choice is recorded in `privacy_subject_choices` (keyed by the
// member when the subject is one, and by the normalized email either way), and the request moves to fulfilled with
// the effect recorded, in the same transaction. `subjectChoices` is what a later consent and marketing module reads
// (sale/share, targeted ads, sensitive data, consent, direct marketing).
import type { Ctx } from '../../deps.ts';
import { normalizeEmail } from '../accounts/index.ts';
import { isOptOut, type OptOutType } from './requests.rules.ts';
import { insertChoice, selectChoices, type PrivacyRequest } from './requests.repository.ts';
import { moveRequest, type RequestActor, type RequestCtx } from './request-transitions.service.ts';

/** The effect of each opt-out, in the words the completion email and the request's outcome carry. */
export const optOutEffects: Record<OptOutType, string> = {
  optout_sale_share: 'We no longer sell or share your personal data. This took effect when we received your request.',
  optout_targeted_ads: 'We no longer use your personal data for targeted advertising. This took effect when we received your request.',
  limit_sensitive: 'We now use your sensitive personal data only as needed to provide the services you ask for. This took effect when we received your request.',
  withdraw_consent: 'You have withdrawn your consent; processing that relied on it stopped when we received your request. Processing before then stays lawful.',
  object: 'We no longer use your personal data for direct marketing. This took effect when we received your request.',
};

/** Records the choice and carries the request from where it is (received or verified) to fulfilled. */
export async function applyOptOut(ctx: RequestCtx, request: PrivacyRequest, actor: RequestActor): Promise<PrivacyRequest> {
  if (!isOptOut(request.type)) throw new RangeError(`${request.type} is not an opt-out`);
  const type: OptOutType = request.type;
  const nowMs = ctx.clock.nowMs();
  await insertChoice(ctx.db, { id: ctx.ids.next('psc'), member_id: request.memberId, subject_email: request.subjectEmail, choice: type, request_id: request.id, recorded_at_ms: nowMs });
  let current = request;
  if (current.state === 'received' || current.state === 'awaiting_verification') {
    current = await moveRequest(ctx, { requestId: current.id, action: 'verify', actor, reasonCode: 'not_required', quiet: true, changes: { verification_method: 'not_required', verified_at_ms: nowMs } });
  }
  if (current.state === 'verified') current = await moveRequest(ctx, { requestId: current.id, action: 'start', actor: { role: 'system', id: null }, quiet: true });
  return moveRequest(ctx, { requestId: current.id, action: 'fulfil', actor: { role: 'system', id: null }, reasonCode: 'optout_recorded', outcome: optOutEffects[type] });
}

export interface SubjectChoices {
  /** The opt-outs in effect for the subject (each once, in the order first made). */
  choices: OptOutType[];
  records: { choice: OptOutType; recordedAtMs: number; requestId: string }[];
}

/** The subject's recorded opt-outs, by member ID and/or normalized email (either matches). */
export async function subjectChoices(ctx: Pick<Ctx, 'db'>, subject: { memberId?: string | null; email?: string | null }): Promise<SubjectChoices> {
  const records = await selectChoices(ctx.db, { memberId: subject.memberId, email: subject.email ? normalizeEmail(subject.email) : null });
  const choices: OptOutType[] = [];
  for (const record of records) if (!choices.includes(record.choice)) choices.push(record.choice);
  return { choices, records };
}
