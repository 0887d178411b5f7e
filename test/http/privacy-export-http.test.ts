// PV-15 PV-16 PV-17 PV-33 the export over HTTP: a member asks for a copy of their data (once a day), the job builds
// it, the download needs a sign-in less than 10 minutes old, answers a ZIP with attachment and no-store, and is
// audited; someone without a session gets a 6-digit code by email (10 minutes, 3 tries, single use); after 7 days the
// file is gone and the download answers 410; "know" lists categories, sources, purposes and recipients; the schema
// of data.json is public. On both databases.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { buildApp } from '../../src/app.ts';
import { transact } from '../../src/deps.ts';
import type { ZodApp } from '../../src/http/types.ts';
import { DAY_MS, MINUTE_MS } from '../../src/platform/clock.ts';
import { createMemberForSeed } from '../../src/modules/accounts/index.ts';
import { listAuditEntries } from '../../src/modules/audit/index.ts';
import { getMessage, listMessages } from '../../src/modules/notifications/index.ts';
import { runDueJobs } from '../../src/modules.ts';
import { expireDueExports, queueSubjectExport } from '../../src/modules/privacy/index.ts';
import { describeEachDatabase } from '../support/each-database.ts';
import type { TestDeps } from '../support/deps.ts';
import { assertManifest, readZip } from '../support/export-zip.ts';
import { addressSequence, signInOverHttp } from '../support/http-session.ts';

const password = 'correct horse battery staple 42';
const nextAddress = addressSequence(81);

interface Member {
  memberId: string;
  email: string;
  headers: Record<string, string>;
}

