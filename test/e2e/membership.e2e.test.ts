// Plus membership in a real browser on the simulated clock (issue 8 point 6; MB-1..MB-8, MB-11, ST-2): a member sees
// the two plans, a declined card's message, joins annual and at once sees the Plus member discount at checkout; the
// renewal reminder goes out 30 days before the renewal and is read in the console's mail view; the member is renewed
// and the page shows the next period's date; the agent sees the membership with its dated history on the member
// page; a pause with a resume date ends at that date.
// Another member joins monthly, switches plan and back, turns auto-renewal off and on, saves a new card, pauses,
// resumes 10 days later (the renewal moves out by 10 days) and cancels through the confirmation dialog; a third
// member's failed renewal shows on the console's past-due list, where an agent cancels it through the same
// confirmation. The pages are photographed at each step (test-results/membership-*.png).
//
// The server runs without its job worker: the test moves the clock and runs the due jobs itself (runDueJobs), so
// "a minute before the reminder is due" is a state really observed, not a race with a polling worker.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { transact } from '../../src/deps.ts';
import { advanceSimulatedClock } from '../../src/db/simulated-clock-store.ts';
import { runDueJobs } from '../../src/modules.ts';
import { createMemberForSeed } from '../../src/modules/accounts/index.ts';
import { getCurrentMembershipPolicy, getMembershipOverview, joinPlus, updatePaymentMethod } from '../../src/modules/membership/index.ts';
import { listMessages } from '../../src/modules/notifications/index.ts';
import { seedStoreDemoData } from '../../src/modules/store/index.ts';
import type { SimulatedClock } from '../../src/platform/clock.ts';
import { watchPageProblems } from '../support/browser.ts';
import { addToCart, browserSuite, goToCheckout, heading, photograph, signIn as signInAt } from '../support/e2e-helpers.ts';
import { startTestServer } from '../support/server.ts';

const annualMember = { email: 'mae.jemison@example.com', password: 'endeavour-sts-47-1992', country: 'US', dateOfBirth: '1986-10-17', firstName: 'Mae', lastName: 'Jemison', emailVerified: true };
const monthlyMember = { email: 'sally.ride@example.com', password: 'challenger-sts-7-1983', country: 'US', dateOfBirth: '1991-05-26', firstName: 'Sally', lastName: 'Ride', emailVerified: true };
const lateMember = { email: 'valentina.t@example.com', password: 'vostok-6-june-1963', country: 'US', dateOfBirth: '1987-03-06', firstName: 'Valentina', lastName: 'Tereshkova', emailVerified: true };
/** What the annual member buys at checkout, right after joining. */
const product = 'Nano Charger 30 W';
const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

const memberIds: Record<string, string> = {};

const { running, open, saveFailureScreenshots } = browserSuite('membership', () => startTestServer({ worker: false }), async ({ deps }) => {
  await transact(deps, (trx) => seedStoreDemoData(trx));
  for (const person of [annualMember, monthlyMember, lateMember]) memberIds[person.email] = (await createMemberForSeed(deps, person)).memberId;
});

