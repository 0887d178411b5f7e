// Marketing routes: the public newsletter form and its confirmation, the one-click unsubscribe (RFC 8058) and its
// page's data, tracking pixel and links (PV-29), the signed inbound SMS webhook (NT-6), the member's communication
// preferences, and the console's campaigns, audience preview, suppression list and texts.
import { z } from 'zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { transact, type Deps } from '../../deps.ts';
import { requireRole, requireSession } from '../../http/principal.ts';
import type { ZodApp } from '../../http/types.ts';
import { MINUTE_MS } from '../../platform/clock.ts';
import { AppError } from '../../platform/errors.ts';
import { cancelCampaign, createCampaign, getCampaign, listCampaigns, previewAudience, scheduleCampaign } from './campaigns.service.ts';
import { smsWebhookHeaders, smsWebhookSecret, smsWebhookToleranceMs, verifySmsWebhook } from './marketing.rules.ts';
import {
  campaignBody,
  campaignIdParams,
  campaignList,
  campaignView,
  clickParams,
  confirmBody,
  confirmResult,
  newsletterBody,
  newsletterResult,
  preferencesView,
  previewBody,
  previewView,
  scheduleBody,
  smsWebhookAck,
  suppressionBody,
  suppressionList,
  suppressionQuery,
  suppressionRemoveBody,
  suppressionView,
  tags,
  textList,
  toCampaignView,
  toSuppressionView,
  toTextView,
  tokenParams,
  unsubscribeBody,
  unsubscribeResult,
  unsubscribeView,
} from './marketing.schemas.ts';
import { confirmNewsletterSignUp, signUpForNewsletter } from './newsletter.service.ts';
import { getPreferences, preferencesInput, setPreferences } from './preferences.service.ts';
import { inboundTextSchema, receiveInboundText } from './sms.service.ts';
import { addSuppression, listSuppressions, removeSuppression } from './suppressions.service.ts';
import { emailSchema } from './subscriptions.service.ts';
import { listTexts } from './texts.service.ts';
import { followClick, recordOpen } from './tracking.service.ts';
import { describeUnsubscribe, unsubscribe } from './unsubscribe.service.ts';

export const smsWebhookPath = '/webhooks/sms';
const newsletterRateLimit = { max: 10, timeWindow: MINUTE_MS };
const unsubscribeRateLimit = { max: 600, timeWindow: MINUTE_MS };
const webhookRateLimit = { max: 6000, timeWindow: MINUTE_MS };
/** A transparent 1×1 GIF. */
const pixelGif = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

function staffActor(principal: { memberId: string; role: string }) {
  return { id: principal.memberId, role: principal.role === 'admin' ? ('admin' as const) : ('agent' as const) };
}

/** What a mail client's multipart one-click POST says, read without a multipart parser (one short field). */
function parseOneClickMultipart(body: string): Record<string, string> {
  return /name="List-Unsubscribe"\r?\n\r?\nOne-Click\r?\n/.test(body) ? { 'List-Unsubscribe': 'One-Click' } : {};
}

