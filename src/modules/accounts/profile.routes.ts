// The signed-in member's own profile and addresses (AC-8). Every route acts on the session's member only (AC-9).
import { z } from 'zod';
import { transact, type Deps } from '../../deps.ts';
import { requireSession, type Principal } from '../../http/principal.ts';
import { noBody } from '../../http/route-guards.ts';
import type { ZodApp } from '../../http/types.ts';
import { addressBody, addressListView, addressParam, addressPatchBody, addressView, memberView, profilePatchBody, tags, toAddressView, toMemberView } from './accounts.schemas.ts';
import { addAddress, changeAddress, getAddress, getAddresses, removeAddress } from './addresses.service.ts';
import { loadMemberView } from './auth.routes.ts';
import { getMemberWithSecurity } from './members.service.ts';
import type { Actor } from './profile.service.ts';
import { updateProfile } from './profile.service.ts';
import { AppError } from '../../platform/errors.ts';

function actorOf(principal: Extract<Principal, { kind: 'session' }>): Actor {
  return { id: principal.memberId, role: principal.role };
}

export function registerProfileRoutes(app: ZodApp, deps: Deps): void {
  app.get('/me', { schema: { tags, summary: 'Your profile (AC-8)', response: { 200: memberView } }, config: { auth: 'session' } }, async (request) => {
    const principal = requireSession(request);
    return loadMemberView(deps, principal.memberId);
  });

  app.patch(
    '/me',
    { schema: { tags, summary: 'Change your profile; a date of birth under the minimum age is refused (AC-2, AC-8)', body: profilePatchBody, response: { 200: memberView } }, config: { auth: 'session' } },
    async (request) => {
      const principal = requireSession(request);
      const view = await transact(deps, async (ctx) => {
        await updateProfile(ctx, { memberId: principal.memberId, actor: actorOf(principal), changes: request.body });
        return getMemberWithSecurity(ctx, principal.memberId);
      });
      if (!view) throw new AppError('unauthenticated', 'Please sign in.');
      return toMemberView(view);
    },
  );

  app.get('/me/addresses', { schema: { tags, summary: 'Your addresses', response: { 200: addressListView } }, config: { auth: 'session' } }, async (request) => {
    const principal = requireSession(request);
    return { addresses: (await getAddresses(deps, principal.memberId)).map(toAddressView) };
  });

  app.post('/me/addresses', { schema: { tags, summary: 'Add an address', body: addressBody, response: { 201: addressView } }, config: { auth: 'session' } }, async (request, reply) => {
    const principal = requireSession(request);
    const { line1, line2, city, region, postalCode, country } = request.body;
    const address = await transact(deps, (ctx) =>
      addAddress(ctx, { memberId: principal.memberId, actor: actorOf(principal), fields: { line1, line2: line2 || null, city, region: region || null, postalCode: postalCode || null, country } }),
    );
    return reply.status(201).send(toAddressView(address));
  });

  app.get('/me/addresses/:addressId', { schema: { tags, summary: 'One of your addresses', params: addressParam, response: { 200: addressView } }, config: { auth: 'session' } }, async (request) => {
    const principal = requireSession(request);
    return toAddressView(await getAddress(deps, principal.memberId, request.params.addressId));
  });

  app.patch(
    '/me/addresses/:addressId',
    { schema: { tags, summary: 'Change one of your addresses', params: addressParam, body: addressPatchBody, response: { 200: addressView } }, config: { auth: 'session' } },
    async (request) => {
      const principal = requireSession(request);
      const body = request.body;
      const fields = {
        ...(body.line1 !== undefined ? { line1: body.line1 } : {}),
        ...(body.line2 !== undefined ? { line2: body.line2 || null } : {}),
        ...(body.city !== undefined ? { city: body.city } : {}),
        ...(body.region !== undefined ? { region: body.region || null } : {}),
        ...(body.postalCode !== undefined ? { postalCode: body.postalCode || null } : {}),
        ...(body.country !== undefined ? { country: body.country } : {}),
      };
      const address = await transact(deps, (ctx) => changeAddress(ctx, { memberId: principal.memberId, actor: actorOf(principal), addressNumber: request.params.addressId, fields }));
      return toAddressView(address);
    },
  );

  app.delete(
    '/me/addresses/:addressId',
    { schema: { tags, summary: 'Remove one of your addresses', params: addressParam, body: noBody, response: { 204: z.null().describe('No content') } }, config: { auth: 'session' } },
    async (request, reply) => {
      const principal = requireSession(request);
      await transact(deps, (ctx) => removeAddress(ctx, { memberId: principal.memberId, actor: actorOf(principal), addressNumber: request.params.addressId }));
      return reply.status(204).send(null);
    },
  );
}
