// After-sales in a real browser (issue 9; AS-1, AS-2, AS-9..AS-12): (a) an agent records the serial shipped on a
// guest's order; the guest opens a warranty claim on the public form with that serial (typed as printed, "sn: …"), a
// photo and the captcha, confirms the email through the link read in the console's mail view, answers the agent's
// question with another photo on the status page, and sees the claim resolved with a replacement order after the
// agent approved it. (b) A member starts a return from a delivered order, the agent approves it, waits for the item,
// marks it received and inspected, and resolves it with a refund; the member sees the credits taken back on the
// credits page and the resolution on the case page. (c) A return on an order not yet delivered is refused with the
// reasons; the member asks for technical support instead, and the agent, after an internal note, turns it into a
// warranty claim without the member typing anything again. The pages are photographed at each step
// (test-results/aftersales-*.png), and both run at 375 px too where a person would use a phone.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { transact } from '../../src/deps.ts';
import * as flows from '../../src/flows/index.ts';
import { runDueJobs } from '../../src/modules.ts';
import { createMemberForSeed } from '../../src/modules/accounts/index.ts';
import { getBalance } from '../../src/modules/credits/index.ts';
import { listProducts, markOrderDelivered, seedStoreDemoData, shipOrder, type OrderDetail } from '../../src/modules/store/index.ts';
import { watchPageProblems } from '../support/browser.ts';
import { browserSuite, heading, photograph, signIn } from '../support/e2e-helpers.ts';
import { startTestServer } from '../support/server.ts';

const guest = { email: 'grace.hopper@example.com', name: 'Grace Hopper' };
const member = { email: 'katherine.johnson@example.com', password: 'friendship-7-orbit-1962', country: 'US', dateOfBirth: '1988-08-26', firstName: 'Katherine', lastName: 'Johnson', emailVerified: true };
const serial = 'A7K2M9Q4';
const warrantyProduct = 'PB-10K-SLIM';
const returnProduct = 'CH-30W-NANO';
const supportProduct = 'CH-100W-GAN';
const shipTo = { name: 'Grace Hopper', line1: '500 Market St', city: 'Portland', region: 'US-OR', postalCode: '97201' };

let guestOrder: OrderDetail | undefined;
let memberOrder: OrderDetail | undefined;
/** Paid, not yet delivered: a return is refused (AS-3), support is not (AS-13). */
let undeliveredOrder: OrderDetail | undefined;
let memberId = '';

// Without the job worker: the test runs the due jobs (the emails' outbox) itself when it needs them, instead of waiting.
const { running, open, saveFailureScreenshots } = browserSuite('aftersales', () => startTestServer({ worker: false }), async ({ deps }) => {
  await transact(deps, (trx) => seedStoreDemoData(trx));
  memberId = (await createMemberForSeed(deps, member)).memberId;
  const products = await listProducts(deps, {});
  const productId = (sku: string) => {
    const found = products.find((product) => product.sku === sku);
    assert.ok(found, `the demo catalog has ${sku}`);
    return found.id;
  };
  const buy = async (buyer: { memberId: string | null; guestEmail: string | null }, sku: string, deliver: boolean) => {
    const placed = await flows.checkout(deps, { ...buyer, lines: [{ productId: productId(sku), quantity: 1 }], discountCode: null, shippingAddress: shipTo, credits: 0, paymentToken: 'tok_approve', fromCart: false });
    assert.equal(placed.payment.outcome, 'approved');
    if (!deliver) return placed.order;
    await transact(deps, (trx) => shipOrder(trx, { orderId: placed.order.id, carrier: 'UPS', trackingNumber: `1Z${placed.order.id.slice(-8)}` }));
    return transact(deps, (trx) => markOrderDelivered(trx, placed.order.id));
  };
  // The guest's order is paid but not yet shipped: the agent records its serial at shipment, then it is delivered.
  guestOrder = await buy({ memberId: null, guestEmail: guest.email }, warrantyProduct, false);
  memberOrder = await buy({ memberId, guestEmail: null }, returnProduct, true);
  undeliveredOrder = await buy({ memberId, guestEmail: null }, supportProduct, false);
  assert.ok(memberOrder.earnedCredits > 0, 'the member’s order earned credits');
});

