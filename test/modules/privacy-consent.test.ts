// Consent records (PV-22): append-only, the latest choice per purpose wins across a subject's keys, a changed
// notice asks again, and the regional default applies where nothing current is recorded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { transact } from '../../src/deps.ts';
import { consentHistory, consentRegime, currentConsents, publishConsentNotice, recordConsent } from '../../src/modules/privacy/index.ts';
import { selectEventsAfter } from '../../src/modules/events/index.ts';
import { describeEachDatabase } from '../support/each-database.ts';

test('PV-23 PV-26 opt-in regions ask first; elsewhere analytics runs until refused; promotional messages never default to yes', () => {
  assert.equal(consentRegime('DE'), 'opt_in');
  assert.equal(consentRegime('GB'), 'opt_in');
  assert.equal(consentRegime('US-CA'), 'opt_out');
  assert.equal(consentRegime(null), 'opt_in');
});

describeEachDatabase('privacy consent records', (suite) => {
  test('PV-22 the latest record per purpose is current, across device and member; history keeps every record', async () => {
    const deps = suite.deps();
    const device = 'dev_abcdefgh1';
    await transact(deps, (trx) => recordConsent(trx, { subject: { deviceId: device }, choices: [{ purpose: 'analytics', choice: 'granted' }, { purpose: 'advertising', choice: 'granted' }], method: 'banner', region: 'DE' }));
    deps.clock.advanceMs(1000);
    await transact(deps, (trx) => recordConsent(trx, { subject: { deviceId: device, memberId: 'mem_c1' }, choices: [{ purpose: 'advertising', choice: 'denied' }], method: 'settings', region: 'DE' }));
    const states = await currentConsents(deps, { deviceId: device }, { region: 'DE' });
    assert.equal(states.analytics.choice, 'granted');
    assert.equal(states.advertising.choice, 'denied');
    assert.equal(states.advertising.method, 'settings');
    assert.equal(states.personalization.recorded, false);
    assert.equal(states.personalization.choice, 'denied');
    assert.equal((await consentHistory(deps, { deviceId: device })).length, 3);
    const events = await selectEventsAfter(deps.db, null, 1000);
    assert.ok(events.some((e) => e.type === 'consent.changed' && e.member_id === 'mem_c1'));
  });

  test('PV-22 repeating the current choice writes nothing; a changed notice re-asks that purpose only', async () => {
    const deps = suite.deps();
    const subject = { memberId: 'mem_c2' };
    await transact(deps, (trx) => recordConsent(trx, { subject, choices: [{ purpose: 'analytics', choice: 'granted' }, { purpose: 'personalization', choice: 'granted' }], method: 'settings', region: 'FR' }));
    const again = await transact(deps, (trx) => recordConsent(trx, { subject, choices: [{ purpose: 'analytics', choice: 'granted' }], method: 'settings', region: 'FR' }));
    assert.equal(again.length, 0);
    await transact(deps, (trx) => publishConsentNotice(trx, 'analytics', 'We now also measure scroll depth.'));
    const states = await currentConsents(deps, subject, { region: 'FR' });
    assert.equal(states.analytics.stale, true);
    assert.equal(states.analytics.choice, 'denied');
    assert.equal(states.personalization.choice, 'granted');
    const renewed = await transact(deps, (trx) => recordConsent(trx, { subject, choices: [{ purpose: 'analytics', choice: 'granted' }], method: 'banner', region: 'FR' }));
    assert.equal(renewed[0]?.noticeVersion, 2);
  });

  test('PV-22 records are append-only: the database refuses an update or delete', async () => {
    const deps = suite.deps();
    await transact(deps, (trx) => recordConsent(trx, { subject: { email: 'Someone@Example.com ' }, choices: [{ purpose: 'marketing_email', choice: 'granted' }], method: 'signup', region: 'US-NY', source: 'newsletter' }));
    assert.equal((await consentHistory(deps, { email: 'someone@example.com' })).length, 1);
    await assert.rejects(sql`update privacy_consents set choice = 'denied'`.execute(deps.db), /append-only/);
    await assert.rejects(sql`delete from privacy_consents`.execute(deps.db), /append-only/);
  });
});
