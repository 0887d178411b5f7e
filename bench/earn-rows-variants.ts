// `npm exec -- node bench/earn-rows-variants.ts [members] [seconds] [rounds] [none]`: what each part of an earn's
// data model costs on SQLite (issue 12, PF-1). Loads the ledger bench's dataset once, then, alternating in rounds,
// writes an earn's rows by raw statements into a copy of it (earn-rows-ceiling.ts) as the model is and with one part
// changed or left out, beside the C_sqlite ceiling, with each earn's time split by statement and COMMIT. A development
// aid for choosing the next change to the model, not a CI script.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { openDatabase } from '../src/db/database.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { sqliteWriteCeiling } from './ceilings.ts';
import { sqliteEarnRowsProfile, type EarnRowsVariant } from './earn-rows-ceiling.ts';
import { loadDataset } from './ledger-dataset.ts';

const members = Number(process.argv[2] ?? 20_000);
const seconds = Number(process.argv[3] ?? 2);
const rounds = Number(process.argv[4] ?? 2);
// `none`: no checkpoint while measuring (the WAL grows): what copying the WAL into the database file costs.
const checkpoints = process.argv[5] === 'none' ? 'none' : 'background';
const variants: Record<string, EarnRowsVariant> = {
  'as the model is': {},
  'lots as rows (before 0429)': { lotRows: true },
  'lots as a rowid table': { rowidLots: true },
  'one lot per earn': { oneLot: true },
  'no idempotent answer': { noResult: true },
  'rowid lots, one lot': { rowidLots: true, oneLot: true },
  'no lots': { noLots: true },
  'the transaction row alone': { transactionOnly: true },
};
const dir = mkdtempSync(join(tmpdir(), 'patron-earn-rows-'));
try {
  const file = join(dir, 'ledger.sqlite');
  const database = await openDatabase({ url: file });
  await migrateToLatest(database.db);
  await loadDataset(database, members, 10);
  await sql`PRAGMA wal_checkpoint(TRUNCATE)`.execute(database.db);
  await database.close();
  for (let round = 0; round < rounds; round++) {
    // The ceiling creates its tables: a fresh file each round.
    for (const suffix of ['', '-wal', '-shm']) rmSync(join(dir, `ceiling-NORMAL.sqlite${suffix}`), { force: true });
    const ceiling = sqliteWriteCeiling(dir, { synchronous: 'NORMAL', seconds });
    process.stdout.write(`round ${round + 1}: C_sqlite ${ceiling.toFixed(0)} tx/s\n`);
    for (const [name, variant] of Object.entries(variants)) {
      const { perSecond, perEarnUs: us } = await sqliteEarnRowsProfile(file, seconds, { variant, checkpoints });
      process.stdout.write(
        `  ${name.padEnd(28)} ${perSecond.toFixed(0).padStart(6)} earns/s  ${(perSecond / ceiling).toFixed(2)} × C_sqlite  ` +
          `µs per earn: transaction ${us.transaction.toFixed(1)}, lots ${us.lots.toFixed(1)}, account ${us.account.toFixed(1)}, COMMIT ${us.commit.toFixed(1)}\n`,
      );
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
