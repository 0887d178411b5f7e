// The rights requests' pure rules (PV-3, PV-4, PV-6..PV-10, PV-12, PV-13): the deadline vectors of the spec, leap
// years and holiday-adjacent dates, extensions and their caps, the queue's flags, the regime of a residence, the
// state machine's legal, illegal and terminal moves, and the verification rules. No database.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isAppError } from '../../src/platform/errors.ts';
import {
  acknowledgementDueDate, addBusinessDays, appealDueDate, calendarDateOf, daysBetween, dueStatus, extendDueDate, responseDueDate, type ExtensionInput,
} from '../../src/modules/privacy/deadlines.rules.ts';
import {
  assertRequestTransition, authorityFor, canRequestTransition, isOptOut, isTerminalRequestState, regimeOf, requestStates, requestTransitions, verificationLevelOf,
} from '../../src/modules/privacy/requests.rules.ts';
import { codeMatches, countMatchingFacts, formatCode, hashCode, missingVerificationSteps } from '../../src/modules/privacy/verification.rules.ts';

const extension = (input: Partial<ExtensionInput> & Pick<ExtensionInput, 'regime' | 'receivedDate' | 'dueDate' | 'today'>): ReturnType<typeof extendDueDate> =>
  extendDueDate({ type: 'access', extensionsSoFar: 0, extendedMonthsSoFar: 0, ...input });

