// The hash-chained, append-only audit log (PV-33): chaining, tamper detection, refusal of changes, one chain under concurrency.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { sql } from 'kysely';
import { transact, type Deps } from '../../src/deps.ts';
import { isPostgres, tables, type Executor } from '../../src/db/database.ts';
import { makeAppendOnly } from '../../src/db/schema-helpers.ts';
import { DAY_MS } from '../../src/platform/clock.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { runDueJobs } from '../../src/modules.ts';
import { listAuditEntries, recordAudit, registerRoutes, verifyAuditChain } from '../../src/modules/audit/index.ts';
import { genesisHash, hashEntry } from '../../src/modules/audit/audit.rules.ts';
import { canonicalJson } from '../../src/platform/canonical-json.ts';
import type { AuditEntryRow } from '../../src/modules/audit/audit.table.ts';
import { buildRouteHarness } from '../support/route-harness.ts';
import { describeEachDatabase } from '../support/each-database.ts';

type Rows = { audit_entries: AuditEntryRow; audit_chain_head: { id: string; last_seq: number; last_hash: string } };

function auditRows(db: Executor) {
  return tables<Rows>(db);
}

async function allRows(deps: Deps): Promise<AuditEntryRow[]> {
  return auditRows(deps.db).selectFrom('audit_entries').selectAll().orderBy('seq').execute();
}

/** Runs raw SQL as someone with direct database access would, past the append-only triggers. */
async function bypassAppendOnly(deps: Deps, change: (db: Executor) => Promise<unknown>): Promise<void> {
  if (isPostgres(deps.db)) {
    await sql`alter table audit_entries disable trigger all`.execute(deps.db);
    try {
      await change(deps.db);
    } finally {
      await sql`alter table audit_entries enable trigger all`.execute(deps.db);
    }
    return;
  }
  await sql`drop trigger if exists audit_entries_no_update`.execute(deps.db);
  await sql`drop trigger if exists audit_entries_no_delete`.execute(deps.db);
  await change(deps.db);
}

const agent = { id: 'mem_agent', role: 'agent' as const };

async function recordSample(deps: Deps, count: number): Promise<void> {
  for (let n = 1; n <= count; n++) {
    await recordAudit(deps, { actor: agent, action: 'member.viewed', memberId: `mem_${n % 2}`, subject: `view:${n}`, details: { fields: ['email', 'phone'], n } });
  }
}

/**
 * Tamper tests start from an empty log and leave one behind, with the append-only triggers in place again, so the
 * other tests in the suite still see a sound chain. (Emptying the log itself needs the same bypass.)
 */
async function withEmptyLog(deps: Deps, work: (deps: Deps) => Promise<void>): Promise<void> {
  const empty = async () => {
    await bypassAppendOnly(deps, async (db) => {
      await auditRows(db).deleteFrom('audit_entries').execute();
      await auditRows(db).updateTable('audit_chain_head').set({ last_seq: 0, last_hash: genesisHash }).execute();
    });
    if (!isPostgres(deps.db)) await makeAppendOnly(deps.db, 'audit_entries');
  };
  await empty();
  try {
    await work(deps);
  } finally {
    await empty();
  }
}


/**
 * Three entries exactly as the audit's own canonical JSON (before src/platform/canonical-json.ts) and hash wrote them:
 * nested and unsorted keys, unicode, -0, 1e21, escapes. Frozen here so a change to the shared canonical JSON that would
 * break old chains fails this test instead of the auditor in production.
 */
