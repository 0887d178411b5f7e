// The cookie banner's API (PV-22..PV-25): a visitor's current choices and saving a choice, readable and writable from
// a storefront on another origin (CORS without credentials: the storefront passes its own first-party device ID);
// publishing a changed notice; a member's consent history for the console; the advertising audience.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { transact, type Deps } from '../../deps.ts';
import { readDeviceId, setDeviceCookie } from '../../http/device-id.ts';
import { requireRole, requireScope } from '../../http/principal.ts';
import type { ZodApp } from '../../http/types.ts';
import { randomToken } from '../../platform/ids.ts';
import { memberIdParam } from '../accounts/index.ts';
import { recordAudit } from '../audit/index.ts';
import { advertisingAudiencePage } from './consent-audience.service.ts';
import { consentHistory, publishConsentNotice } from './consent.service.ts';
import { gpcWouldChange, honourGpc, regionFromHeader, resolveRegion, saveCookieChoices, visitorConsent, type Visitor } from './cookies.service.ts';
import {
  audienceQuery,
  audienceView,
  consentHistoryView,
  consentQuery,
  consentTags as tags,
  cookieChoiceBody,
  noticeBody,
  noticeView,
  toAudienceView,
  toConsentRecordView,
  toVisitorConsentView,
  visitorConsentView,
} from './cookies.schemas.ts';

/** The scope an API key needs to read the advertising audience (agents and admins may too). */
export const audienceReadScope = 'audiences:read';

/**
 * A storefront on another origin calls these without credentials, so any origin may read the answer: it holds only
 * the choices of the device ID the caller already knows. Cross-Origin-Resource-Policy undoes helmet's same-origin.
 */
export function allowAnyOrigin(reply: FastifyReply): void {
  reply.header('access-control-allow-origin', '*');
  reply.header('cross-origin-resource-policy', 'cross-origin');
  reply.header('vary', 'Origin');
}

/** The session's member, when the caller is signed in (an API key is nobody's browser). */
export function sessionMemberId(request: FastifyRequest): string | null {
  return request.principal?.kind === 'session' ? request.principal.memberId : null;
}

/** The opt-out preference signal of this request: the Sec-GPC header, or the page's navigator.globalPrivacyControl. */
export function gpcOf(request: FastifyRequest, pageSignal?: boolean): boolean {
  return request.headers['sec-gpc'] === '1' || pageSignal === true;
}

/** The visitor a request stands for (region per PV-23: header, member's country, configured default). */
export async function visitorOf(deps: Deps, request: FastifyRequest, input: { deviceId: string | null; pageGpc?: boolean }): Promise<Visitor> {
  const memberId = sessionMemberId(request);
  const headerName = deps.config.consent.regionHeader;
  const region = await resolveRegion(deps, { headerRegion: headerName ? regionFromHeader(request.headers[headerName]) : null, memberId, defaultRegion: deps.config.consent.defaultRegion ?? null });
  return { deviceId: input.deviceId, memberId, region, gpc: gpcOf(request, input.pageGpc) };
}

const consentRateLimit = { max: 120, timeWindow: 60_000 };

