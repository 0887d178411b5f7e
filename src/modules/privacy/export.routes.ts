// Access and portability exports over HTTP (PV-15..PV-17): members ask for their own export (one a day), list them,
// download with a sign-in less than 10 minutes old, and read "know"; anyone holding an export's link can have a
// 6-digit code emailed to the export's subject and download with it; the JSON Schema of data.json is public.
import { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Deps } from '../../deps.ts';
import { requireSession } from '../../http/principal.ts';
import { noBody } from '../../http/route-guards.ts';
import type { ZodApp } from '../../http/types.ts';
import { HOUR_MS, MINUTE_MS } from '../../platform/clock.ts';
import { AppError } from '../../platform/errors.ts';
import { signedInRecently } from '../accounts/index.ts';
import { codeSentView, downloadCodeQuery, exportListView, exportParams, exportView, jsonSchemaView, knowView, toExportView } from './export.schemas.ts';
import { downloadExportByCode, downloadOwnExport, exportSchema, know, listOwnExports, requestOwnExport, sendDownloadCode, type ExportDownload } from './export.service.ts';

const tags = ['privacy'];

export const exportRateLimits = {
  request: { max: 5, timeWindow: HOUR_MS },
  download: { max: 30, timeWindow: HOUR_MS },
  code: { max: 5, timeWindow: 10 * MINUTE_MS },
  codeDownload: { max: 10, timeWindow: 10 * MINUTE_MS },
} as const satisfies Record<string, { max: number; timeWindow: number }>;

/** The member behind the session, for the per-member limits (the route guard has authenticated before this runs). */
function memberKey(request: FastifyRequest): string {
  const principal = request.principal;
  return principal?.kind === 'session' ? `member:${principal.memberId}` : request.ip;
}

function sendZip(reply: FastifyReply, download: ExportDownload) {
  return reply
    .type('application/zip')
    .header('content-disposition', `attachment; filename="${download.fileName}"`)
    .header('cache-control', 'no-store')
    .header('x-content-type-options', 'nosniff')
    .send(Readable.from(download.stream));
}

export function registerExportRoutes(app: ZodApp, deps: Deps): void {
  app.get('/privacy/export-schema.json', { schema: { tags, summary: 'The JSON Schema (draft 2020-12) of data.json in access and portability exports (PV-16)', response: { 200: jsonSchemaView } }, config: { auth: 'public' } }, async (_request, reply) => {
    reply.header('cache-control', 'public, max-age=300');
    return exportSchema(deps);
  });

  app.post(
    '/me/privacy/exports',
    { schema: { tags, summary: 'Ask for a copy of my personal data (PV-15): built in the background; one per day (the same day answers the same export)', body: noBody, response: { 202: exportView } }, config: { auth: 'session', rateLimit: { ...exportRateLimits.request, keyGenerator: memberKey } } },
    async (request, reply) => {
      const { memberId } = requireSession(request);
      const { record } = await requestOwnExport(deps, memberId);
      return reply.code(202).send(toExportView(record));
    },
  );

  app.get('/me/privacy/exports', { schema: { tags, summary: 'My personal-data exports, newest first', response: { 200: exportListView } }, config: { auth: 'session' } }, async (request) => {
    const { memberId } = requireSession(request);
    return { exports: (await listOwnExports(deps, memberId)).map(toExportView) };
  });

  app.get(
    '/me/privacy/exports/:exportId/download',
    { schema: { tags, summary: 'Download my export (ZIP) — needs a sign-in less than 10 minutes old (403 reauthentication_required); 410 once expired', params: exportParams }, config: { auth: 'session', rateLimit: { ...exportRateLimits.download, keyGenerator: memberKey } } },
    async (request, reply) => {
      const { memberId, sessionId } = requireSession(request);
      if (!(await signedInRecently(deps, { memberId, sessionId }))) {
        throw new AppError('forbidden', 'For your security, please sign in again to download your data.', { reason: 'reauthentication_required' });
      }
      return sendZip(reply, await downloadOwnExport(deps, memberId, request.params.exportId));
    },
  );

  app.get('/me/privacy/know', { schema: { tags, summary: 'What Patron holds about me: categories, sources, purposes, recipients and disclosures (PV-17)', response: { 200: knowView } }, config: { auth: 'session' } }, async (request) => {
    const { memberId } = requireSession(request);
    return know(deps, memberId);
  });

  app.post(
    '/privacy/exports/:exportId/download-code',
    { schema: { tags, summary: "Email a 6-digit download code to the export's subject (10 minutes, 3 tries); the answer is the same for any ID", params: exportParams, body: noBody, response: { 202: codeSentView } }, config: { auth: 'public', rateLimit: exportRateLimits.code } },
    async (request, reply) => {
      await sendDownloadCode(deps, request.params.exportId);
      return reply.code(202).send({ message: 'If this export is ready, we emailed a code to its owner’s address.' });
    },
  );

  app.get(
    '/privacy/exports/:exportId/download',
    { schema: { tags, summary: 'Download an export with the emailed code (single use); 410 once expired', params: exportParams, querystring: downloadCodeQuery }, config: { auth: 'public', rateLimit: exportRateLimits.codeDownload } },
    async (request, reply) => sendZip(reply, await downloadExportByCode(deps, request.params.exportId, request.query.code)),
  );
}
