// The email outbox (NT-1), held mail without SMTP (NT-2), escaped templates (NT-4) and the console's mail view.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { sql } from 'kysely';
import { transact, type Deps } from '../../src/deps.ts';
import { openDatabase, tables, type Database } from '../../src/db/database.ts';
import { createSimulatedClock } from '../../src/platform/clock.ts';
import { createIdGenerator } from '../../src/platform/ids.ts';
import { defaultLeaseMs, retryDelayMs } from '../../src/jobs/index.ts';
import { runDueJobs } from '../../src/modules.ts';
import { listAuditEntries } from '../../src/modules/audit/index.ts';
import {
  createSmtpTransport,
  deliveryJobKey,
  escapeHtml,
  getMessage,
  listMessages,
  messageIdHeader,
  queueEmail,
  registerRoutes,
} from '../../src/modules/notifications/index.ts';
import { openTestDatabase, postgresTestUrl, type TestDialect } from '../support/databases.ts';
import { buildRouteHarness } from '../support/route-harness.ts';
import { describeEachDatabase } from '../support/each-database.ts';
import { allTemplates, emailTemplate } from '../support/templates.ts';
import { changeSubscription, createCampaign, scheduleCampaign } from '../../src/modules/marketing/index.ts';

interface ReceivedMail {
  messageId: string | undefined;
  raw: string;
  recipients: string[];
}

