// Shared pieces of the benchmarks: percentiles and the SQLite ceilings (one insert + one update per transaction, and
// a primary-key read) that each bench measures in the same run as the operation it reports a ratio for.
import { DatabaseSync } from 'node:sqlite';
import { join } from 'node:path';

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/**
 * Transactions per second that insert one row (unique key) and update another, in `<dir>/ceiling-<synchronous>.sqlite`.
 * `begin` is how each transaction starts: `begin immediate` is what the application's adapter does for writes.
 */
export function sqliteWriteCeiling(dir: string, options: { synchronous: 'NORMAL' | 'FULL'; seconds: number; begin?: 'begin' | 'begin immediate' }): number {
  const db = new DatabaseSync(join(dir, `ceiling-${options.synchronous}.sqlite`));
  db.exec(`PRAGMA journal_mode = WAL; PRAGMA synchronous = ${options.synchronous};
    create table entries (key text primary key, amount integer not null);
    create table balances (id integer primary key, balance integer not null);`);
  const seed = db.prepare('insert into balances values (?, 0)');
  db.exec('begin');
  for (let i = 0; i < 10_000; i++) seed.run(i);
  db.exec('commit');
  const insert = db.prepare('insert into entries values (?, ?)');
  const update = db.prepare('update balances set balance = balance + ? where id = ?');
  const begin = options.begin ?? 'begin';
  const start = performance.now();
  const end = start + options.seconds * 1000;
  let n = 0;
  while (performance.now() < end) {
    for (let k = 0; k < 100; k++, n++) {
      db.exec(begin);
      insert.run(`key-${String(n).padStart(12, '0')}`, 1);
      update.run(1, n % 10_000);
      db.exec('commit');
    }
  }
  const rate = n / ((performance.now() - start) / 1000);
  db.close();
  return rate;
}

/** Primary-key reads per second from the NORMAL write ceiling's database (run that one first). */
export function sqliteReadCeiling(dir: string, seconds: number): number {
  const db = new DatabaseSync(join(dir, 'ceiling-NORMAL.sqlite'));
  const read = db.prepare('select * from balances where id = ?');
  const start = performance.now();
  const end = start + seconds * 1000;
  let n = 0;
  while (performance.now() < end) for (let k = 0; k < 1000; k++, n++) read.get(n % 10_000);
  const rate = n / ((performance.now() - start) / 1000);
  db.close();
  return rate;
}
