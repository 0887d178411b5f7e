// The check every recorded event passes (events.input.ts): IDs, codes, amounts and short flat lists only — the rules
// the zod schema it replaced enforced, each broken once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkEventInput } from '../../src/modules/events/events.input.ts';

const valid = {
  type: 'credits.earned',
  subjectId: 'ltx_1',
  memberId: 'mem_1',
  data: { transactionId: 'ltx_1', credits: 120, lotIds: ['lot_1', 'lot_2'], amounts: [100, 20], orderId: null, plus: true },
};

test('a catalogued event with flat data of IDs, amounts, flags and short lists is accepted as it is', () => {
  assert.equal(checkEventInput(valid), valid);
  assert.doesNotThrow(() => checkEventInput({ ...valid, memberId: null, data: {} }));
  assert.doesNotThrow(() => checkEventInput({ ...valid, data: { n: Object.freeze(Array.from({ length: 100 }, (_, i) => i)) as number[] } }));
  assert.doesNotThrow(() => checkEventInput({ ...valid, data: Object.assign(Object.create(null), { code: 'x'.repeat(200) }) }));
});

const broken: [string, unknown][] = [
  ['not an object', 'credits.earned'],
  ['an unknown field', { ...valid, extra: 1 }],
  ['a type outside the catalogue', { ...valid, type: 'credits.invented' }],
  ['an empty subject', { ...valid, subjectId: '' }],
  ['a subject over 100 characters', { ...valid, subjectId: 's'.repeat(101) }],
  ['a missing member (null is the way to say none)', { type: valid.type, subjectId: valid.subjectId, data: valid.data }],
  ['an empty member', { ...valid, memberId: '' }],
  ['data that is a list', { ...valid, data: [1] }],
  ['data that is a class instance', { ...valid, data: new Date(0) }],
  ['a data key that is not a plain name', { ...valid, data: { 'first-name': 'x' } }],
  ['a data key starting with a digit', { ...valid, data: { '1st': 'x' } }],
  ['nested data', { ...valid, data: { customer: { name: 'Ann' } } }],
  ['text over 200 characters', { ...valid, data: { note: 'x'.repeat(201) } }],
  ['a number that is not finite', { ...valid, data: { credits: Number.POSITIVE_INFINITY } }],
  ['NaN', { ...valid, data: { credits: Number.NaN } }],
  ['undefined', { ...valid, data: { credits: undefined } }],
  ['a list over 100 items', { ...valid, data: { lotIds: Array.from({ length: 101 }, (_, i) => `lot_${i}`) } }],
  ['a list holding null', { ...valid, data: { lotIds: ['lot_1', null] } }],
  ['a list holding a list', { ...valid, data: { lotIds: [['lot_1']] } }],
  ['a list holding long text', { ...valid, data: { lotIds: ['x'.repeat(201)] } }],
];

for (const [what, input] of broken) {
  test(`an event with ${what} is refused`, () => {
    assert.throws(() => checkEventInput(input), /event refused/);
  });
}