/** A date as the membership page writes it (en-US browser in UTC): "Mar 2, 2027". */
function shortDate(value: number | string): string {
  return new Intl.DateTimeFormat('en-US', { year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' }).format(new Date(value));
}

const dollars = (minor: number) => new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' }).format(minor / 100);

async function advanceTo(targetMs: number): Promise<void> {
  const { deps } = running();
  await advanceSimulatedClock(deps.db, deps.clock as SimulatedClock, targetMs - deps.clock.nowMs());
}

async function overview(email: string) {
  return getMembershipOverview(running().deps, memberIds[email]!);
}

/** Emails queued to `to` whose subject matches (the outbox the console's mail view reads). */
async function mailTo(to: string, subject: RegExp) {
  return (await listMessages(running().deps, { limit: 200 })).filter((message) => message.to === to && subject.test(message.subject));
}

/** The membership page, read fresh from the server, reached from the account navigation. */
async function openMembership(page: Page): Promise<void> {
  await page.getByRole('navigation', { name: 'Account' }).getByRole('link', { name: 'Plus' }).click();
  await heading(page, 'Plus membership');
  await page.getByText('Loading your membership…').waitFor({ state: 'detached' });
}

/** The figure next to a term of a description list: the membership facts, or (with `list`) the checkout's totals. */
function fact(page: Page, term: string, list = '.facts') {
  return page.locator(`${list} > div`).filter({ has: page.getByRole('term').filter({ hasText: new RegExp(`^${term}$`) }) }).getByRole('definition');
}

/** A price as the shop writes it ("$19.99") in cents. */
function centsOf(text: string): number {
  const match = /^\$(\d{1,3}(?:,\d{3})*)\.(\d{2})$/.exec(text.trim());
  assert.ok(match, `a price: ${text}`);
  return Number(match[1]!.replaceAll(',', '')) * 100 + Number(match[2]);
}

async function joinResponse(page: Page) {
  return page.waitForResponse((response) => response.url().endsWith('/api/v1/me/membership') && response.request().method() === 'POST');
}

test('MB-1 MB-2 MB-3 MB-8 MB-11 ST-2 a member sees the plans, is declined, joins annual, sees the Plus member discount at checkout, gets the reminder 30 days before renewal in the mail view, is renewed, and pauses until a date', async () => {
  try {
    await annualJourney();
  } catch (error) {
    await saveFailureScreenshots();
    throw error;
  }
});

async function annualJourney(): Promise<void> {
  const { url, deps, agent } = running();
  const policy = await getCurrentMembershipPolicy(deps);
  const browser = await open();
  const page = browser.page;
  const problems = watchPageProblems(page);

  // The credits page leads to Plus ("Join Plus"), which shows both plans with the price and the struck-through list price.
  await signInAt(page, url, annualMember);
  await page.getByRole('navigation', { name: 'Account' }).getByRole('link', { name: 'Credits' }).click();
  await heading(page, 'Credits');
  await page.getByRole('link', { name: 'Join Plus' }).click();
  await heading(page, 'Plus membership');
  for (const [plan, label] of [['monthly', 'Plus Monthly'], ['annual', 'Plus Annual']] as const) {
    const card = page.getByRole('region', { name: label });
    await card.locator('.price-now').filter({ hasText: dollars(policy[plan].priceMinor) }).waitFor();
    await card.locator('s.price-was').filter({ hasText: dollars(policy[plan].listPriceMinor) }).waitFor();
  }

  // A declined card: its message, no membership, nothing charged (MB-2).
  const join = page.getByRole('form', { name: 'Join Plus' });
  await join.getByLabel('Plus Annual', { exact: false }).check();
  await join.getByLabel('Card token').fill('tok_decline');
  const declining = joinResponse(page);
  await join.getByRole('button', { name: `Join Plus Annual for ${dollars(policy.annual.priceMinor)}` }).click();
  const declined = await declining;
  assert.equal(declined.status(), 402);
  assert.ok(declined.request().headers()['idempotency-key'], 'the join carries an Idempotency-Key');
  const declinedMessage = ((await declined.json()) as { payment: { message: string } }).payment.message;
  await page.getByRole('alert').getByText('Your card was declined: nothing was charged and no membership was started.', { exact: false }).waitFor();
  await join.getByText(declinedMessage).first().waitFor();
  assert.equal((await overview(annualMember.email)).subscription, null, 'a declined first payment creates no membership');
  await photograph(page, 'membership-1-declined');

  // Joins annual with the approving token: benefits at once, the renewal a year on.
  await join.getByLabel('Card token').fill('tok_approve');
  const joining = joinResponse(page);
  await join.getByRole('button', { name: `Join Plus Annual for ${dollars(policy.annual.priceMinor)}` }).click();
  const joined = await joining;
  assert.equal(joined.status(), 201);
  assert.notEqual(joined.request().headers()['idempotency-key'], declined.request().headers()['idempotency-key'], 'a new attempt has a new key');
  const renewsAtMs = Date.parse(((await joined.json()) as { subscription: { currentPeriodEndsAt: string } }).subscription.currentPeriodEndsAt);
  await page.getByRole('status').filter({ hasText: 'Welcome to Plus Annual!' }).waitFor();
  await fact(page, 'Plan').getByText('Plus Annual').waitFor();
  await fact(page, 'State').getByText('Active').waitFor();
  await fact(page, 'Next renewal').getByText(`${shortDate(renewsAtMs)} · ${dollars(policy.annual.priceMinor)}`, { exact: false }).waitFor();
  // The welcome email is written by its own job (the notice and its outbox message are the proof of what was said).
  await runDueJobs(deps);
  await page.reload();
  await heading(page, 'Plus membership');
  await page.getByRole('table', { name: /Membership emails/ }).getByRole('row').filter({ hasText: 'Welcome' }).waitFor();
  await photograph(page, 'membership-2-annual');

  // ST-2, MB-8: at once a Plus member, the member's checkout takes the member discount off the merchandise (5 % by
  // default, rounded half up to the cent), computed here from the price the shop shows.
  await page.getByRole('navigation', { name: 'Account' }).getByRole('link', { name: 'Shop' }).click();
  await heading(page, 'Shop');
  const productCard = page.getByRole('list', { name: 'Products' }).getByRole('listitem').filter({ has: page.getByRole('heading', { name: product, exact: true }) });
  const priceMinor = centsOf(await productCard.locator('.price-now').innerText());
  const discountMinor = Math.round((priceMinor * policy.memberDiscountBp) / 10_000);
  assert.ok(discountMinor > 0, 'the member discount takes something off');
  await addToCart(page, product);
  await goToCheckout(page, 'US-CA');
  const quoteBox = page.getByTestId('quote');
  await fact(page, 'Merchandise', '[data-testid="quote"] .summary').getByText(dollars(priceMinor), { exact: true }).waitFor();
  await fact(page, 'Plus member discount', '[data-testid="quote"] .summary').getByText(`−${dollars(discountMinor)}`, { exact: true }).waitFor();
  await quoteBox.getByTestId('plus-discount-note').filter({ hasText: `Plus member discount: ${policy.memberDiscountBp / 100} % off merchandise.` }).waitFor();
  await photograph(page, 'membership-checkout-discount');
  await openMembership(page);

  // MB-3: the reminder goes out 30 days before the renewal, not a minute earlier.
  const reminderSubject = /^Your Plus Annual membership renews on /;
  const reminderAtMs = renewsAtMs - policy.annualReminderLeadMs;
  await advanceTo(reminderAtMs - MINUTE_MS);
  await runDueJobs(deps);
  assert.equal((await mailTo(annualMember.email, reminderSubject)).length, 0, 'no reminder before its lead');
  await advanceTo(reminderAtMs + MINUTE_MS);
  await runDueJobs(deps);
  assert.equal((await mailTo(annualMember.email, reminderSubject)).length, 1, 'the reminder, 30 days before');

  const desk = (await open()).page;
  const deskProblems = watchPageProblems(desk);
  await signInAt(desk, url, agent, true);
  await desk.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Mail' }).click();
  await heading(desk, 'Mail');
  await desk.getByLabel('Filter by recipient or subject').fill(annualMember.email);
  const reminder = desk.getByRole('region', { name: 'Messages' }).getByRole('link').filter({ hasText: reminderSubject });
  await reminder.click();
  const mail = desk.frameLocator('iframe.mail-frame');
  await mail.getByText(`We will charge ${dollars(policy.annual.priceMinor)} to your saved payment method.`, { exact: false }).waitFor();
  await mail.getByText('turn off auto-renewal or cancel on your membership page', { exact: false }).waitFor();
  // The viewport, not the full page: resizing for a full-page shot reloads the message's frame, which then shows blank.
  await desk.screenshot({ path: 'test-results/membership-3-reminder-mail.png' });

  // The renewal at the period end: charged, and the page shows the next period's date (a session lasts 30 days at
  // most, so the member signs in again).
  await advanceTo(renewsAtMs + MINUTE_MS);
  await runDueJobs(deps);
  const renewed = await overview(annualMember.email);
  assert.equal(renewed.subscription?.state, 'active');
  assert.equal(renewed.periods.length, 2, 'a second paid period');
  const nextRenewsAtMs = renewed.subscription!.currentPeriodEndMs!;
  assert.equal(renewed.periods[1]!.startsAtMs, renewsAtMs, 'the new period starts where the first ended');
  await signInAt(page, url, annualMember);
  await openMembership(page);
  await fact(page, 'Next renewal').getByText(`${shortDate(nextRenewsAtMs)} · ${dollars(policy.annual.priceMinor)}`, { exact: false }).waitFor();
  await fact(page, 'Current period ends').getByText(shortDate(nextRenewsAtMs)).waitFor();
  const notices = page.getByRole('table', { name: /Membership emails/ });
  await notices.getByRole('row').filter({ hasText: 'Renewal reminder' }).filter({ hasText: shortDate(renewsAtMs) }).waitFor();
  await notices.getByRole('row').filter({ hasText: 'Renewal receipt' }).waitFor();
  await page.getByRole('table', { name: /Membership history/ }).getByRole('row').filter({ hasText: 'Renewed' }).waitFor();
  await photograph(page, 'membership-4-renewed');

  // The console's member page: the membership with its periods, dated history and notices.
  await signInAt(desk, url, agent, true);
  await desk.goto(`${url}/console/members/${encodeURIComponent(memberIds[annualMember.email]!)}`);
  const section = desk.getByRole('region', { name: 'Membership', exact: true });
  await section.getByRole('heading', { name: 'Plus membership' }).waitFor();
  await fact(desk, 'Plan').getByText('Plus Annual').waitFor();
  await section.getByRole('table', { name: /Paid periods/ }).getByRole('row').filter({ hasText: dollars(policy.annual.priceMinor) }).nth(1).waitFor();
  await section.getByRole('table', { name: /Membership history/ }).getByRole('row').filter({ hasText: 'Renewed' }).getByText('Renewal run').waitFor();
  await section.getByRole('table', { name: /Membership emails/ }).getByRole('link', { name: 'Renewal reminder' }).waitFor();
  await photograph(desk, 'membership-5-console-member');

  // MB-5 with a resume date: paused until then, resumed by the renewal run at that moment, the renewal moved out by
  // the paused time.
  const resumeDate = new Date(deps.clock.nowMs() + 20 * DAY_MS).toISOString().slice(0, 10);
  const resumeAtMs = Date.parse(`${resumeDate}T00:00:00Z`);
  const pausedAtMs = deps.clock.nowMs();
  await page.getByLabel('Resume automatically on').fill(resumeDate);
  await page.getByRole('button', { name: 'Pause membership' }).click();
  await page.getByRole('status').filter({ hasText: `Your membership is paused until ${shortDate(resumeAtMs)}.` }).waitFor();
  await fact(page, 'Paused since').getByText(`Resumes on ${shortDate(resumeAtMs)}`).waitFor();
  await advanceTo(resumeAtMs + MINUTE_MS);
  await runDueJobs(deps);
  const resumed = await overview(annualMember.email);
  assert.equal(resumed.subscription!.state, 'active', 'resumed at its date');
  assert.equal(resumed.subscription!.currentPeriodEndMs, nextRenewsAtMs + (resumed.history.find((entry) => entry.event === 'resumed')!.effectiveAtMs - pausedAtMs), 'the renewal moved by the paused time');
  await signInAt(page, url, annualMember);
  await openMembership(page);
  await fact(page, 'State').getByText('Active').waitFor();
  await fact(page, 'Next renewal').getByText(shortDate(resumed.subscription!.currentPeriodEndMs!), { exact: false }).waitFor();
  await page.getByRole('table', { name: /Membership history/ }).getByRole('row').filter({ hasText: 'Resumed' }).getByText('Renewal run').waitFor();

  assert.deepEqual(problems, [], 'the member pages ran without errors');
  assert.deepEqual(deskProblems, [], 'the console ran without errors');
}

test('MB-5 MB-6 MB-7 a monthly member switches plan and auto-renewal, pauses, resumes 10 days later with the renewal moved by 10 days, and cancels through the confirmation; a failed renewal is on the past-due list', async () => {
  try {
    await monthlyJourney();
  } catch (error) {
    await saveFailureScreenshots();
    throw error;
  }
});

async function monthlyJourney(): Promise<void> {
  const { url, deps, agent } = running();
  const policy = await getCurrentMembershipPolicy(deps);
  // A third member joins monthly (through the service) and then gives a card that will be declined at renewal.
  const lateId = memberIds[lateMember.email]!;
  const late = await joinPlus(deps, { memberId: lateId, plan: 'monthly', paymentToken: 'tok_approve', actor: { id: lateId, role: 'member' } });
  assert.equal(late.outcome, 'active');
  await transact(deps, (trx) => updatePaymentMethod(trx, { memberId: lateId, paymentToken: 'tok_decline', actor: { id: lateId, role: 'member' } }));

  const browser = await open();
  const page = browser.page;
  const problems = watchPageProblems(page);
  await signInAt(page, url, monthlyMember);
  await openMembership(page);
  const join = page.getByRole('form', { name: 'Join Plus' });
  await join.getByLabel('Plus Monthly', { exact: false }).check();
  await join.getByLabel('Card token').fill('tok_approve');
  const joining = joinResponse(page);
  await join.getByRole('button', { name: `Join Plus Monthly for ${dollars(policy.monthly.priceMinor)}` }).click();
  assert.equal((await joining).status(), 201);
  await page.getByRole('status').filter({ hasText: 'Welcome to Plus Monthly!' }).waitFor();
  const joined = await overview(monthlyMember.email);
  const renewsAtMs = joined.subscription!.currentPeriodEndMs!;
  await fact(page, 'Next renewal').getByText(`${shortDate(renewsAtMs)} · ${dollars(policy.monthly.priceMinor)}`, { exact: false }).waitFor();
  await page.getByText('A switch takes effect at your next renewal', { exact: false }).waitFor();

  // A plan switch waits for the next renewal (and can be withdrawn); auto-renewal off keeps benefits to the period
  // end; a new payment method is saved for the renewals.
  await page.getByRole('button', { name: 'Switch to Plus Annual at next renewal' }).click();
  await page.getByRole('status').filter({ hasText: `You switch to Plus Annual on ${shortDate(renewsAtMs)}.` }).waitFor();
  await fact(page, 'Plan').getByText('Switches to Plus Annual at the next renewal').waitFor();
  await fact(page, 'Next renewal').getByText(`${shortDate(renewsAtMs)} · ${dollars(policy.annual.priceMinor)} (Plus Annual)`).waitFor();
  await page.getByRole('button', { name: 'Keep Plus Monthly' }).click();
  await page.getByRole('status').filter({ hasText: 'You stay on Plus Monthly.' }).waitFor();
  await page.getByRole('button', { name: 'Turn off auto-renewal' }).click();
  await page.getByRole('status').filter({ hasText: `Auto-renewal is off: your benefits last until ${shortDate(renewsAtMs)}.` }).waitFor();
  await fact(page, 'Next renewal').getByText(`None: your benefits last until ${shortDate(renewsAtMs)}`).waitFor();
  await fact(page, 'State').getByText('benefits on').waitFor();
  await page.getByRole('button', { name: 'Turn on auto-renewal' }).click();
  await page.getByRole('status').filter({ hasText: 'Auto-renewal is on.' }).waitFor();
  await page.getByLabel('New card token').fill('tok_approve');
  await page.getByRole('button', { name: 'Save payment method' }).click();
  await page.getByRole('status').filter({ hasText: 'Your payment method is updated' }).waitFor();
  const events = (await overview(monthlyMember.email)).history.map((entry) => entry.event);
  for (const event of ['plan_switch_scheduled', 'plan_switch_withdrawn', 'auto_renew_off', 'auto_renew_on', 'payment_method_updated'] as const) assert.ok(events.includes(event), `${event} is in the history`);

  // MB-5: pause without a resume date; no benefits while paused.
  await page.getByRole('button', { name: 'Pause membership' }).click();
  await page.getByRole('status').filter({ hasText: 'Your membership is paused until you resume it.' }).waitFor();
  await fact(page, 'State').getByText('Paused').waitFor();
  await fact(page, 'State').getByText('no benefits now').waitFor();
  assert.equal((await overview(monthlyMember.email)).status.plan, null, 'no benefits while paused');
  await photograph(page, 'membership-6-paused');

  // Ten days later (inside the session's idle limit) the member resumes: the renewal moves out by exactly 10 days.
  await advanceTo(deps.clock.nowMs() + 10 * DAY_MS);
  await page.reload();
  await heading(page, 'Plus membership');
  await page.getByRole('button', { name: 'Resume membership' }).click();
  const movedMs = renewsAtMs + 10 * DAY_MS;
  await page.getByRole('status').filter({ hasText: `your membership is active again and renews on ${shortDate(movedMs)}` }).waitFor();
  await fact(page, 'State').getByText('Active').waitFor();
  await fact(page, 'Next renewal').getByText(`${shortDate(movedMs)} · ${dollars(policy.monthly.priceMinor)}`, { exact: false }).waitFor();
  assert.equal((await overview(monthlyMember.email)).subscription!.currentPeriodEndMs, movedMs, 'the renewal moved by the paused time');
  const history = page.getByRole('table', { name: /Membership history/ });
  await history.getByRole('row').filter({ hasText: 'Paused' }).first().waitFor();
  await history.getByRole('row').filter({ hasText: 'Resumed' }).waitFor();
  await photograph(page, 'membership-7-resumed');

  // MB-6, MB-7: cancel through the dialog, which says benefits end now and nothing is refunded; "keep" changes nothing.
  await page.getByRole('button', { name: 'Cancel membership…' }).click();
  let dialog = page.getByRole('dialog', { name: 'Cancel your Plus membership?' });
  await dialog.getByText('All your Plus Monthly benefits end now', { exact: false }).waitFor();
  await dialog.getByText('Nothing is refunded', { exact: false }).waitFor();
  await dialog.getByRole('button', { name: 'Keep my membership' }).click();
  await dialog.waitFor({ state: 'detached' });
  assert.equal((await overview(monthlyMember.email)).subscription!.state, 'active', 'keeping it changes nothing');
  await page.getByRole('button', { name: 'Cancel membership…' }).click();
  dialog = page.getByRole('dialog', { name: 'Cancel your Plus membership?' });
  await dialog.getByText('Nothing is refunded', { exact: false }).waitFor();
  await photograph(page, 'membership-8-cancel-dialog');
  const canceling = page.waitForResponse((response) => response.url().endsWith('/api/v1/me/membership/cancel'));
  await dialog.getByRole('button', { name: 'Cancel membership now' }).click();
  assert.equal((await canceling).status(), 200);
  await page.getByRole('status').filter({ hasText: 'Your membership is canceled. Its benefits have ended; nothing was refunded.' }).waitFor();
  await page.getByRole('status').filter({ hasText: 'Your Plus Monthly membership ended on' }).waitFor();
  await page.getByRole('form', { name: 'Join Plus' }).waitFor();
  const canceled = await overview(monthlyMember.email);
  assert.equal(canceled.subscription!.state, 'canceled');
  assert.equal(canceled.status.plan, null, 'benefits ended at once');
  assert.equal(canceled.periods.length, 1, 'no further period, and no refund row: the fee stays paid');
  await photograph(page, 'membership-9-canceled');

  // MB-4: the third member's renewal is declined: past due, on the console's list, with the member page a click away.
  const lateEndMs = (await overview(lateMember.email)).subscription!.currentPeriodEndMs!;
  await advanceTo(Math.max(lateEndMs, deps.clock.nowMs()) + MINUTE_MS);
  await runDueJobs(deps);
  assert.equal((await overview(lateMember.email)).subscription!.state, 'past_due');
  const desk = (await open()).page;
  const deskProblems = watchPageProblems(desk);
  await signInAt(desk, url, agent, true);
  await desk.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Plus past due' }).click();
  await heading(desk, 'Past-due memberships');
  const row = desk.getByRole('table', { name: /Past-due memberships/ }).getByRole('row').filter({ hasText: lateId });
  await row.getByText('Plus Monthly').waitFor();
  await photograph(desk, 'membership-10-past-due');
  await row.getByRole('link', { name: lateId }).click();
  const section = desk.getByRole('region', { name: 'Membership', exact: true });
  await section.getByText('Past due', { exact: true }).first().waitFor();
  await section.getByRole('table', { name: /Membership history/ }).getByRole('row').filter({ hasText: 'Renewal payment failed' }).waitFor();

  // The agent cancels it for the member (a support request) through the same confirmation.
  await section.getByRole('button', { name: 'Cancel membership…' }).click();
  const agentDialog = desk.getByRole('dialog', { name: "Cancel this member's Plus membership?" });
  await agentDialog.getByText('Nothing is refunded', { exact: false }).waitFor();
  await agentDialog.getByRole('button', { name: 'Cancel membership now' }).click();
  await section.getByRole('status').filter({ hasText: 'The membership is canceled' }).waitFor();
  await fact(desk, 'State').getByText('Canceled').waitFor();
  assert.equal((await overview(lateMember.email)).subscription!.state, 'canceled');
  await photograph(desk, 'membership-11-console-canceled');

  assert.deepEqual(problems, [], 'the member pages ran without errors');
  assert.deepEqual(deskProblems, [], 'the console ran without errors');
}
