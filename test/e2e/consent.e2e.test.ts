// The cookie banner in a real browser in an opt-in region (PV-23, PV-24): before a choice no analytics or advertising
// cookie and no storage exists at all; "Reject all" has exactly the size and style of "Accept all" and works; the
// footer's "Cookie settings" reopens the choices on every page; with Global Privacy Control on (the Sec-GPC header
// and navigator.globalPrivacyControl) the page says "Opt-out preference signal honored". Screenshots:
// /tmp/consent-*.png.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { createMemberForSeed } from '../../src/modules/accounts/index.ts';
import { watchPageProblems } from '../support/browser.ts';
import { browserSuite, heading, signIn } from '../support/e2e-helpers.ts';
import { startTestServer } from '../support/server.ts';

const visitorMember = { email: 'ada.consent@example.com', password: 'analytical-engine-1843', country: 'DE', dateOfBirth: '1985-12-10', firstName: 'Ada', lastName: 'Byron', emailVerified: true };

let visitorMemberId = '';

const { running, open, saveFailureScreenshots } = browserSuite(
  'consent',
  () => startTestServer({ worker: false, environment: { PATRON_REGION_HEADER: 'CF-IPCountry' } }),
  async ({ deps }) => {
    visitorMemberId = (await createMemberForSeed(deps, visitorMember)).memberId;
  },
);

/** Everything the page could have stored: cookies of the site, localStorage and sessionStorage keys. */
async function storageOf(context: BrowserContext, page: Page): Promise<{ cookies: string[]; local: string[]; session: string[] }> {
  const cookies = (await context.cookies()).map((cookie) => cookie.name).sort();
  const { local, session } = await page.evaluate(() => ({ local: Object.keys(window.localStorage), session: Object.keys(window.sessionStorage) }));
  return { cookies, local, session };
}

const styleProperties = ['font-family', 'font-size', 'font-weight', 'color', 'background-color', 'border-top-width', 'border-top-style', 'border-top-color', 'border-radius', 'padding-top', 'padding-left', 'height', 'width', 'text-decoration-line', 'box-shadow', 'opacity'];

async function styleOf(locator: Locator): Promise<Record<string, string>> {
  return locator.evaluate((element, properties) => {
    const computed = window.getComputedStyle(element);
    return Object.fromEntries(properties.map((name) => [name, computed.getPropertyValue(name)]));
  }, styleProperties);
}

