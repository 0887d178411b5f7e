// The foundation's acceptance path in a real browser (AC-1, AC-4, AC-5, AC-6, NT-2, PL-10, PL-14): a person signs
// up, an agent reads the verification email in the console's mail view, the person verifies, signs in, turns on
// 2-step verification, signs out, signs in with password and code, and the profile page is photographed.
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { test } from 'node:test';
import { generate } from 'otplib';
import type { SimulatedClock } from '../../src/platform/clock.ts';
import { advanceSimulatedClock } from '../../src/db/simulated-clock-store.ts';
import { watchPageProblems } from '../support/browser.ts';
import { browserSuite, heading } from '../support/e2e-helpers.ts';
import { startTestServer } from '../support/server.ts';

const person = { email: 'ada.lovelace@example.com', password: 'analytical-engine-1843', country: 'US', dateOfBirth: '1990-12-10' };
const screenshotPath = 'test-results/profile.png';

const { running, open, saveFailureScreenshots } = browserSuite('accounts', () => startTestServer());

/** The code an authenticator app would show at the server's (simulated) time. */
async function totpCode(secret: string): Promise<string> {
  const epochSeconds = Math.floor(running().deps.clock.nowMs() / 1000);
  return generate({ secret, epoch: epochSeconds });
}

test('a person signs up, verifies by the emailed link, turns on 2-step verification and signs in with a code (AC-1, AC-5, AC-6, NT-2, PL-10)', async () => {
  try {
    await signUpVerifyAndSignInWithCode();
  } catch (error) {
    await saveFailureScreenshots();
    throw error;
  }
});

async function signUpVerifyAndSignInWithCode(): Promise<void> {
  const { url, agent: agentAccount, deps } = running();
  const member = await open();
  const agent = await open();
  const memberProblems = watchPageProblems(member.page);
  const agentProblems = watchPageProblems(agent.page);
  const page = member.page;

  // 1. The person signs up.
  await page.goto(`${url}/sign-up`);
  await heading(page, 'Create your account');
  await page.getByLabel('Email address').fill(person.email);
  await page.getByLabel('Password', { exact: true }).fill(person.password);
  await page.getByLabel('Country of residence').selectOption(person.country);
  await page.getByLabel('Date of birth').fill(person.dateOfBirth);
  await page.getByRole('button', { name: 'Create account' }).click();
  await heading(page, 'Check your email');

  // 2. An agent, in a browser of their own, signs in to the console and reads the verification email.
  const desk = agent.page;
  await desk.goto(`${url}/console`);
  await heading(desk, 'Agent console');
  await desk.getByLabel('Email address').fill(agentAccount.email);
  await desk.getByLabel('Password').fill(agentAccount.password);
  await desk.getByRole('button', { name: 'Sign in' }).click();
  await heading(desk, 'Members');
  await desk.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Mail' }).click();
  await heading(desk, 'Mail');
  const message = desk.getByRole('link').filter({ hasText: 'Confirm your email address' }).filter({ hasText: person.email });
  await message.click();
  await desk.getByRole('heading', { level: 2, name: 'Confirm your email address' }).waitFor();

  // The HTML part is shown in a frame that may not run scripts; the link is read from it and from the text part.
  const frame = desk.locator('iframe.mail-frame');
  assert.equal(await frame.getAttribute('sandbox'), '', 'the mail frame is sandboxed with no permissions');
  const htmlLink = await desk.frameLocator('iframe.mail-frame').getByRole('link', { name: 'Confirm email address' }).getAttribute('href');
  await desk.getByRole('button', { name: 'Plain text' }).click();
  const text = await desk.getByLabel('Plain-text version').innerText();
  const textLink = /(https?:\/\/\S+\/verify-email\?token=\S+)/.exec(text)?.[1];
  assert.ok(textLink, `the text part carries a verification link:\n${text}`);
  assert.equal(htmlLink, textLink, 'the HTML and text parts carry the same link');
  assert.ok(textLink.startsWith(`${url}/verify-email?token=`), `the link points at this server: ${textLink}`);

  // 3. The person opens the link and is verified.
  await page.goto(textLink);
  await page.getByText('Your email address is confirmed.').waitFor();

  // 4. Sign-up signed the person in; they sign out and sign in again with their password.
  await page.getByRole('link', { name: 'Continue to your account' }).waitFor();
  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await heading(page, 'Sign in');
  await page.getByLabel('Email address').fill(person.email);
  await page.getByLabel('Password').fill(person.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await heading(page, /Hello|Your account/);
  await page.getByText('Confirmed', { exact: true }).first().waitFor();

  // 5. 2-step verification: the secret is shown as text; the test plays the authenticator app.
  await page.getByRole('navigation', { name: 'Account' }).getByRole('link', { name: 'Security' }).click();
  await heading(page, 'Security');
  await page.getByRole('button', { name: 'Set up 2-step verification' }).click();
  const secret = (await page.getByTestId('totp-secret').innerText()).replace(/\s+/g, '');
  assert.match(secret, /^[A-Z2-7]{16,}$/, 'the setup key is a base32 secret');
  await page.getByText('Or use the setup link').click();
  assert.match(await page.getByTestId('totp-uri').innerText(), /^otpauth:\/\/totp\/.+secret=/);
  await page.getByLabel('Enter the 6-digit code from the app').fill(await totpCode(secret));
  await page.getByRole('button', { name: 'Turn on 2-step verification' }).click();
  await page.getByRole('heading', { name: 'Save your recovery codes' }).waitFor();
  const recoveryCodes = await page.getByRole('list', { name: 'Recovery codes' }).getByRole('listitem').allInnerTexts();
  assert.ok(recoveryCodes.length >= 5, `recovery codes are shown once (${recoveryCodes.length})`);
  await page.getByRole('button', { name: 'I have saved my recovery codes' }).click();
  await page.getByText('2-step verification is on. Keep your recovery codes safe.').waitFor();

  // 6. Sign out.
  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await heading(page, 'Sign in');

  // 7. Sign in with the password, then a fresh code: an authenticator shows the next code 30 seconds later, and a
  // code already used is refused, so the simulated clock moves on by one time step.
  await advanceSimulatedClock(deps.db, deps.clock as SimulatedClock, 30_000);
  await page.getByLabel('Email address').fill(person.email);
  await page.getByLabel('Password').fill(person.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: '2-step verification' }).waitFor();
  await page.getByLabel('Verification code').fill(await totpCode(secret));
  await page.getByRole('button', { name: 'Verify and sign in' }).click();
  await heading(page, /Hello|Your account/);

  // 8. The profile page, photographed.
  await page.getByRole('navigation', { name: 'Account' }).getByRole('link', { name: 'Profile' }).click();
  await heading(page, 'Profile');
  await page.getByRole('heading', { name: 'Personal details' }).waitFor();
  await page.getByRole('heading', { name: 'Addresses' }).waitFor();
  await page.getByText('Loading addresses…').waitFor({ state: 'detached' });
  await mkdir('test-results', { recursive: true });
  await page.screenshot({ path: screenshotPath, fullPage: true });

  assert.deepEqual(memberProblems, [], 'the member pages ran without errors or CSP violations');
  assert.deepEqual(agentProblems, [], 'the console ran without errors or CSP violations');
}

