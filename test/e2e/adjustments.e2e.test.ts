// Four-eyes adjustments in the agent console (CR-21): an agent adds more credits than the approval threshold, the
// console says the request waits for a second staff member and does not let the agent approve it; an admin opens
// the same member and approves it, and only then do the credits move.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { createMemberForSeed, createStaffUser } from '../../src/modules/accounts/index.ts';
import { getBalance } from '../../src/modules/credits/index.ts';
import { watchPageProblems } from '../support/browser.ts';
import { browserSuite, signIn } from '../support/e2e-helpers.ts';
import { startTestServer } from '../support/server.ts';

const agent = { email: 'dorothy.vaughan@patron.test', password: 'west-computing-1943' };
const admin = { email: 'mary.jackson@patron.test', password: 'wind-tunnel-1958' };
let memberId = '';

const { running, open, saveFailureScreenshots } = browserSuite('adjustments', () => startTestServer({ worker: false }), async (server) => {
  await createStaffUser(server.deps, { ...agent, role: 'agent' });
  await createStaffUser(server.deps, { ...admin, role: 'admin' });
  ({ memberId } = await createMemberForSeed(server.deps, { email: 'christine.darden@example.com', password: 'sonic-boom-1967', country: 'US', dateOfBirth: '1942-09-10', emailVerified: true }));
});

async function memberCreditsPage(person: { email: string; password: string }): Promise<{ page: Page; problems: string[] }> {
  const { page } = await open();
  const problems = watchPageProblems(page);
  await signIn(page, running().url, person, true);
  await page.goto(`${running().url}/console/members/${memberId}/credits`);
  await page.getByRole('heading', { level: 2, name: 'Adjust credits' }).waitFor();
  return { page, problems };
}

test('CR-21 an adjustment above the threshold waits in the console for a second staff member, who approves it; the requester cannot', async (t) => {
  t.after(saveFailureScreenshots);
  const before = (await getBalance(running().deps, memberId)).available;
  const desk = await memberCreditsPage(agent);
  const form = desk.page.getByRole('form', { name: 'Adjust credits' });
  await form.getByRole('textbox', { name: 'Credits' }).fill('5000');
  await form.getByLabel('Reason').selectOption('service_recovery');
  await form.getByRole('textbox', { name: 'Note' }).fill('Order 1234 arrived broken twice');
  await form.getByRole('button', { name: 'Add credits', exact: true }).click();
  await desk.page.getByRole('status').filter({ hasText: 'needs a second staff member' }).waitFor();
  const queue = desk.page.getByRole('list', { name: 'Pending adjustment requests' });
  await queue.getByText('Order 1234 arrived broken twice').waitFor();
  await queue.getByText('You asked for this adjustment').waitFor();
  assert.equal(await queue.getByRole('button', { name: 'Approve' }).count(), 0, 'the requester is offered no Approve');
  assert.equal((await getBalance(running().deps, memberId)).available, before, 'nothing moved yet');

  const second = await memberCreditsPage(admin);
  const pending = second.page.getByRole('list', { name: 'Pending adjustment requests' });
  await pending.getByText('Order 1234 arrived broken twice').waitFor();
  await pending.getByRole('button', { name: 'Approve' }).click();
  await second.page.getByRole('heading', { level: 2, name: 'Adjustments waiting for approval' }).waitFor({ state: 'detached' });
  assert.equal((await getBalance(running().deps, memberId)).available, before + 5000);
  assert.deepEqual([...desk.problems, ...second.problems], [], 'the console ran without errors or CSP violations');
});
