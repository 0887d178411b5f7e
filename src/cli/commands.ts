// The `patron` command line (PL-11): serve, worker, migrate, seed, clock, user, credits, backup, restore, export,
// doctor, import.
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig, ConfigError, type Config } from '../config.ts';
import { transact } from '../deps.ts';
import { runDueJobs, startWorker } from '../modules.ts';
import { parseDurationMs, type SimulatedClock } from '../platform/clock.ts';
import { isAppError } from '../platform/errors.ts';
import { randomToken } from '../platform/ids.ts';
import { lowerThreadPriority } from '../platform/thread-priority.ts';
import { advanceSimulatedClock } from '../db/simulated-clock-store.ts';
import { createRuntime } from '../runtime.ts';
import { serve } from '../main.ts';
import { seedDemoData } from './seed.ts';
import { importCommand } from './import.ts';
import { exportCommand } from './export.ts';
import { doctorCommand } from './doctor.ts';
import * as accounts from '../modules/accounts/index.ts';
import * as credits from '../modules/credits/index.ts';
import { reapplyJournaledErasures, type ReapplyReport } from '../flows/index.ts';
import { backupSqlite, defaultBackupPath, isPatronBackup, isSqlite, postgresBackupHelp, replaceSqliteDatabase } from './backup.ts';

const usage = `patron <command>

  serve                       migrate, load demo data on first start (embedded default), serve HTTP + run the job worker
  worker                      run only the job worker (for extra worker instances)
  migrate                     apply database migrations and exit
  seed                        load demo data (prints the demo sign-in details)
  clock show                  print the simulated clock
  clock advance <duration>    move the simulated clock forward, e.g. 30d, 12h, 1d6h (PATRON_CLOCK=simulated only)
  jobs run                    run the jobs that are due now, once, and exit
  credits sweep               materialise due unlock and expiry postings and send the notices, once (CR-8..10)
  credits audit [--concurrency N]
                              check the whole credits ledger (LG-5); exits 1 when it finds a difference; PostgreSQL
                              audits N pages at once (1–8, default 1: the nightly job's pace)
  user create-admin --email <email> [--role admin|agent] [--password <password>]
                              create a staff user; a password is generated and printed when none is given
  backup [--to FILE]          online backup of the SQLite database (default: <data folder>/backups/); PostgreSQL:
                              prints the pg_dump command
  restore FILE                with the server stopped: replace the SQLite database with FILE, then erase again
                              every subject erased after the backup (PV-19)
  restore --reapply-only      only re-apply the erasure journal (after a pg_restore)
  export member ID [--to FILE]
                              the member's access export ZIP (the same as the privacy center's), written to FILE
  doctor [--json]             check configuration, database, migrations, SMTP, worker heartbeat, job backlog and
                              email outbox without changing anything; exit 0 ok, 1 problems, 2 usage
  import members|orders FILE.csv [--dry-run] [--country XX]
                              import members (Patron's format or a Smile.io export; balances become migrated lots)
                              or past orders; progress on stderr, rejected rows by line (docs/OPERATIONS.md)

Configuration comes from PATRON_* environment variables (see README.md).
`;

