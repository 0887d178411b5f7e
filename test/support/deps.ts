// Test dependencies: a real database, a simulated clock that tests move, real time-sortable IDs, silent logs.
import { loadConfig } from '../../src/config.ts';
import type { Deps } from '../../src/deps.ts';
import { createSimulatedClock, type SimulatedClock } from '../../src/platform/clock.ts';
import { createIdGenerator } from '../../src/platform/ids.ts';
import { createLogger } from '../../src/platform/logger.ts';
import type { Ports } from '../../src/deps.ts';
import { createSandboxSmsProvider, type MemberContacts } from '../../src/ports/index.ts';
import { memberLifecycle } from '../../src/flows/member-lifecycle.ts';
import { installationPersonalData } from '../../src/adapters.ts';
import { createMemoryFileStorage } from '../../src/ports/local-file-storage.ts';
import { memberContacts } from '../../src/modules/accounts/index.ts';
import { createSmtpTransport } from '../../src/modules/notifications/index.ts';
import { createSandboxGateway } from '../../src/modules/payments/index.ts';
import { openTestDatabase, type TestDatabase, type TestDialect } from './databases.ts';

export interface TestDeps extends Deps {
  clock: SimulatedClock;
  database: TestDatabase;
}

/**
 * For tests whose members exist only as IDs in the ledger (credits-fixtures' newMemberId): an ID accounts does not
 * know counts as an active program member; real members answer as themselves, contacts included.
 */
export const ledgerOnlyMembers: MemberContacts = {
  contactOf: (db, memberId) => memberContacts.contactOf(db, memberId),
  memberStatus: async (db, memberId) => (await memberContacts.memberStatus(db, memberId)) ?? 'active',
};

/** 2026-03-02T17:00:00Z, a Monday morning in Los Angeles; tests move the clock from here. */
export const testStartMs = Date.parse('2026-03-02T17:00:00.000Z');

export async function createTestDeps(
  dialect: TestDialect,
  options: { startMs?: number; environment?: Record<string, string>; poolSize?: number; ports?: Partial<Ports>; migrateBefore?: string } = {},
): Promise<TestDeps> {
  const database = await openTestDatabase(dialect, { poolSize: options.poolSize, migrateBefore: options.migrateBefore });
  const clock = createSimulatedClock(options.startMs ?? testStartMs);
  const config = loadConfig({
    PATRON_DATA_DIR: '/tmp/patron-test',
    PATRON_DATABASE_URL: dialect === 'sqlite' ? ':memory:' : 'postgres://test',
    PATRON_CLOCK: 'simulated',
    PATRON_SECRET: 'test-secret-test-secret-test-secret-0123456789',
    PATRON_LOG_LEVEL: 'silent',
    PATRON_PUBLIC_URL: 'http://patron.test',
    ...options.environment,
  });
  // The sandbox answers `tok_fail_after_delay` at once here; tests that need the delay swap in their own gateway.
  const ports: Ports = {
    payments: createSandboxGateway({ database, clock }, { failureDelayMs: 0 }),
    mail: config.mail.smtpUrl ? createSmtpTransport(config.mail.smtpUrl) : null,
    sms: createSandboxSmsProvider(clock),
    memberContacts,
    files: createMemoryFileStorage(),
    memberLifecycle,
    personalData: installationPersonalData(),
    ...options.ports,
  };
  return {
    config,
    database,
    db: database.db,
    clock,
    ids: createIdGenerator(clock),
    logger: createLogger('silent'),
    secret: config.secret!,
    ports,
  };
}
