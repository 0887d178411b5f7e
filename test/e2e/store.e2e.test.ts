// The store's acceptance path in a real browser (issue 4; ST-2..ST-5, CR-4, CR-12): a signed-in member with 1,000
// available credits buys two products with a discount code, applies 500 credits, pays with the sandbox approve
// token, and sees the order with its ship-by date and the pending credits earned on the qualifying amount only;
// then a second checkout is declined and the credits it held are released. An agent then ships and refunds it, and
// marks the member's redeemed reward delivered on the member's page.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { transact } from '../../src/deps.ts';
import { createMemberForSeed, createStaffUser } from '../../src/modules/accounts/index.ts';
import { adjust, getBalance } from '../../src/modules/credits/index.ts';
import { createDiscountCode, listMemberRedemptions, listOrdersForAgents, seedStoreDemoData, shipRedemption } from '../../src/modules/store/index.ts';
import { watchPageProblems } from '../support/browser.ts';
import { addToCart, browserSuite, goToCheckout, heading, isPlaceOrder, photograph, signIn } from '../support/e2e-helpers.ts';
import { startTestServer } from '../support/server.ts';

const shopper = { email: 'mary.jackson@example.com', password: 'wind-tunnel-1958-langley', country: 'US', dateOfBirth: '1985-04-09', firstName: 'Mary' };
const discountCode = 'SPRING15';
const firstProducts = ['Slim Power Bank 10,000 mAh', 'Nano Charger 30 W'];
const secondProduct = 'Wireless Charging Pad 15 W';
const screenshotPath = 'test-results/store-order.png';

let memberId = '';
/** The order the first test placed, as the API answered it; the second test ships and refunds it. */
let placedOrder: OrderData | undefined;

/** The fields of the API's order this test reads (store.schemas.ts orderView). */
interface OrderData {
  id: string;
  status: string;
  merchandiseMinor: number;
  discountMinor: number;
  creditsApplied: number;
  creditsValueMinor: number;
  totalMinor: number;
  earnedCredits: number;
  shipByDate: string;
  creditsUnlockAt: string | null;
  discountCode: string | null;
  shippingAddress: { name: string; line1: string; line2: string | null; city: string; region: string | null; postalCode: string | null; country: string } | null;
  lines: Array<{ id: string; name: string; giftCard: boolean; qualifyingMinor: number; earnedCredits: number; credits: number; paidMinor: number }>;
}

const { running, open, saveFailureScreenshots } = browserSuite('store', () => startTestServer(), async ({ deps }) => {
  await transact(deps, (trx) => seedStoreDemoData(trx));
  const desk = await createStaffUser(deps, { email: 'store.desk@patron.test', password: 'store-desk-password-for-e2e', role: 'agent' });
  await transact(deps, (trx) => createDiscountCode(trx, { id: desk.memberId, role: 'agent' }, { code: discountCode, kind: 'percent', percentBp: 1500 }));
  // A new member gets the registration bonus (CR-1); an agent's goodwill adjustment brings them to 1,000.
  memberId = (await transact(deps, (trx) => createMemberForSeed(trx, { ...shopper, emailVerified: true }))).memberId;
  const bonus = (await getBalance(deps, memberId)).available;
  await adjust(deps, { memberId, credits: 1000 - bonus, reasonCode: 'goodwill', note: 'E2E: top up to 1,000 credits', actor: { id: desk.memberId, role: 'agent' }, idempotencyKey: 'e2e-store-top-up' });
  const balance = await getBalance(deps, memberId);
  assert.equal(balance.available, 1000, 'the member starts with 1,000 available credits');
  assert.equal(balance.held, 0);
});

/** The ship-by date as the UI writes it (en-US browser): "Monday, March 2, 2026". */
function longDate(calendarDate: string): string {
  const [year, month, day] = calendarDate.split('-').map(Number) as [number, number, number];
  return new Intl.DateTimeFormat('en-US', { weekday: 'long', year: 'numeric', month: 'long', day: 'numeric', timeZone: 'UTC' }).format(Date.UTC(year, month - 1, day));
}

