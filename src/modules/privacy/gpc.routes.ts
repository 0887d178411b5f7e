// What Patron serves at the site root for consent (PV-23, PV-24): the Global Privacy Control hook every request
// passes, /.well-known/gpc.json, and the banner script a storefront embeds (/privacy/consent.js).
import { readFileSync } from 'node:fs';
import type { Deps } from '../../deps.ts';
import { readDeviceId } from '../../http/device-id.ts';
import type { ZodApp } from '../../http/types.ts';
import { allowAnyOrigin, honourGpcOnce, sessionMemberId } from './cookies.routes.ts';

/** The day Patron's GPC support last changed, for /.well-known/gpc.json (the GPC spec's `lastUpdate`). */
export const gpcLastUpdate = '2026-12-05';

const embedScript = readFileSync(new URL('./cookies.embed.js', import.meta.url), 'utf8');

export function registerGpcSiteRoutes(app: ZodApp, deps: Deps): void {
  // PV-24: `Sec-GPC: 1` on any request turns advertising (sale/share) off for this browser and the signed-in account.
  // Requests without the header cost nothing here; with it, one indexed read, and a write only when it changes
  // something (recordConsent writes once per change; a later request without the header never turns it back on).
  app.addHook('onRequest', async (request) => {
    if (request.headers['sec-gpc'] !== '1') return;
    const deviceId = readDeviceId(request);
    if (!deviceId && !sessionMemberId(request)) return;
    await honourGpcOnce(deps, request, deviceId);
  });

  app.get('/.well-known/gpc.json', { schema: { hide: true } }, async (_request, reply) => {
    allowAnyOrigin(reply);
    reply.header('cache-control', 'public, max-age=86400');
    return { gpc: true, lastUpdate: gpcLastUpdate };
  });

  app.get('/privacy/consent.js', { schema: { hide: true } }, async (_request, reply) => {
    allowAnyOrigin(reply);
    reply.header('cache-control', 'public, max-age=300');
    reply.type('text/javascript; charset=utf-8');
    return embedScript;
  });
}
