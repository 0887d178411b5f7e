// The privacy center in a real browser (issue 10; PV-1..PV-3, PV-10, PV-12, PV-13, PV-15, PV-16, AC-10, PV-32):
// (a) a guest files an access request on the public form about a member's address, verifies it with the code read in
// the console's mail view, the matching facts of the member's order and the signed declaration; an agent finds it in
// the queue, starts and fulfils it; the export job runs; the guest follows the answer to the export page, has a code
// emailed and downloads the ZIP, which the test opens: data.json validates against the schema the API serves and every
// file matches the manifest's SHA-256. (b) A member asks for a copy of their data in the member center, downloads it
// after signing in again, files a request that the fresh sign-in verifies, then closes the account from the security
// page and can no longer sign in. The guest also appeals the answer. (c) An agent enters in the console a request
// emailed 3 days ago; its deadline counts from the receipt time. The pages are
// photographed at each step (test-results/privacy-*.png).
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { Download, Page } from 'playwright-core';
import { advanceSimulatedClock } from '../../src/db/simulated-clock-store.ts';
import { transact } from '../../src/deps.ts';
import * as flows from '../../src/flows/index.ts';
import { runDueJobs } from '../../src/modules.ts';
import { createMemberForSeed } from '../../src/modules/accounts/index.ts';
import { openRequest } from '../../src/modules/privacy/index.ts';
import { listProducts, seedStoreDemoData, type OrderDetail } from '../../src/modules/store/index.ts';
import type { SimulatedClock } from '../../src/platform/clock.ts';
import { watchPageProblems } from '../support/browser.ts';
import { browserSuite, heading, photograph, signIn } from '../support/e2e-helpers.ts';
import { assertManifest, readZip } from '../support/export-zip.ts';
import { startTestServer } from '../support/server.ts';

const subject = { email: 'dorothy.vaughan@example.com', password: 'fortran-at-langley-1961', country: 'US', dateOfBirth: '1980-09-20', firstName: 'Dorothy', lastName: 'Vaughan', emailVerified: true };
const leaver = { email: 'mary.jackson@example.com', password: 'wind-tunnel-engineer-1958', country: 'US', dateOfBirth: '1985-04-09', firstName: 'Mary', lastName: 'Jackson', emailVerified: true };
const shipTo = { name: 'Dorothy Vaughan', line1: '500 Market St', city: 'Portland', region: 'US-OR', postalCode: '97201' };

let order: OrderDetail | undefined;

// Without the job worker: the test runs the due jobs (the outbox, the export) itself when it needs them.
const { running, open, saveFailureScreenshots } = browserSuite('privacy', () => startTestServer({ worker: false }), async ({ deps }) => {
  await transact(deps, (trx) => seedStoreDemoData(trx));
  const { memberId } = await createMemberForSeed(deps, subject);
  await createMemberForSeed(deps, leaver);
  const product = (await listProducts(deps, {}))[0];
  assert.ok(product, 'the demo catalog has products');
  const placed = await flows.checkout(deps, { memberId, guestEmail: null, lines: [{ productId: product.id, quantity: 1 }], discountCode: null, shippingAddress: shipTo, credits: 0, paymentToken: 'tok_approve', fromCart: false });
  assert.equal(placed.payment.outcome, 'approved');
  order = placed.order;
  // Two requests emailed weeks ago, typed in by an agent with the receipt time: one overdue, one due within 7 days
  // (US: 45 days), so the queue shows its flags.
  const nowMs = deps.clock.nowMs();
  for (const [name, daysAgo] of [['Grace Hopper', 50], ['Ada Lovelace', 40]] as const) {
    const email = `${name.split(' ')[0]!.toLowerCase()}@example.com`;
    await transact(deps, (trx) =>
      openRequest(trx, {
        source: { channel: 'email', receivedAtMs: nowMs - daysAgo * 86_400_000, staffId: 'mem_agent', staffRole: 'agent' },
        form: { type: 'erase', requesterName: name, requesterEmail: email, relationship: 'self', brands: [], subjectEmail: email, country: 'US', state: 'CA', zip: null, comments: null },
      }),
    );
  }
});