/** A browser of its own, signed in to the member center or the console. */
async function signedIn(url: string, person: { email: string; password: string }, atConsole = false): Promise<{ page: Page; problems: string[] }> {
  const { page } = await open();
  const problems = watchPageProblems(page);
  await signIn(page, url, person, atConsole);
  return { page, problems };
}

const shipTo = { street: '1 Langley Blvd', city: 'Hampton', zip: '94107' };

/**
 * The checkout's new-address form (the shopper has no saved address yet): the name comes from the profile and the
 * state from the cart; the street, city and ZIP code are typed (ST-2).
 */
async function fillNewAddress(page: Page): Promise<void> {
  const address = page.getByRole('group', { name: 'New address' });
  assert.equal(await address.getByLabel('Full name').inputValue(), shopper.firstName, 'the profile’s name is offered');
  await address.getByLabel('Street address').fill(shipTo.street);
  await address.getByLabel('City').fill(shipTo.city);
  await address.getByLabel('ZIP code').fill(shipTo.zip);
}

test('a member pays with a discount code, 500 credits and the approve token, sees the ship-by date and pending credits on the qualifying amount only; a declined payment releases the hold', async () => {
  try {
    await buyThenGetDeclined();
  } catch (error) {
    await saveFailureScreenshots();
    throw error;
  }
});