/** A real SMTP server on 127.0.0.1, port chosen by the system; it can be told to refuse the next deliveries. */
async function startSmtpServer() {
  const received: ReceivedMail[] = [];
  let refusals = 0;
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS', 'AUTH'],
    authOptional: true,
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        if (refusals > 0) {
          refusals--;
          const error: Error & { responseCode?: number } = new Error('mailbox of bob@example.com is busy, try later');
          error.responseCode = 451;
          callback(error);
          return;
        }
        const raw = Buffer.concat(chunks).toString('utf8');
        received.push({ raw, messageId: /^Message-ID: (.+)$/im.exec(raw)?.[1]?.trim(), recipients: session.envelope.rcptTo.map((r) => r.address) });
        callback(null, 'queued');
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    refuseNext(count: number) {
      refusals = count;
    },
    deliveriesOf(messageId: string): ReceivedMail[] {
      return received.filter((mail) => mail.messageId === messageIdHeader(messageId));
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function withSmtp<D extends Deps>(deps: D, smtpUrl: string): D {
  return { ...deps, config: { ...deps.config, mail: { ...deps.config.mail, smtpUrl } }, ports: { ...deps.ports, mail: createSmtpTransport(smtpUrl) } };
}

interface OutboxRow {
  id: string;
  state: string;
  attempts: number;
  sent_at_ms: number | null;
  last_error: string | null;
}

async function outboxRow(deps: Deps, id: string): Promise<OutboxRow> {
  const row = await tables<{ outbox_messages: OutboxRow }>(deps.db)
    .selectFrom('outbox_messages')
    .select(['id', 'state', 'attempts', 'sent_at_ms', 'last_error'])
    .where('id', '=', id)
    .executeTakeFirst();
  assert.ok(row, `outbox message ${id} exists`);
  return row;
}

async function deliveryJobCount(deps: Deps, messageId: string): Promise<number> {
  const rows = await tables<{ jobs: { key: string } }>(deps.db).selectFrom('jobs').select('key').where('key', '=', deliveryJobKey(messageId)).execute();
  return rows.length;
}

/**
 * The same database opened twice, as two processes would: a file for SQLite; for PostgreSQL two more pools on the
 * suite's schema. `first` is the process that will crash, `reopen` the one started after it.
 */
async function openDatabaseTwice(dialect: TestDialect, suiteDeps: Deps): Promise<{ first: Database; reopen(): Promise<Database>; dispose(): Promise<void> }> {
  if (dialect === 'sqlite') {
    const folder = await mkdtemp(join(tmpdir(), 'patron-outbox-'));
    const file = join(folder, 'patron.sqlite');
    const first = await openTestDatabase('sqlite', { file });
    return { first, reopen: () => openDatabase({ url: file }), dispose: () => rm(folder, { recursive: true, force: true }) };
  }
  const url = postgresTestUrl;
  assert.ok(url);
  const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(suiteDeps.db);
  const schema = rows[0]!.schema;
  const first = await openDatabase({ url, schema, poolSize: 2 });
  return { first, reopen: () => openDatabase({ url, schema, poolSize: 2 }), dispose: async () => {} };
}



describeEachDatabase('notifications', (suite) => {
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  before(async () => {
    smtp = await startSmtpServer();
  });
  after(async () => {
    await smtp.close();
  });

  test('NT-1 queueEmail writes the rendered outbox row and its delivery job in the caller\'s transaction', async () => {
    const deps = suite.deps();
    const { messageId } = await transact(deps, (trx) =>
      queueEmail(trx, { memberId: 'mem_1', to: 'ada@example.com', template: emailTemplate('verify-email'), data: { link: 'https://shop.example/verify?token=t1' } }),
    );
    const message = await getMessage(deps, messageId);
    assert.ok(message);
    assert.equal(message.state, 'queued');
    assert.equal(message.subject, 'Confirm your email address');
    assert.match(message.html, /href="https:\/\/shop\.example\/verify\?token=t1"/);
    assert.match(message.text, /https:\/\/shop\.example\/verify\?token=t1/);
    assert.equal(await deliveryJobCount(deps, messageId), 1);

    let rolledBackId = '';
    await assert.rejects(
      transact(deps, async (trx) => {
        rolledBackId = (await queueEmail(trx, { memberId: null, to: 'ada@example.com', template: emailTemplate('welcome'), data: {} })).messageId;
        throw new Error('the sign-up failed');
      }),
      /the sign-up failed/,
    );
    assert.equal(await getMessage(deps, rolledBackId), undefined, 'no message without the change that caused it');
    assert.equal(await deliveryJobCount(deps, rolledBackId), 0, 'and no delivery job either');
  });

  test('NT-1 a dedupe key makes a second queue a no-op that returns the first message', async () => {
    const deps = suite.deps();
    const first = await queueEmail(deps, { memberId: 'mem_1', to: 'ada@example.com', template: emailTemplate('credits-expired'), data: { credits: 5 }, dedupeKey: 'expired:lot_1' });
    const second = await queueEmail(deps, { memberId: 'mem_1', to: 'ada@example.com', template: emailTemplate('credits-expired'), data: { credits: 5 }, dedupeKey: 'expired:lot_1' });
    assert.equal(second.messageId, first.messageId);
    const rows = await tables<{ outbox_messages: { dedupe_key: string | null } }>(deps.db).selectFrom('outbox_messages').select('dedupe_key').where('dedupe_key', '=', 'expired:lot_1').execute();
    assert.equal(rows.length, 1);
    assert.equal(await deliveryJobCount(deps, first.messageId), 1);
  });

  test('NT-1 the worker delivers a queued message over real SMTP with its stable Message-ID, once', async () => {
    const deps = withSmtp(suite.deps(), smtp.url);
    const { messageId } = await transact(deps, (trx) =>
      queueEmail(trx, { memberId: 'mem_2', to: 'grace@example.com', template: emailTemplate('credits-unlocked'), data: { credits: 1500, firstName: 'Grace' } }),
    );
    await runDueJobs(deps);
    const deliveries = smtp.deliveriesOf(messageId);
    assert.equal(deliveries.length, 1);
    const [mail] = deliveries;
    assert.deepEqual(mail!.recipients, ['grace@example.com']);
    assert.match(mail!.raw, /^Subject: Your rewards credits are ready to use$/m);
    assert.match(mail!.raw, /^From: Patron <no-reply@patron\.localhost>$/m);
    assert.match(mail!.raw, /Content-Type: text\/plain/);
    assert.match(mail!.raw, /Content-Type: text\/html/);
    assert.match(mail!.raw, /1,500 credits/);
    const row = await outboxRow(deps, messageId);
    assert.equal(row.state, 'sent');
    assert.equal(row.attempts, 1);
    assert.equal(row.sent_at_ms, deps.clock.nowMs());
    deps.clock.advanceMs(defaultLeaseMs);
    await runDueJobs(deps);
    assert.equal(smtp.deliveriesOf(messageId).length, 1, 'a sent message is never sent again');
  });

  test('PV-27 NT-5 over real SMTP a campaign email carries List-Unsubscribe and List-Unsubscribe-Post (RFC 8058); a transactional email does not', async () => {
    const deps = withSmtp(suite.deps(), smtp.url);
    await transact(deps, (trx) => changeSubscription(trx, { channel: 'email', address: 'lin@example.com', memberId: null, region: 'US-CA', choice: 'granted', method: 'signup', source: 'newsletter' }));
    const campaign = await transact(deps, (trx) => createCampaign(trx, { id: 'mem_staff', role: 'agent' }, { name: 'SMTP sale', channel: 'email', subject: 'Our SMTP sale', body: 'Twenty percent off.', audience: { kind: 'all' } }));
    await transact(deps, (trx) => scheduleCampaign(trx, { id: 'mem_staff', role: 'agent' }, campaign.id, deps.clock.nowMs()));
    const { messageId: transactionalId } = await transact(deps, (trx) =>
      queueEmail(trx, { memberId: null, to: 'lin@example.com', template: emailTemplate('verify-email'), data: { link: 'https://shop.example/verify?token=t2' } }),
    );
    await runDueJobs(deps);
    await runDueJobs(deps);
    const promotional = smtp.received.filter((mail) => /^Subject: Our SMTP sale$/m.test(mail.raw));
    assert.equal(promotional.length, 1);
    // Long header lines are folded (RFC 5322 2.2.3); a mail client unfolds them before reading.
    const unfolded = promotional[0]!.raw.replace(/\r\n[ \t]+/g, ' ');
    assert.match(unfolded, /^List-Unsubscribe: <http:\/\/patron\.test\/api\/v1\/u\/dlv_[0-9a-z]+\.[A-Za-z0-9_-]{22}>$/m);
    assert.match(unfolded, /^List-Unsubscribe-Post: List-Unsubscribe=One-Click$/m);
    const [transactional] = smtp.deliveriesOf(transactionalId);
    assert.ok(transactional);
    assert.doesNotMatch(transactional.raw, /^List-Unsubscribe/im);
    // Only the two list headers can be set by a caller: nothing that routes or impersonates.
    await assert.rejects(transact(deps, (trx) => queueEmail(trx, { memberId: null, to: 'lin@example.com', template: emailTemplate('verify-email'), data: { link: 'https://shop.example/v' }, headers: { Bcc: 'spy@example.com' } as never })));
    await assert.rejects(transact(deps, (trx) => queueEmail(trx, { memberId: null, to: 'lin@example.com', template: emailTemplate('verify-email'), data: { link: 'https://shop.example/v' }, headers: { 'List-Unsubscribe': '<https://x>\r\nBcc: spy@example.com' } })));
  });

  test('NT-1 a crash between commit and send loses nothing: a fresh worker on the same database delivers exactly once', async () => {
    const base = withSmtp(suite.deps(), smtp.url);
    const databases = await openDatabaseTwice(suite.dialect, base);
    try {
      const crashed: Deps = { ...base, database: databases.first, db: databases.first.db };
      const { messageId } = await transact(crashed, (trx) =>
        queueEmail(trx, { memberId: 'mem_3', to: 'linus@example.com', template: emailTemplate('password-reset'), data: { link: 'https://shop.example/reset?token=xyz' } }),
      );
      // The process dies right after the commit: no worker ran, the connection is gone.
      await databases.first.close();

      const reopened = await databases.reopen();
      try {
        const clock = createSimulatedClock(base.clock.nowMs());
        const fresh: Deps = { ...base, database: reopened, db: reopened.db, clock, ids: createIdGenerator(clock) };
        assert.equal(smtp.deliveriesOf(messageId).length, 0);
        await runDueJobs(fresh);
        assert.equal(smtp.deliveriesOf(messageId).length, 1);
        assert.equal((await outboxRow(fresh, messageId)).state, 'sent');
        await runDueJobs(fresh);
        clock.advanceMs(defaultLeaseMs + retryDelayMs(1));
        await runDueJobs(fresh);
        assert.equal(smtp.deliveriesOf(messageId).length, 1, 'running the worker again sends nothing more');
      } finally {
        await reopened.close();
      }
    } finally {
      await databases.dispose();
    }
  });

  test('NT-1 a refusing SMTP server is retried with backoff until it accepts; the stored error names no one', async () => {
    const deps = withSmtp(suite.deps(), smtp.url);
    const { messageId } = await queueEmail(deps, { memberId: 'mem_4', to: 'barbara@example.com', template: emailTemplate('welcome'), data: {} });
    smtp.refuseNext(2);
    await runDueJobs(deps);
    let row = await outboxRow(deps, messageId);
    assert.equal(row.state, 'queued');
    assert.equal(row.attempts, 1);
    assert.match(row.last_error ?? '', /smtp 451/);
    assert.ok(!row.last_error!.includes('example.com'), 'the SMTP reply text, which quotes addresses, is not stored');
    assert.equal(smtp.deliveriesOf(messageId).length, 0);

    deps.clock.advanceMs(retryDelayMs(1) - 1);
    await runDueJobs(deps);
    assert.equal((await outboxRow(deps, messageId)).attempts, 1, 'nothing is tried before the backoff has passed');
    deps.clock.advanceMs(1);
    await runDueJobs(deps);
    assert.equal((await outboxRow(deps, messageId)).attempts, 2);
    deps.clock.advanceMs(retryDelayMs(2));
    await runDueJobs(deps);

    row = await outboxRow(deps, messageId);
    assert.equal(row.state, 'sent');
    assert.equal(row.attempts, 3);
    assert.equal(row.last_error, null);
    assert.equal(smtp.deliveriesOf(messageId).length, 1);
  });

  test('NT-2 with no SMTP configured the message is held in the outbox and shown by the mail view', async () => {
    const deps = suite.deps();
    assert.equal(deps.config.mail.smtpUrl, undefined);
    const before = smtp.received.length;
    const { messageId } = await queueEmail(deps, { memberId: 'mem_5', to: 'edsger@example.com', template: emailTemplate('verify-email'), data: { link: 'https://shop.example/verify?token=local' } });
    await runDueJobs(deps);
    const message = await getMessage(deps, messageId);
    assert.ok(message);
    assert.equal(message.state, 'held');
    assert.equal(message.attempts, 0);
    assert.match(message.text, /token=local/);
    assert.equal(smtp.received.length, before, 'nothing went out');
    const listed = await listMessages(deps, { limit: 200 });
    assert.ok(listed.some((item) => item.id === messageId && item.state === 'held' && item.to === 'edsger@example.com'));
    await runDueJobs(withSmtp(deps, smtp.url));
    assert.equal((await getMessage(deps, messageId))?.state, 'held', 'configuring SMTP later does not send old held messages');
  });

  test('NT-4 templates escape all user data in the HTML part and keep it readable in the text part', () => {
    const hostile = `<script>alert("x")</script> & 'friends'`;
    const welcome = emailTemplate('welcome').render({ firstName: hostile });
    assert.ok(!welcome.html.includes('<script>'));
    assert.ok(welcome.html.includes('Hi &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;friends&#39;,'));
    assert.ok(welcome.text.includes(`Hi ${hostile},`));
    assert.ok(!welcome.subject.includes('script'), 'subjects carry no user data');

    const reset = emailTemplate('password-reset').render({ link: 'https://shop.example/reset?a=1&b="><img src=x onerror=alert(1)>' });
    assert.ok(!reset.html.includes('"><img'));
    assert.ok(reset.html.includes('href="https://shop.example/reset?a=1&amp;b=&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"'), 'the link cannot leave its attribute');
    assert.equal(escapeHtml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });

  test('NT-4 templates refuse data that does not fit them, and links that are not web links', () => {
    assert.throws(() => emailTemplate('password-reset').render({ link: 'javascript:alert(1)' }));
    assert.throws(() => emailTemplate('verify-email').render({ link: 'data:text/html,hi' }));
    assert.throws(() => emailTemplate('credits-unlocked').render({ credits: 1.5 }));
    assert.throws(() => emailTemplate('credits-expiring').render({ credits: 3, expiresAt: 'next tuesday' }));
    assert.throws(() => emailTemplate('welcome').render({ firstName: 'Ada', password: 'secret' }), 'unknown fields are refused');
  });

  test('NT-4 every template has an HTML and a plain-text part from the shared layout', () => {
    assert.ok(allTemplates.length >= 8, 'the templates of every module in src/modules.ts');
    const names = allTemplates.map((template) => template.name);
    assert.equal(new Set(names).size, names.length, 'template names are unique across modules');
    for (const template of allTemplates) {
      const name = template.name;
      const rendered = template.render(template.sample);
      assert.ok(rendered.subject.length > 0, name);
      assert.match(rendered.html, /^<!doctype html>/, name);
      assert.match(rendered.html, /You are receiving this email because of activity on your account\./, name);
      assert.match(rendered.text, /You are receiving this email because of activity on your account\./, name);
      assert.ok(!/<[a-z]/i.test(rendered.text), `${name}: the text part has no markup`);
    }
    assert.match(emailTemplate('credits-expiring').render(emailTemplate('credits-expiring').sample).text, /1 credit in your account will expire on April 1, 2026 at 7:00\s?AM UTC\./);
  });

  test('NT-3 CR-10 the expiry warning lists each lot, escaped in a table in HTML and as a list in text, when several are warned together', () => {
    const rendered = emailTemplate('credits-expiring').render({
      credits: 1520,
      expiresAt: '2026-04-01T07:00:00.000Z',
      firstName: `Ada & 'Bo'`,
      lots: [
        { credits: 20, expiresAt: '2026-04-01T07:00:00.000Z' },
        { credits: 1500, expiresAt: '2026-04-03T18:30:00.000Z' },
      ],
    });
    assert.equal(rendered.subject, 'Your rewards credits expire soon');
    assert.match(rendered.text, /1,520 credits in your account will expire on April 1, 2026 at 7:00\s?AM UTC\./);
    assert.match(rendered.text, /^- 20 credits — April 1, 2026 at 7:00\s?AM UTC$/m);
    assert.match(rendered.text, /^- 1,500 credits — April 3, 2026 at 6:30\s?PM UTC$/m);
    assert.ok(!/<[a-z]/i.test(rendered.text), 'the text part has no markup');
    assert.match(rendered.html, /<table[^>]*>.*<th[^>]*>Credits<\/th>.*<\/table>/s);
    assert.match(rendered.html, /<td[^>]*>20 credits<\/td><td[^>]*>April 1, 2026 at 7:00\s?AM UTC<\/td>/);
    assert.match(rendered.html, /<td[^>]*>1,500 credits<\/td><td[^>]*>April 3, 2026 at 6:30\s?PM UTC<\/td>/);
    assert.match(rendered.html, /1,520 credits in your account will expire on April 1, 2026/);
    assert.ok(rendered.html.includes('Hi Ada &amp; &#39;Bo&#39;,'), 'user data is escaped');
    assert.ok(rendered.text.includes(`Hi Ada & 'Bo',`));

    const single = emailTemplate('credits-expiring').render({ credits: 20, expiresAt: '2026-04-01T07:00:00.000Z', lots: [{ credits: 20, expiresAt: '2026-04-01T07:00:00.000Z' }] });
    assert.ok(!single.html.includes('<table'), 'one lot needs no table');
    assert.ok(!/^- /m.test(single.text));
    const tooMany = Array.from({ length: 51 }, () => ({ credits: 1, expiresAt: '2026-04-01T07:00:00.000Z' }));
    assert.throws(() => emailTemplate('credits-expiring').render({ credits: 51, expiresAt: '2026-04-01T07:00:00.000Z', lots: tooMany }));
    assert.throws(() => emailTemplate('credits-expiring').render({ credits: 3, expiresAt: '2026-04-01T07:00:00.000Z', lots: [{ credits: 3, expiresAt: 'soon' }] }));
  });

  test('NT-2 the mail view lists and shows messages to agents only, and reading a member\'s message is audited (PV-33)', async () => {
    const deps = suite.deps();
    const app = await buildRouteHarness(deps, registerRoutes);
    try {
      const { messageId } = await queueEmail(deps, { memberId: 'mem_6', to: 'alan@example.com', template: emailTemplate('welcome'), data: { firstName: 'Alan' } });
      assert.equal((await app.inject({ method: 'GET', url: '/api/v1/agent/mail' })).statusCode, 401);
      assert.equal((await app.inject({ method: 'GET', url: '/api/v1/agent/mail', headers: { 'x-test-role': 'member' } })).statusCode, 403);
      assert.equal((await app.inject({ method: 'GET', url: `/api/v1/agent/mail/${messageId}`, headers: { 'x-test-role': 'member' } })).statusCode, 403);

      const list = await app.inject({ method: 'GET', url: '/api/v1/agent/mail?limit=1', headers: { 'x-test-role': 'agent' } });
      assert.equal(list.statusCode, 200);
      const listBody = list.json();
      assert.deepEqual(listBody.messages, [
        { id: messageId, to: 'alan@example.com', subject: 'Welcome to your new account', state: 'queued', createdAt: new Date(deps.clock.nowMs()).toISOString(), memberId: 'mem_6' },
      ]);
      assert.equal(listBody.nextBefore, messageId);
      const older = (await app.inject({ method: 'GET', url: `/api/v1/agent/mail?limit=200&before=${messageId}`, headers: { 'x-test-role': 'agent' } })).json();
      assert.ok(older.messages.every((m: { id: string }) => m.id < messageId));
      assert.equal(older.nextBefore, null);

      const detail = await app.inject({ method: 'GET', url: `/api/v1/agent/mail/${messageId}`, headers: { 'x-test-role': 'agent' } });
      assert.equal(detail.statusCode, 200);
      const body = detail.json();
      assert.equal(body.id, messageId);
      assert.match(body.html, /Hi Alan,/);
      assert.match(body.text, /Hi Alan,/);
      assert.equal(body.sentAt, null);
      const audit = await listAuditEntries(deps, { memberId: 'mem_6', limit: 10 });
      assert.deepEqual(audit.map((entry) => [entry.action, entry.subject, entry.actor]), [['mail.viewed', messageId, { id: 'mem_staff', role: 'agent' }]]);

      assert.equal((await app.inject({ method: 'GET', url: '/api/v1/agent/mail/msg_doesnotexist', headers: { 'x-test-role': 'agent' } })).statusCode, 404);
      assert.equal((await app.inject({ method: 'GET', url: '/api/v1/agent/mail/not-an-id', headers: { 'x-test-role': 'agent' } })).statusCode, 400);
      assert.equal((await app.inject({ method: 'GET', url: '/api/v1/agent/mail?limit=0', headers: { 'x-test-role': 'agent' } })).statusCode, 400);
      assert.equal((await app.inject({ method: 'GET', url: '/api/v1/agent/mail?extra=1', headers: { 'x-test-role': 'agent' } })).statusCode, 400);
    } finally {
      await app.close();
    }
  });
});
