// `patron backup` and `patron restore` (PL-8, PV-19). SQLite: an online backup through node:sqlite's backup() (the
// server may keep running), and a restore that replaces the database file while the server is stopped, then erases
// again every subject of the erasure journal (the data folder's privacy/erasures.jsonl) that the restored registry
// does not list. PostgreSQL: pg_dump and pg_restore are the tools; `patron restore --reapply-only` re-applies the
// journal after them.
import { copyFileSync, existsSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { backup, DatabaseSync } from 'node:sqlite';
import type { Config } from '../config.ts';
import { dialectOf } from '../db/database.ts';

export const postgresBackupHelp = `PostgreSQL installations are backed up with the database's own tools:

  pg_dump --format=custom --file=patron-$(date -u +%Y%m%dT%H%M%SZ).dump "$PATRON_DATABASE_URL"

and restored, with Patron stopped, into an empty database:

  pg_restore --clean --if-exists --no-owner --dbname="$PATRON_DATABASE_URL" patron-<time>.dump
  patron restore --reapply-only     # erases again every subject erased after the dump (PV-19) and, restored
                                    # into another cluster, rebases the credits event feed on its transaction IDs

Keep the data folder (PATRON_DATA_DIR, with privacy/erasures.jsonl) out of the database backup: it is the journal
that restore re-applies.`;

export function isSqlite(config: Readonly<Config>): boolean {
  return dialectOf(config.database.url) === 'sqlite';
}

/** The default backup file: `<data folder>/backups/patron-<UTC time>.sqlite`. */
export function defaultBackupPath(config: Readonly<Config>, nowMs: number): string {
  const stamp = new Date(nowMs).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return join(config.dataDir, 'backups', `patron-${stamp}.sqlite`);
}

/** An online backup of the SQLite database (consistent while the server writes). Returns the pages copied. */
export async function backupSqlite(config: Readonly<Config>, to: string): Promise<number> {
  const source = new DatabaseSync(config.database.url, { readOnly: true });
  try {
    return await backup(source, resolve(to));
  } finally {
    source.close();
  }
}

/** Whether the file is an SQLite database with Patron's tables (a guard against restoring the wrong file). */
export function isPatronBackup(path: string): boolean {
  if (!existsSync(path)) return false;
  try {
    const db = new DatabaseSync(path, { readOnly: true });
    try {
      const row = db.prepare(`select count(*) as n from sqlite_master where type = 'table' and name in ('members', 'schema_migrations')`).get() as { n: number } | undefined;
      return row?.n === 2;
    } finally {
      db.close();
    }
  } catch {
    return false;
  }
}

/**
 * Replaces the database file with the backup (the server must be stopped): the current file is kept beside it as
 * `<name>.before-restore`, the backup is copied next to the target and renamed over it (atomic on one file system),
 * and the old write-ahead log is removed so it is not replayed onto the restored file.
 */
export function replaceSqliteDatabase(config: Readonly<Config>, from: string): { keptAs: string | null } {
  const target = resolve(config.database.url);
  const staging = join(dirname(target), `.${basename(target)}.restoring`);
  copyFileSync(resolve(from), staging);
  let keptAs: string | null = null;
  if (existsSync(target)) {
    keptAs = `${target}.before-restore`;
    copyFileSync(target, keptAs);
  }
  for (const suffix of ['-wal', '-shm']) rmSync(`${target}${suffix}`, { force: true });
  renameSync(staging, target);
  return { keptAs };
}