describeEachDatabase('privacy export HTTP', (suite) => {
  let app: ZodApp;
  let deps: TestDeps;
  let counter = 0;

  async function signIn(email: string, memberId: string): Promise<Member> {
    const session = await signInOverHttp(app, { email, password, remoteAddress: nextAddress() });
    return { memberId, email, headers: { cookie: `patron_session=${session.cookie}`, 'x-csrf-token': session.csrfToken } };
  }

  async function newMember(): Promise<Member> {
    const email = `export.${suite.dialect}.${++counter}@example.com`;
    const created = await transact(deps, (trx) => createMemberForSeed(trx, { email, password, country: 'US', dateOfBirth: '1990-05-05', firstName: 'Ada', lastName: `Exportson${counter}`, emailVerified: true }));
    return signIn(email, created.memberId);
  }

  async function readyExport(member: Member): Promise<string> {
    const requested = await app.inject({ method: 'POST', url: '/api/v1/me/privacy/exports', headers: member.headers });
    assert.equal(requested.statusCode, 202, requested.body);
    const exportId = requested.json().id as string;
    await runDueJobs(deps);
    const list = await app.inject({ method: 'GET', url: '/api/v1/me/privacy/exports', headers: member.headers });
    assert.equal(list.json().exports.find((item: { id: string }) => item.id === exportId).state, 'ready');
    return exportId;
  }

  async function latestCode(to: string): Promise<string> {
    const summary = (await listMessages(deps, { limit: 200 })).find((message) => message.to === to && message.subject.startsWith('Your code to download'));
    assert.ok(summary, `a download code was emailed to ${to}`);
    const match = /(\d{6})/.exec((await getMessage(deps, summary.id))!.text);
    return match![1]!;
  }

  before(async () => {
    deps = suite.deps();
    app = await buildApp(deps);
    await app.ready();
  });

  test('PV-15 PV-16 PV-33 a member asks for an export (the same day answers the same one), the job builds it and a fresh sign-in downloads a valid ZIP; both are audited', async () => {
    const member = await newMember();
    const first = await app.inject({ method: 'POST', url: '/api/v1/me/privacy/exports', headers: member.headers });
    assert.equal(first.statusCode, 202, first.body);
    assert.equal(first.json().state, 'queued');
    const again = await app.inject({ method: 'POST', url: '/api/v1/me/privacy/exports', headers: member.headers });
    assert.equal(again.json().id, first.json().id, 'idempotent per day');
    await runDueJobs(deps);
    const exportId = first.json().id as string;
    const list = (await app.inject({ method: 'GET', url: '/api/v1/me/privacy/exports', headers: member.headers })).json();
    const view = list.exports[0];
    assert.equal(view.state, 'ready');
    assert.ok(Date.parse(view.expiresAt) - Date.parse(view.readyAt) <= 7 * DAY_MS);

    const download = await app.inject({ method: 'GET', url: `/api/v1/me/privacy/exports/${exportId}/download`, headers: member.headers });
    assert.equal(download.statusCode, 200, download.body);
    assert.equal(download.headers['content-type'], 'application/zip');
    assert.match(String(download.headers['content-disposition']), /^attachment; filename="patron-export-pex_/);
    assert.equal(download.headers['cache-control'], 'no-store');
    const entries = await readZip(download.rawPayload);
    assertManifest(entries);
    const data = JSON.parse(entries.get('data.json')!.toString('utf8'));
    assert.equal(data.entities.members[0].email, member.email);
    assert.equal(data.entities.members[0].last_name, `Exportson${counter}`);
    assert.ok(!entries.get('data.json')!.toString('utf8').includes('argon2'), 'no password hash');
    assert.ok(entries.has('index.html') && entries.has('csv/members.csv'));
    assert.equal(view.sha256.length, 64);

    const audit = await listAuditEntries(deps, { memberId: member.memberId, limit: 50 });
    const actions = audit.map((entry) => entry.action);
    for (const action of ['privacy.export.requested', 'privacy.export.built', 'privacy.export.downloaded']) assert.ok(actions.includes(action), `${action} is audited`);
    assert.ok(audit.every((entry) => !JSON.stringify(entry.details).includes('@')), 'audit details hold IDs and codes only');
  });

  test('PV-11 PV-15 the download needs a sign-in less than 10 minutes old; another member gets 404', async () => {
    const member = await newMember();
    const exportId = await readyExport(member);
    deps.clock.advanceMs(11 * MINUTE_MS);
    const stale = await app.inject({ method: 'GET', url: `/api/v1/me/privacy/exports/${exportId}/download`, headers: member.headers });
    assert.equal(stale.statusCode, 403, stale.body);
    assert.match(stale.body, /sign in again/);
    const fresh = await signIn(member.email, member.memberId);
    assert.equal((await app.inject({ method: 'GET', url: `/api/v1/me/privacy/exports/${exportId}/download`, headers: fresh.headers })).statusCode, 200);
    const stranger = await newMember();
    assert.equal((await app.inject({ method: 'GET', url: `/api/v1/me/privacy/exports/${exportId}/download`, headers: stranger.headers })).statusCode, 404);
  });

  test('PV-12 PV-15 a download code is emailed to the subject: a wrong code three times locks the code, a new code downloads once', async () => {
    const member = await newMember();
    const exportId = await readyExport(member);
    const ask = () => app.inject({ method: 'POST', url: `/api/v1/privacy/exports/${exportId}/download-code`, remoteAddress: nextAddress() });
    const unknown = await app.inject({ method: 'POST', url: '/api/v1/privacy/exports/pex_unknown/download-code', remoteAddress: nextAddress() });
    assert.equal(unknown.statusCode, 202, 'the answer tells nothing about the ID');
    assert.equal((await ask()).statusCode, 202);
    const code = await latestCode(member.email);
    const wrong = code === '000000' ? '000001' : '000000';
    const byCode = (value: string) => app.inject({ method: 'GET', url: `/api/v1/privacy/exports/${exportId}/download?code=${value}`, remoteAddress: nextAddress() });
    for (let attempt = 1; attempt <= 3; attempt++) assert.equal((await byCode(wrong)).statusCode, 403, `wrong try ${attempt}`);
    assert.equal((await byCode(code)).statusCode, 429, 'a fourth try is refused, even with the right code');

    deps.clock.advanceMs(MINUTE_MS);
    assert.equal((await ask()).statusCode, 202);
    const second = await latestCode(member.email);
    const ok = await byCode(second);
    assert.equal(ok.statusCode, 200, ok.body);
    assert.equal(ok.headers['content-type'], 'application/zip');
    assertManifest(await readZip(ok.rawPayload));
    assert.equal((await byCode(second)).statusCode, 403, 'single use');

    assert.equal((await ask()).statusCode, 202);
    const third = await latestCode(member.email);
    deps.clock.advanceMs(11 * MINUTE_MS);
    assert.equal((await byCode(third)).statusCode, 403, 'the code lasts 10 minutes');
  });

  test('PV-15 after 7 days the expiry job deletes the file and the download answers 410', async () => {
    const member = await newMember();
    const exportId = await readyExport(member);
    deps.clock.advanceMs(7 * DAY_MS + 2 * 60 * MINUTE_MS);
    await runDueJobs(deps);
    const fresh = await signIn(member.email, member.memberId);
    const list = (await app.inject({ method: 'GET', url: '/api/v1/me/privacy/exports', headers: fresh.headers })).json();
    assert.equal(list.exports.find((item: { id: string }) => item.id === exportId).state, 'expired');
    assert.equal(await deps.ports.files.get(`privacy/exports/${exportId}.zip`), undefined, 'the file is deleted');
    const gone = await app.inject({ method: 'GET', url: `/api/v1/me/privacy/exports/${exportId}/download`, headers: fresh.headers });
    assert.equal(gone.statusCode, 410, gone.body);
    assert.match(gone.json().error.message, /expired/);
  });

  test('PV-15 an export still queued a day after it was asked for (its job gave up) is marked failed, so a new one can be asked for', async () => {
    const member = await newMember();
    const { record } = await queueSubjectExport(deps, { memberId: member.memberId, actor: { id: member.memberId, role: 'member' } });
    deps.clock.advanceMs(DAY_MS + MINUTE_MS);
    await expireDueExports(deps);
    const fresh = await signIn(member.email, member.memberId);
    const list = (await app.inject({ method: 'GET', url: '/api/v1/me/privacy/exports', headers: fresh.headers })).json();
    assert.equal(list.exports.find((item: { id: string }) => item.id === record.id).state, 'failed');
    const download = await app.inject({ method: 'GET', url: `/api/v1/me/privacy/exports/${record.id}/download`, headers: fresh.headers });
    assert.equal(download.statusCode, 409);
    assert.match(download.body, /could not be built/);
    await runDueJobs(deps);
  });

  test('PV-17 know lists categories, sources, purposes and recipients from the map, only for tables holding the member; the schema is public', async () => {
    const member = await newMember();
    await readyExport(member);
    await app.inject({ method: 'POST', url: `/api/v1/privacy/exports/${(await app.inject({ method: 'GET', url: '/api/v1/me/privacy/exports', headers: member.headers })).json().exports[0].id}/download-code`, remoteAddress: nextAddress() });
    const response = await app.inject({ method: 'GET', url: '/api/v1/me/privacy/know', headers: member.headers });
    assert.equal(response.statusCode, 200, response.body);
    const body = response.json();
    const tables = body.sections.map((section: { table: string }) => section.table);
    assert.ok(tables.includes('members') && tables.includes('sessions') && tables.includes('privacy_exports'));
    assert.ok(!tables.includes('store_orders'), 'a table without the member’s rows is not listed');
    assert.ok(body.categories.includes('contact') && body.categories.includes('name'));
    assert.ok(!body.categories.includes('credential') || body.sections.some((section: { categories: string[] }) => section.categories.includes('credential')));
    assert.ok(body.purposes.length > 3 && body.sources.length > 0);
    const schema = await app.inject({ method: 'GET', url: '/api/v1/privacy/export-schema.json' });
    assert.equal(schema.statusCode, 200);
    assert.equal(schema.json().$schema, 'https://json-schema.org/draft/2020-12/schema');
    assert.ok(schema.json().properties.entities.properties.members);
  });
});