/** A small photo, made here (a PNG of a few colored blocks), as the file a person would pick. */
async function photo(name: string, hue: number): Promise<{ name: string; mimeType: string; buffer: Buffer }> {
  const width = 320;
  const height = 240;
  const pixels = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const offset = (y * width + x) * 3;
      pixels[offset] = (hue + x) % 256;
      pixels[offset + 1] = (y * 2) % 256;
      pixels[offset + 2] = (hue * 3 + ((x >> 5) + (y >> 5)) * 40) % 256;
    }
  }
  return { name, mimeType: 'image/png', buffer: await sharp(pixels, { raw: { width, height, channels: 3 } }).png().toBuffer() };
}

/** The figure next to a term of a description list on the page. */
function fact(page: Page, term: string) {
  return page.locator('.facts > div').filter({ has: page.getByRole('term').filter({ hasText: new RegExp(`^${term}$`) }) }).getByRole('definition');
}

/** The link of the newest email to `to` whose subject matches, read in the console's mail view once the outbox ran. */
async function linkInMail(desk: Page, to: string, subject: RegExp, linkName: string): Promise<string> {
  await runDueJobs(running().deps);
  await desk.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Mail' }).click();
  await heading(desk, 'Mail');
  await desk.getByRole('region', { name: 'Messages' }).getByRole('link').filter({ hasText: subject }).filter({ hasText: to }).first().click();
  const href = await desk.frameLocator('iframe.mail-frame').getByRole('link', { name: linkName }).getAttribute('href');
  assert.ok(href, `the email has the “${linkName}” link`);
  return href;
}

async function openCaseInConsole(desk: Page, caseId: string, screenshot?: string): Promise<void> {
  await desk.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Cases' }).click();
  await heading(desk, 'Cases');
  const row = desk.getByRole('table', { name: /Cases, priority first/ }).getByRole('row').filter({ hasText: caseId });
  await row.waitFor();
  if (screenshot) await photograph(desk, screenshot);
  await row.getByRole('link').first().click();
  await heading(desk, new RegExp(caseId));
}

/** Runs one of the case page's actions and waits for the state it leads to. */
async function act(desk: Page, action: string, state: string, fill?: (block: ReturnType<Page['getByRole']>) => Promise<void>): Promise<void> {
  const block = desk.getByRole('form', { name: action });
  await fill?.(block);
  await block.getByRole('button', { name: action }).click();
  await desk.getByRole('status').filter({ hasText: `${action}: done.` }).waitFor();
  await desk.getByTestId('case-state').filter({ hasText: state }).waitFor();
}

test('AS-1 AS-2 AS-9 AS-10 AS-11 AS-12 a guest’s warranty claim with a photo and the captcha, confirmed from the mail view, answered on the status page, approved and resolved with a replacement', async () => {
  try {
    await guestWarrantyClaim();
  } catch (error) {
    await saveFailureScreenshots();
    throw error;
  }
});

