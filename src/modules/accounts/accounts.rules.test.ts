// The accounts module's pure rules: minimum age and leap days (AC-2), the password policy (AC-3), the sign-in
// throttle (AC-4), recovery codes (AC-5), and the normal forms of emails, phones and languages (AC-1, AC-8).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AppError } from '../../platform/errors.ts';
import {
  ageInYears,
  assertEligible,
  calendarDateOfMs,
  countryCodes,
  defaultMinimumAgeYears,
  euCountries,
  minimumAgeYears,
  minimumAgeYearsByCountry,
  parseCalendarDate,
} from './eligibility.rules.ts';
import { assertPasswordAcceptable, isCommonPassword } from './password.rules.ts';
import { isProfileComplete, normalizeEmail, normalizeLanguage, normalizePhone } from './profile.rules.ts';
import {
  accountScopeKey, addressDelayMs, addressFreeFailures, addressMaxDelayMs, addressScopeKey, addressWaitMs, afterAddressFailure, afterFailure, failureWindowMs, isLocked, lockoutMs, maxFailedSignIns,
  type ThrottleState,
} from './throttle.rules.ts';
import { looksLikeRecoveryCode, newRecoveryCode, normalizeRecoveryCode } from './tokens.rules.ts';

const at = (iso: string) => Date.parse(iso);
const date = (text: string) => {
  const parsed = parseCalendarDate(text);
  assert.ok(parsed, `${text} is a date`);
  return parsed;
};