test('PV-23 PV-24 in an opt-in region nothing optional is stored before a choice, "Reject all" is as prominent as "Accept all" and works, GPC is honored', async (t) => {
  const server = running();
  try {
    // A visitor in Germany, not signed in.
    const visitor = await open();
    const problems = watchPageProblems(visitor.page);
    await visitor.context.setExtraHTTPHeaders({ 'cf-ipcountry': 'DE' });
    const page = visitor.page;
    await page.goto(`${server.url}/shop`);
    const banner = page.getByRole('dialog', { name: 'Your cookie choices' });
    await banner.waitFor();
    await page.screenshot({ path: '/tmp/consent-banner-de.png', fullPage: false });

    const before = await storageOf(visitor.context, page);
    assert.deepEqual(before, { cookies: [], local: [], session: [] }, 'nothing at all is stored before a choice (not even the device cookie)');

    const reject = banner.getByRole('button', { name: 'Reject all' });
    const accept = banner.getByRole('button', { name: 'Accept all' });
    const [rejectBox, acceptBox] = [await reject.boundingBox(), await accept.boundingBox()];
    assert.ok(rejectBox && acceptBox);
    assert.equal(rejectBox.width, acceptBox.width, 'same width');
    assert.equal(rejectBox.height, acceptBox.height, 'same height');
    assert.equal(rejectBox.y, acceptBox.y, 'side by side on one line');
    assert.deepEqual(await styleOf(reject), await styleOf(accept), 'same computed style');
    assert.equal(await reject.getAttribute('class'), await accept.getAttribute('class'), 'the same component');

    await reject.click();
    await banner.waitFor({ state: 'detached' });
    const after = await storageOf(visitor.context, page);
    assert.deepEqual(after, { cookies: ['patron_device'], local: [], session: [] }, 'only the necessary device cookie remembering the choice');
    const answer = await page.evaluate(async () => (await fetch('/api/v1/privacy/consent')).json());
    assert.deepEqual(answer.categories, { necessary: true, analytics: false, advertising: false, personalization: false });
    assert.equal(answer.ask, false);
    assert.equal(answer.region, 'DE');
    await page.reload();
    await heading(page, 'Shop');
    assert.equal(await banner.count(), 0, 'the choice is remembered');
    await page.screenshot({ path: '/tmp/consent-after-reject.png', fullPage: false });

    // "Cookie settings" in the footer reopens the choices, on the console's pages too.
    await page.getByRole('button', { name: 'Cookie settings' }).click();
    await banner.waitFor();
    await banner.getByLabel(/Analytics/).check();
    await page.screenshot({ path: '/tmp/consent-settings.png', fullPage: false });
    await banner.getByRole('button', { name: 'Save my choices' }).click();
    await banner.waitFor({ state: 'detached' });
    const changed = await page.evaluate(async () => (await fetch('/api/v1/privacy/consent')).json());
    assert.equal(changed.categories.analytics, true);
    assert.equal(changed.categories.advertising, false);
    await page.goto(`${server.url}/console/sign-in`);
    await page.getByRole('button', { name: 'Cookie settings' }).waitFor();
    await page.getByRole('link', { name: 'Your Privacy Choices' }).click();
    await heading(page, 'Your privacy choices');
    assert.equal(await page.getByLabel(/Analytics/).isChecked(), true);
    assert.deepEqual(problems, []);

    // Another visitor whose browser sends Global Privacy Control.
    const gpcVisitor = await open();
    await gpcVisitor.context.setExtraHTTPHeaders({ 'cf-ipcountry': 'DE', 'sec-gpc': '1' });
    await gpcVisitor.context.addInitScript(() => Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: () => true, configurable: true }));
    const gpcPage = gpcVisitor.page;
    await gpcPage.goto(`${server.url}/privacy/choices`);
    await heading(gpcPage, 'Your privacy choices');
    await gpcPage.getByText('Opt-out preference signal honored').first().waitFor();
    await gpcPage.screenshot({ path: '/tmp/consent-gpc.png', fullPage: true });
    const gpcBanner = gpcPage.getByRole('dialog', { name: 'Your cookie choices' });
    await gpcBanner.getByRole('button', { name: 'Accept all' }).click();
    await gpcBanner.waitFor({ state: 'detached' });
    const gpcAnswer = await gpcPage.evaluate(async () => (await fetch('/api/v1/privacy/consent?gpc=1')).json());
    assert.equal(gpcAnswer.gpc, true);
    assert.equal(gpcAnswer.categories.analytics, true, '"Accept all" accepted what GPC leaves open');
    assert.equal(gpcAnswer.categories.advertising, false, 'advertising stays off under GPC');
    assert.equal(gpcAnswer.purposes.advertising.method, 'gpc');
    assert.equal(await gpcPage.getByLabel(/Advertising/).isDisabled(), true);

    // The GPC visitor signs in: the browser's choices join the account (PV-23); an agent reads the consent history.
    await signIn(gpcPage, server.url, visitorMember);
    const desk = await open();
    await signIn(desk.page, server.url, server.agent, true);
    await desk.page.goto(`${server.url}/console/members/${visitorMemberId}`);
    const history = desk.page.getByRole('region', { name: 'Consent history' });
    await history.getByRole('cell', { name: 'Global Privacy Control' }).first().waitFor();
    await history.scrollIntoViewIfNeeded();
    await desk.page.screenshot({ path: '/tmp/consent-console-history.png', fullPage: true });
    const rows = await history.getByRole('row').allTextContents();
    assert.ok(rows.some((row) => /advertising.*denied.*Global Privacy Control/.test(row)), rows.join('\n'));
    assert.ok(rows.some((row) => /analytics.*granted/.test(row)), 'the browser’s analytics choice joined the account');
  } catch (error) {
    await saveFailureScreenshots();
    t.diagnostic('screenshots in test-results/consent-failure-*.png');
    throw error;
  }
});

/**
 * A storefront on another origin (localhost, while Patron is 127.0.0.1) with a strict Content-Security-Policy: no
 * inline script or style, scripts and requests only from itself and Patron. It loads analytics only when Patron says.
 */
