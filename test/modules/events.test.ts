// The domain-event outbox (issue 13): events commit with the change they describe or not at all, in ID order, and
// carry IDs and amounts only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { transact } from '../../src/deps.ts';
import { recordEvent, recordEvents, selectEventsAfter } from '../../src/modules/events/index.ts';
import { describeEachDatabase } from '../support/each-database.ts';

describeEachDatabase('events', (suite) => {
  test('an event commits with its transaction and rolls back with it', async () => {
    const deps = suite.deps();
    const before = await selectEventsAfter(deps.db, null, 10_000);
    const last = before.at(-1)?.id ?? null;
    await transact(deps, (trx) => recordEvent(trx, { type: 'credits.earned', subjectId: 'mem_e1', memberId: 'mem_e1', data: { transactionId: 'ltx_1', credits: 120 } }));
    await assert.rejects(
      transact(deps, async (trx) => {
        await recordEvent(trx, { type: 'order.paid', subjectId: 'ord_x', memberId: 'mem_e1', data: { orderId: 'ord_x', totalCents: 1000 } });
        throw new Error('the change failed');
      }),
      /the change failed/,
    );
    const after = await selectEventsAfter(deps.db, last, 100);
    assert.deepEqual(after.map((e) => e.type), ['credits.earned']);
    assert.deepEqual(JSON.parse(after[0]!.data), { credits: 120, transactionId: 'ltx_1' });
  });

  test('events are refused outside a transaction, with an unknown type, or with nested data', async () => {
    const deps = suite.deps();
    await assert.rejects(recordEvent(deps, { type: 'credits.earned', subjectId: 'mem_e2', memberId: 'mem_e2', data: {} }), /transaction/);
    await assert.rejects(transact(deps, (trx) => recordEvent(trx, { type: 'credits.invented' as 'credits.earned', subjectId: 'mem_e2', memberId: null, data: {} })));
    await assert.rejects(transact(deps, (trx) => recordEvent(trx, { type: 'order.paid', subjectId: 'ord_y', memberId: null, data: { customer: { name: 'Ann' } } as never })));
  });

  test('several events in one call keep their order', async () => {
    const deps = suite.deps();
    const recorded = await transact(deps, (trx) =>
      recordEvents(trx, [1, 2, 3].map((n) => ({ type: 'case.status_changed' as const, subjectId: 'cas_order', memberId: null, data: { step: n } }))),
    );
    const read = await selectEventsAfter(deps.db, recorded[0]!.id, 10);
    assert.deepEqual(read.filter((e) => e.subject_id === 'cas_order').map((e) => JSON.parse(e.data).step), [2, 3]);
  });
});
