// The dependencies every part of Patron is built from: created once in main.ts (or a test), passed explicitly.
import type { Config } from './config.ts';
import type { Clock } from './platform/clock.ts';
import type { IdGenerator } from './platform/ids.ts';
import type { Logger } from './platform/logger.ts';
import type { Database, Executor } from './db/database.ts';
import type { Ports } from './ports/index.ts';

/**
 * What a service function needs: a database handle (the caller's transaction), the clock, the ID generator and the
 * adapters to the outside world (payments, mail, member contacts, files).
 */
export interface Ctx {
  db: Executor;
  clock: Clock;
  ids: IdGenerator;
  ports: Ports;
}

export interface Deps extends Ctx {
  config: Readonly<Config>;
  database: Database;
  logger: Logger;
  /** Server secret (cookie signing, HMACs); from configuration or generated into the data folder (PL-17). */
  secret: string;
}

/** Runs `work` in one transaction, handing it a Ctx whose db is that transaction (CONVENTIONS 3). */
export function transact<T>(ctx: Ctx, work: (trx: Ctx) => Promise<T>): Promise<T> {
  return ctx.db.transaction().execute((db) => work({ ...ctx, db }));
}
