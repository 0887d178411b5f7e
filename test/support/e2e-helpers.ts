// What the browser tests (test/e2e/*.e2e.test.ts) share: the test server and the browsers opened against it, the
// screenshots taken on failure, and the steps every page walk repeats (waiting for a page's heading, signing in).
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { after, before } from 'node:test';
import type { Page, Response } from 'playwright-core';
import { assertChromiumInstalled, openBrowser, type BrowserSession } from './browser.ts';
import type { TestServer } from './server.ts';

export interface BrowserSuite {
  /** Every browser the test opened; each is closed after the test, and photographed when it fails. */
  readonly browsers: BrowserSession[];
  /** The server the `before` hook started (fails the test when it did not start). */
  running: () => TestServer;
  /** A browser of its own (a fresh profile), closed after the test. */
  open: () => Promise<BrowserSession>;
  /** On failure, what each browser showed, so a headless run can be diagnosed afterwards. */
  saveFailureScreenshots: () => Promise<void>;
}

/**
 * Registers the file's `before` (the server, started by `start`, then the test's data set up by `prepare`) and
 * `after` (the browsers closed, then the server) hooks. `name` prefixes the failure screenshots:
 * test-results/<name>-failure-<n>.png.
 */
export function browserSuite(name: string, start: () => Promise<TestServer>, prepare?: (server: TestServer) => Promise<void>): BrowserSuite {
  let server: TestServer | undefined;
  const browsers: BrowserSession[] = [];

  before(async () => {
    // Fail loudly, before anything starts, when the browser is missing: this test never skips.
    assertChromiumInstalled();
    server = await start();
    await prepare?.(server);
  });

  after(async () => {
    for (const browser of browsers) await browser.close();
    await server?.close();
  });

  return {
    browsers,
    running: () => {
      assert.ok(server, 'the test server did not start');
      return server;
    },
    open: async () => {
      const browser = await openBrowser();
      browsers.push(browser);
      return browser;
    },
    saveFailureScreenshots: async () => {
      await mkdir('test-results', { recursive: true });
      for (const [index, browser] of browsers.entries()) {
        // Best effort: the test's own error is the one to report, not a browser that had already gone.
        await browser.page.screenshot({ path: `test-results/${name}-failure-${index + 1}.png`, fullPage: true }).catch(() => undefined);
      }
    },
  };
}

/** Waits for the page's title heading. */
export async function heading(page: Page, name: string | RegExp): Promise<void> {
  await page.getByRole('heading', { level: 1, name }).waitFor();
}

/** A full-page screenshot kept as test-results/<name>.png. */
export async function photograph(page: Page, name: string): Promise<void> {
  await mkdir('test-results', { recursive: true });
  await page.screenshot({ path: `test-results/${name}.png`, fullPage: true });
}

/** Signs in at the member center's sign-in page, or at the console, and waits for the page after it. */
export async function signIn(page: Page, url: string, person: { email: string; password: string }, atConsole = false): Promise<void> {
  await page.goto(`${url}${atConsole ? '/console' : '/sign-in'}`);
  await heading(page, atConsole ? 'Agent console' : 'Sign in');
  await page.getByLabel('Email address').fill(person.email);
  await page.getByLabel('Password').fill(person.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await heading(page, atConsole ? 'Members' : /Hello|Your account/);
}

/** The shop's place-order request. */
export function isPlaceOrder(response: Response): boolean {
  return response.url().endsWith('/api/v1/store/orders') && response.request().method() === 'POST';
}

/** Adds a product from the shop's catalog and waits for the cart's confirmation. */
export async function addToCart(page: Page, productName: string): Promise<void> {
  await page.getByRole('button', { name: `Add ${productName} to cart` }).click();
  await page.getByRole('status').filter({ hasText: `Added ${productName} to your cart.` }).waitFor();
}

/**
 * From the shop to the checkout page through the cart; with `region` (a state, "US-CA") the cart's "Ships to" is
 * chosen first, which is enough for checkout to price the order when the member has no saved address.
 */
export async function goToCheckout(page: Page, region?: string): Promise<void> {
  await page.getByRole('link', { name: /^Cart/ }).click();
  await heading(page, 'Your cart');
  if (region) {
    await page.getByLabel('Ships to').selectOption(region);
    await page.getByText('Shipping region saved.').waitFor();
  }
  await page.getByRole('link', { name: 'Continue to checkout' }).click();
  await heading(page, 'Checkout');
}
