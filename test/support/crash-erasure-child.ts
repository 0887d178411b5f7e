// Child process for the erasure crash test (test/e2e/erasure-crash.test.ts): a member with credits and an address is
// erased with the erasure flow, which dies by SIGKILL after the rows were erased (committed) and before the journal
// step: the journal and the registry are not written yet.
import { loadConfig } from '../../src/config.ts';
import { transact } from '../../src/deps.ts';
import { createRuntime } from '../../src/runtime.ts';
import { createMemberForSeed } from '../../src/modules/accounts/index.ts';
import { addAddress } from '../../src/modules/accounts/addresses.service.ts';
import { adjustCredits } from '../../src/modules/credits/index.ts';
import { erasureFlow, erasureKey, executeRun, startRun } from '../../src/flows/index.ts';
import { stopBefore } from './flow-faults.ts';

const kill = (): Promise<never> => {
  process.kill(process.pid, 'SIGKILL');
  return new Promise<never>(() => undefined);
};

const runtime = await createRuntime(loadConfig());
const deps = runtime.deps;
const { memberId } = await transact(deps, (trx) => createMemberForSeed(trx, { email: 'crash.erasure@example.com', password: 'a long password for tests', country: 'US', dateOfBirth: '1990-01-01', firstName: 'Crashy', lastName: 'Erasedson', emailVerified: true }));
await transact(deps, (trx) => addAddress(trx, { memberId, actor: { id: memberId, role: 'member' } as never, fields: { line1: '9 Crash Road', line2: null, city: 'Crashville', region: 'US-OR', postalCode: '97201', country: 'US' } }));
await adjustCredits(deps, { memberId, credits: 700, reasonCode: 'goodwill', note: 'crash test', actor: { id: 'mem_crash_agent', role: 'agent' }, idempotencyKey: 'crash-erasure-gift' });
const run = await transact(deps, (trx) => startRun(trx, erasureFlow, { key: erasureKey(memberId), input: { memberId, requestId: null, reason: 'agent', actorId: null }, memberId: null }));
await executeRun(deps, stopBefore(erasureFlow, 'journal', 'run', kill), run);
process.stderr.write('the erasure was not killed\n');
process.exit(3);
