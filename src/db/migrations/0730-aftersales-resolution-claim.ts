import type { Kysely } from 'kysely';

// A resolution (AS-11) takes the case for itself: `resolving_since_ms` is set in the transaction that reserves a
// refund (and cleared when the case is resolved or the gateway refused), or just before a one-transaction resolution
// resolves it. While it is set, no other move of the case is allowed (a requester's cancel racing a refund would
// otherwise leave money returned on a canceled case), and a second resolution is refused.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('aftersales_cases').addColumn('resolving_since_ms', 'bigint').execute();
}