/** The 6-digit code in the subject of the newest email to `to` whose subject matches, read in the console's mail view. */
async function codeInMail(desk: Page, to: string, subjectLine: RegExp): Promise<string> {
  await runDueJobs(running().deps);
  await desk.goto(`${running().url}/console/mail`);
  await heading(desk, 'Mail');
  const link = desk.getByRole('region', { name: 'Messages' }).getByRole('link').filter({ hasText: subjectLine }).filter({ hasText: to }).first();
  const code = /(\d{6})/.exec(await link.innerText())?.[1];
  assert.ok(code, `the email “${subjectLine.source}” has a code`);
  return code;
}

async function downloadedBytes(download: Download): Promise<Buffer> {
  const path = await download.path();
  assert.ok(path, 'the browser saved the download');
  return readFile(path);
}

/** Opens the ZIP and checks it as PV-15 says: data.json valid against the served schema, every manifest hash. */
async function assertExport(bytes: Buffer, memberEmail: string): Promise<void> {
  const entries = await readZip(bytes);
  const manifest = assertManifest(entries);
  assert.ok(manifest.files.some((file) => file.path === 'data.json') && manifest.files.some((file) => file.path === 'index.html'), 'the ZIP has data.json and index.html');
  assert.ok(manifest.files.some((file) => file.path.startsWith('csv/')), 'the ZIP has a CSV per entity');
  const schemaResponse = await fetch(`${running().url}/api/v1/privacy/export-schema.json`);
  assert.equal(schemaResponse.status, 200);
  const schema = (await schemaResponse.json()) as Record<string, unknown>;
  const data = JSON.parse(entries.get('data.json')!.toString('utf8')) as unknown;
  const ajv = new Ajv2020({ allErrors: true, strict: false, validateFormats: false });
  const validate = ajv.compile(schema);
  assert.ok(validate(data), `data.json validates against the served schema: ${ajv.errorsText(validate.errors)}`);
  assert.ok(entries.get('data.json')!.toString('utf8').includes(memberEmail), 'the export holds the subject’s own data');
}

test('PV-1 PV-2 PV-10 PV-12 PV-13 PV-15 PV-16 a guest files an access request, verifies by code, order facts and declaration; an agent fulfils it; the guest downloads the ZIP with an emailed code', async () => {
  try {
    await guestAccessRequest();
  } catch (error) {
    await saveFailureScreenshots();
    throw error;
  }
});