async function guestWarrantyClaim(): Promise<void> {
  const { url, deps, agent } = running();
  const order = guestOrder!;
  const desk = (await open()).page;
  const deskProblems = watchPageProblems(desk);
  await signIn(desk, url, agent, true);

  // AS-2: the agent records the serial that ships on the serial-numbered line, then the order ships and arrives.
  await desk.goto(`${url}/console/orders/${encodeURIComponent(order.id)}`);
  await heading(desk, 'Order');
  const serials = desk.getByRole('form', { name: 'Record serial numbers' });
  await serials.getByLabel(/Slim Power Bank/).fill(`sn: ${serial.toLowerCase()}`);
  await serials.getByRole('button', { name: 'Record serials' }).click();
  await desk.getByRole('status').filter({ hasText: 'Recorded 1 serial number.' }).waitFor();
  await serials.getByText(`Recorded: ${serial}`, { exact: false }).waitFor();
  await photograph(desk, 'aftersales-a1-console-serials');
  await transact(deps, (trx) => shipOrder(trx, { orderId: order.id, carrier: 'UPS', trackingNumber: '1ZGUEST0001' }));
  await transact(deps, (trx) => markOrderDelivered(trx, order.id));

  // AS-1: the public form, no sign-in: contact, order ID, product, warranty claim for an exchange, the serial as
  // printed (normalized as it is typed), details, a photo and the captcha.
  // On a phone: the form at 375 px.
  const { page } = await open();
  const problems = watchPageProblems(page);
  await page.setViewportSize({ width: 375, height: 800 });
  await page.goto(`${url}/returns/new`);
  await heading(page, 'Refund & exchange');
  await page.getByLabel('Email address').fill(guest.email);
  await page.getByLabel('Contact name').fill(guest.name);
  await page.getByLabel('Order ID').fill(order.id);
  await page.getByLabel('Product', { exact: true }).fill(warrantyProduct);
  await page.getByRole('group', { name: 'What do you need?' }).getByLabel(/Warranty claim/).check();
  await page.getByRole('group', { name: 'Refund or exchange?' }).getByLabel(/Exchange/).check();
  assert.equal(await page.getByLabel('Reason for your request').inputValue(), 'defective', 'a warranty claim starts with the reason “defective”');
  await page.getByLabel(/Serial number/).fill(' sn: a7k2m9q4 ');
  await page.getByText(`We read it as ${serial}.`).waitFor();
  await page.getByLabel('What happened?').fill('It stopped charging my phone after two months. The light blinks red four times.');
  await page.getByLabel(/^Photos/).setInputFiles([await photo('blinking-light.png', 40)]);
  await page.getByRole('list', { name: 'Chosen photos' }).getByRole('img', { name: 'Preview of blinking-light.png' }).waitFor();
  // A file that is not a photo is refused in the browser, before anything is sent.
  await page.getByLabel(/^Photos/).setInputFiles([{ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('not a photo') }]);
  await page.getByText('notes.txt is not a JPEG, PNG, WebP or HEIC photo.').waitFor();
  await page.getByLabel('I am not a robot').check();
  await page.getByText('Verified').waitFor({ timeout: 30_000 });
  await photograph(page, 'aftersales-a2-guest-form');
  const sending = page.waitForResponse((response) => response.url().endsWith('/api/v1/cases') && response.request().method() === 'POST');
  await page.getByRole('button', { name: 'Submit' }).click();
  const sent = await sending;
  assert.equal(sent.status(), 202);
  const { caseId } = (await sent.json()) as { caseId: string };
  await heading(page, 'Check your email');
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.getByText(guest.email).waitFor();
  await photograph(page, 'aftersales-a3-check-email');

  // The confirmation link, read in the console's mail view and followed by the guest.
  const confirmLink = await linkInMail(desk, guest.email, /^Confirm your email/, 'Confirm my email');
  assert.match(confirmLink, /\/returns\/confirm\?token=/);
  await page.goto(confirmLink);
  await heading(page, 'Confirm your request');
  await page.getByText('your email address is confirmed', { exact: false }).waitFor();
  await page.getByRole('link', { name: 'See your request' }).click();
  await heading(page, 'Warranty claim');
  await page.getByRole('img', { name: /^Photo 1/ }).waitFor();
  await photograph(page, 'aftersales-a4-guest-status');
  const statusUrl = page.url();
  assert.match(statusUrl, new RegExp(`/returns/status/${caseId}\\?t=`));

  // AS-10: the agent finds it in the queue, sees the serial matches, takes it into review and asks a question.
  await openCaseInConsole(desk, caseId, 'aftersales-a5-console-queue');
  await desk.getByText('Matches the serial recorded at shipment').waitFor();
  await desk.getByRole('table', { name: 'The rules that decided, in order' }).getByRole('row').filter({ hasText: 'AS-4' }).waitFor();
  await act(desk, 'Take into review', 'Under review');
  await act(desk, 'Ask for information', 'Needs info', async (block) => {
    await block.getByLabel('Question to the customer').fill('Does the light blink with every charger, or only with the one in the box?');
  });
  await photograph(desk, 'aftersales-a6-console-asked');

  // AS-12: the guest answers on the status page, with a second photo.
  await page.goto(statusUrl);
  const answer = page.getByRole('form', { name: 'We need more information' });
  await answer.getByText('Does the light blink with every charger', { exact: false }).waitFor();
  await answer.getByLabel('Your answer').fill('With every charger I have, three of them. Photo of the second one attached.');
  await answer.getByLabel(/^Add photos/).setInputFiles([await photo('second-charger.png', 160)]);
  await photograph(page, 'aftersales-a7-guest-answer');
  await answer.getByRole('button', { name: 'Send answer' }).click();
  await page.getByRole('status').filter({ hasText: 'your answer is sent' }).waitFor();
  await page.getByRole('img', { name: /^Photo 2/ }).waitFor();

  // The agent reads the answer, approves, and resolves with an exchange: a zero-price replacement order (AS-11).
  await desk.reload();
  await heading(desk, new RegExp(caseId));
  await desk.getByText('With every charger I have', { exact: false }).waitFor();
  await act(desk, 'Approve', 'Approved');
  const resolve = desk.getByRole('form', { name: 'Resolve' });
  await resolve.getByLabel('Exchange').check();
  const resolving = desk.waitForResponse((response) => response.url().endsWith(`/api/v1/agent/cases/${caseId}/resolve`));
  await resolve.getByRole('button', { name: 'Resolve with exchange' }).click();
  const resolved = await resolving;
  assert.equal(resolved.status(), 200);
  assert.ok(resolved.request().headers()['idempotency-key'], 'the resolve carries an Idempotency-Key');
  const resolution = ((await resolved.json()) as { resolution: { replacementOrderId: string | null } }).resolution;
  assert.ok(resolution.replacementOrderId, 'the exchange made a replacement order');
  const resolvedCard = desk.getByRole('region', { name: 'Resolution' });
  await fact(desk, 'Replacement order').getByRole('link', { name: resolution.replacementOrderId }).waitFor();
  await resolvedCard.waitFor();
  await photograph(desk, 'aftersales-a8-console-resolved');

  await page.reload();
  await heading(page, 'Warranty claim');
  await page.getByRole('region', { name: /^Resolution: Exchange/ }).waitFor();
  await page.locator('.case-step.done').filter({ hasText: 'Resolved' }).waitFor();
  await photograph(page, 'aftersales-a9-guest-resolved');
  await page.setViewportSize({ width: 375, height: 800 });
  await photograph(page, 'aftersales-a10-guest-resolved-375');

  assert.deepEqual(problems, [], 'the guest pages ran without errors');
  assert.deepEqual(deskProblems, [], 'the console ran without errors');
}

