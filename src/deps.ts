// The dependencies every part of Patron is built from: created once in main.ts (or a test), passed explicitly.
import type { Config } from './config.ts';
import type { Clock } from './platform/clock.ts';
import type { IdGenerator } from './platform/ids.ts';
import type { Logger } from './platform/logger.ts';
import type { Database, Executor } from './db/database.ts';
import type { FileStorage, MailTransport, MemberContacts, PaymentGateway, SmsProvider } from './ports/index.ts';
import type { PersonalDataMap } from './db/personal-data.ts';

/**
 * What the accounts module tells the layers above it, inside the transaction that made the change, so their work
 * commits with it (CR-1: the registration bonus with the new member; CR-2: the profile bonus with the profile). The
 * composition root wires the flows layer's handlers in (src/flows/member-bonuses.ts); accounts never imports credits.
 */
export interface MemberLifecycle {
  /** `emailClosedBefore`: the address belonged to a closed account, so no second sign-up bonus (CR-1). */
  memberCreated(ctx: Ctx, memberId: string, facts: { emailClosedBefore: boolean }): Promise<void>;
  profileCompleted(ctx: Ctx, memberId: string): Promise<void>;
  /**
   * A session was started for the member (sign-in, 2-step sign-in, sign-up, single sign-on), in its transaction.
   * `deviceId`: the browser's device cookie (src/http/device-id.ts), so its cookie choices join the account (PV-23).
   */
  signedIn(ctx: Ctx, memberId: string, facts: { deviceId: string | null }): Promise<void>;
}

/**
 * The adapters Patron talks to the outside world and to higher layers through. Built once by the runtime
 * (src/adapters.ts) or a test, never looked up from module-level state, so a test swaps any of them.
 */
export interface Ports {
  payments: PaymentGateway;
  /** Null when no SMTP server is configured: messages are held in the outbox. */
  mail: MailTransport | null;
  /**
   * Texts (NT-6): the sandbox provider unless a real one is wired in src/adapters.ts. Optional so that setups which
   * never text (benchmarks of other modules) need not name it; without one, texts are held like mail without SMTP.
   */
  sms?: SmsProvider | null;
  memberContacts: MemberContacts;
  files: FileStorage;
  memberLifecycle: MemberLifecycle;
  /**
   * Every module's personal-data declaration, as the composition root lists the modules (src/modules.ts): what the
   * privacy module's export, erasure and retention execute without importing the modules above it.
   */
  personalData: PersonalDataMap;
}

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

/**
 * Runs `work` in one transaction, handing it the same context with db set to that transaction (CONVENTIONS 3): a
 * caller holding Deps gets Deps back, so services that build links (config) or keyed tokens (secret) can run inside.
 */
export function transact<C extends Ctx, T>(ctx: C, work: (trx: C) => Promise<T>): Promise<T> {
  return ctx.db.transaction().execute((db) => work({ ...ctx, db }));
}
