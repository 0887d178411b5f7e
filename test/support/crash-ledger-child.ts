// Child process for test/e2e/ledger-group-commit-crash.test.ts: many concurrent ledger operations go through group
// commit; each one whose promise resolved is written to the log file named by PATRON_CRASH_LOG (synchronously, before
// the next await). After `PATRON_CRASH_AFTER` successes one more operation joins a group and, inside that group's
// open transaction (other operations' writes in it, no COMMIT yet), the process kills itself with SIGKILL. With
// PATRON_CRASH_MODE=external it never kills itself: the test kills it from outside at an arbitrary moment, which lands
// anywhere, also inside an append group's synchronous SQLite transaction or PostgreSQL statement.
import { openSync, writeSync } from 'node:fs';
import { loadConfig } from '../../src/config.ts';
import { createRuntime } from '../../src/runtime.ts';
import { earnForOrder, grantBonus, inLedgerTransaction, spendCredits } from '../../src/modules/credits/index.ts';

const runtime = await createRuntime(loadConfig());
const deps = runtime.deps;
const log = openSync(process.env.PATRON_CRASH_LOG!, 'a');
const report = (entry: Record<string, unknown>) => writeSync(log, `${JSON.stringify(entry)}\n`);
const killAfter = process.env.PATRON_CRASH_MODE === 'external' ? Infinity : Number(process.env.PATRON_CRASH_AFTER ?? 200);
const members = Array.from({ length: 24 }, (_, i) => `mem_crash_${String(i).padStart(4, '0')}`);

for (const memberId of members) {
  const bonus = await grantBonus(deps, { memberId, kind: 'registration' });
  report({ op: 'bonus', memberId, scope: 'bonus', key: 'registration', transactionId: bonus.transactionId });
}

let succeeded = 0;
let armed = false;
const kill = async (): Promise<never> => {
  await inLedgerTransaction(deps, members[0]!, async (trx) => {
    await earnForOrder(trx, { memberId: members[0]!, orderId: 'ord_in_the_killed_group', paidAtMs: trx.clock.nowMs(), plusActive: false, lines: [{ lineId: 'l', qualifyingMinor: 9900, plusBonus: false, earnsCredits: true }] });
    report({ op: 'killing' });
    process.kill(process.pid, 'SIGKILL');
    await new Promise<never>(() => undefined);
  });
  throw new Error('unreachable');
};

await Promise.all(
  Array.from({ length: 16 }, async (_, w) => {
    for (let i = 0; ; i++) {
      const memberId = members[(w * 7 + i) % members.length]!;
      if (i % 3 === 2) {
        const key = `spend-${w}-${i}`;
        try {
          const spent = await spendCredits(deps, { memberId, credits: 7, idempotencyKey: key });
          report({ op: 'spend', memberId, scope: 'spend', key, transactionId: spent.transactionId });
        } catch {
          // not enough credits: refused, nothing written
        }
      } else {
        const orderId = `ord-${w}-${i}`;
        const earned = await earnForOrder(deps, { memberId, orderId, paidAtMs: deps.clock.nowMs(), plusActive: false, lines: [{ lineId: 'l1', qualifyingMinor: 1500 + i, plusBonus: false, earnsCredits: true }] });
        report({ op: 'earn', memberId, scope: 'earn', key: orderId, transactionId: earned.transactionId });
      }
      succeeded += 1;
      if (succeeded >= killAfter && !armed) {
        armed = true;
        void kill();
      }
    }
  }),
);
