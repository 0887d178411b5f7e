// Rights requests over HTTP (PV-1..PV-14; docs/CONTRACTS.md). Public: the web form (no account), the request's
// status page, verification by code and matching facts, a new code, an authorized agent's document, the subject's
// confirmation of an agent, and the appeal; each carries the request's own reference token. Members: the member
// center's requests, verified by a recent sign-in. Agents: entering emailed requests, the queue, one request, the
// actions and the uploaded documents. Public routes are rate-limited per IP here and per requester address in the
// service (no captcha: the code to the subject's address is what stops abuse of someone else's data).
import fastifyMultipart from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import { transact, type Deps } from '../../deps.ts';
import { idempotencyKeyHeaders } from '../../http/idempotency-key.ts';
import { answerIdempotently } from '../../http/idempotency.ts';
import { multipartContentType, multipartRoute, readMultipartForm, type MultipartLimits } from '../../http/multipart.ts';
import { requireRole, requireSession } from '../../http/principal.ts';
import { noBody } from '../../http/route-guards.ts';
import type { ZodApp } from '../../http/types.ts';
import { HOUR_MS, MINUTE_MS } from '../../platform/clock.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import { getMemberContact } from '../accounts/index.ts';
import { applyAgentAction, getAgentRequest, listAgentQueue, readRequestDocument, type AgentRequestDetail, type StaffActor } from './agent-requests.service.ts';
import { findErasureOfMember } from './erasures.repository.ts';
import { findExportByDedupeKey } from './export.repository.ts';
import { appealRequest } from './fulfilment.service.ts';
import { isRequestToken, requestStatusUrl, requestToken } from './request-links.rules.ts';
import { documentKinds } from './requests.rules.ts';
import { findRequest, listDocuments, listEvents, listMemberRequests, type PrivacyRequest } from './requests.repository.ts';
import {
  actionBody, agentRequestBody, agentRequestView, appealBody, documentMultipartBody, documentParams, intakeAccepted, memberAppealBody, memberRequestBody, publicRequestBody, queueQuery, queueView,
  requestListView, requestParams, requestView, toAgentRequestView, toQueueView, toRequestView, tokenBody, tokenQuery, verifyBody,
} from './requests.schemas.ts';
import { openRequest } from './requests.service.ts';
import { confirmAgent, maxDocumentBytes, resendVerificationCode, submitVerification, uploadAgentDocument, verifyMemberRequest } from './verification.service.ts';

const tags = ['privacy'];

/** Per-IP bounds of the public routes; the per-address bound of submissions is the service's. */
export const requestRateLimits = {
  submit: { max: 10, timeWindow: HOUR_MS },
  verify: { max: 20, timeWindow: MINUTE_MS },
  resend: { max: 10, timeWindow: HOUR_MS },
  status: { max: 60, timeWindow: MINUTE_MS },
  upload: { max: 10, timeWindow: HOUR_MS },
  memberSubmit: { max: 20, timeWindow: HOUR_MS },
} as const satisfies Record<string, { max: number; timeWindow: number }>;

const documentLimits: MultipartLimits = {
  files: 1,
  fileSizeBytes: maxDocumentBytes,
  fields: 1,
  fieldSizeBytes: 1024,
  fileField: 'document',
  fieldNames: ['kind'],
  fileTooLargeMessage: 'The document can be at most 10 MB.',
};

function memberKey(request: FastifyRequest): string {
  const principal = request.principal;
  return principal?.kind === 'session' ? `member:${principal.memberId}` : request.ip;
}

function staffOf(request: FastifyRequest): StaffActor {
  const staff = requireRole(request, 'agent');
  return { id: staff.memberId, role: staff.role === 'admin' ? 'admin' : 'agent' };
}

