// TOTP secrets at rest (AC-5): AES-256-GCM under a key derived from the server secret, never the base32 secret
// itself; a legacy plain-text value still verifies and is rewritten encrypted on its next use.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql } from 'kysely';
import { generate } from 'otplib';
import { transact } from '../../src/deps.ts';
import * as accounts from '../../src/modules/accounts/index.ts';
import { completeTwoFactorSignIn, signIn } from '../../src/modules/accounts/sign-in.service.ts';
import {
  beginTwoFactorSetup,
  disableTwoFactor,
  enableTwoFactor,
  openTotpSecret,
  totpKeyFor,
  type TwoFactorCtx,
} from '../../src/modules/accounts/two-factor.service.ts';
import { AppError } from '../../src/platform/errors.ts';
import { decryptText, deriveKey, encryptText } from '../../src/platform/secret-box.ts';
import { describeEachDatabase } from '../support/each-database.ts';

describeEachDatabase('accounts: TOTP secrets at rest', (suite) => {
  const password = 'saffron-lantern-4412';
  let memberCount = 0;

  const twoFactorCtx = (): TwoFactorCtx => ({ ...suite.deps(), totpKey: totpKeyFor(suite.deps().secret) });
  const inTwoFactorTransaction = <T>(work: (ctx: TwoFactorCtx) => Promise<T>) =>
    transact(suite.deps(), (ctx) => work({ ...ctx, totpKey: totpKeyFor(suite.deps().secret) }));
  const codeAt = (secret: string) => generate({ secret, epoch: Math.floor(suite.deps().clock.nowMs() / 1000) });
  const nextTimeStep = () => suite.deps().clock.advanceMs(30_000);

  async function storedSecrets(memberId: string): Promise<{ totp_secret: string | null; totp_pending_secret: string | null }> {
    const result = await sql<{ totp_secret: string | null; totp_pending_secret: string | null }>`
      select totp_secret, totp_pending_secret from member_credentials where member_id = ${memberId}`.execute(suite.deps().db);
    return result.rows[0]!;
  }

  async function newMember(): Promise<{ memberId: string; email: string }> {
    memberCount++;
    const email = `totp.rest${memberCount}@example.com`;
    const passwordHash = await accounts.hashNewPassword(password, { email });
    const result = await transact(suite.deps(), (ctx) => accounts.signUp(ctx, { email, passwordHash, country: 'NL', dateOfBirth: '1990-05-05', publicUrl: 'http://patron.test' }));
    return { memberId: result.member.id, email };
  }

  test('AC-5: the pending and the active secret are stored encrypted (v1:…), never as or containing the base32 secret', async () => {
    const { memberId } = await newMember();
    const { secret } = await inTwoFactorTransaction((ctx) => beginTwoFactorSetup(ctx, { memberId }));
    const pending = (await storedSecrets(memberId)).totp_pending_secret!;
    assert.match(pending, /^v1:[A-Za-z0-9_-]{16}:[A-Za-z0-9_-]{22}:[A-Za-z0-9_-]+$/);
    assert.notEqual(pending, secret);
    assert.ok(!pending.includes(secret));
    assert.equal(openTotpSecret(totpKeyFor(suite.deps().secret), pending), secret);

    await inTwoFactorTransaction(async (ctx) => enableTwoFactor(ctx, { memberId, code: await codeAt(secret) }));
    const stored = await storedSecrets(memberId);
    assert.equal(stored.totp_pending_secret, null);
    assert.ok(stored.totp_secret!.startsWith('v1:'));
    assert.notEqual(stored.totp_secret, secret);
    assert.ok(!stored.totp_secret!.includes(secret));
    assert.notEqual(stored.totp_secret, pending, 'a fresh IV for the active secret');
    assert.equal(decryptText(totpKeyFor(suite.deps().secret), stored.totp_secret!), secret);
    nextTimeStep();
  });

  test('AC-5: a wrong key cannot decrypt (GCM authentication fails), nor can a tampered value', async () => {
    const { memberId } = await newMember();
    const { secret } = await inTwoFactorTransaction((ctx) => beginTwoFactorSetup(ctx, { memberId }));
    const pending = (await storedSecrets(memberId)).totp_pending_secret!;
    const wrongKey = totpKeyFor('another-server-secret-another-server-secret-01');
    assert.throws(() => decryptText(wrongKey, pending));
    assert.throws(() => decryptText(deriveKey(suite.deps().secret, 'patron:other:v1'), pending));
    const [version, iv, tag, ciphertext] = pending.split(':') as [string, string, string, string];
    const flipped = Buffer.from(ciphertext, 'base64url');
    flipped[0] = flipped[0]! ^ 1;
    assert.throws(() => decryptText(totpKeyFor(suite.deps().secret), [version, iv, tag, flipped.toString('base64url')].join(':')));
    // Enabling with a key that cannot open the pending secret fails rather than accepting anything.
    await assert.rejects(
      transact(suite.deps(), async (ctx) => enableTwoFactor({ ...ctx, totpKey: wrongKey }, { memberId, code: await codeAt(secret) })),
      (error: unknown) => !(error instanceof AppError),
    );
    // Same plaintext, same key: a different value each time (random IV).
    const key = totpKeyFor(suite.deps().secret);
    assert.notEqual(encryptText(key, secret), encryptText(key, secret));
  });

  test('AC-5: a legacy plain-text secret still verifies for sign-in, and is rewritten encrypted on that use', async () => {
    const { memberId, email } = await newMember();
    const { secret } = await inTwoFactorTransaction((ctx) => beginTwoFactorSetup(ctx, { memberId }));
    await inTwoFactorTransaction(async (ctx) => enableTwoFactor(ctx, { memberId, code: await codeAt(secret) }));
    nextTimeStep();
    await sql`update member_credentials set totp_secret = ${secret} where member_id = ${memberId}`.execute(suite.deps().db);
    assert.equal((await storedSecrets(memberId)).totp_secret, secret);

    const first = await signIn(suite.deps(), { email, password, ip: '10.9.0.1' });
    assert.equal(first.status, 'two_factor_required');
    const challengeId = first.status === 'two_factor_required' ? first.challengeId : '';
    const signedIn = await completeTwoFactorSignIn(twoFactorCtx(), { challengeId, code: await codeAt(secret), ip: '10.9.0.1' });
    assert.equal(signedIn.member.id, memberId);

    const rewritten = (await storedSecrets(memberId)).totp_secret!;
    assert.ok(rewritten.startsWith('v1:'), rewritten);
    assert.ok(!rewritten.includes(secret));
    assert.equal(decryptText(totpKeyFor(suite.deps().secret), rewritten), secret);

    // The rewritten secret keeps working.
    nextTimeStep();
    await inTwoFactorTransaction(async (ctx) => disableTwoFactor(ctx, { memberId, code: await codeAt(secret) }));
    assert.deepEqual({ ...(await storedSecrets(memberId)) }, { totp_secret: null, totp_pending_secret: null });
  });

  test('AC-5: a legacy plain-text pending secret still enables 2-step verification, stored encrypted from then on', async () => {
    const { memberId } = await newMember();
    const { secret } = await inTwoFactorTransaction((ctx) => beginTwoFactorSetup(ctx, { memberId }));
    await sql`update member_credentials set totp_pending_secret = ${secret} where member_id = ${memberId}`.execute(suite.deps().db);
    await inTwoFactorTransaction(async (ctx) => enableTwoFactor(ctx, { memberId, code: await codeAt(secret) }));
    const stored = (await storedSecrets(memberId)).totp_secret!;
    assert.ok(stored.startsWith('v1:'));
    assert.equal(decryptText(totpKeyFor(suite.deps().secret), stored), secret);
    nextTimeStep();
  });
});
