// Pure after-sales rules: eligibility with its trace (AS-3..AS-8, AS-13), serial numbers (AS-2), the case state
// machine and expiry, no database.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decideEligibility, defaultEligibilitySettings, type EligibilityFacts } from '../../src/modules/aftersales/eligibility.rules.ts';
import { checkSerialAgainstShipment, isValidSerial, normalizeSerial, readSerial } from '../../src/modules/aftersales/serials.rules.ts';
import {
  assertCaseTransition,
  caseActionTarget,
  caseActions,
  caseExpiresAtMs,
  caseStates,
  caseTransitions,
  defaultCaseExpirySettings,
  finalCaseStates,
  isCaseExpiryDue,
  type CaseAction,
  type CaseState,
} from '../../src/modules/aftersales/cases.rules.ts';
import { availableCaseActions } from '../../src/modules/aftersales/agent.rules.ts';
import { AppError } from '../../src/platform/errors.ts';
import { InvariantError } from '../../src/platform/assert.ts';

const at = (iso: string) => Date.parse(iso);
const dayMs = 86_400_000;
const purchasedAtMs = at('2025-01-15T10:00:00Z');
const deliveredAtMs = at('2025-01-18T16:30:00Z');

function facts(overrides: Partial<Omit<EligibilityFacts, 'order'>> & { order?: Partial<EligibilityFacts['order']> } = {}): EligibilityFacts {
  const { order, ...rest } = overrides;
  return {
    kind: 'return',
    reason: 'no_longer_needed',
    remedy: 'refund',
    nowMs: deliveredAtMs + 10 * dayMs,
    settings: defaultEligibilitySettings,
    ...rest,
    order: { source: 'store', redeemed: false, purchasedAtMs, deliveredAtMs, plusPlanAtPurchase: null, ...order },
  };
}

const rules = (decision: { trace: { rule: string }[] }) => decision.trace.map((entry) => entry.rule);

describe('AS-3 return window', () => {
  test('AS-3 day 30 after delivery is accepted (up to exactly 30 × 24 h), day 31 is refused', () => {
    const day30 = decideEligibility(facts({ nowMs: deliveredAtMs + 30 * dayMs }));
    assert.equal(day30.outcome, 'eligible');
    assert.deepEqual(day30.allowedRemedies, ['refund', 'exchange']);
    assert.equal(day30.moneyMoves, true);
    assert.equal(day30.creditsMove, true);
    assert.deepEqual(rules(day30), ['AS-3', 'AS-6']);

    const justAfter = decideEligibility(facts({ nowMs: deliveredAtMs + 30 * dayMs + 1 }));
    assert.equal(justAfter.outcome, 'refused');
    assert.deepEqual(justAfter.allowedRemedies, []);
    assert.deepEqual(rules(justAfter), ['AS-3']);
    const day31 = decideEligibility(facts({ kind: 'exchange', remedy: 'exchange', nowMs: deliveredAtMs + 31 * dayMs }));
    assert.equal(day31.outcome, 'refused');
    assert.match(day31.trace[0]!.customerText, /30 days after delivery/);
    assert.doesNotMatch(day31.trace[0]!.customerText, /AS-/);
  });

  test('AS-3 any reason; not delivered yet is refused with the window explained', () => {
    assert.equal(decideEligibility(facts({ reason: 'other' })).outcome, 'eligible');
    const undelivered = decideEligibility(facts({ order: { deliveredAtMs: null } }));
    assert.equal(undelivered.outcome, 'refused');
    assert.match(undelivered.trace[0]!.customerText, /not been delivered yet/);
  });
});