describe('privacy request deadlines (PV-6..PV-10)', () => {
  test('PV-6 acknowledge within 10 business days, US federal holidays skipped: received Fri 2025-02-07 → 2025-02-24 (Presidents’ Day 2025-02-17 skipped)', () => {
    assert.equal(acknowledgementDueDate('2025-02-07'), '2025-02-24');
  });

  test('PV-6 holiday-adjacent receipts: the Friday before a Monday holiday, the day before Christmas, a Saturday', () => {
    // Fri 2025-01-17, then Monday 2025-01-20 is Martin Luther King Jr. Day: Jan 21-24 (4), Jan 27-31 (9), Feb 3 (10).
    assert.equal(acknowledgementDueDate('2025-01-17'), '2025-02-03');
    // Fri 2025-05-23, then Memorial Day Mon 2025-05-26: May 27-30 (4), Jun 2-6 (9), Jun 9 (10).
    assert.equal(acknowledgementDueDate('2025-05-23'), '2025-06-09');
    // Wed 2025-12-24: Christmas and New Year's Day are skipped: Dec 26 (1), Dec 29-31 (4), Jan 2 (5), Jan 5-9 (10).
    assert.equal(acknowledgementDueDate('2025-12-24'), '2026-01-09');
    // Juneteenth 2025 (Thu 2025-06-19) inside the window: Jun 13 (Fri) → Jun 16-18 (3), Jun 20 (4), Jun 23-27 (9), Jun 30 (10).
    assert.equal(acknowledgementDueDate('2025-06-13'), '2025-06-30');
    // A Saturday receipt counts from Monday: Sat 2025-02-08 → Feb 10-14 (5), Feb 18-21 (9), Feb 24 (10).
    assert.equal(acknowledgementDueDate('2025-02-08'), '2025-02-24');
    assert.equal(addBusinessDays('2025-02-07', 0), '2025-02-07');
  });

  test('PV-7 US-state requests: 45 calendar days, 2025-01-31 → 2025-03-17; one extension of 45 → 2025-05-01; a second refused', () => {
    const due = responseDueDate({ regime: 'us_state', type: 'access', receivedDate: '2025-01-31' });
    assert.equal(due, '2025-03-17');
    const first = extension({ regime: 'us_state', receivedDate: '2025-01-31', dueDate: due, today: '2025-03-01' });
    assert.deepEqual(first, { ok: true, dueDate: '2025-05-01', months: 0 });
    assert.deepEqual(extension({ regime: 'us_state', receivedDate: '2025-01-31', dueDate: '2025-05-01', extensionsSoFar: 1, today: '2025-03-02' }), { ok: false, reason: 'cap_reached' });
  });

  test('PV-8 GDPR/UK requests: one calendar month clamped to month end (2025-01-31 → 2025-02-28, 2025-03-15 → 2025-04-15); extended by at most 2 months → 2025-06-15', () => {
    assert.equal(responseDueDate({ regime: 'gdpr', type: 'erase', receivedDate: '2025-01-31' }), '2025-02-28');
    assert.equal(responseDueDate({ regime: 'uk', type: 'erase', receivedDate: '2025-03-15' }), '2025-04-15');
    assert.deepEqual(extension({ regime: 'gdpr', receivedDate: '2025-03-15', dueDate: '2025-04-15', today: '2025-04-01' }), { ok: true, dueDate: '2025-06-15', months: 2 });
    assert.deepEqual(extension({ regime: 'gdpr', receivedDate: '2025-03-15', dueDate: '2025-04-15', months: 3, today: '2025-04-01' }), { ok: false, reason: 'over_cap' });
    // One month, then one more: the cap is two in total.
    assert.deepEqual(extension({ regime: 'uk', receivedDate: '2025-03-15', dueDate: '2025-04-15', months: 1, today: '2025-04-01' }), { ok: true, dueDate: '2025-05-15', months: 1 });
    assert.deepEqual(extension({ regime: 'uk', receivedDate: '2025-03-15', dueDate: '2025-05-15', extendedMonthsSoFar: 1, extensionsSoFar: 1, months: 1, today: '2025-05-01' }), { ok: true, dueDate: '2025-06-15', months: 1 });
    assert.deepEqual(extension({ regime: 'uk', receivedDate: '2025-03-15', dueDate: '2025-06-15', extendedMonthsSoFar: 2, extensionsSoFar: 2, today: '2025-06-01' }), { ok: false, reason: 'cap_reached' });
    // Counted from the receipt, so the month-end clamp applies once: 2025-01-31 → 2025-02-28 → at most 2025-04-30.
    assert.deepEqual(extension({ regime: 'gdpr', receivedDate: '2025-01-31', dueDate: '2025-02-28', today: '2025-02-10' }), { ok: true, dueDate: '2025-04-30', months: 2 });
  });

  test('PV-8 leap years: 2024-01-31 → 2024-02-29; 2024-02-29 → 2024-03-29; a US window across 29 February', () => {
    assert.equal(responseDueDate({ regime: 'gdpr', type: 'access', receivedDate: '2024-01-31' }), '2024-02-29');
    assert.equal(responseDueDate({ regime: 'gdpr', type: 'access', receivedDate: '2024-02-29' }), '2024-03-29');
    assert.equal(responseDueDate({ regime: 'us_state', type: 'access', receivedDate: '2024-01-31' }), '2024-03-16');
    assert.equal(responseDueDate({ regime: 'us_state', type: 'access', receivedDate: '2025-01-31' }), '2025-03-17');
  });

  test('PV-9 an extension comes on or before the due date: the day after is refused', () => {
    assert.equal(extension({ regime: 'us_state', receivedDate: '2025-01-31', dueDate: '2025-03-17', today: '2025-03-17' }).ok, true);
    assert.deepEqual(extension({ regime: 'us_state', receivedDate: '2025-01-31', dueDate: '2025-03-17', today: '2025-03-18' }), { ok: false, reason: 'past_due' });
    assert.deepEqual(extension({ regime: 'gdpr', receivedDate: '2025-03-15', dueDate: '2025-04-15', today: '2025-04-16' }), { ok: false, reason: 'past_due' });
  });

  test('PV-10 complaints are due in 30 days whatever the regime and are not extended; the other regime follows the GDPR clock', () => {
    assert.equal(responseDueDate({ regime: 'us_state', type: 'complaint', receivedDate: '2025-01-31' }), '2025-03-02');
    assert.equal(responseDueDate({ regime: 'gdpr', type: 'complaint', receivedDate: '2025-01-31' }), '2025-03-02');
    assert.deepEqual(extendDueDate({ regime: 'gdpr', type: 'complaint', receivedDate: '2025-01-31', dueDate: '2025-03-02', extensionsSoFar: 0, extendedMonthsSoFar: 0, today: '2025-02-01' }), { ok: false, reason: 'not_extendable' });
    assert.equal(responseDueDate({ regime: 'other', type: 'access', receivedDate: '2025-01-31' }), '2025-02-28');
    assert.equal(appealDueDate('us_state', '2025-05-01'), '2025-06-15');
  });

  test('PV-10 the queue flags: more than 7 days none, ≤ 7 due_in_7, ≤ 2 due_in_2, past the due date overdue', () => {
    assert.deepEqual(dueStatus('2025-03-17', '2025-03-09'), { daysLeft: 8, flag: null });
    assert.deepEqual(dueStatus('2025-03-17', '2025-03-10'), { daysLeft: 7, flag: 'due_in_7' });
    assert.deepEqual(dueStatus('2025-03-17', '2025-03-14'), { daysLeft: 3, flag: 'due_in_7' });
    assert.deepEqual(dueStatus('2025-03-17', '2025-03-15'), { daysLeft: 2, flag: 'due_in_2' });
    assert.deepEqual(dueStatus('2025-03-17', '2025-03-17'), { daysLeft: 0, flag: 'due_in_2' });
    assert.deepEqual(dueStatus('2025-03-17', '2025-03-18'), { daysLeft: -1, flag: 'overdue' });
  });

  test('dates are UTC calendar dates: 23:30Z on the 7th is the 7th, 00:30Z on the 8th is the 8th', () => {
    assert.equal(calendarDateOf(Date.parse('2025-02-07T23:30:00Z')), '2025-02-07');
    assert.equal(calendarDateOf(Date.parse('2025-02-08T00:30:00Z')), '2025-02-08');
    assert.equal(daysBetween('2024-02-28', '2024-03-01'), 2);
  });
});