export async function registerRequestRoutes(app: ZodApp, deps: Deps): Promise<void> {
  async function view(request: PrivacyRequest) {
    return toRequestView(request, await listEvents(deps.db, request.id), await listDocuments(deps.db, request.id), await answerExport(request));
  }

  /** The export an access or portability request was answered with (keyed by the request), so its page can link it. */
  async function answerExport(request: PrivacyRequest) {
    if (request.type !== 'access' && request.type !== 'portability') return null;
    const row = await findExportByDedupeKey(deps.db, `request:${request.id}`);
    return row ? { id: row.id, state: row.state, expiresAtMs: row.expires_at_ms } : null;
  }

  /** The agent's view, with the erasure that answered an erase request (its report is one click away). */
  async function agentView(detail: AgentRequestDetail) {
    const { request } = detail;
    const erasure = request.type === 'erase' && request.memberId !== null ? await findErasureOfMember(deps.db, request.memberId) : undefined;
    return toAgentRequestView(detail, erasure?.id ?? null);
  }

  /** A request named by its ID and proven by its reference token; anything else is "not found". */
  async function byToken(requestId: string, token: string, purpose: 'status' | 'confirm-agent' = 'status'): Promise<PrivacyRequest> {
    if (!isRequestToken(deps.secret, requestId, token, purpose)) throw notFound('The request');
    const request = await findRequest(deps.db, requestId);
    if (!request) throw notFound('The request');
    return request;
  }

  async function ownRequest(memberId: string, requestId: string): Promise<PrivacyRequest> {
    const request = await findRequest(deps.db, requestId);
    if (!request || request.memberId !== memberId || request.channel !== 'member_center') throw notFound('The request');
    return request;
  }

  // ---- Public ------------------------------------------------------------------------------------------------

  app.post(
    '/privacy/requests',
    {
      schema: {
        tags,
        summary: 'File a privacy rights request without an account (PV-1, PV-2): 202 with the request’s reference token; opt-outs take effect at once (PV-4)',
        headers: idempotencyKeyHeaders,
        body: publicRequestBody,
        response: { 202: intakeAccepted },
      },
      config: { auth: 'public', rateLimit: requestRateLimits.submit },
    },
    async (request, reply) =>
      answerIdempotently<z.infer<typeof intakeAccepted>>(deps, request, reply, { required: false, body: request.body, guestEmail: request.body.requesterEmail, memberId: null }, async () => {
        const created = await transact(deps, (trx) => openRequest(trx, { source: { channel: 'web_form' }, form: request.body }));
        const message =
          created.state === 'fulfilled'
            ? 'Your choice took effect at once. We sent a confirmation by email.'
            : created.relationship === 'authorized_agent'
              ? 'We received the request. Please upload your authorization document; we sent a verification code to the email address of the person you act for.'
              : 'We received the request and sent a 6-digit code to the email address it is about. Enter it to verify the request.';
        return { status: 202, body: { requestId: created.id, token: requestToken(deps.secret, created.id), state: created.state, statusUrl: requestStatusUrl(deps.config.http.publicUrl, deps.secret, created), message } };
      }),
  );

  app.get(
    '/privacy/requests/:requestId',
    { schema: { tags, summary: 'A request through its status link (the reference token)', params: requestParams, querystring: tokenQuery, response: { 200: requestView } }, config: { auth: 'public', rateLimit: requestRateLimits.status } },
    async (request) => view(await byToken(request.params.requestId, request.query.t)),
  );

  app.post(
    '/privacy/requests/:requestId/verify',
    {
      schema: {
        tags,
        summary: 'Verify a request (PV-12, PV-13): the 6-digit code (10 minutes, 3 tries), the order facts (2 or 3 matches) and the signed declaration, in any combination',
        params: requestParams,
        body: verifyBody,
        response: { 200: requestView },
      },
      config: { auth: 'public', rateLimit: requestRateLimits.verify },
    },
    async (request) => {
      const { token, ...parts } = request.body;
      await byToken(request.params.requestId, token);
      return view(await submitVerification(deps, { requestId: request.params.requestId, ...parts }));
    },
  );

  app.post(
    '/privacy/requests/:requestId/verification-code',
    {
      schema: { tags, summary: 'Send a new verification code to the subject’s address (at most once a minute and 5 times an hour)', params: requestParams, body: tokenBody, response: { 202: requestView } },
      config: { auth: 'public', rateLimit: requestRateLimits.resend },
    },
    async (request, reply) => {
      const found = await byToken(request.params.requestId, request.body.token);
      await transact(deps, (trx) => resendVerificationCode(trx, found.id));
      return reply.status(202).send(await view((await findRequest(deps.db, found.id))!));
    },
  );

  app.post(
    '/privacy/requests/:requestId/confirm-agent',
    {
      schema: { tags, summary: 'The subject confirms that the authorized agent acts for them (PV-14; the link emailed to the subject)', params: requestParams, body: tokenBody, response: { 200: requestView } },
      config: { auth: 'public', rateLimit: requestRateLimits.verify },
    },
    async (request) => {
      const found = await byToken(request.params.requestId, request.body.token, 'confirm-agent');
      return view(await transact(deps, (trx) => confirmAgent(trx, found.id)));
    },
  );

  app.post(
    '/privacy/requests/:requestId/appeal',
    {
      schema: { tags, summary: 'Appeal the answer to a request (fulfilled, partially fulfilled or denied; PV-3)', params: requestParams, body: appealBody, response: { 200: requestView } },
      config: { auth: 'public', rateLimit: requestRateLimits.verify },
    },
    async (request) => {
      const found = await byToken(request.params.requestId, request.body.token);
      return view(await transact(deps, (trx) => appealRequest(trx, { requestId: found.id, actor: { role: 'requester', id: null }, note: request.body.note ?? null })));
    },
  );

  await app.register(async (plugin) => {
    await plugin.register(fastifyMultipart, { limits: { files: 1, fileSize: maxDocumentBytes, fields: 1, fieldSize: 1024, parts: 2 } });
    const scope = plugin.withTypeProvider<ZodTypeProvider>();
    scope.post(
      '/privacy/requests/:requestId/documents',
      {
        schema: {
          tags,
          summary: 'An authorized agent uploads a power of attorney or a signed letter (PV-14): multipart `kind` + `document` (PDF stored unchanged, or a JPEG/PNG/WebP image re-encoded; 10 MB)',
          consumes: [multipartContentType],
          params: requestParams,
          querystring: tokenQuery,
          body: documentMultipartBody,
          response: { 200: requestView },
        },
        config: { auth: 'public', multipart: documentLimits, rateLimit: requestRateLimits.upload },
        ...multipartRoute(),
      },
      async (request) => {
        const found = await byToken(request.params.requestId, request.query.t);
        const form = await readMultipartForm(request, documentLimits);
        const kind = documentKinds.find((candidate) => candidate === form.fields.kind);
        if (!kind) throw new AppError('validation', 'Say what the document is: power_of_attorney or signed_letter.', { field: 'kind' });
        const file = form.files[0];
        if (!file) throw new AppError('validation', 'Attach the document in the field "document".', { field: 'document' });
        return view(await uploadAgentDocument(deps, { requestId: found.id, kind, bytes: file.bytes, filename: file.filename }));
      },
    );
  });

  // ---- Members (the member center) -----------------------------------------------------------------------

  app.post(
    '/me/privacy/requests',
    {
      schema: { tags, summary: 'File a privacy rights request about myself (PV-1); verified at once by a sign-in less than 10 minutes old (PV-11)', headers: idempotencyKeyHeaders, body: memberRequestBody, response: { 201: requestView } },
      config: { auth: 'session', rateLimit: { ...requestRateLimits.memberSubmit, keyGenerator: memberKey } },
    },
    async (request, reply) => {
      const { memberId, sessionId } = requireSession(request);
      const contact = await getMemberContact(deps, memberId);
      if (!contact) throw notFound('The member');
      const body = request.body;
      const requesterName = body.requesterName ?? contact.firstName ?? contact.email;
      const form = { type: body.type, requesterName, requesterEmail: contact.email, relationship: 'self' as const, brands: body.brands, subjectEmail: contact.email, country: body.country, state: body.state, zip: body.zip, comments: body.comments };
      return answerIdempotently<z.infer<typeof requestView>>(deps, request, reply, { required: false, body, memberId }, async () => {
        const created = await transact(deps, (trx) => openRequest(trx, { source: { channel: 'member_center', memberId, sessionId }, form }));
        return { status: 201, body: await view(created), memberId };
      });
    },
  );

  app.get('/me/privacy/requests', { schema: { tags, summary: 'My privacy requests, newest first', response: { 200: requestListView } }, config: { auth: 'session' } }, async (request) => {
    const { memberId } = requireSession(request);
    const requests = (await listMemberRequests(deps.db, memberId)).filter((entry) => entry.channel === 'member_center');
    return { requests: requests.map((entry) => toRequestView(entry, [], [])) };
  });

  app.get('/me/privacy/requests/:requestId', { schema: { tags, summary: 'One of my privacy requests', params: requestParams, response: { 200: requestView } }, config: { auth: 'session' } }, async (request) => {
    const { memberId } = requireSession(request);
    return view(await ownRequest(memberId, request.params.requestId));
  });

  app.post(
    '/me/privacy/requests/:requestId/verify',
    { schema: { tags, summary: 'Verify my request by a sign-in less than 10 minutes old (PV-11); 403 asks to sign in again', params: requestParams, body: noBody, response: { 200: requestView } }, config: { auth: 'session' } },
    async (request) => {
      const { memberId, sessionId } = requireSession(request);
      await ownRequest(memberId, request.params.requestId);
      return view(await verifyMemberRequest(deps, { requestId: request.params.requestId, memberId, sessionId }));
    },
  );

  app.post(
    '/me/privacy/requests/:requestId/appeal',
    { schema: { tags, summary: 'Appeal the answer to my request (PV-3)', params: requestParams, body: memberAppealBody, response: { 200: requestView } }, config: { auth: 'session' } },
    async (request) => {
      const { memberId } = requireSession(request);
      const found = await ownRequest(memberId, request.params.requestId);
      return view(await transact(deps, (trx) => appealRequest(trx, { requestId: found.id, actor: { role: 'member', id: memberId }, note: request.body.note ?? null })));
    },
  );

  // ---- Agents ----------------------------------------------------------------------------------------------

  app.post(
    '/agent/privacy/requests',
    {
      schema: {
        tags,
        summary: 'Enter a request received by email (with the message’s receipt time, which starts the deadlines) or taken by an agent',
        headers: idempotencyKeyHeaders,
        body: agentRequestBody,
        response: { 201: agentRequestView },
      },
      config: { auth: 'agent' },
    },
    async (request, reply) => {
      const staff = staffOf(request);
      const { channel, receivedAt, ...form } = request.body;
      const source = channel === 'email' ? { channel, receivedAtMs: Date.parse(receivedAt!), staffId: staff.id, staffRole: staff.role } : { channel, staffId: staff.id, staffRole: staff.role };
      return answerIdempotently<z.infer<typeof agentRequestView>>(deps, request, reply, { required: false, body: request.body, memberId: null }, async () => {
        const detail = await transact(deps, async (trx) => {
          const created = await openRequest(trx, { source, form });
          return getAgentRequest(trx, { requestId: created.id, staff });
        });
        return { status: 201, body: await agentView(detail), memberId: detail.request.memberId };
      });
    },
  );

  app.get(
    '/agent/privacy/requests',
    { schema: { tags, summary: 'The rights-request queue: open requests, Plus members first, then earliest due; days left and due_in_7 / due_in_2 / overdue flags (PV-10)', querystring: queueQuery, response: { 200: queueView } }, config: { auth: 'agent' } },
    async (request) => {
      staffOf(request);
      return toQueueView(await listAgentQueue(deps, request.query));
    },
  );

  app.get(
    '/agent/privacy/requests/:requestId',
    { schema: { tags, summary: 'A request as agents see it: timeline, deadlines, verification, documents, actions', params: requestParams, response: { 200: agentRequestView } }, config: { auth: 'agent' } },
    async (request) => {
      const staff = staffOf(request);
      return agentView(await transact(deps, (trx) => getAgentRequest(trx, { requestId: request.params.requestId, staff })));
    },
  );

  app.post(
    '/agent/privacy/requests/:requestId/actions',
    {
      schema: {
        tags,
        summary: 'Start, hold, resume, extend {reason}, deny / partially_fulfil {reasonCode, legalBasis}, fulfil, withdraw, decide_appeal {decision, reasonCode} (PV-3, PV-9)',
        params: requestParams,
        body: actionBody,
        response: { 200: agentRequestView },
      },
      config: { auth: 'agent' },
    },
    async (request) => {
      const staff = staffOf(request);
      const detail = await transact(deps, async (trx) => {
        await applyAgentAction(trx, { requestId: request.params.requestId, staff, ...request.body });
        return getAgentRequest(trx, { requestId: request.params.requestId, staff });
      });
      return agentView(detail);
    },
  );

  app.get(
    '/agent/privacy/requests/:requestId/documents/:documentId',
    { schema: { tags, summary: 'An authorized agent’s document as stored (a download, never shown inline)', params: documentParams }, config: { auth: 'agent' } },
    async (request, reply) => {
      const staff = staffOf(request);
      const { document, bytes } = await transact(deps, (trx) => readRequestDocument(trx, { requestId: request.params.requestId, documentId: request.params.documentId, staff }));
      const extension = document.contentType === 'application/pdf' ? 'pdf' : document.contentType.split('/')[1];
      return reply
        .type(document.contentType)
        .header('cache-control', 'private, no-store')
        .header('content-disposition', `attachment; filename="${document.id}.${extension}"`)
        .header('x-content-type-options', 'nosniff')
        .send(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    },
  );
}
