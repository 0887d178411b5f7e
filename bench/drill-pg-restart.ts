// Drill (b), issue 13 part 4: PostgreSQL (a private instance the drill starts, never the shared cluster) is stopped
// and started under mixed load; Patron answers 503 meanwhile and recovers without a restart.
// `npm run bench -- drill-pg-restart [--long]`. The short form is what test/e2e/drill-pg-restart.test.ts runs in CI.
import { formatPostgresRestartDrillReport, runPostgresRestartDrill } from '../test/support/drill-pg-restart.ts';

export async function runPostgresRestartDrillBench(options: { long: boolean }): Promise<void> {
  const log = (line: string) => process.stdout.write(`  ${line}\n`);
  const report = await runPostgresRestartDrill(
    options.long
      ? { operations: 2000, outages: 4, answersWhileDown: 200, concurrency: 8, members: 8, log }
      : { operations: 60, outages: 1, answersWhileDown: 20, concurrency: 4, log },
  );
  process.stdout.write(`${formatPostgresRestartDrillReport(report)}\n`);
}