test('AS-3 AS-10 AS-11 AS-12 CR-16 a member’s return is approved, received and refunded; the member sees the credits taken back and the resolution', async () => {
  try {
    await memberReturn();
  } catch (error) {
    await saveFailureScreenshots();
    throw error;
  }
});

async function memberReturn(): Promise<void> {
  const { url, deps, agent } = running();
  const order = memberOrder!;
  const earned = order.earnedCredits;
  const before = await getBalance(deps, memberId);

  // The member starts from the delivered order: the form opens with the order picked.
  const { page } = await open();
  const problems = watchPageProblems(page);
  await signIn(page, url, member);
  await page.getByRole('navigation', { name: 'Account' }).getByRole('link', { name: 'Orders' }).click();
  await heading(page, 'Orders');
  await page.getByRole('link', { name: `Return or claim for order ${order.id}` }).click();
  await heading(page, 'Start a return or claim');
  assert.equal(await page.getByLabel('Order', { exact: true }).inputValue(), order.id, 'the order is picked');
  await page.getByRole('group', { name: 'What do you need?' }).getByLabel(/Return it/).check();
  await page.getByRole('group', { name: 'Refund or exchange?' }).getByLabel(/Refund/).check();
  await page.getByLabel('Reason for your request').selectOption('no_longer_needed');
  await page.getByLabel('What happened?').fill('I bought a second one by mistake; this one is unopened.');
  await photograph(page, 'aftersales-b1-member-form');
  await page.getByRole('button', { name: 'Send request' }).click();
  await heading(page, 'Return');
  await page.getByRole('status').filter({ hasText: 'your request is sent' }).waitFor();
  const caseId = decodeURIComponent(new URL(page.url()).pathname.split('/').at(-1)!);
  await photograph(page, 'aftersales-b2-member-case');

  // The agent: approve, wait for the item, mark it received and inspected, refund (AS-10, AS-11).
  const desk = (await open()).page;
  const deskProblems = watchPageProblems(desk);
  await signIn(desk, url, agent, true);
  await openCaseInConsole(desk, caseId);
  await act(desk, 'Approve', 'Approved');
  await act(desk, 'Wait for the item to come back', 'Waiting for the item');
  await act(desk, 'Mark received and inspected', 'Received and inspected', async (block) => {
    await block.getByLabel('Inspection result').selectOption('as_described');
  });
  const resolve = desk.getByRole('form', { name: 'Resolve' });
  await resolve.getByLabel('Refund').check();
  await resolve.getByRole('button', { name: 'Resolve with refund' }).click();
  await desk.getByRole('status').filter({ hasText: /Resolved with refund|started/ }).waitFor();
  await fact(desk, 'Credits reversed').waitFor();
  await photograph(desk, 'aftersales-b3-console-refunded');

  // CR-16: the credits the line earned are taken back; the member sees it on the credits page, and the resolution.
  const after = await getBalance(deps, memberId);
  assert.equal(before.available + before.pendingTotal - (after.available + after.pendingTotal), earned, 'exactly the line’s earned credits are reversed');
  await page.getByRole('navigation', { name: 'Account' }).getByRole('link', { name: 'Credits' }).click();
  await heading(page, 'Credits');
  await page.getByRole('table', { name: /Credits history/ }).getByRole('row').filter({ hasText: 'Taken back after a refund' }).getByText(`−${earned}`).waitFor();
  await photograph(page, 'aftersales-b4-member-credits');
  await page.getByRole('navigation', { name: 'Account' }).getByRole('link', { name: 'Returns & claims' }).click();
  await heading(page, 'Returns & claims');
  const listed = page.getByRole('table', { name: /Your returns and claims/ }).getByRole('row').filter({ hasText: 'Resolved' });
  await listed.waitFor();
  await photograph(page, 'aftersales-b5-member-list');
  await listed.getByRole('link', { name: 'Return' }).click();
  await heading(page, 'Return');
  await page.getByRole('region', { name: /^Resolution: Refund/ }).waitFor();
  await page.getByRole('list', { name: 'Progress' }).getByText('Item returned').waitFor();
  await photograph(page, 'aftersales-b6-member-resolved');

  assert.deepEqual(problems, [], 'the member pages ran without errors');
  assert.deepEqual(deskProblems, [], 'the console ran without errors');
}