async function guestAccessRequest(): Promise<void> {
  const { url, agent } = running();
  const placed = order!;
  const desk = (await open()).page;
  const deskProblems = watchPageProblems(desk);
  await signIn(desk, url, agent, true);

  // PV-2: the public form, reached from the footer, no sign-in.
  const { page } = await open();
  const problems = watchPageProblems(page);
  await page.goto(`${url}/shop`);
  await page.getByRole('navigation', { name: 'Privacy' }).getByRole('link', { name: 'Privacy request' }).click();
  await heading(page, 'Privacy request');
  const form = page.getByRole('form', { name: 'Your request' });
  await form.getByLabel('Get a copy of my personal data').check();
  await form.getByRole('group', { name: 'Who is the request about?' }).getByLabel('Me', { exact: true }).check();
  await form.getByLabel('Your name').fill('Dorothy Vaughan');
  await form.getByLabel('Your email address').fill(subject.email);
  await form.getByLabel('Country').selectOption('US');
  await form.getByLabel('State').selectOption('OR');
  await form.getByLabel(/Zip or postal code/).fill('97201');
  await form.getByLabel('Anker', { exact: true }).check();
  await photograph(page, 'privacy-a1-request-form');
  // On a phone: the same form at 375 px.
  await page.setViewportSize({ width: 375, height: 800 });
  await photograph(page, 'privacy-a1b-request-form-375');
  await page.setViewportSize({ width: 1280, height: 900 });
  const sending = page.waitForResponse((response) => response.url().endsWith('/api/v1/privacy/requests') && response.request().method() === 'POST');
  await form.getByRole('button', { name: 'Send request' }).click();
  const sent = await sending;
  assert.equal(sent.status(), 202);
  const { requestId } = (await sent.json()) as { requestId: string };
  await heading(page, 'Your privacy request');
  await page.getByTestId('request-state').filter({ hasText: 'Waiting for verification' }).waitFor();
  const statusUrl = page.url();
  assert.match(statusUrl, new RegExp(`/privacy/requests/${requestId}\\?t=`));

  // PV-12, PV-13: the code emailed to the subject's address, 3 facts of the member's order, the signed declaration.
  const code = await codeInMail(desk, subject.email, /^Your verification code/);
  const verify = page.getByRole('form', { name: 'Verify the request' });
  await verify.getByLabel('6-digit code').fill(code);
  await verify.getByLabel('Order number').fill(placed.id);
  await verify.getByLabel('Ship-to zip code').fill(shipTo.postalCode);
  await verify.getByLabel(/Order amount/).fill((placed.totalMinor / 100).toFixed(2));
  await verify.getByLabel('I sign this declaration').check();
  await verify.getByLabel('Your name, as your signature').fill('dorothy  vaughan');
  await photograph(page, 'privacy-a2-verify');
  await verify.getByRole('button', { name: 'Verify' }).click();
  await page.getByRole('status').filter({ hasText: 'the request is verified' }).waitFor();
  await page.getByTestId('request-state').filter({ hasText: 'Verified' }).waitFor();
  await photograph(page, 'privacy-a3-verified');

  // PV-10: the agent finds it in the queue with its days left, starts and fulfils it.
  await desk.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Privacy' }).click();
  await heading(desk, 'Privacy requests');
  const row = desk.getByRole('table', { name: /Privacy requests, priority first/ }).getByRole('row').filter({ hasText: requestId });
  await row.getByText(/days left/).waitFor();
  const queue = desk.getByRole('table', { name: /Privacy requests, priority first/ });
  await queue.getByRole('row').filter({ hasText: 'Grace Hopper' }).getByText('Overdue by 5 days').waitFor();
  await queue.getByRole('row').filter({ hasText: 'Ada Lovelace' }).getByText('Due within 7 days').waitFor();
  await photograph(desk, 'privacy-a4-console-queue');
  await row.getByRole('link', { name: 'Access' }).click();
  await heading(desk, new RegExp(requestId));
  await desk.getByText('3 of 3 matched').waitFor();
  await photograph(desk, 'privacy-a5-console-request');
  for (const [action, state] of [
    ['Start work', 'In progress'],
    ['Fulfil', 'Completed'],
  ] as const) {
    await desk.getByRole('form', { name: action, exact: true }).getByRole('button', { name: action, exact: true }).click();
    await desk.getByRole('status').filter({ hasText: `${action}: done.` }).waitFor();
    await desk.getByTestId('request-state').filter({ hasText: state }).waitFor();
  }
  await desk.getByText(/Your copy of your personal data is being prepared/).waitFor();
  await photograph(desk, 'privacy-a5b-console-fulfilled');

  // The export job builds the ZIP; the guest's request page links it.
  await runDueJobs(running().deps);
  await page.goto(statusUrl);
  await heading(page, 'Your privacy request');
  await page.getByTestId('request-state').filter({ hasText: 'Completed' }).waitFor();
  await photograph(page, 'privacy-a6-answer');
  await page.setViewportSize({ width: 375, height: 800 });
  await photograph(page, 'privacy-a6b-answer-375');
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.getByRole('link', { name: 'Download your data' }).click();
  await heading(page, 'Download your personal data');

  // PV-15: a code emailed to the export's subject, then the ZIP.
  await page.getByRole('button', { name: 'Email me a code' }).click();
  await page.getByRole('status').filter({ hasText: 'we emailed a code' }).waitFor();
  const downloadCode = await codeInMail(desk, subject.email, /^Your code to download your personal data/);
  await page.getByLabel('6-digit code').fill(downloadCode);
  const downloading = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Download ZIP' }).click();
  const download = await downloading;
  assert.match(download.suggestedFilename(), /^patron-export-pex_[0-9a-z]+\.zip$/);
  await page.getByText('Your download has started').waitFor();
  await photograph(page, 'privacy-a7-downloaded');
  await assertExport(await downloadedBytes(download), subject.email);

  // The code is single use: the same code again is refused next to the field.
  await page.getByLabel('6-digit code').fill(downloadCode);
  await page.getByRole('button', { name: 'Download ZIP' }).click();
  await page.getByRole('alert').filter({ hasText: 'The download did not start' }).waitFor();

  // PV-3: an answer can be appealed from the request's page.
  await page.goto(statusUrl);
  const appeal = page.getByRole('form', { name: 'Appeal' });
  await appeal.getByLabel(/Why do you disagree/).fill('The copy does not include my newsletter preferences.');
  await appeal.getByRole('button', { name: 'Appeal the decision' }).click();
  await page.getByRole('status').filter({ hasText: 'Your appeal is with our privacy team' }).waitFor();
  await page.getByTestId('request-state').filter({ hasText: 'Under appeal' }).waitFor();

  assert.deepEqual(problems, [], 'the public pages ran without errors');
  assert.deepEqual(deskProblems, [], 'the console ran without errors');
}