const chainWrittenByV1: AuditEntryRow[] = [
  { id: "aud_01", seq: 1, at_ms: 1772470800000, actor_id: "mem_agent", actor_role: "agent", action: "credits.adjusted", member_id: "mem_a", subject: "credit-transaction:ctx_1", details: "{\"credits\":-25,\"note\":\"Doppelt gebucht \u2013 \u201c\u00c4rger\u201d\",\"reasonCode\":\"correction\",\"transactionId\":\"ctx_1\"}", prev_hash: "0000000000000000000000000000000000000000000000000000000000000000", hash: "2c6242032b3743cb4e1ed73e8cfb88d442e374766208f7a837b6835d0742933b" },
  { id: "aud_02", seq: 2, at_ms: 1772470801000, actor_id: null, actor_role: "system", action: "privacy.export.created", member_id: null, subject: null, details: "{}", prev_hash: "2c6242032b3743cb4e1ed73e8cfb88d442e374766208f7a837b6835d0742933b", hash: "8eec689794b97eba84525bff4b57e9b7c078084d14c1b2856c1931e80c64b3ef" },
  { id: "aud_03", seq: 3, at_ms: 1772470802000, actor_id: "key_1", actor_role: "api_key", action: "member.updated", member_id: "mem_b", subject: "mem_b", details: "{\"E\":\"upper\",\"Zeta\":[1,2.5,0,true,null,\"x\"],\"_\":1e+21,\"alpha\":{\"a\":\"\u2028\\u0000\\\"\",\"b\":{\"c\":{},\"d\":[]}},\"\u00e9\":\"e-acute\"}", prev_hash: "8eec689794b97eba84525bff4b57e9b7c078084d14c1b2856c1931e80c64b3ef", hash: "02e61f86184cd796f8f993f7709e99d62743b1ec9023d1087d87d076a59f6951" },
];
const v1DetailsInputs: Record<string, unknown>[] = [
  { credits: -25, reasonCode: 'correction', note: 'Doppelt gebucht \u2013 \u201c\u00c4rger\u201d', transactionId: 'ctx_1' },
  {},
  { Zeta: [1, 2.5, -0, true, null, 'x'], alpha: { b: { d: [], c: {} }, a: '\u2028\u0000"' }, _: 1e21, '\u00e9': 'e-acute', E: 'upper' },
];