describe('privacy request model (PV-1, PV-3, PV-4)', () => {
  test('PV-1 the regime comes from where the subject lives: a US state, the EU/EEA, the UK, elsewhere', () => {
    assert.equal(regimeOf({ country: 'US' }), 'us_state');
    assert.equal(regimeOf({ country: 'de' }), 'gdpr');
    assert.equal(regimeOf({ country: 'NO' }), 'gdpr');
    assert.equal(regimeOf({ country: 'GB' }), 'uk');
    assert.equal(regimeOf({ country: 'AU' }), 'other');
  });

  test('PV-3 legal moves pass, illegal ones are a 409 with a sentence, terminal states never change', () => {
    assert.equal(assertRequestTransition('received', 'request_verification'), 'awaiting_verification');
    assert.equal(assertRequestTransition('in_progress', 'hold'), 'on_hold');
    assert.equal(assertRequestTransition('on_hold', 'resume'), 'in_progress');
    assert.equal(assertRequestTransition('denied', 'appeal'), 'appealed');
    assert.equal(assertRequestTransition('appealed', 'decide_appeal'), 'appeal_decided');
    assert.throws(
      () => assertRequestTransition('awaiting_verification', 'fulfil'),
      (error: unknown) => isAppError(error) && error.status === 409 && error.message === 'The request is waiting for identity verification, so it cannot be fulfilled.',
    );
    assert.throws(() => assertRequestTransition('received', 'start'), (error: unknown) => isAppError(error) && error.code === 'invalid_state');
    for (const terminal of ['withdrawn', 'closed_unverified', 'appeal_decided'] as const) {
      assert.ok(isTerminalRequestState(terminal));
      for (const to of requestStates) assert.equal(canRequestTransition(terminal, to), false, `${terminal} → ${to}`);
      assert.throws(() => assertRequestTransition(terminal, 'appeal'), (error: unknown) => isAppError(error) && error.code === 'invalid_state');
    }
    // An answer changes only by an appeal.
    for (const answered of ['fulfilled', 'partially_fulfilled', 'denied'] as const) assert.deepEqual(requestTransitions[answered], ['appealed']);
  });

  test('PV-4 opt-outs need no verification; PV-13 access and portability need the most, erase two facts', () => {
    for (const type of ['optout_sale_share', 'optout_targeted_ads', 'limit_sensitive', 'withdraw_consent', 'object'] as const) {
      assert.ok(isOptOut(type));
      assert.equal(verificationLevelOf[type], 'none');
    }
    assert.equal(isOptOut('access'), false);
    assert.equal(verificationLevelOf.access, 'code_three_facts_declaration');
    assert.equal(verificationLevelOf.portability, 'code_three_facts_declaration');
    assert.equal(verificationLevelOf.erase, 'code_and_two_facts');
    assert.equal(verificationLevelOf.know, 'code');
  });

  test('PV-3 the authority to complain to: the state attorney general, the EU member state’s DPA, the UK ICO', () => {
    assert.match(authorityFor({ regime: 'us_state', country: 'US', state: 'VA' }).name, /Virginia Attorney General/);
    assert.match(authorityFor({ regime: 'us_state', country: 'US', state: 'NY' }).name, /Attorney General of your state \(NY\)/);
    assert.match(authorityFor({ regime: 'gdpr', country: 'DE', state: null }).name, /Bayerisches Landesamt/);
    assert.match(authorityFor({ regime: 'gdpr', country: 'AT', state: null }).name, /data protection authority of AT/);
    assert.match(authorityFor({ regime: 'uk', country: 'GB', state: null }).name, /Information Commissioner/);
  });
});