function print(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

async function run(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    print(usage);
    return command ? 0 : 1;
  }
  if (command === 'doctor') return doctorCommand(rest, print);
  const config = loadConfig();
  if (command === 'serve') {
    await serve(config);
    return -1; // keeps running
  }
  if (command === 'restore') return restore(config, rest);
  if (command === 'backup' && !isSqlite(config)) {
    print(postgresBackupHelp);
    return 2;
  }
  const runtime = await createRuntime(config);
  const { deps } = runtime;
  try {
    switch (command) {
      case 'migrate': {
        print(runtime.migrationsApplied.length > 0 ? `applied: ${runtime.migrationsApplied.join(', ')}` : 'database is up to date');
        return 0;
      }
      case 'worker': {
        // Beside a server on the same host, the server's requests go first when both want a core.
        lowerThreadPriority(config.workerNice);
        const worker = startWorker(deps);
        print('worker running; Ctrl-C to stop');
        await new Promise<void>((resolve) => {
          process.once('SIGINT', resolve);
          process.once('SIGTERM', resolve);
        });
        await worker.stop();
        return 0;
      }
      case 'export':
        return await exportCommand(deps, rest, print);
      case 'import':
        return await importCommand(deps, rest, { out: print, err: process.stderr });
      case 'seed': {
        const seeded = await seedDemoData(deps);
        print(seeded.banner);
        return 0;
      }
      case 'jobs': {
        if (rest[0] !== 'run') break;
        const count = await runDueJobs(deps, { limit: 10_000 });
        print(`ran ${count} job(s)`);
        return 0;
      }
      case 'credits': {
        if (rest[0] === 'sweep') {
          let total = 0;
          for (;;) {
            const report = await credits.runCreditsSweep(deps);
            total += report.transactions;
            if (!report.more) break;
          }
          print(`sweep done: ${total} posting transaction(s) written`);
          return 0;
        }
        if (rest[0] === 'audit') {
          const concurrency = auditConcurrency(rest.slice(1));
          if (concurrency === undefined) {
            print(auditUsage);
            return 2;
          }
          const report = await credits.runCreditsAudit(deps, { trigger: 'cli', actorId: null, concurrency });
          print(`${report.ok ? 'ledger consistent' : 'LEDGER DIFFERENCES FOUND'}: ${report.membersChecked} member(s), ${report.transactionsChecked} transaction(s), ${report.problemCount} problem(s)`);
          for (const problem of report.problems) print(`  ${JSON.stringify(problem)}`);
          return report.ok ? 0 : 1;
        }
        break;
      }
      case 'clock': {
        if (deps.clock.mode !== 'simulated') {
          print('The clock is the system clock. Start Patron with PATRON_CLOCK=simulated to move time.');
          return 2;
        }
        if (rest[0] === 'show') {
          print(new Date(deps.clock.nowMs()).toISOString());
          return 0;
        }
        if (rest[0] === 'advance' && rest[1]) {
          const nowMs = await advanceSimulatedClock(deps.db, deps.clock as SimulatedClock, parseDurationMs(rest[1]));
          print(`simulated time is now ${new Date(nowMs).toISOString()}`);
          return 0;
        }
        break;
      }
      case 'user': {
        if (rest[0] !== 'create-admin') break;
        const { values } = parseArgs({
          args: rest.slice(1),
          options: { email: { type: 'string' }, password: { type: 'string' }, role: { type: 'string', default: 'admin' } },
        });
        if (!values.email) {
          print('--email is required');
          return 2;
        }
        const role = values.role === 'agent' ? 'agent' : 'admin';
        const password = values.password ?? `${role}-${randomToken(12)}`;
        await transact(deps, (ctx) => accounts.createStaffUser(ctx, { email: values.email!, password, role }));
        print(`created ${role} ${values.email}${values.password ? '' : `\npassword (shown once): ${password}`}`);
        return 0;
      }
      case 'backup': {
        const { values } = parseArgs({ args: rest, options: { to: { type: 'string' } } });
        const to = values.to ?? defaultBackupPath(config, deps.clock.nowMs());
        await mkdir(dirname(resolve(to)), { recursive: true });
        if (existsSync(to)) {
          print(`${to} exists already; choose another --to`);
          return 2;
        }
        const pages = await backupSqlite(config, to);
        print(`backup written: ${to} (${pages} pages)`);
        return 0;
      }
      default:
        break;
    }
    print(usage);
    return 2;
  } finally {
    await runtime.close();
  }
}

function printReapplied(report: ReapplyReport): void {
  print(`re-applied ${report.reapplied.length} erasure(s) made after the backup${report.unknown > 0 ? `; ${report.unknown} journaled subject(s) not in the backup` : ''}`);
  for (const failed of report.failed) print(`  could not erase ${failed.memberId} now (${failed.code}): run \`patron restore --reapply-only\` again once its operation has finished`);
}

/** `patron restore FILE` (SQLite) and `patron restore --reapply-only` (both databases), PV-19. */
async function restore(config: Readonly<Config>, args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, options: { 'reapply-only': { type: 'boolean', default: false } }, allowPositionals: true });
  if (!values['reapply-only']) {
    if (!isSqlite(config)) {
      print(postgresBackupHelp);
      return 2;
    }
    const file = positionals[0];
    if (!file || positionals.length > 1) {
      print('usage: patron restore FILE   (stop the server first)');
      return 2;
    }
    if (!isPatronBackup(file)) {
      print(`${file} is not a Patron SQLite backup`);
      return 2;
    }
    const { keptAs } = replaceSqliteDatabase(config, file);
    print(`restored ${file}${keptAs ? ` (the previous database is kept as ${keptAs})` : ''}`);
  }
  const runtime = await createRuntime(config);
  try {
    const report = await reapplyJournaledErasures(runtime.deps);
    printReapplied(report);
    // PostgreSQL restored into another cluster: the credits event feed's transaction IDs start again (event-feed.ts).
    const rebased = await transact(runtime.deps, (trx) => credits.rebaseCreditFeed(trx));
    if (rebased.clearedRows + rebased.movedPositions > 0) print(`credits event feed rebased on this cluster's transaction IDs (${rebased.clearedRows} ledger rows from the old cluster; events they had not told are not sent)`);
    return report.failed.length > 0 ? 1 : 0;
  } finally {
    await runtime.close();
  }
}

run(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (error: unknown) => {
    if (error instanceof ConfigError || isAppError(error)) process.stderr.write(`${error.message}\n`);
    else if (error instanceof RangeError) process.stderr.write(`${error.message}\n`);
    else process.stderr.write(`patron: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);

const auditUsage = 'usage: patron credits audit [--concurrency N]   (N from 1 to 8: pages audited at once on PostgreSQL; SQLite audits one at a time)';

/** `--concurrency N` of `credits audit`, 1 when absent; undefined when the arguments are not that. */
function auditConcurrency(args: string[]): number | undefined {
  let values: { concurrency?: string };
  try {
    ({ values } = parseArgs({ args, options: { concurrency: { type: 'string' } } }));
  } catch {
    return undefined;
  }
  if (values.concurrency === undefined) return 1;
  const n = Number(values.concurrency);
  return Number.isInteger(n) && n >= 1 && n <= 8 ? n : undefined;
}
