// The customer side of after-sales over HTTP (AS-1, AS-9, AS-12): members open and follow their cases in the member
// center; guests get a captcha, open a case with email + order ID, confirm their address by a single-use link and
// follow the case through its status link. New cases and answers are multipart forms (photos); @fastify/multipart
// is registered in this scope only, with the per-route limits of `config.multipart`.
import fastifyMultipart from '@fastify/multipart';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Deps } from '../../deps.ts';
import { createHash } from 'node:crypto';
import { idempotencyKeyHeaders } from '../../http/idempotency-key.ts';
import { answerIdempotently } from '../../http/idempotency.ts';
import { multipartContentType, multipartRoute, readMultipartForm, type MultipartForm, type MultipartLimits } from '../../http/multipart.ts';
import { requireSession } from '../../http/principal.ts';
import { noBody } from '../../http/route-guards.ts';
import type { ZodApp } from '../../http/types.ts';
import { HOUR_MS, MINUTE_MS } from '../../platform/clock.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import { caseExpirySettingsOf } from './case-expiry.service.ts';
import { isCaseStatusToken } from './case-links.rules.ts';
import { listImages, listTransitions, type Case } from './cases.repository.ts';
import {
  answerMessage, answerMultipartBody, captchaView, caseImageParams, caseListView, caseMultipartBody, caseParams, confirmBody, confirmedView, customerCaseView, guestCaseAccepted, guestCaseForm,
  memberCaseForm, statusTokenQuery, toCaseSummaryView, toCustomerCaseView,
} from './cases.schemas.ts';
import { createCaptchaChallenge } from './captcha.service.ts';
import { maxImageBytes, maxImagesPerCase } from './images.rules.ts';
import { answerCase, cancelOwnCase, confirmGuestCase, findOwnCase, listOwnCases, openCase, readOwnCaseImage, type CaseOwner, type UploadedFile } from './intake.service.ts';

const tags = ['aftersales'];

/** Per-address and per-member bounds (PL-16); the per-guest-address bound is the service's (maxGuestCasesPerHour). */
export const intakeRateLimits = {
  captcha: { max: 30, timeWindow: MINUTE_MS },
  guestSubmit: { max: 10, timeWindow: HOUR_MS },
  memberSubmit: { max: 20, timeWindow: HOUR_MS },
  confirm: { max: 20, timeWindow: MINUTE_MS },
  statusToken: { max: 60, timeWindow: MINUTE_MS },
} as const satisfies Record<string, { max: number; timeWindow: number }>;

const fileTooLargeMessage = 'Each image can be at most 10 MB. Please send a smaller photo.';
const photoLimits = { files: maxImagesPerCase, fileSizeBytes: maxImageBytes, fieldSizeBytes: 64 * 1024, fileField: 'images', fileTooLargeMessage } as const;
const caseFormLimits: MultipartLimits = { ...photoLimits, fields: 1, fieldNames: ['case'] };
const answerFormLimits: MultipartLimits = { ...photoLimits, fields: 1, fieldNames: ['message'] };

/** The member behind the session, for the per-member limit (the route guard has authenticated before this runs). */
function memberKey(request: FastifyRequest): string {
  const principal = request.principal;
  return principal?.kind === 'session' ? `member:${principal.memberId}` : request.ip;
}

function parseCaseField<S extends z.ZodType>(form: MultipartForm, schema: S): z.infer<S> {
  const raw = form.fields.case;
  let value: unknown = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch {
      throw new AppError('validation', 'The field "case" must be the form as JSON.', { field: 'case' });
    }
  }
  if (raw === undefined) throw new AppError('validation', 'The form is missing: send it as JSON in the field "case".', { field: 'case' });
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new AppError('validation', 'Some fields are missing or invalid.', parsed.error.issues.map((issue) => ({ path: `case.${issue.path.join('.')}`, message: issue.message })));
  }
  return parsed.data;
}

const filesOf = (form: MultipartForm): UploadedFile[] => form.files.map((file) => ({ filename: file.filename, bytes: file.bytes }));

/** What a retry must repeat: the form and the digests of the files as sent. */
function fingerprintOf(form: unknown, files: readonly UploadedFile[]) {
  return { form, images: files.map((file) => createHash('sha256').update(file.bytes).digest('hex')) };
}