describe('privacy verification rules (PV-12, PV-13, PV-14)', () => {
  test('PV-12 codes are 6 digits, stored as a keyed hash bound to the request, compared in constant time', () => {
    assert.equal(formatCode(42), '000042');
    const stored = hashCode('secret', 'prq_1', '000042');
    assert.ok(codeMatches('secret', 'prq_1', '000042', stored));
    assert.equal(codeMatches('secret', 'prq_1', '000043', stored), false);
    assert.equal(codeMatches('secret', 'prq_2', '000042', stored), false, 'a code of another request never matches');
    assert.equal(codeMatches('other-secret', 'prq_1', '000042', stored), false);
  });

  test('PV-13 matching facts: the order number, the ship-to zip, the order date or amount (one fact); nothing without the subject’s order', () => {
    const order = { shipToZip: '94107-1234', placedDate: '2026-03-02', totalMinor: 4900 };
    assert.equal(countMatchingFacts({ orderNumber: 'ord_x' }, order), 1);
    assert.equal(countMatchingFacts({ orderNumber: 'ord_x', shipToZip: '94107' }, order), 2);
    assert.equal(countMatchingFacts({ orderNumber: 'ord_x', shipToZip: '94107', orderDate: '2026-03-02', amountMinor: 4900 }, order), 3);
    assert.equal(countMatchingFacts({ orderNumber: 'ord_x', shipToZip: '10001', amountMinor: 4900 }, order), 2);
    assert.equal(countMatchingFacts({ orderNumber: 'ord_x', shipToZip: '94107', orderDate: '2026-03-02' }, undefined), 0);
  });

  test('PV-13 PV-14 what is missing before a request counts as verified', () => {
    const base = { codeVerified: false, factsMatched: 0, declarationSigned: false, agentConfirmationRequired: false, agentConfirmed: false, hasAgentDocument: false, authorizedAgent: false };
    assert.deepEqual(missingVerificationSteps({ ...base, level: 'none' }), []);
    assert.deepEqual(missingVerificationSteps({ ...base, level: 'code' }), ['code']);
    assert.deepEqual(missingVerificationSteps({ ...base, level: 'code_and_two_facts', codeVerified: true, factsMatched: 1 }), ['facts']);
    assert.deepEqual(missingVerificationSteps({ ...base, level: 'code_three_facts_declaration', codeVerified: true, factsMatched: 3 }), ['declaration']);
    assert.deepEqual(missingVerificationSteps({ ...base, level: 'code', authorizedAgent: true, agentConfirmationRequired: true, codeVerified: true }), ['agent_document', 'subject_confirmation']);
    assert.deepEqual(missingVerificationSteps({ ...base, level: 'none', authorizedAgent: true, hasAgentDocument: true }), []);
  });
});