test('AS-3 AS-13 a return before delivery is refused with the reasons; a support case is turned into a warranty claim by the agent', async () => {
  try {
    await supportBecomesWarranty();
  } catch (error) {
    await saveFailureScreenshots();
    throw error;
  }
});

async function supportBecomesWarranty(): Promise<void> {
  const { url, agent } = running();
  const order = undeliveredOrder!;
  const { page } = await open();
  const problems = watchPageProblems(page);
  await signIn(page, url, member);
  await page.goto(`${url}/account/returns/new?order=${encodeURIComponent(order.id)}`);
  await heading(page, 'Start a return or claim');
  await page.getByRole('group', { name: 'What do you need?' }).getByLabel('Return it').check();
  await page.getByLabel('Reason for your request').selectOption('ordered_wrong_item');
  await page.getByLabel('What happened?').fill('I meant to order the 65 W one.');
  const refusing = page.waitForResponse((response) => response.url().endsWith('/api/v1/me/cases'));
  await page.getByRole('button', { name: 'Send request' }).click();
  const refused = await refusing;
  assert.equal(refused.status(), 422);
  const texts = (((await refused.json()) as { error: { details: { texts: string[] } } }).error.details.texts);
  const refusal = page.getByRole('alert').filter({ hasText: 'We cannot open this request' });
  for (const text of texts) await refusal.getByText(text).first().waitFor();
  await photograph(page, 'aftersales-c1-member-refused');

  // Support has no window (AS-13).
  await page.getByRole('group', { name: 'What do you need?' }).getByLabel('Technical support').check();
  await page.getByLabel('What happened?').fill('It gets very hot while charging my laptop. Is that normal?');
  await page.getByRole('button', { name: 'Send request' }).click();
  await heading(page, 'Technical support');
  const caseId = decodeURIComponent(new URL(page.url()).pathname.split('/').at(-1)!);

  const desk = (await open()).page;
  const deskProblems = watchPageProblems(desk);
  await signIn(desk, url, agent, true);
  await openCaseInConsole(desk, caseId);
  const notes = desk.getByRole('region', { name: 'Internal notes' });
  await notes.getByLabel('New note').fill('Above 60 °C is not normal for this charger: treat it as a warranty claim.');
  await notes.getByRole('button', { name: 'Add note' }).click();
  await notes.getByText('Above 60 °C is not normal', { exact: false }).first().waitFor();
  await desk.getByRole('form', { name: 'Convert to a warranty claim' }).getByRole('button', { name: 'Convert to warranty claim' }).click();
  await heading(desk, /^Warranty claim /);
  await desk.getByRole('status').filter({ hasText: 'A new warranty claim, made from the support case.' }).waitFor();
  await fact(desk, 'Made from').getByRole('link', { name: caseId }).waitFor();
  await desk.getByText('It gets very hot while charging my laptop.', { exact: false }).first().waitFor();
  await photograph(desk, 'aftersales-c2-console-converted');

  assert.deepEqual(problems, [], 'the member pages ran without errors');
  assert.deepEqual(deskProblems, [], 'the console ran without errors');
}
