// The accounts module's service functions as other modules and the CLI use them (docs/CONTRACTS.md): sign-up in
// the caller's transaction, staff and seed users, contacts, profile completeness, the authenticator and upkeep.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql } from 'kysely';
import { transact } from '../../src/deps.ts';
import { buildJobRegistry } from '../../src/jobs/index.ts';
import * as accounts from '../../src/modules/accounts/index.ts';
import { listMessages } from '../../src/modules/notifications/index.ts';
import { DAY_MS, MINUTE_MS } from '../../src/platform/clock.ts';
import { AppError } from '../../src/platform/errors.ts';
import { describeEachDatabase } from '../support/each-database.ts';

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(promise, (error: unknown) => error instanceof AppError && error.code === code);
}

describeEachDatabase('accounts: services', (suite) => {
  const publicUrl = 'http://patron.test';

  test('AC-1: sign-up runs in the caller’s transaction: when a later step fails, no member and no email remain', async () => {
    const deps = suite.deps();
    const passwordHash = await accounts.hashNewPassword('meadow-lark-2201', { email: 'rolled.back@example.com' });
    await assert.rejects(
      transact(deps, async (ctx) => {
        const result = await accounts.signUp(ctx, { email: 'rolled.back@example.com', passwordHash, country: 'US', dateOfBirth: '1990-01-01', publicUrl });
        assert.ok(result.member.id.startsWith('mem_'));
        throw new Error('the sign-up bonus could not be granted');
      }),
      /sign-up bonus/,
    );
    const members = await sql<{ count: number }>`select count(*) as count from members where email = ${'rolled.back@example.com'}`.execute(deps.db);
    assert.equal(Number(members.rows[0]!.count), 0);
    assert.ok(!(await listMessages(deps, { limit: 200 })).some((m) => m.to === 'rolled.back@example.com'));
  });

  test('AC-1: two sign-ups racing with one email: exactly one succeeds, the other is already_exists', async () => {
    const deps = suite.deps();
    const passwordHash = await accounts.hashNewPassword('meadow-lark-2202', {});
    const attempt = () => transact(deps, (ctx) => accounts.signUp(ctx, { email: 'Racing@Example.com', passwordHash, country: 'FR', dateOfBirth: '1990-01-01', publicUrl }));
    const results = await Promise.allSettled([attempt(), attempt()]);
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    const failure = results.find((r) => r.status === 'rejected');
    assert.ok(failure && failure.reason instanceof AppError && failure.reason.code === 'already_exists', String(failure && (failure as PromiseRejectedResult).reason));
  });

  test('AC-9: staff users and seed members; countUsers counts both; staff have no country or date of birth', async () => {
    const deps = suite.deps();
    const before = await accounts.countUsers(deps);
    const staff = await transact(deps, (ctx) => accounts.createStaffUser(ctx, { email: 'Staff.Person@Patron.test', password: 'helpdesk-hero-3030', role: 'agent' }));
    const seeded = await transact(deps, (ctx) =>
      accounts.createMemberForSeed(ctx, { email: 'seed.member@example.com', password: 'seedling-grove-4040', country: 'US', dateOfBirth: '1990-04-12', firstName: 'Dana', lastName: 'Demo', emailVerified: true }),
    );
    assert.equal(await accounts.countUsers(deps), before + 2);
    const staffMember = await accounts.getMember(deps, staff.memberId);
    assert.equal(staffMember?.role, 'agent');
    assert.equal(staffMember?.email, 'staff.person@patron.test');
    assert.equal(staffMember?.country, null);
    const seedMember = await accounts.getMember(deps, seeded.memberId);
    assert.ok(seedMember?.emailVerifiedAtMs, 'seeded as verified');
    await rejectsWith(transact(deps, (ctx) => accounts.createStaffUser(ctx, { email: 'staff.person@patron.test', password: 'helpdesk-hero-3031', role: 'admin' })), 'already_exists');
  });

  test('AC-2: seed members follow the eligibility rules too', async () => {
    const deps = suite.deps();
    await rejectsWith(
      transact(deps, (ctx) => accounts.createMemberForSeed(ctx, { email: 'too.young@example.com', password: 'seedling-grove-4041', country: 'US', dateOfBirth: '2013-01-01', emailVerified: true })),
      'not_eligible',
    );
  });

  test('docs/CONTRACTS: getMemberContact gives the email and the name to greet with', async () => {
    const deps = suite.deps();
    const { memberId } = await transact(deps, (ctx) =>
      accounts.createMemberForSeed(ctx, { email: 'contact.me@example.com', password: 'seedling-grove-4042', country: 'GB', dateOfBirth: '1980-01-01', firstName: 'Elizabeth', emailVerified: true }),
    );
    assert.deepEqual(await accounts.getMemberContact(deps, memberId), { email: 'contact.me@example.com', firstName: 'Elizabeth' });
    await transact(deps, (ctx) => accounts.updateProfile(ctx, { memberId, actor: { id: memberId, role: 'member' }, changes: { preferredName: 'Liz' } }));
    assert.deepEqual(await accounts.getMemberContact(deps, memberId), { email: 'contact.me@example.com', firstName: 'Liz' });
    assert.equal(await accounts.getMemberContact(deps, 'mem_unknown'), undefined);
  });

  test('AC-8: updateProfile tells the caller when the profile becomes complete (for the completion bonus)', async () => {
    const deps = suite.deps();
    const { memberId } = await transact(deps, (ctx) =>
      accounts.createMemberForSeed(ctx, { email: 'completer@example.com', password: 'seedling-grove-4043', country: 'US', dateOfBirth: '1980-01-01', emailVerified: true }),
    );
    const actor = { id: memberId, role: 'member' as const };
    const first = await transact(deps, (ctx) => accounts.updateProfile(ctx, { memberId, actor, changes: { firstName: 'Sam', lastName: 'Lee' } }));
    assert.deepEqual([first.wasComplete, first.isComplete], [false, false]);
    const second = await transact(deps, (ctx) => accounts.updateProfile(ctx, { memberId, actor, changes: { phone: '+1 415 555 2671' } }));
    assert.deepEqual([second.wasComplete, second.isComplete], [false, true]);
    assert.deepEqual(second.changedFields, ['phone']);
    assert.equal(accounts.isProfileComplete(second.member), true);
    const third = await transact(deps, (ctx) => accounts.updateProfile(ctx, { memberId, actor, changes: { language: 'en-US' } }));
    assert.deepEqual([third.wasComplete, third.isComplete], [true, true]);
  });

  test('AC-4, AC-11: the authenticator resolves sessions and API keys, and ignores anything else', async () => {
    const deps = suite.deps();
    const authenticate = accounts.createAuthenticator(deps);
    assert.equal(await authenticate({ sessionToken: 'nope' }), null);
    assert.equal(await authenticate({ apiKey: 'pk_live_nope' }), null);
    assert.equal(await authenticate({ apiKey: 'sk_other_format' }), null);
    assert.equal(await authenticate({}), null);

    const passwordHash = await accounts.hashNewPassword('meadow-lark-2203', {});
    const { member, session } = await transact(deps, (ctx) => accounts.signUp(ctx, { email: 'authn@example.com', passwordHash, country: 'US', dateOfBirth: '1990-01-01', publicUrl }));
    const principal = await authenticate({ sessionToken: session.token });
    assert.deepEqual(principal, { kind: 'session', memberId: member.id, role: 'member', sessionId: session.sessionId, csrfToken: session.csrfToken });
  });

  test('AC-4: the authenticator writes a session’s last-seen time at most once a minute', async () => {
    const deps = suite.deps();
    const authenticate = accounts.createAuthenticator(deps);
    const passwordHash = await accounts.hashNewPassword('meadow-lark-2204', {});
    const { session } = await transact(deps, (ctx) => accounts.signUp(ctx, { email: 'touchy@example.com', passwordHash, country: 'US', dateOfBirth: '1990-01-01', publicUrl }));
    const lastSeen = async () => Number((await sql<{ last_seen_at_ms: number }>`select last_seen_at_ms from sessions where id = ${session.sessionId}`.execute(deps.db)).rows[0]!.last_seen_at_ms);
    const startMs = await lastSeen();
    deps.clock.advanceMs(30_000);
    await authenticate({ sessionToken: session.token });
    assert.equal(await lastSeen(), startMs);
    deps.clock.advanceMs(MINUTE_MS);
    await authenticate({ sessionToken: session.token });
    assert.equal(await lastSeen(), deps.clock.nowMs());
  });

  test('PV-11 AC-10: a sign-in counts as re-authentication for less than 10 minutes, for its own member only', async () => {
    const deps = suite.deps();
    const passwordHash = await accounts.hashNewPassword('meadow-lark-2206', {});
    const { member: { id: memberId }, session } = await transact(deps, (ctx) => accounts.signUp(ctx, { email: 'recent.sign.in@example.com', passwordHash, country: 'US', dateOfBirth: '1990-01-01', publicUrl }));
    const recent = (forMember = memberId) => accounts.signedInRecently(deps, { memberId: forMember, sessionId: session.sessionId });
    assert.equal(await recent(), true);
    assert.equal(await recent('mem_someone_else'), false);
    deps.clock.advanceMs(accounts.recentSignInMs - 1);
    assert.equal(await recent(), true);
    deps.clock.advanceMs(1);
    assert.equal(await recent(), false, 'ten minutes after the sign-in it is no longer recent');
  });

  test('CONVENTIONS 12: the hourly purge deletes expired sessions and links and keeps live ones', async () => {
    const deps = suite.deps();
    const passwordHash = await accounts.hashNewPassword('meadow-lark-2205', {});
    const { session: old } = await transact(deps, (ctx) => accounts.signUp(ctx, { email: 'old.session@example.com', passwordHash, country: 'US', dateOfBirth: '1990-01-01', publicUrl }));
    deps.clock.advanceMs(31 * DAY_MS);
    const { session: fresh } = await transact(deps, (ctx) => accounts.signUp(ctx, { email: 'fresh.session@example.com', passwordHash, country: 'US', dateOfBirth: '1990-01-01', publicUrl }));
    const registry = buildJobRegistry([accounts]);
    assert.ok(registry.schedules.some((s) => s.type === 'accounts-purge'));
    await registry.handlers['accounts-purge']!(deps, null, { id: 'job_test', type: 'accounts-purge', attempt: 1 });
    const ids = (await sql<{ id: string }>`select id from sessions`.execute(deps.db)).rows.map((r) => r.id);
    assert.ok(!ids.includes(old.sessionId), 'the 31-day-old session is gone');
    assert.ok(ids.includes(fresh.sessionId), 'the new one stays');
    const expiredLinks = await sql<{ count: number }>`select count(*) as count from account_tokens where expires_at_ms <= ${deps.clock.nowMs()}`.execute(deps.db);
    assert.equal(Number(expiredLinks.rows[0]!.count), 0);
  });
});
