// The durable flow runner (issue 7 point 5) on both databases, with a flow of plain steps that count their calls:
// one run per key, steps recorded and resumed after a crash, compensation in reverse order, a refused compensation
// recorded and retried with backoff until it goes through, an unanswered call left for the resume job.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { z } from 'zod';
import { transact, type Deps } from '../../src/deps.ts';
import { AppError } from '../../src/platform/errors.ts';
import { GatewayUnavailableError } from '../../src/ports/index.ts';
import {
  CompensationRefused,
  FlowStepFailed,
  executeRun,
  findRunOf,
  listRunsNeedingAttention,
  resumeDueRuns,
  startRun,
  type FlowDefinition,
} from '../../src/flows/index.ts';
import { jobHandlers } from '../../src/flows/index.ts';
import { describeEachDatabase } from '../support/each-database.ts';

interface Script {
  calls: string[];
  /** Step names whose run fails (a definite failure). */
  failing: Set<string>;
  /** Step names whose compensation is refused, and how often so far. */
  refusing: Set<string>;
  /** Step names whose run is not answered (the resume job retries it). */
  unanswered: Set<string>;
  /** The refusal counts each compensation saw, to show a retry after a refusal asks anew. */
  refusalsSeen: number[];
}

function newScript(): Script {
  return { calls: [], failing: new Set(), refusing: new Set(), unanswered: new Set(), refusalsSeen: [] };
}

const input = z.strictObject({ name: z.string() });
type Input = z.infer<typeof input>;

function sampleFlow(script: Script, options: { whenStale?: 'resume' | 'compensate' } = {}): FlowDefinition<Input> {
  const step = (name: string, kind: 'call' | 'transaction') => {
    const run = async () => {
      script.calls.push(`run:${name}`);
      if (script.unanswered.has(name)) throw new GatewayUnavailableError('no answer');
      if (script.failing.has(name)) throw new FlowStepFailed('card_declined', 'declined');
      return { done: name };
    };
    return {
      name,
      ...(kind === 'call' ? { kind: 'call' as const, run, retryUnanswered: true } : { kind: 'transaction' as const, run }),
      async compensate(_deps: Deps, args: { refusals: number }) {
        script.calls.push(`undo:${name}`);
        script.refusalsSeen.push(args.refusals);
        if (script.refusing.has(name)) throw new CompensationRefused('processing_error', 'refused');
      },
    };
  };
  // A type of its own per test: the suite's tests share a database, and the resume job only takes runs it knows.
  return { type: `sample-${++flowCounter}`, input, leaseMs: 60_000, whenStale: options.whenStale ?? 'resume', steps: [step('a', 'transaction'), step('b', 'call'), step('c', 'transaction')] };
}

let counter = 0;
let flowCounter = 0;
const only = (flow: FlowDefinition<Input>) => ({ [flow.type]: flow as never });
const key = () => `sample:${++counter}`;

