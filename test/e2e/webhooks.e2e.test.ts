// Outgoing webhooks in the agent console, in a real browser (issue 13): an agent registers an endpoint and sees its
// secret once, sends a test event, finds an order.paid delivery in the log with its attempts, and redelivers it; the
// receiving server verifies every message with the secret shown (Standard Webhooks, independent verifier).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { transact } from '../../src/deps.ts';
import { recordEvents } from '../../src/modules/events/index.ts';
import { runWebhookDispatch } from '../../src/modules/webhooks/index.ts';
import { watchPageProblems } from '../support/browser.ts';
import { browserSuite, heading, photograph, signIn } from '../support/e2e-helpers.ts';
import { startTestServer } from '../support/server.ts';
import { startWebhookReceiver, verifyStandardWebhook, type WebhookReceiver } from '../support/webhook-receiver.ts';

let receiver: WebhookReceiver;
before(async () => {
  receiver = await startWebhookReceiver();
});
after(async () => {
  await receiver.close();
});

const { running, open, saveFailureScreenshots } = browserSuite('webhooks', () => startTestServer({ worker: false }));

test('issue 13 an agent registers an outgoing webhook endpoint, sends a test event, reads the delivery log and redelivers', async () => {
  try {
    await walk();
  } catch (error) {
    await saveFailureScreenshots();
    throw error;
  }
});

async function walk(): Promise<void> {
  const { url, agent, deps } = running();
  const { page } = await open();
  const problems = watchPageProblems(page);
  await signIn(page, url, agent, true);
  await page.getByRole('link', { name: 'Outgoing webhooks' }).click();
  await heading(page, 'Outgoing webhooks');
  await page.getByText('No endpoints yet.').waitFor();

  await page.getByRole('button', { name: 'Add an endpoint' }).click();
  await page.getByRole('button', { name: 'Add endpoint' }).click();
  await page.getByText('Enter the URL that receives the events.').first().waitFor();
  await page.getByLabel('URL').fill(receiver.url);
  await page.getByLabel('Description', { exact: false }).fill('ERP');
  await page.getByLabel('order.paid').check();
  await page.getByRole('button', { name: 'Add endpoint' }).click();
  const secret = (await page.getByLabel('Signing secret').locator('.secret code').innerText()).trim();
  assert.match(secret, /^whsec_/);
  await page.getByRole('link', { name: 'Open it' }).click();
  await heading(page, 'Webhook endpoint');

  await page.getByRole('button', { name: 'Send test event' }).click();
  await page.getByRole('status').filter({ hasText: 'Test event: Delivered: HTTP 204' }).waitFor();
  const testMessage = receiver.received.at(-1)!;
  assert.equal(JSON.parse(testMessage.body).type, 'webhook.test');
  assert.ok(verifyStandardWebhook(secret, testMessage, Math.floor(deps.clock.nowMs() / 1000)));

  const [event] = await transact(deps, (trx) => recordEvents(trx, [{ type: 'order.paid', subjectId: 'ord_e2e_webhook', memberId: null, data: { orderId: 'ord_e2e_webhook', totalMinor: 2500 } }]));
  await runWebhookDispatch(deps);
  assert.equal(receiver.received.at(-1)!.id, event!.id);
  await page.getByRole('button', { name: 'Refresh' }).last().click();
  const row = page.getByRole('row').filter({ hasText: 'ord_e2e_webhook' });
  await row.waitFor();
  assert.match(await row.innerText(), /order\.paid[^]*succeeded[^]*HTTP 204/);
  await row.getByRole('button', { name: 'Details' }).click();
  await page.getByRole('table', { name: 'Attempts, newest first' }).waitFor();
  await page.getByRole('button', { name: 'Redeliver now' }).click();
  // The test event's status ("Test event: Delivered: HTTP 204 …") is still shown until the redelivery's replaces it:
  // wait for the redelivery's own.
  await page.getByRole('status').filter({ hasText: /^Delivered: HTTP 204/ }).waitFor();
  assert.equal(receiver.received.filter((message) => message.id === event!.id).length, 2, 'redelivered with the same webhook-id');
  await photograph(page, 'webhooks-endpoint-log');
  assert.ok(receiver.received.every((message) => verifyStandardWebhook(secret, message, Math.floor(deps.clock.nowMs() / 1000))));
  assert.deepEqual(problems, []);
}