describeEachDatabase('audit', (suite) => {
  test('PV-33 each entry holds the previous entry\'s hash, and its own hash covers every field', async () => {
    const deps = suite.deps();
    const start = (await allRows(deps)).length;
    const first = await recordAudit(deps, { actor: { id: null, role: 'system' }, action: 'credits.adjusted', memberId: 'mem_a', details: { credits: -5, reason: 'expiry' } });
    const second = await transact(deps, (trx) => recordAudit(trx, { actor: agent, action: 'privacy.export.created', memberId: 'mem_a', subject: 'prv_1' }));
    assert.equal(second.seq, first.seq + 1);
    const rows = (await allRows(deps)).slice(start);
    assert.equal(rows.length, 2);
    const [a, b] = rows as [AuditEntryRow, AuditEntryRow];
    assert.equal(b.prev_hash, a.hash);
    if (a.seq === 1) assert.equal(a.prev_hash, genesisHash);
    for (const row of rows) {
      const { hash, ...fields } = row;
      assert.equal(hashEntry(fields), hash);
      assert.match(hash, /^[0-9a-f]{64}$/);
    }
    assert.equal(a.details, '{"credits":-5,"reason":"expiry"}');
    assert.equal(b.details, '{}');
    assert.equal(a.actor_role, 'system');
    assert.equal(a.actor_id, null);
    const head = await auditRows(deps.db).selectFrom('audit_chain_head').selectAll().executeTakeFirstOrThrow();
    assert.deepEqual([head.last_seq, head.last_hash], [b.seq, b.hash]);
    assert.deepEqual(await verifyAuditChain(deps), { ok: true, checked: b.seq });
  });

  test('PV-33 details are stored as canonical JSON and must not carry secrets', async () => {
    const deps = suite.deps();
    assert.equal(canonicalJson({ b: 1, a: { d: [true, null], c: 'x' } }), '{"a":{"c":"x","d":[true,null]},"b":1}');
    const entry = await recordAudit(deps, { actor: agent, action: 'member.updated', memberId: 'mem_b', details: { z: 1, fields: ['password'] } });
    assert.deepEqual(entry.details, { fields: ['password'], z: 1 });
    await assert.rejects(recordAudit(deps, { actor: agent, action: 'member.updated', memberId: 'mem_b', details: { password: 'hunter2' } }), /must not carry secrets/);
    await assert.rejects(recordAudit(deps, { actor: agent, action: 'member.updated', memberId: 'mem_b', details: { nested: [{ token: 'abc' }] } }), /must not carry secrets/);
    await assert.rejects(recordAudit(deps, { actor: agent, action: 'Not An Action', memberId: 'mem_b' }));
    assert.equal((await verifyAuditChain(deps)).ok, true, 'refused entries leave no trace in the chain');
  });

  test('PV-33 audit entries hold IDs and codes: an email address, a personal field, free text or a sentence as subject is refused', async () => {
    const deps = suite.deps();
    const before = await verifyAuditChain(deps);
    const record = (details: Record<string, unknown>, subject?: string) =>
      recordAudit(deps, { actor: agent, action: 'member.updated', memberId: 'mem_pd', ...(subject ? { subject } : {}), details: details as never });
    await assert.rejects(record({ contact: 'ana@example.com' }), /not free text, names, email or postal addresses/);
    await assert.rejects(record({ to: ['ops', 'ana@example.com'] }), /details\.to\.1: .*not free text/);
    await assert.rejects(record({ email: 'ana' }), /names a personal field/);
    await assert.rejects(record({ firstName: 'Ana' }), /names a personal field/);
    await assert.rejects(record({ note: 'ok' }), /names a personal field/);
    await assert.rejects(record({ why: 'customer called about her parcel' }), /not free text/);
    await assert.rejects(record({ where: { street: '1 Main St' } }), /details\.where\.street/);
    await assert.rejects(record({ fields: ['email'] }, 'ana@example.com'), /the audit subject is an ID or a code/);
    await assert.rejects(record({ fields: ['email'] }, 'view of a member'), /the audit subject is an ID or a code/);
    // IDs, codes, numbers, flags, times and the names of changed fields pass.
    const entry = await record({ fields: ['email', 'shippingAddress.region'], orderId: 'ord_01J2ABC', reason: 'cancelled_by_agent', amountMinor: -1_250, at: '2026-03-02T17:00:00.000Z', region: 'US-CA', ok: true, none: null }, 'address:2');
    assert.equal(entry.subject, 'address:2');
    const after = await verifyAuditChain(deps);
    assert.equal(after.ok, true);
    assert.equal(after.checked, before.checked + 1, 'refused entries leave no trace in the chain');
  });

  test('PV-33 entries written before the guard (free text in details) still verify and read: old rows are never rewritten', async () => {
    const deps = suite.deps();
    await transact(deps, async (trx) => {
      const head = await auditRows(trx.db).selectFrom('audit_chain_head').selectAll().executeTakeFirstOrThrow();
      const fields = {
        id: 'aud_legacy_note',
        seq: head.last_seq + 1,
        at_ms: deps.clock.nowMs(),
        actor_id: agent.id,
        actor_role: agent.role,
        action: 'credits.adjusted',
        member_id: 'mem_legacy',
        subject: 'credit-transaction:ctx_1',
        details: canonicalJson({ credits: 50, note: 'Goodwill after a call with Ana', reasonCode: 'goodwill' }),
        prev_hash: head.last_hash,
      };
      const hash = hashEntry(fields);
      await auditRows(trx.db).insertInto('audit_entries').values({ ...fields, hash }).execute();
      await auditRows(trx.db).updateTable('audit_chain_head').set({ last_seq: fields.seq, last_hash: hash }).execute();
    });
    assert.equal((await verifyAuditChain(deps)).ok, true);
    const [legacy] = await listAuditEntries(deps, { memberId: 'mem_legacy', limit: 10 });
    assert.equal(legacy?.details.note, 'Goodwill after a call with Ana');
  });

  test('PV-33 a chain written in the v1 hash format before canonical JSON was shared still verifies', async () => {
    const deps = suite.deps();
    v1DetailsInputs.forEach((details, index) => assert.equal(canonicalJson(details), chainWrittenByV1[index]!.details, `entry ${index + 1}'s details serialise as v1 wrote them`));
    await withEmptyLog(deps, async () => {
      for (const row of chainWrittenByV1) await auditRows(deps.db).insertInto('audit_entries').values(row).execute();
      const last = chainWrittenByV1.at(-1)!;
      await auditRows(deps.db).updateTable('audit_chain_head').set({ last_seq: last.seq, last_hash: last.hash }).execute();
      assert.deepEqual(await verifyAuditChain(deps), { ok: true, checked: chainWrittenByV1.length });
      const next = await recordAudit(deps, { actor: agent, action: 'member.viewed', memberId: 'mem_a', details: { n: 4 } });
      assert.equal(next.seq, 4);
      assert.deepEqual(await verifyAuditChain(deps), { ok: true, checked: 4 }, 'new entries extend the old chain');
    });
  });

  test('PV-33 the database refuses updates and deletes of audit entries', async () => {
    const deps = suite.deps();
    const entry = await recordAudit(deps, { actor: agent, action: 'member.viewed', memberId: 'mem_c' });
    await assert.rejects(auditRows(deps.db).updateTable('audit_entries').set({ action: 'member.edited' }).where('id', '=', entry.id).execute(), /append-only table audit_entries/);
    await assert.rejects(auditRows(deps.db).deleteFrom('audit_entries').where('id', '=', entry.id).execute(), /append-only table audit_entries/);
    const [row] = await auditRows(deps.db).selectFrom('audit_entries').select('action').where('id', '=', entry.id).execute();
    assert.equal(row?.action, 'member.viewed');
  });

  test('PV-33 concurrent appends in separate transactions form one unbroken chain', async () => {
    const deps = suite.deps();
    const before = (await allRows(deps)).length;
    const appends = Array.from({ length: 30 }, (_, n) =>
      transact(deps, async (trx) => {
        await sql`select 1`.execute(trx.db);
        return recordAudit(trx, { actor: agent, action: 'member.viewed', memberId: `mem_concurrent_${n}` });
      }),
    );
    const entries = await Promise.all(appends);
    const seqs = entries.map((entry) => entry.seq).sort((x, y) => x - y);
    assert.deepEqual(seqs, Array.from({ length: 30 }, (_, n) => before + 1 + n));
    assert.deepEqual(await verifyAuditChain(deps), { ok: true, checked: before + 30 });
  });

  test("PV-33 listAuditEntries returns a member's entries newest first, a page at a time", async () => {
    const deps = suite.deps();
    for (const n of [1, 2, 3]) await recordAudit(deps, { actor: agent, action: 'case.viewed', memberId: 'mem_list', subject: `cas_${n}` });
    await recordAudit(deps, { actor: agent, action: 'case.viewed', memberId: 'mem_other', subject: 'cas_x' });
    const page = await listAuditEntries(deps, { memberId: 'mem_list', limit: 2 });
    assert.deepEqual(page.map((entry) => entry.subject), ['cas_3', 'cas_2']);
    const rest = await listAuditEntries(deps, { memberId: 'mem_list', limit: 2, before: page[1]!.seq });
    assert.deepEqual(rest.map((entry) => entry.subject), ['cas_1']);
    const all = await listAuditEntries(deps, { limit: 1 });
    assert.equal(all[0]?.subject, 'cas_x');
  });

  test('PV-33 the audit routes: agents list a member\'s entries, admins verify the chain', async () => {
    const deps = suite.deps();
    const app = await buildRouteHarness(deps, registerRoutes);
    try {
      const entry = await recordAudit(deps, { actor: agent, action: 'privacy.erasure.completed', memberId: 'mem_route', details: { tables: 3 } });
      assert.equal((await app.inject({ method: 'GET', url: '/api/v1/agent/members/mem_route/audit', headers: { 'x-test-role': 'member' } })).statusCode, 403);
      const list = await app.inject({ method: 'GET', url: '/api/v1/agent/members/mem_route/audit', headers: { 'x-test-role': 'agent' } });
      assert.equal(list.statusCode, 200);
      assert.deepEqual(list.json(), {
        entries: [
          {
            id: entry.id,
            seq: entry.seq,
            at: new Date(entry.atMs).toISOString(),
            actor: { id: 'mem_agent', role: 'agent' },
            action: 'privacy.erasure.completed',
            memberId: 'mem_route',
            subject: null,
            details: { tables: 3 },
          },
        ],
        nextBefore: null,
      });
      assert.equal((await app.inject({ method: 'GET', url: '/api/v1/agent/members/mem_route/audit?limit=500', headers: { 'x-test-role': 'agent' } })).statusCode, 400);
      assert.equal((await app.inject({ method: 'GET', url: '/api/v1/admin/audit/verify', headers: { 'x-test-role': 'agent' } })).statusCode, 403);
      const verify = await app.inject({ method: 'GET', url: '/api/v1/admin/audit/verify', headers: { 'x-test-role': 'admin' } });
      assert.equal(verify.statusCode, 200);
      assert.equal(verify.json().ok, true);
    } finally {
      await app.close();
    }
  });

  test('PV-33 changing one byte of any field of an entry is reported with that entry', async () => {
    await withEmptyLog(suite.deps(), async (deps) => {
      await recordSample(deps, 6);
      assert.deepEqual(await verifyAuditChain(deps), { ok: true, checked: 6 });
      const rows = await allRows(deps);
      const target = rows[2]!;
      // One byte: "email" becomes "emaik" inside the details of entry #3.
      await bypassAppendOnly(deps, (db) => auditRows(db).updateTable('audit_entries').set({ details: target.details.replace('email', 'emaik') }).where('id', '=', target.id).execute());
      const result = await verifyAuditChain(deps);
      assert.equal(result.ok, false);
      assert.equal(result.firstBadEntryId, target.id);
      assert.equal(result.checked, 2);
      assert.match(result.reason ?? '', /entry #3 does not match its hash/);
    });
  });

  test('PV-33 tampering is caught whichever column changes, even when the hash is recomputed', async () => {
    await withEmptyLog(suite.deps(), async (deps) => {
      await recordSample(deps, 5);
      const rows = await allRows(deps);
      await bypassAppendOnly(deps, async (db) => {
        await auditRows(db).updateTable('audit_entries').set({ at_ms: rows[1]!.at_ms + 1 }).where('id', '=', rows[1]!.id).execute();
      });
      assert.equal((await verifyAuditChain(deps)).firstBadEntryId, rows[1]!.id);
      // A forger who also recomputes the entry's own hash breaks the link to the next entry instead.
      await bypassAppendOnly(deps, async (db) => {
        const { hash: _oldHash, ...fields } = { ...rows[1]!, at_ms: rows[1]!.at_ms + 1 };
        await auditRows(db).updateTable('audit_entries').set({ hash: hashEntry(fields) }).where('id', '=', rows[1]!.id).execute();
      });
      const result = await verifyAuditChain(deps);
      assert.equal(result.firstBadEntryId, rows[2]!.id);
      assert.match(result.reason ?? '', /does not point to the hash of the entry before it/);
    });
  });

  test('PV-33 removing an entry from the middle or the end of the log is reported', async () => {
    await withEmptyLog(suite.deps(), async (deps) => {
      await recordSample(deps, 4);
      const rows = await allRows(deps);
      await bypassAppendOnly(deps, (db) => auditRows(db).deleteFrom('audit_entries').where('id', '=', rows[3]!.id).execute());
      const truncated = await verifyAuditChain(deps);
      assert.equal(truncated.ok, false);
      assert.equal(truncated.checked, 3);
      assert.match(truncated.reason ?? '', /entries were removed/);
      await bypassAppendOnly(deps, (db) => auditRows(db).deleteFrom('audit_entries').where('id', '=', rows[1]!.id).execute());
      const gap = await verifyAuditChain(deps);
      assert.equal(gap.firstBadEntryId, rows[2]!.id);
      assert.match(gap.reason ?? '', /entries are missing/);
    });
  });

  test('PV-33 verification walks long chains in pages', async () => {
    await withEmptyLog(suite.deps(), async (deps) => {
      await transact(deps, async (trx) => {
        for (let n = 0; n < 1203; n++) await recordAudit(trx, { actor: { id: null, role: 'system' }, action: 'credits.expired', memberId: `mem_${n}` });
      });
      assert.deepEqual(await verifyAuditChain(deps), { ok: true, checked: 1203 });
      const rows = await auditRows(deps.db).selectFrom('audit_entries').selectAll().where('seq', '=', 1101).execute();
      await bypassAppendOnly(deps, (db) => auditRows(db).updateTable('audit_entries').set({ member_id: 'mem_x' }).where('id', '=', rows[0]!.id).execute());
      const result = await verifyAuditChain(deps);
      assert.equal(result.firstBadEntryId, rows[0]!.id);
      assert.equal(result.checked, 1100);
    });
  });

  test('PV-33 the daily audit-verify job logs the result, at error level when the chain is broken', async () => {
    await withEmptyLog(suite.deps(), async (testDeps) => {
      const lines: Array<{ level: number; msg: string; reason?: string; checked?: number }> = [];
      const sink = new Writable({
        write(chunk: Buffer, _encoding, done) {
          lines.push(JSON.parse(chunk.toString('utf8')));
          done();
        },
      });
      const deps: Deps = { ...testDeps, logger: createLogger('info', sink) };
      await recordSample(deps, 3);
      await runDueJobs(deps);
      assert.ok(lines.some((line) => line.msg === 'audit chain verified' && line.level === 30 && line.checked === 3));
      const rows = await allRows(deps);
      await bypassAppendOnly(deps, (db) => auditRows(db).updateTable('audit_entries').set({ action: 'member.edited' }).where('id', '=', rows[0]!.id).execute());
      await runDueJobs(deps);
      assert.ok(!lines.some((line) => line.level === 50), 'one verification per day');
      suite.deps().clock.advanceMs(DAY_MS);
      await runDueJobs(deps);
      const broken = lines.find((line) => line.level === 50);
      assert.ok(broken);
      assert.equal(broken.msg, 'audit chain is broken (PV-33)');
      assert.match(broken.reason ?? '', /entry #1 does not match its hash/);
    });
  });
});
