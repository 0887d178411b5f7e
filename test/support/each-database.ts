// Runs a suite once per test database: `describeEachDatabase('credits', (use) => { … })`.
import { after, before, describe } from 'node:test';
import { testDialects, type TestDialect } from './databases.ts';
import type { Ports } from '../../src/deps.ts';
import { createTestDeps, type TestDeps } from './deps.ts';

export interface SuiteContext {
  dialect: TestDialect;
  /** The suite's dependencies (one fresh database per suite and dialect), ready inside each test. */
  deps(): TestDeps;
}

export function describeEachDatabase(name: string, body: (suite: SuiteContext) => void, options: { startMs?: number; poolSize?: number; ports?: Partial<Ports> } = {}): void {
  for (const dialect of testDialects()) {
    describe(`${name} [${dialect}]`, () => {
      let current: TestDeps | undefined;
      before(async () => {
        current = await createTestDeps(dialect, options);
      });
      after(async () => {
        await current?.database.dispose();
      });
      body({
        dialect,
        deps() {
          if (!current) throw new Error('deps() is only available inside a test');
          return current;
        },
      });
    });
  }
}