describe('AS-4 and AS-5 warranty', () => {
  const warranty = (nowMs: number, plusPlanAtPurchase: 'annual' | 'monthly' | null = null) =>
    decideEligibility(facts({ kind: 'warranty_claim', reason: 'defective', remedy: 'replacement', nowMs, order: { plusPlanAtPurchase } }));

  test('AS-4 month 18 after purchase is accepted (to the millisecond), month 19 is refused', () => {
    const month18 = warranty(at('2026-07-15T10:00:00Z'));
    assert.equal(month18.outcome, 'eligible');
    assert.deepEqual(month18.allowedRemedies, ['replacement', 'exchange', 'refund']);
    assert.deepEqual(rules(month18), ['AS-5', 'AS-4']);
    assert.equal(warranty(at('2026-07-15T10:00:00.001Z')).outcome, 'refused');
    assert.equal(warranty(at('2026-08-01T00:00:00Z')).outcome, 'refused');
  });

  test('AS-4 a warranty claim must be for a defective product', () => {
    const decision = decideEligibility(facts({ kind: 'warranty_claim', reason: 'no_longer_needed', remedy: 'replacement' }));
    assert.equal(decision.outcome, 'refused');
    assert.deepEqual(rules(decision), ['AS-4']);
  });

  test('AS-5 bought while annual Plus: month 30 accepted even though the membership has ended (the order snapshot decides)', () => {
    // The facts carry only the purchase-time snapshot; the membership's state today is not an input.
    const month30 = warranty(at('2027-07-15T10:00:00Z'), 'annual');
    assert.equal(month30.outcome, 'eligible');
    assert.match(month30.trace[0]!.decided, /18 \+ 12 = 30 months/);
    assert.equal(warranty(at('2027-07-15T10:00:00.001Z'), 'annual').outcome, 'refused');
  });

  test('AS-5 bought while monthly Plus: no extension, month 19 refused', () => {
    const month19 = warranty(at('2026-08-15T10:00:00Z'), 'monthly');
    assert.equal(month19.outcome, 'refused');
    assert.match(month19.trace[0]!.decided, /no extension/);
  });
});

describe('AS-6 annual Plus returns', () => {
  test('AS-6 an annual Plus return inside the window is approved automatically; monthly Plus goes to review', () => {
    const annual = decideEligibility(facts({ order: { plusPlanAtPurchase: 'annual' } }));
    assert.equal(annual.outcome, 'auto_approved');
    assert.deepEqual(rules(annual), ['AS-3', 'AS-6']);
    assert.equal(decideEligibility(facts({ order: { plusPlanAtPurchase: 'monthly' } })).outcome, 'eligible');
    assert.equal(decideEligibility(facts({ nowMs: deliveredAtMs + 31 * dayMs, order: { plusPlanAtPurchase: 'annual' } })).outcome, 'refused');
  });
});

describe('AS-7 redeemed products', () => {
  const redeemed = { redeemed: true } as const;

  test('AS-7 a redeemed product cannot be returned, exchanged or claimed under warranty', () => {
    for (const kind of ['return', 'exchange', 'warranty_claim'] as const) {
      const decision = decideEligibility(facts({ kind, reason: 'defective', order: redeemed }));
      assert.equal(decision.outcome, 'refused', kind);
      assert.deepEqual(rules(decision), ['AS-7']);
    }
  });

  test('AS-7 damage report on day 7 accepted (replacement or credit restore, no money), day 8 refused', () => {
    const day7 = decideEligibility(facts({ kind: 'damage_report', reason: 'damaged_on_arrival', remedy: 'replacement', nowMs: deliveredAtMs + 7 * dayMs, order: redeemed }));
    assert.equal(day7.outcome, 'eligible');
    assert.deepEqual(day7.allowedRemedies, ['replacement', 'credit_restore']);
    assert.equal(day7.moneyMoves, false);
    assert.equal(day7.creditsMove, true);
    const day8 = decideEligibility(facts({ kind: 'damage_report', reason: 'damaged_on_arrival', remedy: 'replacement', nowMs: deliveredAtMs + 8 * dayMs, order: redeemed }));
    assert.equal(day8.outcome, 'refused');
    assert.equal(day8.moneyMoves, false);
  });

  test('AS-7 a refund is never a remedy for a redemption', () => {
    const decision = decideEligibility(facts({ kind: 'damage_report', reason: 'damaged_on_arrival', remedy: 'refund', order: redeemed }));
    assert.equal(decision.outcome, 'refused');
    assert.equal(decision.moneyMoves, false);
  });
});

