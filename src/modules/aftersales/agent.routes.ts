// The agent console's after-sales API (AS-2, AS-10, AS-12, AS-13; docs/CONTRACTS.md): the queue, a case with its
// trace, timeline, notes, photos and serial checks, the actions, notes, the support → warranty conversion, and the
// serials recorded at shipment. Staff sessions only (auth 'agent': agents and admins).
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Deps } from '../../deps.ts';
import { transact } from '../../deps.ts';
import { requireRole } from '../../http/principal.ts';
import { noBody } from '../../http/route-guards.ts';
import type { ZodApp } from '../../http/types.ts';
import { notFound } from '../../platform/errors.ts';
import { addCaseNote, applyAgentAction, getAgentCase, listAgentQueue, type StaffActor } from './agent-cases.service.ts';
import { caseExpirySettingsOf } from './case-expiry.service.ts';
import { convertSupportCase } from './case-conversion.service.ts';
import { listImages } from './cases.repository.ts';
import { listOrderSerials, recordOrderSerials } from './shipment-serials.service.ts';
import {
  actionBody, agentCaseView, caseImageParams, caseParams, noteBody, noteView, orderParams, queueQuery, queueView, serialsBody, serialsView, toAgentCaseView, toNoteView, toQueueView, toSerialsView,
} from './agent.schemas.ts';

const tags = ['aftersales'];

function staffOf(request: FastifyRequest): StaffActor {
  const staff = requireRole(request, 'agent');
  return { id: staff.memberId, role: staff.role === 'admin' ? 'admin' : 'agent' };
}

export function registerAgentCaseRoutes(app: ZodApp, deps: Deps): void {
  const expiry = caseExpirySettingsOf(deps.config);
  const caseView = async (caseId: string) => toAgentCaseView(await getAgentCase(deps, caseId), expiry);

  app.get(
    '/agent/cases',
    { schema: { tags, summary: 'The after-sales queue: open cases, priority first, then oldest (AS-10); filters and a keyset cursor', querystring: queueQuery, response: { 200: queueView } }, config: { auth: 'agent' } },
    async (request) => {
      staffOf(request);
      return toQueueView(await listAgentQueue(deps, request.query));
    },
  );

  app.get(
    '/agent/cases/:caseId',
    { schema: { tags, summary: 'A case as agents see it: decision trace, timeline, notes, photos, serial check and reuse, actions', params: caseParams, response: { 200: agentCaseView } }, config: { auth: 'agent' } },
    async (request) => {
      staffOf(request);
      return caseView(request.params.caseId);
    },
  );

  app.post(
    '/agent/cases/:caseId/actions',
    {
      schema: {
        tags,
        summary: 'Review, ask for information, approve, reject (reason code), wait for the return, mark received and inspected (AS-10); the requester is emailed (AS-12)',
        params: caseParams,
        body: actionBody,
        response: { 200: agentCaseView },
      },
      config: { auth: 'agent' },
    },
    async (request) => {
      const staff = staffOf(request);
      await transact(deps, (trx) => applyAgentAction(trx, { caseId: request.params.caseId, staff, ...request.body }));
      return caseView(request.params.caseId);
    },
  );

  app.post(
    '/agent/cases/:caseId/notes',
    { schema: { tags, summary: 'An internal note on the case (never shown to the requester)', params: caseParams, body: noteBody, response: { 201: noteView } }, config: { auth: 'agent' } },
    async (request, reply) => {
      const staff = staffOf(request);
      const note = await transact(deps, (trx) => addCaseNote(trx, { caseId: request.params.caseId, staff, body: request.body.body }));
      return reply.status(201).send(toNoteView(note));
    },
  );

  app.post(
    '/agent/cases/:caseId/convert',
    {
      schema: { tags, summary: 'Turn a support case into a warranty claim, decided anew, without the requester typing anything again (AS-13)', params: caseParams, body: noBody, response: { 201: agentCaseView } },
      config: { auth: 'agent' },
    },
    async (request, reply) => {
      const staff = staffOf(request);
      const claim = await convertSupportCase(deps, { caseId: request.params.caseId, staff });
      return reply.status(201).send(await caseView(claim.id));
    },
  );

  app.get(
    '/agent/cases/:caseId/images/:imageId',
    { schema: { tags, summary: "A case's photo (the stored, re-encoded bytes)", params: caseImageParams }, config: { auth: 'agent' } },
    async (request, reply) => {
      staffOf(request);
      return sendCaseImage(deps, reply, request.params.caseId, request.params.imageId);
    },
  );

  app.post(
    '/agent/orders/:orderId/serials',
    { schema: { tags, summary: 'Record the serials shipped on serial-numbered order lines (AS-2)', params: orderParams, body: serialsBody, response: { 200: serialsView } }, config: { auth: 'agent' } },
    async (request) => {
      const staff = staffOf(request);
      return toSerialsView(await transact(deps, (trx) => recordOrderSerials(trx, { orderId: request.params.orderId, lines: request.body.lines, staff })));
    },
  );

  app.get(
    '/agent/orders/:orderId/serials',
    { schema: { tags, summary: 'The serials recorded as shipped on an order (AS-2)', params: orderParams, response: { 200: serialsView } }, config: { auth: 'agent' } },
    async (request) => {
      staffOf(request);
      return toSerialsView(await listOrderSerials(deps, request.params.orderId));
    },
  );
}

/**
 * Sends a case photo: an image of another case, or a file that is gone, is 404 (never 403). Private and never cached
 * (a shared cache must not keep a customer's photo); nosniff, so a browser never reads it as anything but its type.
 */
async function sendCaseImage(deps: Deps, reply: FastifyReply, caseId: string, imageId: string): Promise<FastifyReply> {
  const image = (await listImages(deps.db, caseId)).find((candidate) => candidate.id === imageId);
  const file = image && (await deps.ports.files.get(image.storageKey));
  if (!image || !file) throw notFound('The image');
  return reply
    .header('content-type', image.contentType)
    .header('cache-control', 'private, no-store')
    .header('content-disposition', 'inline')
    .header('x-content-type-options', 'nosniff')
    .send(Buffer.from(file.bytes));
}