describeEachDatabase('flow runner', (suite) => {
  test('issue 7.5 a run cannot be started twice for the same key', async () => {
    const deps = suite.deps();
    const flow = sampleFlow(newScript());
    const runKey = key();
    await transact(deps, (trx) => startRun(trx, flow, { key: runKey, input: { name: 'first' }, memberId: null }));
    await assert.rejects(
      transact(deps, (trx) => startRun(trx, flow, { key: runKey, input: { name: 'second' }, memberId: null })),
      (error: unknown) => error instanceof AppError && error.code === 'conflict',
    );
    assert.equal((await findRunOf(deps, flow, runKey))?.input.name, 'first');
    // The unknown input key is refused by the flow's schema (JSON columns are validated).
    await assert.rejects(transact(deps, (trx) => startRun(trx, flow, { key: key(), input: { name: 'x', extra: 1 } as Input, memberId: null })));
  });

  test('issue 7.5 every step runs once and is recorded; the run completes', async () => {
    const deps = suite.deps();
    const script = newScript();
    const flow = sampleFlow(script);
    const run = await transact(deps, (trx) => startRun(trx, flow, { key: key(), input: { name: 'n' }, memberId: 'mem_x' }));
    const done = await executeRun(deps, flow, run);
    assert.equal(done.state, 'completed');
    assert.deepEqual(script.calls, ['run:a', 'run:b', 'run:c']);
    assert.equal(done.nextAttemptAtMs, null);
  });

  test('issue 7.5 after a crash between steps the resume job continues from the last recorded step, once', async () => {
    const deps = suite.deps();
    const script = newScript();
    const flow = sampleFlow(script);
    // A process recorded step a, then died before b: the run is left running under its lease.
    const runKey = key();
    await transact(deps, (trx) => startRun(trx, flow, { key: runKey, input: { name: 'n' }, memberId: null, done: [{ step: 'a', result: { done: 'a' } }] }));
    await resumeDueRuns(deps, only(flow));
    assert.deepEqual(script.calls, [], 'not before the lease is over');
    deps.clock.advanceMs(61_000);
    await resumeDueRuns(deps, only(flow));
    await resumeDueRuns(deps, only(flow));
    assert.deepEqual(script.calls, ['run:b', 'run:c']);
    assert.equal((await findRunOf(deps, flow, runKey))?.state, 'completed');
  });

  test('ST-3 issue 7.5 a failing step undoes the recorded steps in reverse order; nothing to undo is failed', async () => {
    const deps = suite.deps();
    const script = newScript();
    script.failing.add('c');
    const flow = sampleFlow(script);
    const run = await transact(deps, (trx) => startRun(trx, flow, { key: key(), input: { name: 'n' }, memberId: null }));
    await assert.rejects(executeRun(deps, flow, run), (error: unknown) => error instanceof FlowStepFailed && error.code === 'card_declined');
    assert.deepEqual(script.calls, ['run:a', 'run:b', 'run:c', 'undo:b', 'undo:a']);
    const after = await findRunOf(deps, flow, run.key);
    assert.equal(after?.state, 'compensated');
    assert.equal(after?.causeCode, 'card_declined');

    const early = newScript();
    early.failing.add('a');
    const earlyFlow = sampleFlow(early);
    const earlyRun = await transact(deps, (trx) => startRun(trx, earlyFlow, { key: key(), input: { name: 'n' }, memberId: null }));
    await assert.rejects(executeRun(deps, earlyFlow, earlyRun));
    assert.equal((await findRunOf(deps, earlyFlow, earlyRun.key))?.state, 'failed');
    assert.deepEqual(early.calls, ['run:a']);
  });

  test('ST-3 issue 7.5 a refused compensation is recorded and visible, retried with backoff under a new key, and the run finishes once it goes through', async () => {
    const deps = suite.deps();
    const script = newScript();
    script.failing.add('c');
    script.refusing.add('b');
    const flow = sampleFlow(script);
    const definitions = only(flow);
    const run = await transact(deps, (trx) => startRun(trx, flow, { key: key(), input: { name: 'n' }, memberId: 'mem_attention' }));
    await assert.rejects(executeRun(deps, flow, run));
    // b's undo was refused: a is not undone before b is (order matters: money back before the order is failed).
    assert.deepEqual(script.calls, ['run:a', 'run:b', 'run:c', 'undo:b']);
    let after = await findRunOf(deps, flow, run.key);
    assert.equal(after?.state, 'needs_attention');
    const listed = (await listRunsNeedingAttention(deps)).find((entry) => entry.id === run.id);
    assert.ok(listed, 'the operator sees the run');
    assert.equal(listed.failedStep, 'b');
    assert.equal(listed.lastErrorCode, 'processing_error');
    assert.equal(listed.causeCode, 'card_declined');
    assert.equal(listed.memberId, 'mem_attention');
    assert.match(listed.reason, /processing_error/);

    // Backoff: not retried at once; retried after 10 s, refused again (20 s next).
    assert.equal(await resumeDueRuns(deps, definitions), 0);
    deps.clock.advanceMs(10_000);
    assert.equal(await resumeDueRuns(deps, definitions), 1);
    after = await findRunOf(deps, flow, run.key);
    assert.equal(after?.state, 'needs_attention');
    assert.equal(after?.attempts, 2);
    deps.clock.advanceMs(10_000);
    assert.equal(await resumeDueRuns(deps, definitions), 0, 'the second backoff is 20 s');

    script.refusing.delete('b'); // the outside system recovers
    deps.clock.advanceMs(10_000);
    assert.equal(await resumeDueRuns(deps, definitions), 1);
    after = await findRunOf(deps, flow, run.key);
    assert.equal(after?.state, 'compensated');
    assert.deepEqual(script.calls, ['run:a', 'run:b', 'run:c', 'undo:b', 'undo:b', 'undo:b', 'undo:a']);
    // Each retry after a refusal knew how many refusals came before (a new idempotency key each time).
    assert.deepEqual(script.refusalsSeen, [0, 1, 2, 0]);
    assert.ok(!(await listRunsNeedingAttention(deps)).some((entry) => entry.id === run.id));
    deps.clock.advanceMs(3_600_000);
    assert.equal(await resumeDueRuns(deps, definitions), 0, 'a finished run is never resumed');
  });

  test('issue 7.5 an unanswered call is left for the resume job, which asks again and finishes; a stale run of a compensate-when-stale flow is undone as abandoned', async () => {
    const deps = suite.deps();
    const script = newScript();
    script.unanswered.add('b');
    const flow = sampleFlow(script);
    const run = await transact(deps, (trx) => startRun(trx, flow, { key: key(), input: { name: 'n' }, memberId: null }));
    await assert.rejects(executeRun(deps, flow, run), GatewayUnavailableError);
    assert.equal((await findRunOf(deps, flow, run.key))?.state, 'running');
    script.unanswered.delete('b');
    deps.clock.advanceMs(10_000);
    assert.equal(await resumeDueRuns(deps, only(flow)), 1);
    assert.equal((await findRunOf(deps, flow, run.key))?.state, 'completed');
    assert.deepEqual(script.calls, ['run:a', 'run:b', 'run:b', 'run:c']);

    const staleScript = newScript();
    const staleFlow = sampleFlow(staleScript, { whenStale: 'compensate' });
    const stale = await transact(deps, (trx) => startRun(trx, staleFlow, { key: key(), input: { name: 'n' }, memberId: null, done: [{ step: 'a', result: {} }] }));
    deps.clock.advanceMs(61_000);
    await resumeDueRuns(deps, only(staleFlow));
    const undone = await findRunOf(deps, staleFlow, stale.key);
    assert.equal(undone?.state, 'compensated');
    assert.equal(undone?.causeCode, 'abandoned');
    assert.deepEqual(staleScript.calls, ['undo:a']);
  });

  test('issue 7.6 finished runs are pruned after 90 days (their data-map retention); unfinished ones are kept', async () => {
    const deps = suite.deps();
    const script = newScript();
    const flow = sampleFlow(script);
    const finished = await executeRun(deps, flow, await transact(deps, (trx) => startRun(trx, flow, { key: key(), input: { name: 'n' }, memberId: 'mem_old' })));
    const unfinished = await transact(deps, (trx) => startRun(trx, flow, { key: key(), input: { name: 'n' }, memberId: 'mem_old' }));
    deps.clock.advanceMs(89 * 24 * 3_600_000);
    await jobHandlers['flows-prune']!(deps, null, { id: 'job_test', type: 'flows-prune', attempt: 1 });
    assert.ok(await findRunOf(deps, flow, finished.key), 'kept for 90 days');
    deps.clock.advanceMs(2 * 24 * 3_600_000);
    await jobHandlers['flows-prune']!(deps, null, { id: 'job_test', type: 'flows-prune', attempt: 1 });
    assert.equal(await findRunOf(deps, flow, finished.key), undefined);
    assert.ok(await findRunOf(deps, flow, unfinished.key));
    assert.equal((await deps.db.selectFrom('flow_steps').select('step').where('run_id', '=', finished.id).execute()).length, 0);
  });
});