export async function registerIntakeRoutes(app: ZodApp, deps: Deps): Promise<void> {
  async function caseView(record: Case) {
    return toCustomerCaseView(record, await listTransitions(deps.db, record.id), await listImages(deps.db, record.id), caseExpirySettingsOf(deps.config));
  }

  function guestOwner(caseId: string, token: string): CaseOwner {
    if (!isCaseStatusToken(deps.secret, caseId, token)) throw notFound('The case');
    return { kind: 'guest' };
  }

  async function sendImage(reply: FastifyReply, owner: CaseOwner, caseId: string, imageId: string) {
    const { image, bytes } = await readOwnCaseImage(deps, owner, caseId, imageId);
    return reply
      .type(image.contentType)
      .header('cache-control', 'private, no-store')
      .header('content-disposition', 'inline')
      .header('x-content-type-options', 'nosniff')
      .send(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  }

  await app.register(async (plugin) => {
    // Scope-wide defaults; each route passes its own limits to readMultipartForm.
    await plugin.register(fastifyMultipart, { limits: { files: maxImagesPerCase, fileSize: maxImageBytes, fields: 2, fieldSize: 64 * 1024, parts: maxImagesPerCase + 2 } });
    const scope = plugin.withTypeProvider<ZodTypeProvider>();

    // ---- Members (the member center) -----------------------------------------------------------------------

    scope.post(
      '/me/cases',
      {
        schema: {
          tags,
          summary: 'Open a return, exchange, warranty claim, damage report or support case (AS-1): multipart form `case` (JSON) + up to 5 `images`; 422 not_eligible with the reasons when the rules refuse',
          consumes: [multipartContentType],
          headers: idempotencyKeyHeaders,
          body: caseMultipartBody,
          response: { 201: customerCaseView },
        },
        config: { auth: 'session', multipart: caseFormLimits, rateLimit: { ...intakeRateLimits.memberSubmit, keyGenerator: memberKey } },
        ...multipartRoute(),
      },
      async (request, reply) => {
        const { memberId } = requireSession(request);
        const form = await readMultipartForm(request, caseFormLimits);
        const fields = parseCaseField(form, memberCaseForm);
        const files = filesOf(form);
        return answerIdempotently<z.infer<typeof customerCaseView>>(deps, request, reply, { required: false, body: fingerprintOf(fields, files), memberId }, async () => {
          const record = await openCase(deps, { requester: { kind: 'member', memberId }, form: fields, files });
          return { status: 201, body: await caseView(record) };
        });
      },
    );

    scope.get('/me/cases', { schema: { tags, summary: 'My after-sales cases, newest first', response: { 200: caseListView } }, config: { auth: 'session' } }, async (request) => {
      const { memberId } = requireSession(request);
      return { cases: (await listOwnCases(deps, memberId)).map(toCaseSummaryView) };
    });

    scope.get('/me/cases/:caseId', { schema: { tags, summary: 'One of my cases: state, decision, timeline, photos (AS-12)', params: caseParams, response: { 200: customerCaseView } }, config: { auth: 'session' } }, async (request) => {
      const { memberId } = requireSession(request);
      return caseView(await findOwnCase(deps, { kind: 'member', memberId }, request.params.caseId));
    });

    scope.post(
      '/me/cases/:caseId/answer',
      {
        schema: { tags, summary: 'Answer the question on a case waiting for information: multipart `message` + more `images` (up to 5 on the case)', consumes: [multipartContentType], params: caseParams, body: answerMultipartBody, response: { 200: customerCaseView } },
        config: { auth: 'session', multipart: answerFormLimits, rateLimit: { ...intakeRateLimits.memberSubmit, keyGenerator: memberKey } },
        ...multipartRoute(),
      },
      async (request) => {
        const { memberId } = requireSession(request);
        const form = await readMultipartForm(request, answerFormLimits);
        const message = answerMessage.safeParse(form.fields.message);
        if (!message.success) throw new AppError('validation', 'Write your answer (1 to 4000 characters).', { field: 'message' });
        return caseView(await answerCase(deps, { owner: { kind: 'member', memberId }, caseId: request.params.caseId, message: message.data, files: filesOf(form) }));
      },
    );

    scope.post('/me/cases/:caseId/cancel', { schema: { tags, summary: 'Cancel my case (before the item is received)', params: caseParams, body: noBody, response: { 200: customerCaseView } }, config: { auth: 'session' } }, async (request) => {
      const { memberId } = requireSession(request);
      return caseView(await cancelOwnCase(deps, { owner: { kind: 'member', memberId }, caseId: request.params.caseId }));
    });

    scope.get('/me/cases/:caseId/images/:imageId', { schema: { tags, summary: 'A photo of my case (the stored, metadata-free bytes)', params: caseImageParams }, config: { auth: 'session' } }, async (request, reply) => {
      const { memberId } = requireSession(request);
      return sendImage(reply, { kind: 'member', memberId }, request.params.caseId, request.params.imageId);
    });

    // ---- Guests (public pages; the status link's token proves the case is theirs) -----------------------------

    scope.get('/cases/captcha', { schema: { tags, summary: 'An ALTCHA proof-of-work challenge for the guest form (self-hosted, expires in 10 minutes)', response: { 200: captchaView } }, config: { auth: 'public', rateLimit: intakeRateLimits.captcha } }, async (_request, reply) => {
      reply.header('cache-control', 'no-store');
      return createCaptchaChallenge(deps);
    });

    scope.post(
      '/cases',
      {
        schema: {
          tags,
          summary: 'A guest opens a case (AS-1): multipart `case` (JSON with email, contactName, altcha) + `images`; the order is proven by email + order ID; 202 and a confirmation link by email',
          consumes: [multipartContentType],
          headers: idempotencyKeyHeaders,
          body: caseMultipartBody,
          response: { 202: guestCaseAccepted },
        },
        config: { auth: 'public', multipart: caseFormLimits, rateLimit: intakeRateLimits.guestSubmit },
        ...multipartRoute(),
      },
      async (request, reply) => {
        const form = await readMultipartForm(request, caseFormLimits);
        const fields = parseCaseField(form, guestCaseForm);
        const files = filesOf(form);
        const { email, contactName, altcha, ...caseForm } = fields;
        return answerIdempotently<z.infer<typeof guestCaseAccepted>>(deps, request, reply, { required: false, body: fingerprintOf(fields, files), guestEmail: email, memberId: null }, async () => {
          const record = await openCase(deps, { requester: { kind: 'guest', email, contactName, captcha: altcha }, form: caseForm, files });
          return { status: 202, body: { caseId: record.id, message: 'Check your email: we sent you a link to confirm your address. We start on your case once it is confirmed.' } };
        });
      },
    );

    scope.post('/cases/confirm', { schema: { tags, summary: "Confirm a guest case's email address with the link's single-use token (AS-1)", body: confirmBody, response: { 200: confirmedView } }, config: { auth: 'public', rateLimit: intakeRateLimits.confirm } }, async (request) => {
      const { record, statusUrl } = await confirmGuestCase(deps, { token: request.body.token });
      return { caseId: record.id, statusUrl };
    });

    scope.get('/cases/:caseId', { schema: { tags, summary: "A guest's case through its status link (AS-12)", params: caseParams, querystring: statusTokenQuery, response: { 200: customerCaseView } }, config: { auth: 'public', rateLimit: intakeRateLimits.statusToken } }, async (request) => {
      const owner = guestOwner(request.params.caseId, request.query.t);
      return caseView(await findOwnCase(deps, owner, request.params.caseId));
    });

    scope.post(
      '/cases/:caseId/answer',
      {
        schema: { tags, summary: "A guest answers the question on their case (status link's token)", consumes: [multipartContentType], params: caseParams, querystring: statusTokenQuery, body: answerMultipartBody, response: { 200: customerCaseView } },
        config: { auth: 'public', multipart: answerFormLimits, rateLimit: intakeRateLimits.statusToken },
        ...multipartRoute(),
      },
      async (request) => {
        const owner = guestOwner(request.params.caseId, request.query.t);
        const form = await readMultipartForm(request, answerFormLimits);
        const message = answerMessage.safeParse(form.fields.message);
        if (!message.success) throw new AppError('validation', 'Write your answer (1 to 4000 characters).', { field: 'message' });
        return caseView(await answerCase(deps, { owner, caseId: request.params.caseId, message: message.data, files: filesOf(form) }));
      },
    );

    scope.post('/cases/:caseId/cancel', { schema: { tags, summary: "A guest cancels their case (status link's token)", params: caseParams, querystring: statusTokenQuery, body: noBody, response: { 200: customerCaseView } }, config: { auth: 'public', rateLimit: intakeRateLimits.statusToken } }, async (request) => {
      const owner = guestOwner(request.params.caseId, request.query.t);
      return caseView(await cancelOwnCase(deps, { owner, caseId: request.params.caseId }));
    });

    scope.get('/cases/:caseId/images/:imageId', { schema: { tags, summary: "A photo of a guest's case (status link's token)", params: caseImageParams, querystring: statusTokenQuery }, config: { auth: 'public', rateLimit: intakeRateLimits.statusToken } }, async (request, reply) => {
      return sendImage(reply, guestOwner(request.params.caseId, request.query.t), request.params.caseId, request.params.imageId);
    });
  });
}
