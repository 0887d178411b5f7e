// A signed storefront delivery (ST-8) as the webhook endpoint receives it, for module tests: the envelope gets the
// clock's time and the shop domain, the headers the signature over the raw body.
import { transact } from '../../src/deps.ts';
import { createMemberForSeed } from '../../src/modules/accounts/index.ts';
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

/** A storefront order of `quantity` slim power banks at 49.99, placed a minute ago, with the given note attributes. */
export function storefrontTestOrder(deps: TestDeps, id: number, noteAttributes: Array<{ name: string; value: string }>, quantity = 1) {
  const total = ((4999 * quantity) / 100).toFixed(2);
  return {
    id,
    email: 'buyer@example.com',
    created_at: new Date(deps.clock.nowMs() - 60_000).toISOString(),
    currency: 'USD',
    customer: { id: id + 7, email: 'buyer@example.com', verified_email: false },
    note_attributes: noteAttributes,
    line_items: [{ id: id * 10 + 1, sku: 'PB-10K-SLIM', title: 'Slim Power Bank 10,000 mAh', quantity, price: '49.99' }],
    shipping_address: { name: 'Ada Lovelace', address1: '1 Main St', city: 'Springfield', province_code: 'CA', zip: '90001', country_code: 'US' },
    total_price: total,
  };
}

/** The demo catalog and one verified member (the storefront orders above carry their ID); then ten minutes pass. */
export async function seedStoreAndMember(deps: TestDeps, email: string): Promise<string> {
  await transact(deps, (trx) => store.seedStoreDemoData(trx));
  const { memberId } = await transact(deps, (trx) => createMemberForSeed(trx, { email, password: 'a-long-password-for-tests', country: 'US', dateOfBirth: '1990-05-01', emailVerified: true }));
  deps.clock.advanceMs(10 * 60_000);
  return memberId;
}
