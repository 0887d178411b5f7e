// The lint rules that keep the clock and randomness injected (PL-1, PL-3), checked on sample code through ESLint's API.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ESLint } from 'eslint';

async function problemsIn(code: string, filePath: string): Promise<string[]> {
  const [result] = await new ESLint().lintText(code, { filePath });
  return result!.messages.map((m) => m.message);
}

test('PL-1 lint refuses the system time outside src/platform: Date.now(), new Date() and Date() without an argument', async () => {
  for (const code of ['export const t = Date.now();', 'export const t = new Date();', 'export const t = Date();']) {
    const problems = await problemsIn(code, 'src/modules/credits/sample.ts');
    assert.ok(problems.some((m) => /injected clock/.test(m)), `${code}: ${problems.join('; ')}`);
  }
  assert.deepEqual(await problemsIn('export const t = (ms: number) => new Date(ms).toISOString();', 'src/modules/credits/sample.ts'), []);
  assert.deepEqual(await problemsIn('export const t = new Date();', 'src/platform/sample.ts'), [], 'the clock itself may read the time');
});

test('PL-3 lint still refuses Math.random() and randomUUID() in src, next to the clock rules', async () => {
  for (const code of ['export const r = Math.random();', "import { randomUUID } from 'node:crypto';\nexport const r = randomUUID();"]) {
    const problems = await problemsIn(code, 'src/modules/store/sample.ts');
    assert.ok(problems.some((m) => /ID generator/.test(m)), `${code}: ${problems.join('; ')}`);
  }
});

test('PL-1 in modules and flows the clock rules and the rule against module-level mutable state hold together', async () => {
  const clock = await problemsIn('export const t = new Date();', 'src/flows/sample.ts');
  assert.ok(clock.some((m) => /injected clock/.test(m)), clock.join('; '));
  const state = await problemsIn('export let counter = 0;', 'src/modules/store/sample.ts');
  assert.ok(state.some((m) => /mutable state/.test(m)), state.join('; '));
});
