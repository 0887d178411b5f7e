// Drill (a), issue 13 part 4: SIGKILL `patron serve` during mixed load, restart, check every acknowledged request is
// there exactly once and the auditor is clean. `npm run bench -- drill-crash [--long]`; PostgreSQL too when
// PATRON_TEST_DATABASE_URL is set. The short form is what test/e2e/drill-crash.test.ts runs in CI.
import { postgresTestUrl, type TestDialect } from '../test/support/databases.ts';
import { formatCrashDrillReport, runCrashDrill } from '../test/support/drill-crash.ts';

export async function runCrashDrillBench(options: { long: boolean }): Promise<void> {
  const dialects: TestDialect[] = postgresTestUrl ? ['sqlite', 'postgres'] : ['sqlite'];
  for (const dialect of dialects) {
    const report = await runCrashDrill(
      options.long
        ? { dialect, operations: 3000, kills: 5, concurrency: 8, members: 12, log: (line) => process.stdout.write(`  ${line}\n`) }
        : { dialect, operations: 90, kills: 1, concurrency: 4, log: (line) => process.stdout.write(`  ${line}\n`) },
    );
    process.stdout.write(`${formatCrashDrillReport(report)}\n`);
  }
}
