// Drill (c), issue 13 part 4: three Patron instances on one PostgreSQL; every scheduled job and every outbox message
// runs exactly once. Needs PATRON_TEST_DATABASE_URL. `npm run bench -- drill-instances [--long]`; the short form is
// what test/e2e/drill-instances.test.ts runs in CI.
import { postgresTestUrl } from '../test/support/databases.ts';
import { formatInstancesDrillReport, runInstancesDrill } from '../test/support/drill-instances.ts';

export async function runInstancesDrillBench(options: { long: boolean }): Promise<void> {
  if (!postgresTestUrl) {
    process.stdout.write('drill (c) needs PostgreSQL: set PATRON_TEST_DATABASE_URL\n');
    return;
  }
  const log = (line: string) => process.stdout.write(`  ${line}\n`);
  const report = await runInstancesDrill(
    options.long
      ? { webhooks: 600, members: 12, concurrency: 8, clockSteps: [...Array.from({ length: 12 }, () => '7m'), ...Array.from({ length: 6 }, () => '1h'), ...Array.from({ length: 40 }, () => '1d')], log }
      : { webhooks: 30, members: 3, clockSteps: ['7m', '7m', '1h', '1d', '31d', '1d'], log },
  );
  process.stdout.write(`${formatInstancesDrillReport(report)}\n`);
}
