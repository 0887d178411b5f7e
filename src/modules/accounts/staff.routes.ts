// Member records for staff and server-to-server callers (AC-9), and API key administration (AC-11).
import { transact, type Deps } from '../../deps.ts';
import { requireRole, requireScope } from '../../http/principal.ts';
import { noBody } from '../../http/route-guards.ts';
import type { ZodApp } from '../../http/types.ts';
import { AppError } from '../../platform/errors.ts';
import {
  apiKeyBody,
  apiKeyCreatedView,
  apiKeyIdParam,
  apiKeyListView,
  apiKeyView,
  memberIdParam,
  memberSearchQuery,
  memberSearchView,
  memberView,
  staffMemberView,
  tags,
  toApiKeyView,
  toMemberSummaryView,
  toMemberView,
  toStaffMemberView,
} from './accounts.schemas.ts';
import { createApiKey, listApiKeys, revokeApiKey } from './api-keys.service.ts';
import { getMemberWithSecurity } from './members.service.ts';
import type { Actor } from './profile.service.ts';
import { searchMembers, viewMember, viewMemberAsStaff } from './staff.service.ts';

/** The scope an API key needs to read member records. */
export const membersReadScope = 'members:read';

const memberNotFound = () => new AppError('not_found', 'Member was not found.');

export function registerStaffRoutes(app: ZodApp, deps: Deps): void {
  app.get(
    '/members/:memberId',
    { schema: { tags, summary: 'A member’s record: members see only their own (404 otherwise, PL-15); staff and API key reads are audited (AC-9)', params: memberIdParam, response: { 200: memberView } }, config: { auth: 'signed_in' } },
    async (request) => {
      const { memberId } = request.params;
      const principal = request.principal;
      if (principal?.kind === 'session' && principal.role === 'member') {
        // Another member's record is "not found", never "forbidden": the answer must not confirm that it exists.
        if (principal.memberId !== memberId) throw memberNotFound();
        const own = await getMemberWithSecurity(deps, memberId);
        if (!own) throw memberNotFound();
        return toMemberView(own);
      }
      const caller = requireScope(request, membersReadScope);
      const actor: Actor = caller.kind === 'api_key' ? { id: caller.keyId, role: 'api_key' } : { id: caller.memberId, role: caller.role };
      return toMemberView(await transact(deps, (ctx) => viewMember(ctx, { memberId, actor })));
    },
  );

  app.get(
    '/agent/members',
    { schema: { tags, summary: 'Agent console: find members by email prefix, name or member ID (AC-9)', querystring: memberSearchQuery, response: { 200: memberSearchView } }, config: { auth: 'agent' } },
    async (request) => {
      const principal = requireRole(request, 'agent');
      const members = await transact(deps, (ctx) => searchMembers(ctx, { query: request.query.q, actor: { id: principal.memberId, role: principal.role } }));
      return { members: members.map(toMemberSummaryView) };
    },
  );

  app.get(
    '/agent/members/:memberId',
    { schema: { tags, summary: 'Agent console: a member’s full record; the read is audited (AC-9)', params: memberIdParam, response: { 200: staffMemberView } }, config: { auth: 'agent' } },
    async (request) => {
      const principal = requireRole(request, 'agent');
      const view = await transact(deps, (ctx) => viewMemberAsStaff(ctx, { memberId: request.params.memberId, actor: { id: principal.memberId, role: principal.role } }));
      return toStaffMemberView(view);
    },
  );

  app.post(
    '/admin/api-keys',
    { schema: { tags, summary: 'Create an API key; the key is in this answer only (AC-11)', body: apiKeyBody, response: { 201: apiKeyCreatedView } }, config: { auth: 'admin' } },
    async (request, reply) => {
      const principal = requireRole(request, 'admin');
      const { apiKey, key } = await transact(deps, (ctx) => createApiKey(ctx, { name: request.body.name, scopes: request.body.scopes, createdByMemberId: principal.memberId }));
      return reply.status(201).send({ ...toApiKeyView(apiKey), key });
    },
  );

  app.get('/admin/api-keys', { schema: { tags, summary: 'API keys, newest first (AC-11)', response: { 200: apiKeyListView } }, config: { auth: 'admin' } }, async (request) => {
    requireRole(request, 'admin');
    return { apiKeys: (await listApiKeys(deps)).map(toApiKeyView) };
  });

  app.delete(
    '/admin/api-keys/:keyId',
    { schema: { tags, summary: 'Revoke an API key: it stops working at once (AC-11)', params: apiKeyIdParam, body: noBody, response: { 200: apiKeyView } }, config: { auth: 'admin' } },
    async (request) => {
      const principal = requireRole(request, 'admin');
      const apiKey = await transact(deps, (ctx) => revokeApiKey(ctx, { keyId: request.params.keyId, revokedByMemberId: principal.memberId }));
      return toApiKeyView(apiKey);
    },
  );
}