function refusal(run: () => void): AppError {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof AppError, `expected an AppError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the call to throw');
}

describe('minimum age (AC-2)', () => {
  test('AC-2: US 14, EU/EEA/UK/CH 13, elsewhere 16, from the rules table', () => {
    assert.equal(minimumAgeYears('US'), 14);
    for (const country of [...euCountries, 'IS', 'LI', 'NO', 'GB', 'CH']) assert.equal(minimumAgeYears(country), 13, country);
    for (const country of ['CA', 'BR', 'JP', 'AU', 'IN']) assert.equal(minimumAgeYears(country), defaultMinimumAgeYears, country);
    assert.equal(defaultMinimumAgeYears, 16);
    assert.equal(minimumAgeYears(null), 16);
    assert.equal(minimumAgeYears('US', { ...minimumAgeYearsByCountry, US: 18 }), 18, 'a per-country override wins');
    assert.equal(minimumAgeYears('CA', { CA: 13 }), 13);
  });

  test('AC-2: every country in the rules table is an ISO code', () => {
    const known = new Set<string>(countryCodes);
    for (const country of Object.keys(minimumAgeYearsByCountry)) assert.ok(known.has(country), country);
  });

  test('AC-2: age is counted on calendar dates; the birthday itself counts', () => {
    assert.equal(ageInYears(date('2012-03-02'), date('2026-03-01')), 13);
    assert.equal(ageInYears(date('2012-03-02'), date('2026-03-02')), 14);
    assert.equal(ageInYears(date('2012-12-31'), date('2026-01-01')), 13);
  });

  test('AC-2: a 29 February birthday turns a year older on 1 March in years without 29 February', () => {
    const leapling = date('2012-02-29');
    assert.equal(ageInYears(leapling, date('2026-02-28')), 13);
    assert.equal(ageInYears(leapling, date('2026-03-01')), 14);
    assert.equal(ageInYears(leapling, date('2028-02-28')), 15);
    assert.equal(ageInYears(leapling, date('2028-02-29')), 16, 'in a leap year the birthday is 29 February itself');
  });

  test('AC-2: today is the UTC calendar date of the clock', () => {
    assert.deepEqual(calendarDateOfMs(at('2026-02-28T23:59:59.999Z')), { year: 2026, month: 2, day: 28 });
    assert.deepEqual(calendarDateOfMs(at('2026-03-01T00:00:00.000Z')), { year: 2026, month: 3, day: 1 });
  });

  test('AC-2: a 13-year-old cannot join in the US but can in France', () => {
    const nowMs = at('2026-03-02T17:00:00Z');
    const error = refusal(() => assertEligible({ country: 'US', dateOfBirth: '2012-06-01', nowMs }));
    assert.equal(error.code, 'not_eligible');
    assert.match(error.message, /at least 14 years old/);
    assert.doesNotThrow(() => assertEligible({ country: 'FR', dateOfBirth: '2012-06-01', nowMs }));
    assert.equal(refusal(() => assertEligible({ country: 'CA', dateOfBirth: '2011-01-01', nowMs })).code, 'not_eligible', '15 in Canada is under 16');
  });

  test('AC-2: the leap-day birthday decides eligibility on 1 March, not 28 February', () => {
    assert.equal(refusal(() => assertEligible({ country: 'US', dateOfBirth: '2012-02-29', nowMs: at('2026-02-28T12:00:00Z') })).code, 'not_eligible');
    assert.doesNotThrow(() => assertEligible({ country: 'US', dateOfBirth: '2012-02-29', nowMs: at('2026-03-01T00:00:00Z') }));
  });

  test('AC-2: impossible, future and implausible dates are refused as invalid, not as ineligible', () => {
    const nowMs = at('2026-03-02T17:00:00Z');
    assert.equal(parseCalendarDate('2023-02-29'), undefined);
    assert.equal(parseCalendarDate('2024-13-01'), undefined);
    assert.equal(parseCalendarDate('2024-1-01'), undefined);
    assert.equal(refusal(() => assertEligible({ country: 'FR', dateOfBirth: '2026-03-03', nowMs })).code, 'validation');
    assert.equal(refusal(() => assertEligible({ country: 'FR', dateOfBirth: '1890-01-01', nowMs })).code, 'validation');
  });
});

describe('password policy (AC-3)', () => {
  test('AC-3: at least 10 characters, counted as characters, not bytes', () => {
    assert.equal(refusal(() => assertPasswordAcceptable('short-pw9')).code, 'weak_password');
    assert.doesNotThrow(() => assertPasswordAcceptable('quiet-otter-71'));
    assert.doesNotThrow(() => assertPasswordAcceptable('ééééééééèà'), 'ten accented characters are ten characters');
  });

  test('AC-3: common passwords are refused, also with the usual digits and symbols appended', () => {
    for (const password of ['password123', 'qwertyuiop', '1234567890', 'iloveyou123', 'Sunshine2024!', 'football!!!!', 'aaaaaaaaaaaa', 'abcabcabcabc']) {
      assert.ok(isCommonPassword(password), password);
      assert.equal(refusal(() => assertPasswordAcceptable(password)).code, 'weak_password', password);
    }
    assert.equal(isCommonPassword('tangerine-kayak-harbor'), false);
  });

  test('AC-3: the password must not be the email address', () => {
    assert.equal(refusal(() => assertPasswordAcceptable('marguerite.duras@example.fr', { email: 'marguerite.duras@example.fr' })).code, 'weak_password');
    assert.equal(refusal(() => assertPasswordAcceptable('margueriteduras2024', { email: 'margueriteduras@example.fr' })).code, 'weak_password');
  });
});

describe('sign-in throttle (AC-4, PL-16)', () => {
  test('AC-4: the 5th failure within 15 minutes locks for 15 minutes; then counting starts again', () => {
    const startMs = at('2026-03-02T17:00:00Z');
    let state: ThrottleState | undefined;
    for (let i = 0; i < maxFailedSignIns - 1; i++) {
      state = afterFailure(state, startMs + i * 60_000);
      assert.equal(isLocked(state, startMs + i * 60_000), false, `after ${i + 1} failures`);
    }
    const fifthMs = startMs + 10 * 60_000;
    state = afterFailure(state, fifthMs);
    assert.equal(state.failure_count, maxFailedSignIns);
    assert.equal(isLocked(state, fifthMs + 1), true, 'the 6th attempt is locked out');
    assert.equal(isLocked(state, fifthMs + lockoutMs - 1), true);
    assert.equal(isLocked(state, fifthMs + lockoutMs), false, 'the lockout lasts 15 minutes');
    const after = afterFailure(state, fifthMs + lockoutMs);
    assert.equal(after.failure_count, 1, 'after the lockout the count starts again');
  });

  test('AC-4: failures spread over more than 15 minutes do not lock', () => {
    let state: ThrottleState | undefined;
    for (let i = 0; i < 10; i++) state = afterFailure(state, i * (failureWindowMs / 4 + 1));
    assert.ok(state && state.failure_count < maxFailedSignIns);
    assert.equal(isLocked(state, 10 * failureWindowMs), false);
  });

  test('AC-4 PL-16: an address is never locked; from its 10th failure it waits 1 s, doubling up to a minute, and the window resets', () => {
    assert.deepEqual([9, 10, 11, 12, 15, 16, 40].map(addressDelayMs), [0, 1000, 2000, 4000, 32_000, addressMaxDelayMs, addressMaxDelayMs]);
    let state: ThrottleState | undefined;
    const startMs = at('2026-03-02T17:00:00Z');
    for (let i = 0; i < addressFreeFailures - 1; i++) state = afterAddressFailure(state, startMs);
    assert.equal(addressWaitMs(state, startMs), 0, 'nine failures cost nothing');
    state = afterAddressFailure(state, startMs);
    assert.equal(addressWaitMs(state, startMs), 1000);
    assert.equal(addressWaitMs(state, startMs + 1000), 0);
    for (let i = 0; i < 20; i++) state = afterAddressFailure(state, startMs + 60_000);
    assert.equal(addressWaitMs(state, startMs + 60_000), addressMaxDelayMs, 'the delay is capped: slowed, never locked');
    assert.equal(afterAddressFailure(state, startMs + failureWindowMs).failure_count, 1, 'a new window starts from nothing');
  });

  test('AC-4: scope keys hold no raw email or IP address', () => {
    assert.doesNotMatch(accountScopeKey('ana@example.com'), /ana|example/);
    assert.doesNotMatch(addressScopeKey('203.0.113.9'), /203/);
    assert.notEqual(accountScopeKey('ana@example.com'), accountScopeKey('bob@example.com'));
  });
});

describe('recovery codes (AC-5)', () => {
  test('AC-5: codes are 16 base32 characters in groups, typed with or without dashes and in any case', () => {
    const code = newRecoveryCode();
    assert.match(code, /^[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}$/);
    assert.ok(looksLikeRecoveryCode(code));
    assert.equal(normalizeRecoveryCode(code.toUpperCase().replaceAll('-', ' ')), code.replaceAll('-', ''));
    assert.equal(looksLikeRecoveryCode('123456'), false);
  });
});

describe('profile normal forms (AC-1, AC-8)', () => {
  test('AC-1: emails are compared without case and surrounding spaces', () => {
    assert.equal(normalizeEmail('  Ana.Lima@Example.COM '), 'ana.lima@example.com');
  });

  test('AC-8: phones are stored in E.164, with the member country as the default region', () => {
    assert.equal(normalizePhone('06 12 34 56 78', 'FR'), '+33612345678');
    assert.equal(normalizePhone('(415) 555-2671', 'US'), '+14155552671');
    assert.equal(normalizePhone('+44 20 7946 0958', 'US'), '+442079460958');
    assert.equal(refusal(() => normalizePhone('12345', 'US')).code, 'validation');
    assert.equal(refusal(() => normalizePhone('not a phone', 'FR')).code, 'validation');
  });

  test('AC-8: languages are canonical BCP 47 tags', () => {
    assert.equal(normalizeLanguage('pt-br'), 'pt-BR');
    assert.equal(normalizeLanguage('EN'), 'en');
    assert.equal(refusal(() => normalizeLanguage('not a language!')).code, 'validation');
  });

  test('AC-8: a complete profile has first and last name, phone and date of birth', () => {
    const complete = { firstName: 'Ana', lastName: 'Lima', phone: '+33612345678', dateOfBirth: '1990-01-01' };
    assert.equal(isProfileComplete(complete), true);
    assert.equal(isProfileComplete({ ...complete, phone: null }), false);
    assert.equal(isProfileComplete({ ...complete, firstName: '' }), false);
  });
});