export async function registerMarketingRoutes(app: ZodApp, deps: Deps): Promise<void> {
  app.post(
    '/newsletter',
    { schema: { tags, summary: 'Newsletter sign-up: marketing email consent (double opt-in where the region asks for it) and a one-time first-order code per address ever (ST-10, PV-26)', body: newsletterBody, response: { 200: newsletterResult } }, config: { auth: 'public', rateLimit: newsletterRateLimit } },
    async (request) => {
      const email = emailSchema.safeParse(request.body.email);
      if (!email.success) throw new AppError('validation', 'Enter a valid email address.', { field: 'email' });
      return transact(deps, (ctx) => signUpForNewsletter(ctx, { email: email.data, region: request.body.region, memberId: null }));
    },
  );

  app.post(
    '/newsletter/confirm',
    { schema: { tags, summary: 'Follow the double opt-in link: records the consent (method signup) and sends the welcome code', body: confirmBody, response: { 200: confirmResult } }, config: { auth: 'public', rateLimit: newsletterRateLimit } },
    async (request) => {
      await transact(deps, (ctx) => confirmNewsletterSignUp(ctx, request.body.token));
      return { status: 'subscribed' as const };
    },
  );

  app.get(
    '/u/:token',
    { schema: { tags, summary: 'What an unsubscribe link is for (the page shows it with its buttons); a GET never unsubscribes (PV-27)', params: tokenParams, response: { 200: unsubscribeView } }, config: { auth: 'public', rateLimit: unsubscribeRateLimit } },
    async (request) => describeUnsubscribe(deps, request.params.token),
  );

  // The one-click POST lives in a scope of its own whose parsers read mail clients' form bodies (RFC 8058).
  await app.register(async (scope) => {
    scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 4096 }, (_request, body, done) => done(null, Object.fromEntries(new URLSearchParams(String(body)))));
    scope.addContentTypeParser('multipart/form-data', { parseAs: 'string', bodyLimit: 4096 }, (_request, body, done) => done(null, parseOneClickMultipart(String(body))));
    scope.withTypeProvider<ZodTypeProvider>().post(
      '/u/:token',
      {
        schema: { tags, summary: 'Unsubscribe: the one-click POST of RFC 8058 (`List-Unsubscribe=One-Click`, all promotional email on the channel) or the page’s choice; no sign-in, idempotent, 200 (PV-27)', params: tokenParams, body: unsubscribeBody, response: { 200: unsubscribeResult } },
        config: { auth: 'public', rateLimit: unsubscribeRateLimit },
      },
      async (request) => {
        const body = request.body;
        const oneClick = !body || !('scope' in body);
        const scopeChoice = body && 'scope' in body ? body.scope : 'all';
        const result = await transact(deps, (ctx) => unsubscribe(ctx, { token: request.params.token, scope: scopeChoice, method: oneClick ? 'api' : 'settings' }));
        return { ...result.view, scope: scopeChoice, changed: result.changed };
      },
    );
  });

  app.get(
    '/m/o/:token',
    { schema: { tags, summary: 'Open pixel of a promotional email; records only for a recipient who consented to tracking (PV-29)', params: tokenParams }, config: { auth: 'public' } },
    async (request, reply) => {
      await recordOpen(deps, request.params.token);
      return reply.header('cache-control', 'no-store').type('image/gif').send(pixelGif);
    },
  );

  app.get(
    '/m/c/:token/:index',
    { schema: { tags, summary: 'A tracked campaign link: redirects to that campaign’s link (never elsewhere), recording the click only with consent (PV-29)', params: clickParams }, config: { auth: 'public' } },
    async (request, reply) => {
      const url = await followClick(deps, request.params.token, request.params.index);
      if (url === null) throw new AppError('not_found', 'This link is not valid.');
      return reply.redirect(url, 302);
    },
  );

  // The inbound SMS webhook needs the raw body for its HMAC: a scope whose JSON parser keeps the bytes.
  await app.register(async (scope) => {
    scope.removeContentTypeParser('application/json');
    scope.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: 65_536 }, (_request, body, done) => done(null, body));
    scope.withTypeProvider<ZodTypeProvider>().post(
      smsWebhookPath,
      {
        schema: {
          tags,
          summary: 'Inbound SMS from the provider, signed with HMAC-SHA256 over `timestamp.body` (NT-6): STOP words stop marketing texts at once, HELP answers (PV-28)',
          body: z.custom<Buffer>((value) => Buffer.isBuffer(value), 'Send the webhook body as application/json.'),
          response: { 200: smsWebhookAck },
        },
        config: { auth: 'public', rateLimit: webhookRateLimit },
      },
      async (request) => {
        const header = (name: string) => {
          const value = request.headers[name];
          return typeof value === 'string' ? value : undefined;
        };
        const check = verifySmsWebhook({ secret: smsWebhookSecret(deps.config.marketing.smsWebhookSecret, deps.secret), body: request.body, signature: header(smsWebhookHeaders.signature), timestamp: header(smsWebhookHeaders.timestamp), nowMs: deps.clock.nowMs() });
        if (!check.ok) throw new AppError('unauthenticated', check.reason === 'stale' ? `The webhook timestamp is more than ${smsWebhookToleranceMs / 60_000} minutes away from our clock.` : 'The webhook signature does not match.');
        let json: unknown;
        try {
          json = JSON.parse(request.body.toString('utf8'));
        } catch {
          throw new AppError('bad_request', 'The webhook body is not JSON.');
        }
        const parsed = inboundTextSchema.safeParse(json);
        if (!parsed.success) throw new AppError('validation', 'The webhook body needs messageId, from (E.164) and body.');
        const result = await transact(deps, (ctx) => receiveInboundText(ctx, parsed.data));
        return { received: true as const, ...result };
      },
    );
  });

  app.get(
    '/me/communication-preferences',
    { schema: { tags, summary: 'Your promotional email and text subscriptions, and the campaigns you left (PV-26, PV-27)', response: { 200: preferencesView } }, config: { auth: 'session' } },
    async (request) => {
      const { memberId } = requireSession(request);
      return toPreferencesView(await getPreferences(deps, memberId));
    },
  );

  app.put(
    '/me/communication-preferences',
    { schema: { tags, summary: 'Turn promotional email or texts on or off (recorded as consent, method settings); transactional email is not affected', body: preferencesInput, response: { 200: preferencesView } }, config: { auth: 'session' } },
    async (request) => {
      const { memberId } = requireSession(request);
      return toPreferencesView(await transact(deps, async (ctx) => {
        await setPreferences(ctx, memberId, request.body);
        return getPreferences(ctx, memberId);
      }));
    },
  );

  app.get('/agent/marketing/campaigns', { schema: { tags, summary: 'Campaigns, newest first', response: { 200: campaignList } }, config: { auth: 'agent' } }, async (request) => {
    requireRole(request, 'agent');
    return { campaigns: (await listCampaigns(deps)).map(toCampaignView) };
  });

  app.post('/agent/marketing/campaigns', { schema: { tags, summary: 'Compose a campaign (a draft): subject, text body (escaped), channel, audience', body: campaignBody, response: { 200: campaignView } }, config: { auth: 'agent' } }, async (request) => {
    const principal = requireRole(request, 'agent');
    return toCampaignView(await transact(deps, (ctx) => createCampaign(ctx, staffActor(principal), request.body)));
  });

  app.get('/agent/marketing/campaigns/:campaignId', { schema: { tags, summary: 'One campaign with its counts (queued, skipped, opens and clicks where tracked)', params: campaignIdParams, response: { 200: campaignView } }, config: { auth: 'agent' } }, async (request) => {
    requireRole(request, 'agent');
    return toCampaignView(await getCampaign(deps, request.params.campaignId));
  });

  app.post('/agent/marketing/campaigns/:campaignId/schedule', { schema: { tags, summary: 'Schedule a campaign (now when `at` is null); consent is checked again per recipient when it is sent (PV-26)', params: campaignIdParams, body: scheduleBody, response: { 200: campaignView } }, config: { auth: 'agent' } }, async (request) => {
    const principal = requireRole(request, 'agent');
    const atMs = request.body.at === null ? deps.clock.nowMs() : Date.parse(request.body.at);
    return toCampaignView(await transact(deps, (ctx) => scheduleCampaign(ctx, staffActor(principal), request.params.campaignId, atMs)));
  });

  app.post('/agent/marketing/campaigns/:campaignId/cancel', { schema: { tags, summary: 'Cancel a draft, scheduled or sending campaign (batches not yet sent stop)', params: campaignIdParams, body: z.strictObject({}).nullish(), response: { 200: campaignView } }, config: { auth: 'agent' } }, async (request) => {
    const principal = requireRole(request, 'agent');
    return toCampaignView(await transact(deps, (ctx) => cancelCampaign(ctx, staffActor(principal), request.params.campaignId)));
  });

  app.post('/agent/marketing/audience-preview', { schema: { tags, summary: 'Audience counts for a channel and filter: listed, suppressed, estimated', body: previewBody, response: { 200: previewView } }, config: { auth: 'agent' } }, async (request) => {
    requireRole(request, 'agent');
    return previewAudience(deps, request.body);
  });

  app.get('/agent/marketing/suppressions', { schema: { tags, summary: 'The suppression list, newest first', querystring: suppressionQuery, response: { 200: suppressionList } }, config: { auth: 'agent' } }, async (request) => {
    requireRole(request, 'agent');
    return { suppressions: (await listSuppressions(deps, request.query)).map(toSuppressionView) };
  });

  app.post('/agent/marketing/suppressions', { schema: { tags, summary: 'Add an address or number to the suppression list (audit-recorded)', body: suppressionBody, response: { 200: suppressionView } }, config: { auth: 'agent' } }, async (request) => {
    const principal = requireRole(request, 'agent');
    return toSuppressionView(await transact(deps, (ctx) => addSuppression(ctx, staffActor(principal), request.body)));
  });

  app.post('/agent/marketing/suppressions/remove', { schema: { tags, summary: 'Remove an address or number from the suppression list (audit-recorded); consent still decides', body: suppressionRemoveBody, response: { 200: z.object({ removed: z.literal(true) }) } }, config: { auth: 'agent' } }, async (request) => {
    const principal = requireRole(request, 'agent');
    const address = request.body.channel === 'email' ? request.body.address.toLowerCase() : request.body.address;
    await transact(deps, (ctx) => removeSuppression(ctx, staffActor(principal), { channel: request.body.channel, address }));
    return { removed: true as const };
  });

  app.get('/agent/marketing/texts', { schema: { tags, summary: 'Texts sent and queued, newest first (the sandbox provider’s log)', response: { 200: textList } }, config: { auth: 'agent' } }, async (request) => {
    requireRole(request, 'agent');
    return { texts: (await listTexts(deps, 200)).map(toTextView) };
  });
}

function toPreferencesView(p: Awaited<ReturnType<typeof getPreferences>>) {
  const channel = (c: typeof p.email) => ({ address: c.address, subscribed: c.subscribed, consent: c.consent, suppressed: c.suppressed });
  return { email: channel(p.email), sms: channel(p.sms), region: p.region, campaignOptOuts: p.campaignOptOuts.map((o) => ({ campaignId: o.campaignId, campaignName: o.campaignName, at: new Date(o.atMs).toISOString() })) };
}
