// PL-12 business metrics on /metrics next to the HTTP ones, on both databases: flow outcomes and webhook deliveries
// (counters code increments), credits posted by kind (from the ledger's credits event feed), the job queue's backlog and
// the email outbox's age (gauges read at scrape time).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { buildApp } from '../../src/app.ts';
import { transact } from '../../src/deps.ts';
import { countFlowOutcome, countWebhookDelivery } from '../../src/http/metrics.ts';
import type { ZodApp } from '../../src/http/types.ts';
import { enqueueJob } from '../../src/jobs/index.ts';
import { MINUTE_MS } from '../../src/platform/clock.ts';
import { recordEvents } from '../../src/modules/events/index.ts';
import { grantBonus, spendCredits } from '../../src/modules/credits/index.ts';
import { settleCreditFeed } from '../modules/credits-fixtures.ts';
import { queueEmail } from '../../src/modules/notifications/index.ts';
import { welcomeEmail } from '../../src/modules/accounts/emails/welcome.ts';
import { describeEachDatabase } from '../support/each-database.ts';

/** The value of one sample of the exposition text, e.g. `patron_jobs{state="due"}`; undefined when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const present = (match[2] ?? '').split(',').filter(Boolean);
    if (wanted.every((label) => present.includes(label)) && present.length === wanted.length) return Number(match[3]);
  }
  return undefined;
}

describeEachDatabase('metrics', (suite) => {
  let app: ZodApp;
  before(async () => {
    app = await buildApp(suite.deps());
    await app.ready();
  });
  after(async () => app.close());

  const scrape = async () => {
    const response = await app.inject({ method: 'GET', url: '/metrics' });
    assert.equal(response.statusCode, 200);
    return response.body;
  };

  test('PL-12 the job queue backlog and its oldest due job are gauges read at scrape time', async () => {
    const deps = suite.deps();
    const before = await scrape();
    assert.match(before, /patron_http_request_duration_seconds/);
    const dueBefore = sample(before, 'patron_jobs', { state: 'due' }) ?? 0;
    await enqueueJob(deps, { type: 'metrics-test', key: 'metrics-test:due', payload: {}, runAtMs: deps.clock.nowMs() });
    await enqueueJob(deps, { type: 'metrics-test', key: 'metrics-test:later', payload: {}, runAtMs: deps.clock.nowMs() + 60 * MINUTE_MS });
    deps.clock.advanceMs(5 * MINUTE_MS);
    const text = await scrape();
    assert.equal(sample(text, 'patron_jobs', { state: 'due' }), dueBefore + 1);
    assert.ok((sample(text, 'patron_jobs', { state: 'scheduled' }) ?? 0) >= 1);
    assert.ok((sample(text, 'patron_jobs_oldest_due_age_seconds') ?? 0) >= 300, 'the due job waited five minutes');
    assert.equal(typeof sample(text, 'patron_jobs', { state: 'failed' }), 'number');
  });

  test('PL-12 the email outbox: messages waiting by state and the oldest queued message\'s age', async () => {
    const deps = suite.deps();
    await transact(deps, (trx) => queueEmail(trx, { memberId: null, to: 'someone@example.com', template: welcomeEmail, data: { firstName: 'Ann' } }));
    deps.clock.advanceMs(2 * MINUTE_MS);
    const text = await scrape();
    const waiting = (sample(text, 'patron_outbox_messages', { state: 'queued' }) ?? 0) + (sample(text, 'patron_outbox_messages', { state: 'held' }) ?? 0);
    assert.ok(waiting >= 1, text.split('\n').filter((line) => line.includes('outbox')).join('\n'));
    assert.equal(typeof sample(text, 'patron_outbox_oldest_queued_age_seconds'), 'number');
  });

  test('PL-12 credits posted by kind are counted from the ledger transactions committed since the previous scrape', async () => {
    const deps = suite.deps();
    await settleCreditFeed(deps);
    await scrape(); // the first scrape of an installation starts counting from the end of the ledger
    const [first, second] = [deps.ids.next('mem'), deps.ids.next('mem')];
    await grantBonus(deps, { memberId: first, kind: 'registration' });
    await grantBonus(deps, { memberId: second, kind: 'registration' });
    await spendCredits(deps, { memberId: first, credits: 50, idempotencyKey: 'metrics-spend' });
    await transact(deps, (trx) => recordEvents(trx, [{ type: 'order.paid', subjectId: 'ord_1', memberId: first, data: { totalMinor: 1000 } }]));
    await settleCreditFeed(deps);
    const text = await scrape();
    assert.equal(sample(text, 'patron_credits_postings_total', { kind: 'earned' }), 2);
    assert.equal(sample(text, 'patron_credits_posted_total', { kind: 'earned' }), 1000);
    assert.equal(sample(text, 'patron_credits_posted_total', { kind: 'spent' }), 50);
    assert.equal(sample(text, 'patron_credits_postings_total', { kind: 'paid' }), undefined, 'only credits events count');
    const again = await scrape();
    assert.equal(sample(again, 'patron_credits_postings_total', { kind: 'earned' }), 2, 'an event is counted once');
  });

  test('PL-12 flow outcomes (checkout) and webhook deliveries are counters other code increments', async () => {
    const deps = suite.deps();
    countFlowOutcome(deps.db, 'checkout', 'completed');
    countFlowOutcome(deps.db, 'checkout', 'completed');
    countFlowOutcome(deps.db, 'checkout', 'compensated');
    countWebhookDelivery(deps.db, 'delivered', 'order.paid');
    countWebhookDelivery(deps.db, 'failed', 'order.paid');
    const text = await scrape();
    assert.equal(sample(text, 'patron_flow_outcomes_total', { flow: 'checkout', outcome: 'completed' }), 2);
    assert.equal(sample(text, 'patron_flow_outcomes_total', { flow: 'checkout', outcome: 'compensated' }), 1);
    assert.equal(sample(text, 'patron_webhook_deliveries_total', { outcome: 'delivered', event_type: 'order.paid' }), 1);
    assert.equal(sample(text, 'patron_webhook_deliveries_total', { outcome: 'failed', event_type: 'order.paid' }), 1);
  });
});

test('PL-12 the sample Grafana dashboard (docs/grafana-dashboard.json) is valid JSON whose panels name only metrics Patron exposes', async () => {
  const { readFile } = await import('node:fs/promises');
  const dashboard = JSON.parse(await readFile('docs/grafana-dashboard.json', 'utf8')) as { panels: { title: string; targets: { expr: string }[] }[] };
  const named = new Set(dashboard.panels.flatMap((panel) => panel.targets.flatMap((target) => [...target.expr.matchAll(/\b(patron_\w+)/g)].map((match) => match[1]!.replace(/_(bucket|count|sum)$/, '')))));
  assert.ok(named.size >= 8);
  const sources = await Promise.all(['src/http/metrics.ts', 'src/modules/notifications/outbox-metrics.ts', 'src/modules/credits/credit-metrics.ts'].map((file) => readFile(file, 'utf8')));
  for (const name of named) assert.ok(sources.some((source) => source.includes(`'${name}'`)), `${name} is defined`);
});