test('a member closes the account from the security page: a stale sign-in is renewed in place, the dialog says what is lost (AC-10, PV-32)', async () => {
  try {
    await closeAccountInTheBrowser();
  } catch (error) {
    await saveFailureScreenshots();
    throw error;
  }
});

async function closeAccountInTheBrowser(): Promise<void> {
  const { url, deps } = running();
  const leaver = { ...person, email: 'grace.hopper@example.com', password: 'compiler-pioneer-1952' };
  const { page } = await open();
  const problems = watchPageProblems(page);
  await page.goto(`${url}/sign-up`);
  await heading(page, 'Create your account');
  await page.getByLabel('Email address').fill(leaver.email);
  await page.getByLabel('Password', { exact: true }).fill(leaver.password);
  await page.getByLabel('Country of residence').selectOption(leaver.country);
  await page.getByLabel('Date of birth').fill(leaver.dateOfBirth);
  await page.getByRole('button', { name: 'Create account' }).click();
  await heading(page, 'Check your email');

  // The sign-up's sign-in grows older than 10 minutes: closing needs a fresh one.
  await advanceSimulatedClock(deps.db, deps.clock as SimulatedClock, 11 * 60_000);
  await page.goto(`${url}/account/security`);
  await heading(page, 'Security');
  const section = page.getByRole('region', { name: 'Close account' });
  await section.getByTestId('credits-to-forfeit').waitFor();
  assert.equal(await section.getByTestId('credits-to-forfeit').innerText(), '500 credits');
  await section.getByRole('button', { name: 'Sign in again' }).click();
  const again = section.getByRole('region', { name: 'Sign in again' });
  await again.getByLabel('Email address').fill(leaver.email);
  await again.getByLabel('Password').fill(leaver.password);
  await again.getByRole('button', { name: 'Sign in' }).click();
  await section.getByRole('button', { name: 'Close my account…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Close your account?' });
  await dialog.getByText('500 credits are forfeited').waitFor();
  await mkdir('test-results', { recursive: true });
  await page.screenshot({ path: 'test-results/close-account.png', fullPage: true });
  await dialog.getByRole('button', { name: 'Close my account' }).click();
  await page.getByRole('heading', { name: 'Your account is closed' }).waitFor();
  await page.getByRole('button', { name: 'Done' }).click();
  assert.deepEqual(problems, [], 'the pages ran without errors or CSP violations');
}
