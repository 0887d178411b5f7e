// Restriction (PV-20) and rectification (PV-21) routes: the member sees their restriction; agents set and lift it,
// correct a member's profile or address on request (the previous values kept), and read the history. Every agent
// write and history read is audit-recorded (PV-33).
import { transact, type Deps } from '../../deps.ts';
import { requireRole, requireSession } from '../../http/principal.ts';
import type { ZodApp } from '../../http/types.ts';
import { AppError } from '../../platform/errors.ts';
import { recordAudit } from '../audit/index.ts';
import { addressParam, addressView, changeAddress, getMemberView, getProfileHistory, memberIdParam, memberView, toAddressView, toMemberView, updateProfile } from '../accounts/index.ts';
import {
  agentRestrictionView,
  profileHistoryView,
  rectifyAddressBody,
  rectifyProfileBody,
  restrictionBody,
  restrictionView,
  tags,
  toProfileHistoryView,
  toRestrictionEventView,
  toRestrictionView,
} from './closure.schemas.ts';
import { getRestriction, getRestrictionHistory, setRestriction } from './restriction.service.ts';

const memberAddressParams = memberIdParam.extend(addressParam.shape);

function staffActor(principal: { memberId: string; role: string }) {
  return { id: principal.memberId, role: principal.role === 'admin' ? ('admin' as const) : ('agent' as const) };
}

export function registerClosureRoutes(app: ZodApp, deps: Deps): void {
  app.get(
    '/me/privacy/restriction',
    { schema: { tags, summary: 'Whether your data is restricted to storage only (PV-20)', response: { 200: restrictionView } }, config: { auth: 'session' } },
    async (request) => {
      const { memberId } = requireSession(request);
      return toRestrictionView(await getRestriction(deps, memberId));
    },
  );

  app.get(
    '/agent/privacy/members/:memberId/restriction',
    { schema: { tags, summary: 'A member’s restriction of processing and its history (PV-20)', params: memberIdParam, response: { 200: agentRestrictionView } }, config: { auth: 'agent' } },
    async (request) => {
      requireRole(request, 'agent');
      const { memberId } = request.params;
      const restriction = await getRestriction(deps, memberId);
      return { ...toRestrictionView(restriction), history: (await getRestrictionHistory(deps, memberId)).map(toRestrictionEventView) };
    },
  );

  app.post(
    '/agent/privacy/members/:memberId/restriction',
    { schema: { tags, summary: 'Set or lift a member’s restriction of processing, with a reason code; audit-recorded (PV-20)', params: memberIdParam, body: restrictionBody, response: { 200: agentRestrictionView } }, config: { auth: 'agent' } },
    async (request) => {
      const principal = requireRole(request, 'agent');
      const { memberId } = request.params;
      const restriction = await transact(deps, (ctx) =>
        setRestriction(ctx, { memberId, restricted: request.body.restricted, reason: request.body.reason, actor: staffActor(principal), requestId: request.body.requestId ?? null }),
      );
      return { ...toRestrictionView(restriction), history: (await getRestrictionHistory(deps, memberId)).map(toRestrictionEventView) };
    },
  );

  app.patch(
    '/agent/privacy/members/:memberId/profile',
    { schema: { tags, summary: 'Rectify a member’s profile on request: the previous values are kept with who, when and why (PV-21)', params: memberIdParam, body: rectifyProfileBody, response: { 200: memberView } }, config: { auth: 'agent' } },
    async (request) => {
      const principal = requireRole(request, 'agent');
      const { requestId, ...changes } = request.body;
      const view = await transact(deps, async (ctx) => {
        await updateProfile(ctx, { memberId: request.params.memberId, actor: staffActor(principal), changes, reason: { code: 'rectification', requestId: requestId ?? null } });
        return getMemberView(ctx, request.params.memberId);
      });
      if (!view) throw new AppError('not_found', 'Member was not found.');
      return toMemberView(view);
    },
  );

  app.patch(
    '/agent/privacy/members/:memberId/addresses/:addressId',
    { schema: { tags, summary: 'Rectify one of a member’s saved addresses on request, keeping the previous values (PV-21)', params: memberAddressParams, body: rectifyAddressBody, response: { 200: addressView } }, config: { auth: 'agent' } },
    async (request) => {
      const principal = requireRole(request, 'agent');
      const { requestId, ...body } = request.body;
      const fields = {
        ...(body.line1 !== undefined ? { line1: body.line1 } : {}),
        ...(body.line2 !== undefined ? { line2: body.line2 || null } : {}),
        ...(body.city !== undefined ? { city: body.city } : {}),
        ...(body.region !== undefined ? { region: body.region || null } : {}),
        ...(body.postalCode !== undefined ? { postalCode: body.postalCode || null } : {}),
        ...(body.country !== undefined ? { country: body.country } : {}),
      };
      const address = await transact(deps, (ctx) =>
        changeAddress(ctx, { memberId: request.params.memberId, actor: staffActor(principal), addressNumber: request.params.addressId, fields, reason: { code: 'rectification', requestId: requestId ?? null } }),
      );
      return toAddressView(address);
    },
  );

  app.get(
    '/agent/privacy/members/:memberId/profile-history',
    { schema: { tags, summary: 'The previous values of a member’s profile and addresses, newest first; the read is audited (PV-21, PV-33)', params: memberIdParam, response: { 200: profileHistoryView } }, config: { auth: 'agent' } },
    async (request) => {
      const principal = requireRole(request, 'agent');
      const { memberId } = request.params;
      return transact(deps, async (ctx) => {
        const entries = await getProfileHistory(ctx, memberId);
        await recordAudit(ctx, { actor: staffActor(principal), action: 'privacy.profile_history.viewed', memberId, details: { entries: entries.length } });
        return toProfileHistoryView(entries);
      });
    },
  );
}