describe('AS-8 marketplace orders', () => {
  const marketplace = { source: 'marketplace', deliveredAtMs: null } as const;

  test('AS-8 a marketplace warranty claim needs a proof-of-purchase image and moves no credits', () => {
    const decision = decideEligibility(facts({ kind: 'warranty_claim', reason: 'defective', remedy: 'refund', nowMs: at('2026-01-01T00:00:00Z'), order: marketplace }));
    assert.equal(decision.outcome, 'eligible');
    assert.equal(decision.requiresProofImage, true);
    assert.equal(decision.creditsMove, false);
    assert.equal(decision.moneyMoves, true);
    assert.deepEqual(rules(decision), ['AS-8', 'AS-5', 'AS-4']);
  });

  test('AS-8 a marketplace return is refused', () => {
    const decision = decideEligibility(facts({ order: marketplace }));
    assert.equal(decision.outcome, 'refused');
    assert.deepEqual(rules(decision), ['AS-8']);
  });
});

describe('AS-13 lifetime support', () => {
  test('AS-13 a support case is open any time, for any source, moving nothing', () => {
    for (const order of [{}, { source: 'marketplace', deliveredAtMs: null } as const, { redeemed: true }]) {
      const decision = decideEligibility(facts({ kind: 'support', reason: 'other', remedy: 'none', nowMs: at('2040-01-01T00:00:00Z'), order }));
      assert.equal(decision.outcome, 'eligible');
      assert.deepEqual(decision.allowedRemedies, ['none']);
      assert.equal(decision.moneyMoves, false);
      assert.equal(decision.creditsMove, false);
      assert.deepEqual(rules(decision), ['AS-13']);
    }
  });
});

describe('AS-2 serial numbers', () => {
  test('AS-2 input is trimmed, upper-cased and a copied "SN:" label is dropped', () => {
    assert.equal(normalizeSerial('  a1b2c3d4 '), 'A1B2C3D4');
    assert.equal(normalizeSerial('SN: A1b2c3d4'), 'A1B2C3D4');
    assert.equal(normalizeSerial(' sn:a1b2c3d4'), 'A1B2C3D4');
    assert.equal(readSerial('SN: A1b2c3d4'), 'A1B2C3D4');
  });

  test('AS-2 a serial is A and 7 letters or digits', () => {
    assert.equal(isValidSerial('A1B2C3D4'), true);
    assert.equal(isValidSerial('AAAAAAAA'), true);
    for (const bad of ['B1B2C3D4', 'A1B2C3D', 'A1B2C3D45', 'A1B2-3D4', 'a1b2c3d4', '']) assert.equal(isValidSerial(bad), false, bad);
    assert.throws(() => readSerial('SN: 1234'), (error: unknown) => error instanceof AppError && error.code === 'validation');
  });

  test('AS-2 a claim serial against the serials recorded at shipment', () => {
    assert.equal(checkSerialAgainstShipment('A1B2C3D4', ['A0000001', 'A1B2C3D4']), 'matches');
    assert.equal(checkSerialAgainstShipment('A1B2C3D5', ['A1B2C3D4']), 'mismatch');
    assert.equal(checkSerialAgainstShipment('A1B2C3D4', null), 'not_recorded');
    assert.equal(checkSerialAgainstShipment('A1B2C3D4', []), 'not_recorded');
  });
});