export function registerCookieRoutes(app: ZodApp, deps: Deps): void {
  app.options(
    '/privacy/consent',
    { schema: { hide: true }, config: { auth: 'public' } },
    async (_request, reply) => {
      allowAnyOrigin(reply);
      reply.header('access-control-allow-methods', 'GET, POST');
      reply.header('access-control-allow-headers', 'content-type');
      reply.header('access-control-max-age', '600');
      return reply.status(204).send();
    },
  );

  app.get(
    '/privacy/consent',
    {
      schema: { tags, summary: 'A visitor’s cookie choices and the categories a storefront may load (PV-23, PV-24): device cookie or deviceId', querystring: consentQuery, response: { 200: visitorConsentView } },
      config: { auth: 'public', rateLimit: consentRateLimit },
    },
    async (request, reply) => {
      allowAnyOrigin(reply);
      const deviceId = readDeviceId(request) ?? request.query.deviceId ?? null;
      const visitor = await visitorOf(deps, request, { deviceId, pageGpc: request.query.gpc === '1' });
      // The page's own signal (navigator.globalPrivacyControl) is recorded here; the header was by the hook.
      if (visitor.gpc) await honourGpcOnce(deps, request, deviceId);
      return toVisitorConsentView(await visitorConsent(deps, visitor), { deviceId, signedIn: visitor.memberId !== null });
    },
  );

  app.post(
    '/privacy/consent',
    {
      schema: { tags, summary: 'Save a banner or settings choice for this browser (and the account, signed in) (PV-22, PV-23)', body: cookieChoiceBody, response: { 200: visitorConsentView } },
      config: { auth: 'public', rateLimit: consentRateLimit },
    },
    async (request, reply) => {
      allowAnyOrigin(reply);
      const cookieDevice = readDeviceId(request);
      // The device cookie is set only now, when a choice is made: before it nothing is stored (PV-23).
      const deviceId = cookieDevice ?? request.body.deviceId ?? randomToken(16);
      if (!cookieDevice && !request.body.deviceId) setDeviceCookie(reply, { secure: deps.config.http.secureCookies }, deviceId);
      const visitor = await visitorOf(deps, request, { deviceId, pageGpc: request.body.gpc === true });
      await transact(deps, (ctx) => saveCookieChoices(ctx, visitor, { choices: request.body.choices, method: request.body.method }));
      return toVisitorConsentView(await visitorConsent(deps, visitor), { deviceId, signedIn: visitor.memberId !== null });
    },
  );

  app.post(
    '/privacy/consent/notices',
    {
      schema: { tags, summary: 'Publish a changed notice text for a purpose: a new version that asks that purpose again (PV-22)', body: noticeBody, response: { 201: noticeView } },
      config: { auth: 'admin' },
    },
    async (request, reply) => {
      const principal = requireRole(request, 'admin');
      const version = await transact(deps, async (ctx) => {
        const published = await publishConsentNotice(ctx, request.body.purpose, request.body.text);
        await recordAudit(ctx, { actor: { id: principal.memberId, role: principal.role }, action: 'privacy.consent.notice_published', memberId: null, details: { purpose: request.body.purpose, version: published } });
        return published;
      });
      return reply.status(201).send({ purpose: request.body.purpose, version });
    },
  );

  app.get(
    '/privacy/members/:memberId/consents',
    { schema: { tags, summary: 'A member’s consent history, oldest first (PV-22; console)', params: memberIdParam, response: { 200: consentHistoryView } }, config: { auth: 'agent' } },
    async (request) => {
      const principal = requireRole(request, 'agent');
      const records = await consentHistory(deps, { memberId: request.params.memberId });
      await transact(deps, (ctx) => recordAudit(ctx, { actor: { id: principal.memberId, role: principal.role }, action: 'privacy.consent.viewed', memberId: request.params.memberId, details: { records: records.length } }));
      return { memberId: request.params.memberId, records: records.map(toConsentRecordView) };
    },
  );

  app.get(
    '/privacy/advertising-audience',
    {
      schema: { tags, summary: 'One page of the members who may be in a sale/share or targeted-advertising audience, with counts of who was left out and why (PV-24, PV-25)', querystring: audienceQuery, response: { 200: audienceView } },
      config: { auth: { scope: audienceReadScope } },
    },
    async (request) => {
      requireScope(request, audienceReadScope);
      const page = await advertisingAudiencePage(deps, { afterId: request.query.after ?? null, limit: request.query.limit, ...(request.query.region ? { region: request.query.region } : {}) });
      return toAudienceView(page);
    },
  );
}

/**
 * Records a GPC opt-out when it changes something, in a short transaction of its own (PV-24). The region (a member
 * lookup when no header tells) is resolved only when there is something to write.
 */
export async function honourGpcOnce(deps: Deps, request: FastifyRequest, deviceId: string | null): Promise<void> {
  const keys = { deviceId, memberId: sessionMemberId(request), region: null };
  if (!(await gpcWouldChange(deps, keys))) return;
  const visitor = await visitorOf(deps, request, { deviceId });
  await transact(deps, (ctx) => honourGpc(ctx, visitor));
}