test('PV-15 AC-10 PV-32 a member downloads a copy of their data after signing in again, then closes the account and can no longer sign in', async () => {
  try {
    await memberExportAndClosure();
  } catch (error) {
    await saveFailureScreenshots();
    throw error;
  }
});

async function memberExportAndClosure(): Promise<void> {
  const { url, deps } = running();
  const { page } = await open();
  const problems = watchPageProblems(page);
  await signIn(page, url, leaver);
  await page.getByRole('navigation', { name: 'Account' }).getByRole('link', { name: 'Privacy' }).click();
  await heading(page, 'Privacy');
  await page.getByRole('button', { name: 'Request a copy of my data' }).click();
  await page.getByRole('status').filter({ hasText: 'We are preparing your copy' }).waitFor();
  await runDueJobs(deps);

  // The sign-in grows older than 10 minutes: the download asks for a fresh one, in place.
  await advanceSimulatedClock(deps.db, deps.clock as SimulatedClock, 11 * 60_000);
  const copies = page.getByRole('region', { name: 'Copies of your data' });
  await copies.getByRole('button', { name: 'Refresh' }).click();
  await copies.getByRole('button', { name: 'Download ZIP' }).click();
  const again = copies.getByRole('region', { name: 'Sign in again' });
  await again.getByLabel('Email address').fill(leaver.email);
  await again.getByLabel('Password').fill(leaver.password);
  await photograph(page, 'privacy-b1-member-sign-in-again');
  await again.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('status').filter({ hasText: 'You are signed in again' }).waitFor();
  const downloading = page.waitForEvent('download');
  await copies.getByRole('button', { name: 'Download ZIP' }).click();
  await assertExport(await downloadedBytes(await downloading), leaver.email);
  await page.getByRole('status').filter({ hasText: 'Your download has started' }).waitFor();
  await page.getByRole('region', { name: 'What we hold about you' }).getByText('Kinds of data').waitFor();
  await photograph(page, 'privacy-b2-member-privacy');

  // PV-1, PV-11: a request from the member center is verified by the fresh sign-in at once.
  await page.getByRole('button', { name: 'New request' }).click();
  const filing = page.getByRole('form', { name: 'New privacy request' });
  await filing.getByLabel('What would you like us to do?').selectOption('know');
  await filing.getByLabel('State').selectOption('CA');
  await filing.getByRole('button', { name: 'Send request' }).click();
  await heading(page, 'Your privacy request');
  await page.getByTestId('request-state').filter({ hasText: 'Verified' }).waitFor();
  await photograph(page, 'privacy-b3-member-request');
  await page.getByRole('link', { name: 'Privacy', exact: true }).first().click();
  await heading(page, 'Privacy');

  // AC-10: from the privacy page to the security page's close-account section; the sign-in is fresh now.
  await page.getByRole('link', { name: 'Close your account' }).click();
  await heading(page, 'Security');
  const section = page.getByRole('region', { name: 'Close account' });
  await section.getByRole('button', { name: 'Close my account…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Close your account?' });
  await dialog.getByText(/credits are forfeited|no credits to lose/).first().waitFor();
  await photograph(page, 'privacy-b4-close-dialog');
  await dialog.getByRole('button', { name: 'Close my account' }).click();
  await page.getByRole('heading', { name: 'Your account is closed' }).waitFor();
  await photograph(page, 'privacy-b5-closed');
  await page.getByRole('button', { name: 'Done' }).click();

  // A closed account never signs in again.
  await page.goto(`${url}/sign-in`);
  await heading(page, 'Sign in');
  await page.getByLabel('Email address').fill(leaver.email);
  await page.getByLabel('Password').fill(leaver.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('alert').filter({ hasText: 'The email address or password is not correct.' }).waitFor();
  await photograph(page, 'privacy-b6-sign-in-refused');
  await heading(page, 'Sign in');
  const session = await page.evaluate(async () => (await fetch('/api/v1/session')).status);
  assert.equal(session, 401, 'no session after the refused sign-in');
  assert.deepEqual(problems, [], 'the member pages ran without errors');
}

test('PV-1 PV-10 an agent enters a request emailed 3 days ago from the console; its deadline counts from the receipt time', async () => {
  try {
    await agentEntersEmailedRequest();
  } catch (error) {
    await saveFailureScreenshots();
    throw error;
  }
});

async function agentEntersEmailedRequest(): Promise<void> {
  const { url, agent, deps } = running();
  const { page: desk } = await open();
  const problems = watchPageProblems(desk);
  await signIn(desk, url, agent, true);
  await desk.goto(`${url}/console/privacy`);
  await heading(desk, 'Privacy requests');
  await desk.getByRole('link', { name: 'New request' }).click();
  await heading(desk, 'New privacy request');

  // The email arrived 3 days ago (server time); the browser runs in UTC, so the datetime-local value is the UTC time.
  const receivedMs = Math.floor((deps.clock.nowMs() - 3 * 86_400_000) / 60_000) * 60_000;
  const form = desk.getByRole('form', { name: 'New privacy request' });
  await form.getByLabel('Received by email').check();
  await form.getByLabel('Email received').fill(new Date(receivedMs).toISOString().slice(0, 16));
  await form.getByLabel('Request', { exact: true }).selectOption({ label: 'Delete my personal data' });
  await form.getByLabel('Requester’s name').fill('Katherine Johnson');
  await form.getByLabel('Requester’s email address').fill('katherine.johnson@example.com');
  await form.getByLabel('The requester is').selectOption('self');
  await form.getByLabel('Country').selectOption('US');
  await form.getByLabel('State').selectOption('VA');
  await form.getByLabel(/Zip or postal code/).fill('23666');
  await form.getByLabel('eufy', { exact: true }).check();
  await form.getByLabel(/Comments/).fill('Sent to privacy@ from her personal address; she asks us to delete her account.');
  await photograph(desk, 'privacy-c1-agent-intake');

  // The server refuses a receipt time more than 90 days back; its message shows next to the field.
  const receivedField = form.getByLabel('Email received');
  await receivedField.fill(new Date(receivedMs - 100 * 86_400_000).toISOString().slice(0, 16));
  await form.getByRole('button', { name: 'Enter request' }).click();
  await form.locator('.field', { has: desk.getByLabel('Email received') }).locator('.field-error').filter({ hasText: 'more than 90 days ago' }).waitFor();
  assert.equal(await receivedField.getAttribute('aria-invalid'), 'true');
  await receivedField.fill(new Date(receivedMs).toISOString().slice(0, 16));

  const entering = desk.waitForResponse((response) => response.url().endsWith('/api/v1/agent/privacy/requests') && response.request().method() === 'POST');
  await form.getByRole('button', { name: 'Enter request' }).click();
  const entered = await entering;
  assert.equal(entered.status(), 201);
  const created = (await entered.json()) as { id: string; channel: string; deadlines: { receivedAt: string; receivedDate: string; dueDate: string } };
  assert.equal(created.channel, 'email');
  assert.equal(created.deadlines.receivedAt, new Date(receivedMs).toISOString(), 'the receipt time is the one typed in');

  // US state law: 45 days after the receipt date (UTC), not after today.
  const receivedDate = new Date(receivedMs).toISOString().slice(0, 10);
  const dueDate = new Date(Date.parse(`${receivedDate}T00:00:00Z`) + 45 * 86_400_000).toISOString().slice(0, 10);
  assert.equal(created.deadlines.dueDate, dueDate);
  await heading(desk, new RegExp(created.id));
  assert.match(desk.url(), new RegExp(`/console/privacy/${created.id}$`));
  const dueWords = new Intl.DateTimeFormat('en-US', { year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' }).format(new Date(`${dueDate}T00:00:00Z`));
  const answerBy = desk.getByRole('definition').filter({ hasText: dueWords });
  await answerBy.getByText('42 days left').waitFor();
  await desk.getByText(/Katherine Johnson · Email · received/).waitFor();
  await photograph(desk, 'privacy-c2-agent-intake-entered');
  assert.deepEqual(problems, [], 'the console ran without errors');
}