describe('AS-10 case state machine', () => {
  const actionFor = (to: CaseState): CaseAction => {
    const action = caseActions.find((candidate) => caseActionTarget[candidate] === to && !(to === 'under_review' && candidate === 'answer'));
    assert.ok(action, `an action leads to ${to}`);
    return action;
  };

  test('AS-10 every legal transition is allowed', () => {
    let count = 0;
    for (const from of caseStates) {
      for (const to of caseTransitions[from] as readonly CaseState[]) {
        const action = from === 'needs_info' && to === 'under_review' ? 'answer' : actionFor(to);
        assert.doesNotThrow(() => assertCaseTransition(from, to, action), `${from} → ${to}`);
        count++;
      }
    }
    assert.equal(count, 18);
  });

  test('AS-10 illegal transitions are refused with invalid_state and a clear message', () => {
    const illegal: [CaseState, CaseAction][] = [
      ['submitted', 'mark_received'],
      ['submitted', 'resolve'],
      ['needs_info', 'approve'],
      ['needs_info', 'reject'],
      ['under_review', 'await_return'],
      ['awaiting_return', 'resolve'],
      ['received', 'cancel'],
      ['approved', 'expire'],
      ['submitted', 'expire'],
    ];
    for (const [from, action] of illegal) {
      assert.throws(
        () => assertCaseTransition(from, caseActionTarget[action], action),
        (error: unknown) => error instanceof AppError && error.code === 'invalid_state' && /^The case is .+, so it cannot be .+\.$/.test(error.message),
        `${from} --${action}-->`,
      );
    }
    assert.throws(() => assertCaseTransition('received', 'canceled', 'cancel'), { message: 'The case is received and inspected, so it cannot be canceled.' });
  });

  test('AS-10 an action that does not lead to the target state is a bug (invariant), not a user error', () => {
    assert.throws(() => assertCaseTransition('submitted', 'approved', 'reject'), InvariantError);
  });

  test('AS-10 final states have no way out', () => {
    for (const state of finalCaseStates) {
      assert.deepEqual(caseTransitions[state], []);
      for (const action of caseActions) assert.throws(() => assertCaseTransition(state, caseActionTarget[action], action), { name: 'AppError' });
    }
  });

  test('AS-10 needs_info and awaiting_return expire exactly at the configured time; other states never', () => {
    const enteredAtMs = at('2026-03-01T12:00:00Z');
    const settings = defaultCaseExpirySettings;
    assert.equal(caseExpiresAtMs('needs_info', enteredAtMs, settings), enteredAtMs + 14 * dayMs);
    assert.equal(isCaseExpiryDue('needs_info', enteredAtMs, enteredAtMs + 14 * dayMs - 1, settings), false);
    assert.equal(isCaseExpiryDue('needs_info', enteredAtMs, enteredAtMs + 14 * dayMs, settings), true);
    assert.equal(isCaseExpiryDue('awaiting_return', enteredAtMs, enteredAtMs + 30 * dayMs - 1, settings), false);
    assert.equal(isCaseExpiryDue('awaiting_return', enteredAtMs, enteredAtMs + 30 * dayMs, settings), true);
    const custom = { needsInfoExpiryMs: 3 * dayMs, awaitingReturnExpiryMs: 5 * dayMs };
    assert.equal(isCaseExpiryDue('needs_info', enteredAtMs, enteredAtMs + 3 * dayMs, custom), true);
    assert.equal(isCaseExpiryDue('awaiting_return', enteredAtMs, enteredAtMs + 5 * dayMs, custom), true);
    for (const state of caseStates.filter((s) => s !== 'needs_info' && s !== 'awaiting_return')) {
      assert.equal(isCaseExpiryDue(state, enteredAtMs, enteredAtMs + 10_000 * dayMs, settings), false, state);
    }
    assert.doesNotThrow(() => assertCaseTransition('needs_info', 'expired', 'expire'));
    assert.doesNotThrow(() => assertCaseTransition('awaiting_return', 'expired', 'expire'));
  });
});

test('AS-10 AS-11 while a refund resolution is on its way the console offers no action on the case', () => {
  const base = { kind: 'return' as const, state: 'approved' as const, memberId: 'mem_a', emailConfirmedAtMs: null, convertedToCaseId: null };
  assert.ok(availableCaseActions({ ...base, resolvingSinceMs: null }).includes('resolve'));
  assert.deepEqual(availableCaseActions({ ...base, resolvingSinceMs: 1_000 }), []);
});