async function buyThenGetDeclined(): Promise<void> {
  const { url, deps } = running();
  const { page, problems } = await signedIn(url, shopper);

  // 2. Two products into the cart from the catalog.
  await page.getByRole('navigation', { name: 'Account' }).getByRole('link', { name: 'Shop' }).click();
  await heading(page, 'Shop');
  for (const name of firstProducts) await addToCart(page, name);

  // 3. The cart: where it ships, and the discount code, checked against the order before it is saved.
  await page.getByRole('link', { name: 'Cart (2)' }).click();
  await heading(page, 'Your cart');
  await page.getByLabel('Ships to').selectOption('US-CA');
  await page.getByText('Shipping region saved.').waitFor();
  await page.getByLabel('Discount code', { exact: true }).fill('NOT-A-CODE');
  await page.getByRole('button', { name: 'Apply code' }).click();
  await page.getByText('This discount code is not valid.').first().waitFor();
  await page.getByLabel('Discount code', { exact: true }).fill(discountCode.toLowerCase());
  await page.getByRole('button', { name: 'Apply code' }).click();
  await page.getByText(`Discount code ${discountCode} applied.`).waitFor();
  await page.getByRole('link', { name: 'Continue to checkout' }).click();
  await heading(page, 'Checkout');

  // 4. Checkout: the address (its state from the cart, offered from the regions the store ships to), 500 credits,
  // the quote priced by the server, the ship-by promise, the approve token.
  await page.getByLabel('State').locator('option[value="US-CA"]').waitFor({ state: 'attached' });
  assert.equal(await page.getByLabel('State').inputValue(), 'US-CA', 'the cart’s region is carried to checkout');
  assert.equal(await page.getByLabel('State').locator('option[value="US-AL"]').count(), 0, 'only the states the store ships to are offered');
  await fillNewAddress(page);
  await page.getByText('You have 1,000 credits available.', { exact: false }).waitFor();
  const quoted = page.waitForResponse((response) => response.url().endsWith('/api/v1/store/checkout/quote') && response.request().postDataJSON()?.credits === 500 && response.ok());
  await page.getByLabel('Credits to apply', { exact: true }).fill('500');
  const quote = (await (await quoted).json()) as { creditsApplied: number; creditsValueMinor: number; merchandiseMinor: number; discountMinor: number; qualifyingMinor: number; totalMinor: number; shipByDate: string; maxCredits: number };
  assert.equal(quote.creditsApplied, 500);
  assert.equal(quote.creditsValueMinor, 500, '500 credits are worth $5.00');
  assert.ok(quote.maxCredits >= 500);
  const quoteBox = page.getByTestId('quote');
  await quoteBox.getByText('Credits (500)').waitFor();
  await page.getByTestId('ship-by').filter({ hasText: longDate(quote.shipByDate) }).waitFor();
  await page.getByLabel('Card token').fill('tok_approve');
  await photograph(page, 'store-checkout');
  const placed = page.waitForResponse(isPlaceOrder);
  const totalText = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' }).format(quote.totalMinor / 100);
  await page.getByRole('button', { name: `Place order and pay ${totalText}` }).click();
  const answer = (await (await placed).json()) as { order: OrderData; payment: { outcome: string } };
  assert.equal(answer.payment.outcome, 'approved');
  const order = answer.order;
  placedOrder = order;

  // 5. The order: paid, with the quote's ship-by date, and credits earned on the qualifying amount only:
  // the merchandise after the discount, minus the $5.00 paid with credits; never shipping or tax (CR-4).
  await page.waitForURL(`**/account/orders/${order.id}?placed=1`);
  await heading(page, 'Order');
  await page.getByText('Thank you! Your order is placed and paid.').waitFor();
  assert.equal(order.status, 'paid');
  assert.equal(order.discountCode, discountCode);
  assert.ok(order.discountMinor > 0, 'the code took money off');
  assert.equal(order.creditsApplied, 500);
  assert.equal(order.creditsValueMinor, 500);
  assert.equal(order.shipByDate, quote.shipByDate, 'the order keeps the promise the quote showed');
  assert.deepEqual(order.lines.map((line) => line.name).sort(), [...firstProducts].sort());
  const qualifyingMinor = order.merchandiseMinor - order.discountMinor - order.creditsValueMinor;
  assert.equal(order.lines.reduce((sum, line) => sum + line.qualifyingMinor, 0), qualifyingMinor);
  const expectedCredits = Math.floor(qualifyingMinor / 100);
  assert.equal(order.earnedCredits, expectedCredits, `credits on ${qualifyingMinor} cents qualifying`);
  assert.ok(expectedCredits < Math.floor(order.totalMinor / 100), 'shipping and tax did not earn');
  await page.getByTestId('order-ship-by').filter({ hasText: longDate(order.shipByDate) }).waitFor();
  assert.deepEqual(order.shippingAddress, { name: shopper.firstName, line1: shipTo.street, line2: null, city: shipTo.city, region: 'CA', postalCode: shipTo.zip, country: 'US' });
  await page.getByTestId('order-ship-to').filter({ hasText: `${shipTo.city}, CA ${shipTo.zip}` }).waitFor();
  assert.equal(await page.getByTestId('earned-credits').innerText(), String(expectedCredits));
  assert.ok(order.creditsUnlockAt, 'the order says when its credits unlock');
  const unlockDate = new Intl.DateTimeFormat('en-US', { year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' }).format(Date.parse(order.creditsUnlockAt));
  await page.getByText(`Pending until ${unlockDate}`).waitFor();
  await page.getByRole('cell', { name: 'Being prepared' }).waitFor();
  const ledger = await getBalance(deps, memberId);
  assert.equal(ledger.available, 500, '500 credits were spent');
  assert.equal(ledger.held, 0, 'the hold was captured');
  assert.equal(ledger.pendingTotal, expectedCredits);
  await page.screenshot({ path: screenshotPath, fullPage: true });

  // 6. A second checkout with 300 credits and the decline token: refused, and the 300 credits held are released.
  // Meanwhile the member saved an address (AC-8): checkout offers it, chosen, with the profile's name as recipient.
  const { csrfToken } = (await (await page.request.get(`${url}/api/v1/session`)).json()) as { csrfToken: string };
  const savedAddress = await page.request.post(`${url}/api/v1/me/addresses`, {
    data: { line1: '4 Research Dr', city: 'Langley', region: 'California', postalCode: '90210', country: 'US' },
    headers: { 'x-csrf-token': csrfToken },
  });
  assert.equal(savedAddress.status(), 201, await savedAddress.text());
  await page.getByRole('navigation', { name: 'Account' }).getByRole('link', { name: 'Shop' }).click();
  await heading(page, 'Shop');
  await addToCart(page, secondProduct);
  await goToCheckout(page);
  await page.getByText('You have 500 credits available.', { exact: false }).waitFor();
  const shipToGroup = page.getByRole('group', { name: 'Ship to' });
  assert.equal(await shipToGroup.getByRole('radio', { name: /4 Research Dr, Langley, California 90210/ }).isChecked(), true, 'the saved address is chosen');
  await shipToGroup.getByRole('radio', { name: 'A new address' }).waitFor();
  assert.equal(await page.getByLabel('Recipient').inputValue(), shopper.firstName);
  await page.getByLabel('Credits to apply', { exact: true }).fill('300');
  await page.getByTestId('quote').getByText('Credits (300)').waitFor();
  await page.getByLabel('Card token').fill('tok_decline');
  const declinedAnswer = page.waitForResponse(isPlaceOrder);
  await page.getByRole('button', { name: /^Place order and pay/ }).click();
  const declined = (await (await declinedAnswer).json()) as { order: OrderData; payment: { outcome: string; code: string } };
  assert.equal(declined.payment.outcome, 'declined');
  assert.equal(declined.payment.code, 'card_declined');
  assert.deepEqual(declined.order.shippingAddress, { name: shopper.firstName, line1: '4 Research Dr', line2: null, city: 'Langley', region: 'CA', postalCode: '90210', country: 'US' });
  const alert = page.getByRole('alert').filter({ hasText: 'Your order was not placed' });
  await alert.getByText('Your payment was declined: nothing was charged. The 300 credits we reserved for this order are available to you again.', { exact: false }).waitFor();
  await page.getByText('The card was declined.').first().waitFor();
  await page.getByText('You have 500 credits available.', { exact: false }).waitFor();
  const failed = (await listOrdersForAgents(deps, { memberId })).find((candidate) => candidate.id === declined.order.id);
  assert.equal(failed?.status, 'payment_failed');

  // 7. The member's credits page shows the hold released: 500 available, nothing held.
  await page.getByRole('navigation', { name: 'Account' }).getByRole('link', { name: 'Credits' }).click();
  await heading(page, 'Credits');
  const available = page.getByRole('term').filter({ hasText: 'Available to spend' }).locator('xpath=..');
  await available.getByText('500', { exact: true }).waitFor();
  const held = page.getByRole('term').filter({ hasText: 'Held at checkout' }).locator('xpath=..');
  await held.getByText('Nothing reserved').waitFor();
  const released = await getBalance(deps, memberId);
  assert.equal(released.available, 500, 'the declined checkout’s hold was released');
  assert.equal(released.held, 0);

  assert.deepEqual(problems, [], 'the store pages ran without errors or CSP violations');
}

test('an agent changes a price, adds a reward, ships the order with a tracking number and refunds one line (credits reversed and restored shown), records an external order; the member sees the tracking number and redeems the reward, which the agent marks delivered on the member’s page', async () => {
  try {
    await consoleAndAfterSales();
  } catch (error) {
    await saveFailureScreenshots();
    throw error;
  }
});

async function consoleAndAfterSales(): Promise<void> {
  const { url, agent, deps } = running();
  const order = placedOrder;
  assert.ok(order, 'the first test placed an order');
  const desk = await signedIn(url, agent, true);
  const page = desk.page;
  const nav = page.getByRole('navigation', { name: 'Console' });

  // 1. Catalog: a price change, and a reward cheap enough for the member's credits.
  await nav.getByRole('link', { name: 'Catalog' }).click();
  await heading(page, 'Catalog');
  await page.getByRole('button', { name: 'Edit Nano Charger 30 W' }).click();
  const edit = page.getByRole('form', { name: 'Edit Nano Charger 30 W' });
  await edit.getByLabel('Price (USD)', { exact: true }).fill('18.99');
  await edit.getByRole('button', { name: 'Save changes' }).click();
  await page.getByText('Saved Nano Charger 30 W.').waitFor();
  await page.getByRole('row').filter({ hasText: 'CH-30W-NANO' }).getByText('$18.99').waitFor();
  await page.getByRole('navigation', { name: 'Catalog' }).getByRole('link', { name: 'Rewards' }).click();
  await page.getByRole('button', { name: 'Add a reward' }).click();
  await page.getByLabel('SKU', { exact: true }).fill('RW-STICKERS');
  await page.getByLabel('Name', { exact: true }).fill('Sticker pack (reward)');
  await page.getByLabel('Price in credits', { exact: true }).fill('200');
  await page.getByLabel('Stock', { exact: true }).fill('25');
  await page.getByRole('button', { name: 'Add reward' }).click();
  await page.getByText('Added Sticker pack (reward) (RW-STICKERS).').waitFor();

  // 2. The order: shipped with a tracking number, then one line refunded in full with a reason.
  await nav.getByRole('link', { name: 'Orders', exact: true }).click();
  await heading(page, 'Orders');
  await page.getByRole('link', { name: order.id }).click();
  await heading(page, 'Order');
  await page.getByTestId('order-ship-to').filter({ hasText: shipTo.street }).waitFor();
  await page.getByLabel('Tracking number', { exact: true }).fill('1Z999AA10123456784');
  await page.getByRole('button', { name: 'Mark as shipped' }).click();
  await page.getByText('Shipped with UPS, tracking number 1Z999AA10123456784.').waitFor();
  const bank = order.lines.find((line) => line.name === firstProducts[0])!;
  await page.getByLabel(`Quantity of ${bank.name} to refund`).fill('1');
  await page.getByRole('form', { name: 'Refund' }).getByLabel('Reason').selectOption('returned');
  await page.getByRole('form', { name: 'Refund' }).getByLabel('Note').fill('Returned unopened.');
  await page.getByRole('button', { name: 'Refund', exact: true }).click();
  // The line's whole money back, the credits it was paid with restored (CR-18), what it earned reversed (CR-15).
  const money = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' }).format(bank.paidMinor / 100);
  await page.getByRole('status').filter({ hasText: `Refund recorded. ${money} back to the card · ${bank.credits} credits restored · ${bank.earnedCredits} earned credits reversed` }).waitFor();
  await photograph(page, 'store-console-order');
  const afterRefund = await getBalance(deps, memberId);
  assert.equal(afterRefund.available, 500 + bank.credits);
  assert.equal(afterRefund.pendingTotal, order.earnedCredits - bank.earnedCredits);

  // 3. An external order: a malformed Amazon order ID is refused next to the field, a right one is recorded.
  await nav.getByRole('link', { name: 'External orders' }).click();
  await heading(page, 'External orders');
  const yesterday = new Date(deps.clock.nowMs() - 86_400_000).toISOString().slice(0, 10);
  await page.getByLabel('Amazon order ID').fill('113-123-45');
  await page.getByLabel('Purchase date').fill(yesterday);
  await page.getByLabel('Order total').fill('25.00');
  await page.getByLabel('Item 1 name').fill('Nano Charger 30 W');
  await page.getByRole('button', { name: 'Record order' }).click();
  const orderIdField = page.getByLabel('Amazon order ID');
  // Wait for the server's answer to reach the field rather than reading it the moment the button was clicked.
  await orderIdField.and(page.locator('[aria-invalid="true"]')).waitFor();
  assert.equal(await orderIdField.getAttribute('aria-invalid'), 'true');
  const describedBy = (await orderIdField.getAttribute('aria-describedby')) ?? '';
  const errorText = await page.locator(`[id="${describedBy.split(' ').find((id) => id.endsWith('-error'))}"]`).innerText();
  assert.match(errorText, /An Amazon order ID is 3, 7 and 7 digits separated by dashes, like 113-1234567-1234567/);
  await orderIdField.fill('113-1234567-1234567');
  await page.getByRole('button', { name: 'Record order' }).click();
  await page.getByText('Recorded Amazon order 113-1234567-1234567.').waitFor();
  await page.getByRole('cell', { name: '113-1234567-1234567' }).waitFor();

  // 4. The webhook inbox answers (empty here; the module and HTTP tests deliver events).
  await nav.getByRole('link', { name: 'Incoming webhooks' }).click();
  await heading(page, 'Storefront webhooks');
  await page.getByText('No webhook deliveries yet.').waitFor();

  // 5. The member sees the shipment's tracking number and the refund, and redeems the new reward.
  const member = await signedIn(url, shopper);
  const memberPage = member.page;
  const account = memberPage.getByRole('navigation', { name: 'Account' });
  await account.getByRole('link', { name: 'Orders', exact: true }).click();
  await heading(memberPage, 'Orders');
  await memberPage.getByRole('row').filter({ hasText: order.id }).getByText('1Z999AA10123456784').waitFor();
  await memberPage.getByRole('row').filter({ hasText: order.id }).getByRole('link').click();
  await heading(memberPage, 'Order');
  await memberPage.getByRole('cell', { name: '1Z999AA10123456784' }).waitFor();
  await memberPage.getByRole('cell', { name: 'returned', exact: true }).waitFor();
  await account.getByRole('link', { name: 'Rewards' }).click();
  await heading(memberPage, 'Rewards');
  await memberPage.getByTestId('rewards-available').filter({ hasText: String(500 + bank.credits) }).waitFor();
  await memberPage.getByRole('button', { name: 'Redeem Sticker pack (reward)' }).click();
  const confirm = memberPage.getByRole('form', { name: 'Confirm redeeming Sticker pack (reward)' });
  await confirm.getByText('Redemptions are final').waitFor();
  await confirm.getByRole('button', { name: 'Confirm redemption' }).click();
  await memberPage.getByText('You redeemed Sticker pack (reward) for 200 credits.', { exact: false }).waitFor();
  await memberPage.getByTestId('rewards-available').filter({ hasText: String(300 + bank.credits) }).waitFor();
  await memberPage.getByRole('table', { name: /Your redemptions/ }).getByText('Sticker pack (reward)').waitFor();
  assert.equal((await getBalance(deps, memberId)).available, 300 + bank.credits);

  // 6. The reward ships (the ship job's work, run here rather than waited for; the job then finds it shipped), the
  // agent marks it delivered on the member's page, and the member sees it delivered (CR-13; AS-7 counts from then).
  const [redemption] = await listMemberRedemptions(deps, memberId);
  assert.equal(redemption?.name, 'Sticker pack (reward)');
  await transact(deps, (trx) => shipRedemption(trx, redemption.id));
  await page.goto(`${url}/console/members/${encodeURIComponent(memberId)}`);
  const redemptions = page.getByRole('table', { name: /Reward redemptions of this member/ });
  const row = redemptions.getByRole('row').filter({ hasText: redemption.id });
  await row.getByText('Shipped', { exact: true }).waitFor();
  await row.getByRole('button', { name: `Mark as delivered: Sticker pack (reward) (${redemption.id})` }).click();
  await page.getByRole('status').filter({ hasText: 'Sticker pack (reward) marked as delivered' }).waitFor();
  await row.getByText('Delivered', { exact: true }).waitFor();
  assert.ok((await listMemberRedemptions(deps, memberId))[0]?.shipment?.deliveredAtMs, 'the delivery is recorded');
  await memberPage.reload();
  await memberPage.getByRole('table', { name: /Your redemptions/ }).getByRole('row').filter({ hasText: redemption.id }).getByText('Delivered', { exact: true }).waitFor();

  assert.deepEqual(desk.problems, [], 'the console ran without errors or CSP violations');
  assert.deepEqual(member.problems, [], 'the member pages ran without errors or CSP violations');
}
