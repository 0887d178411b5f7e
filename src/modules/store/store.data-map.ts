// The store module's personal data (PV-16). Orders, payments, refunds and redemptions are commercial and tax
// records: erasure keeps them, under the member's now pseudonymous ID, with the personal fields the law does not
// need removed (PV-18). What the records keep is what fixes the sale's tax: the ship-to country, region and postal
// code (sales tax and VAT follow the place of delivery). Name, street, city, emails, tracking numbers and notes are
// anonymized. Carts are deleted. Webhook bodies and idempotency answers are short-lived copies, pruned by jobs.
import { declareTable, eraseByAnonymizing, eraseByDelete, keepForLaw, type PersonalDataMap } from '../../db/personal-data.ts';

const commercialRecord = keepForLaw(
  'Commercial and tax records of sales, payments and refunds must be kept for the statutory period (7 years by default; e.g. EU VAT Directive Art. 242–247, 26 U.S.C. § 6001), under the pseudonymous member ID.',
);
const placeOfSupply = keepForLaw('The place of delivery fixes the sales tax or VAT charged, so the tax record keeps it for the statutory period (7 years by default).');
const recordLink = { category: 'identifier', purpose: 'Whose purchase this record is.', retention: 'transaction_records', erase: commercialRecord } as const;
const removedFromRecord = { retention: 'transaction_records', erase: eraseByAnonymizing } as const;
const cart = { retention: 'account', erase: eraseByDelete } as const;
const pruned = { retention: 'operational_short', erase: eraseByDelete } as const;

export const storePersonalData: PersonalDataMap = [
  ...declareTable('store_reward_counts', 'member_id', {
    member_id: { category: 'identifier', purpose: 'How many of a limited reward the member redeemed (per-member limits).', ...cart },
  }),
  ...declareTable('store_carts', 'member_id', {
    member_id: { category: 'identifier', purpose: 'Whose cart this is.', ...cart },
    region: { category: 'address', purpose: 'The tax region chosen for the cart’s price.', ...cart },
  }),
  ...declareTable('store_cart_lines', 'member_id', {
    member_id: { category: 'identifier', purpose: 'Whose cart the product is in.', ...cart },
  }),
  ...declareTable('store_orders', 'member_id', {
    member_id: recordLink,
    guest_email: { category: 'contact', purpose: 'How to reach a buyer without an account about their storefront order.', ...removedFromRecord },
    region: { category: 'address', purpose: 'The tax region of the sale (from the ship-to address).', retention: 'transaction_records', erase: placeOfSupply },
    ship_to_name: { category: 'name', purpose: 'The recipient of the shipment (ST-2).', ...removedFromRecord },
    ship_to_line1: { category: 'address', purpose: 'Where the order ships (ST-2), for delivery and after-sales (ST-9).', ...removedFromRecord },
    ship_to_line2: { category: 'address', purpose: 'Where the order ships (ST-2), for delivery and after-sales (ST-9).', ...removedFromRecord },
    ship_to_city: { category: 'address', purpose: 'Where the order ships (ST-2), for delivery and after-sales (ST-9).', ...removedFromRecord },
    ship_to_region: { category: 'address', purpose: 'The state or province of delivery: the sale’s tax jurisdiction.', retention: 'transaction_records', erase: placeOfSupply },
    ship_to_postal_code: { category: 'address', purpose: 'The postal code of delivery: the sale’s local tax jurisdiction.', retention: 'transaction_records', erase: placeOfSupply },
    ship_to_country: { category: 'address', purpose: 'The country of delivery: the sale’s tax jurisdiction.', retention: 'transaction_records', erase: placeOfSupply },
    plus_plan: {
      category: 'order',
      purpose: 'The Plus plan the member had when the order was paid (MB-10): which benefits the purchase carries in after-sales (AS-5, AS-6).',
      retention: 'transaction_records',
      erase: commercialRecord,
    },
  }, { recordTimeColumn: 'placed_at_ms' }),
  ...declareTable('store_order_lines', 'member_id', { member_id: recordLink }),
  ...declareTable('store_shipments', 'member_id', {
    member_id: recordLink,
    tracking_number: { category: 'order', purpose: 'Lets the member and support follow the parcel.', ...removedFromRecord },
  }, { recordTimeColumn: 'created_at_ms' }),
  ...declareTable('store_refunds', 'member_id', {
    member_id: recordLink,
    note: { category: 'free_text', purpose: 'What the member or agent wrote about a refund or cancellation.', ...removedFromRecord },
  }, { recordTimeColumn: 'created_at_ms' }),
  ...declareTable('store_refunds', 'requested_by', {
    requested_by: { category: 'identifier', purpose: 'The member or staff member who asked for the refund (accountability).', retention: 'transaction_records', erase: commercialRecord },
  }),
  ...declareTable('store_redemptions', 'member_id', { member_id: { ...recordLink, purpose: 'Whose reward redemption this is (paid with credits and a shipping fee).' } }, { recordTimeColumn: 'created_at_ms' }),
  ...declareTable('store_external_orders', 'member_id', {
    member_id: recordLink,
    customer_email: { category: 'contact', purpose: 'The buyer’s email at the marketplace, to match the order to its member.', ...removedFromRecord },
    items: { category: 'order', purpose: 'What the member bought at the marketplace (SKU, title, price), for earning and after-sales.', retention: 'transaction_records', erase: commercialRecord },
  }, { recordTimeColumn: 'purchased_at_ms' }),
  ...declareTable('store_external_orders', 'recorded_by', {
    recorded_by: { category: 'identifier', purpose: 'The member, staff member or API key that registered the marketplace order.', retention: 'transaction_records', erase: commercialRecord },
  }),
  // The storefront inbox: member_id is filled when processing matched the order to a member (migration 0520);
  // processed, ignored and failed events are deleted 30 days after processing (store-prune-webhook-events).
  ...declareTable('store_webhook_events', 'member_id', {
    member_id: { category: 'identifier', purpose: 'The member the event’s order belongs to, when known.', ...pruned },
    body: { category: 'payload', purpose: 'The signed delivery as received (customer email, name, shipping address, notes), processed exactly once (ST-8).', ...pruned },
    result: { category: 'identifier', purpose: 'What processing did (order, refund and member IDs, error codes), shown in the inbox.', ...pruned },
  }),
];
