import type { Kysely } from 'kysely';

// The simulated clock's current time, shared by every process that runs against this database (PL-1).
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('simulated_clock')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('now_ms', 'bigint', (c) => c.notNull())
    .execute();
}