async function startStorefront(patronUrl: string): Promise<{ url: string; server: Server }> {
  const page = `<!doctype html><html><head><title>Storefront</title>
<script src="${patronUrl}/privacy/consent.js" defer></script><script src="/shop.js" defer></script></head>
<body><h1>Storefront</h1><p id="analytics">analytics not loaded</p><footer><a href="#" data-patron-consent-settings>Cookie settings</a></footer></body></html>`;
  const shopScript = `window.PatronConsent.ready.then(function (c) { if (c.analytics) document.getElementById('analytics').textContent = 'analytics loaded'; });
document.addEventListener('patron:consent', function (e) { if (e.detail.analytics) { document.getElementById('analytics').textContent = 'analytics loaded'; localStorage.setItem('_analytics', '1'); } });`;
  const server = createServer((request, response) => {
    const csp = `default-src 'self'; script-src 'self' ${patronUrl}; connect-src 'self' ${patronUrl}; style-src 'self'; img-src 'self'`;
    if (request.url === '/shop.js') response.writeHead(200, { 'content-type': 'text/javascript' }).end(shopScript);
    else response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': csp }).end(page);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://localhost:${(server.address() as AddressInfo).port}`, server };
}

/** Every request to Patron arrives with CF-IPCountry: FR, as a CDN would add it. */
async function inFrance(context: BrowserContext, patronUrl: string): Promise<void> {
  await context.route(`${patronUrl}/**`, (route) => route.continue({ headers: { ...route.request().headers(), 'cf-ipcountry': 'FR' } }));
}

test('PV-23 PV-24 the embeddable script on a storefront of another origin under a strict CSP: nothing stored before a choice, equal buttons, Reject all works, GPC honored', async (t) => {
  const patron = running();
  const storefront = await startStorefront(patron.url);
  try {
    const shopper = await open();
    const problems = watchPageProblems(shopper.page);
    // The CDN in front of Patron adds the country header; an extra header set in the page would turn the storefront's
    // simple cross-origin GET into a preflighted one, so it is added on the way out instead.
    await inFrance(shopper.context, patron.url);
    const page = shopper.page;
    await page.goto(storefront.url);
    const banner = page.getByRole('dialog', { name: 'Cookie settings' });
    await banner.waitFor();
    await page.screenshot({ path: '/tmp/consent-storefront.png' });
    assert.deepEqual(await storageOf(shopper.context, page), { cookies: [], local: [], session: [] }, 'nothing stored before a choice');
    assert.equal(await page.evaluate(() => (window as unknown as { PatronConsent: { state(): { region: string } } }).PatronConsent.state().region), 'FR');
    const reject = banner.getByRole('button', { name: 'Reject all' });
    const accept = banner.getByRole('button', { name: 'Accept all' });
    assert.deepEqual(await reject.boundingBox().then((b) => [b?.width, b?.height]), await accept.boundingBox().then((b) => [b?.width, b?.height]));
    assert.deepEqual(await styleOf(reject), await styleOf(accept));
    await reject.click();
    await banner.waitFor({ state: 'detached' });
    const stored = await storageOf(shopper.context, page);
    assert.deepEqual(stored, { cookies: ['patron_consent_device'], local: [], session: [] }, 'only the first-party device cookie');
    assert.equal(await page.locator('#analytics').textContent(), 'analytics not loaded');
    assert.deepEqual(await page.evaluate(() => (window as unknown as { PatronConsent: { categories(): unknown } }).PatronConsent.categories()), { necessary: true, analytics: false, advertising: false, personalization: false });
    // The footer's link reopens the settings; accepting analytics lets the storefront load it.
    await page.getByRole('link', { name: 'Cookie settings' }).click();
    await banner.getByRole('checkbox', { name: /Analytics/ }).check();
    await banner.getByRole('button', { name: 'Save choices' }).click();
    await page.getByText('analytics loaded').waitFor();
    await page.reload();
    await page.getByText('analytics loaded').waitFor();
    assert.equal(await banner.count(), 0, 'the choice is remembered per site and browser');
    assert.deepEqual(problems.filter((p) => !/favicon/.test(p)), [], 'no CSP violation or script error');

    const gpcShopper = await open();
    await inFrance(gpcShopper.context, patron.url);
    await gpcShopper.context.addInitScript(() => Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: () => true, configurable: true }));
    await gpcShopper.page.goto(storefront.url);
    await gpcShopper.page.getByText('Opt-out preference signal honored', { exact: false }).waitFor();
    await gpcShopper.page.screenshot({ path: '/tmp/consent-storefront-gpc.png' });
  } catch (error) {
    await saveFailureScreenshots();
    t.diagnostic('screenshots in test-results/consent-failure-*.png');
    throw error;
  } finally {
    storefront.server.closeAllConnections();
    await new Promise((resolve) => storefront.server.close(resolve));
  }
});
