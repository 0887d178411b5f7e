// A signed storefront delivery (ST-8) as the webhook endpoint receives it, for module tests: the envelope gets the
// clock's time and the shop domain, the headers the signature over the raw body.
import * as store from '../../src/modules/store/index.ts';
import type { TestDeps } from './deps.ts';

export const testShopDomain = 'shop.example.com';

export async function receiveSignedStorefrontEvent(deps: TestDeps, event: { id: string; topic: string } & Record<string, unknown>, shopDomain = testShopDomain): ReturnType<typeof store.receiveStorefrontWebhook> {
  const createdAt = new Date(deps.clock.nowMs()).toISOString();
  const rawBody = Buffer.from(JSON.stringify({ ...event, created_at: createdAt, shop_domain: shopDomain }));
  return store.receiveStorefrontWebhook(deps, {
    rawBody,
    headers: {
      'content-type': 'application/json',
      [store.storefrontHeaders.topic]: event.topic,
      [store.storefrontHeaders.eventId]: event.id,
      [store.storefrontHeaders.triggeredAt]: createdAt,
      [store.storefrontHeaders.shopDomain]: shopDomain,
      [store.storefrontHeaders.signature]: store.signStorefrontBody(store.storefrontWebhookSecret(deps.secret), rawBody),
    },
  });
}
