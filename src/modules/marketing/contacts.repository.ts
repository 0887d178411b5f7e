// SQL for the contact list, the suppression list and pending double opt-in confirmations.
import type { Executor } from '../../db/database.ts';
import { marketingTables, type Channel, type ConfirmationRow, type ContactRow, type ContactState, type SuppressionReason, type SuppressionRow } from './marketing.table.ts';

export function findContact(db: Executor, channel: Channel, address: string): Promise<ContactRow | undefined> {
  return marketingTables(db).selectFrom('marketing_contacts').selectAll().where('channel', '=', channel).where('address', '=', address).executeTakeFirst();
}

export function selectMemberContacts(db: Executor, memberId: string): Promise<ContactRow[]> {
  return marketingTables(db).selectFrom('marketing_contacts').selectAll().where('member_id', '=', memberId).orderBy('id').execute();
}

/** Inserts the contact or moves the existing one to the given state (and member, region when known). */
export async function upsertContact(db: Executor, row: ContactRow): Promise<void> {
  await marketingTables(db)
    .insertInto('marketing_contacts')
    .values(row)
    .onConflict((oc) =>
      oc.columns(['channel', 'address']).doUpdateSet((eb) => ({
        state: row.state,
        updated_at_ms: row.updated_at_ms,
        member_id: eb.fn.coalesce(eb.ref('excluded.member_id'), eb.ref('marketing_contacts.member_id')),
        region: eb.fn.coalesce(eb.ref('excluded.region'), eb.ref('marketing_contacts.region')),
      })),
    )
    .execute();
}

export async function setContactState(db: Executor, channel: Channel, address: string, state: ContactState, atMs: number): Promise<void> {
  await marketingTables(db).updateTable('marketing_contacts').set({ state, updated_at_ms: atMs }).where('channel', '=', channel).where('address', '=', address).execute();
}

/** The next page of subscribed contacts of a channel after `afterId` (a campaign's send cursor), optionally in a country. */
export function selectSubscribedContacts(db: Executor, filter: { channel: Channel; afterId: string | null; country: string | null; limit: number }): Promise<ContactRow[]> {
  let query = marketingTables(db).selectFrom('marketing_contacts').selectAll().where('channel', '=', filter.channel).where('state', '=', 'subscribed');
  if (filter.afterId !== null) query = query.where('id', '>', filter.afterId);
  if (filter.country !== null) query = query.where((eb) => eb.or([eb('region', '=', filter.country), eb('region', 'like', `${filter.country}-%`)]));
  return query.orderBy('id').limit(filter.limit).execute();
}

/** Counts for the audience preview: subscribed contacts, and how many of them are on the suppression list. */
export async function countAudience(db: Executor, filter: { channel: Channel; country: string | null }): Promise<{ listed: number; suppressed: number }> {
  let query = marketingTables(db).selectFrom('marketing_contacts as c').where('c.channel', '=', filter.channel).where('c.state', '=', 'subscribed');
  if (filter.country !== null) query = query.where((eb) => eb.or([eb('c.region', '=', filter.country), eb('c.region', 'like', `${filter.country}-%`)]));
  const row = await query
    .leftJoin('marketing_suppressions as s', (join) => join.onRef('s.channel', '=', 'c.channel').onRef('s.address', '=', 'c.address'))
    .select((eb) => [eb.fn.countAll<number | string>().as('listed'), eb.fn.count<number | string>('s.id').as('suppressed')])
    .executeTakeFirstOrThrow();
  return { listed: Number(row.listed), suppressed: Number(row.suppressed) };
}

export async function insertSuppression(db: Executor, row: SuppressionRow): Promise<boolean> {
  const result = await marketingTables(db).insertInto('marketing_suppressions').values(row).onConflict((oc) => oc.columns(['channel', 'address']).doNothing()).executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
}

export function findSuppression(db: Executor, channel: Channel, address: string): Promise<SuppressionRow | undefined> {
  return marketingTables(db).selectFrom('marketing_suppressions').selectAll().where('channel', '=', channel).where('address', '=', address).executeTakeFirst();
}

/** Of these addresses, those on the suppression list (one query for a send batch). */
export async function selectSuppressedAmong(db: Executor, channel: Channel, addresses: readonly string[]): Promise<Set<string>> {
  if (addresses.length === 0) return new Set();
  const rows = await marketingTables(db).selectFrom('marketing_suppressions').select('address').where('channel', '=', channel).where('address', 'in', addresses).execute();
  return new Set(rows.map((r) => r.address));
}

export async function deleteSuppression(db: Executor, channel: Channel, address: string, reasons: readonly SuppressionReason[]): Promise<boolean> {
  const result = await marketingTables(db).deleteFrom('marketing_suppressions').where('channel', '=', channel).where('address', '=', address).where('reason', 'in', reasons).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export function selectSuppressions(db: Executor, filter: { channel?: Channel; search?: string; limit: number; before?: string }): Promise<SuppressionRow[]> {
  let query = marketingTables(db).selectFrom('marketing_suppressions').selectAll();
  if (filter.channel) query = query.where('channel', '=', filter.channel);
  if (filter.search) query = query.where('address', 'like', `%${filter.search.replace(/[\\%_]/g, '')}%`);
  if (filter.before) query = query.where('id', '<', filter.before);
  return query.orderBy('id', 'desc').limit(filter.limit).execute();
}

export async function insertConfirmation(db: Executor, row: ConfirmationRow): Promise<void> {
  await marketingTables(db).insertInto('marketing_confirmations').values(row).execute();
}

/** Takes a confirmation once: marks it used, guarded by `used_at_ms is null` and its expiry, and returns it. */
export async function takeConfirmation(db: Executor, tokenHash: string, nowMs: number): Promise<ConfirmationRow | undefined> {
  const row = await marketingTables(db).selectFrom('marketing_confirmations').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
  if (!row || row.used_at_ms !== null || nowMs >= Number(row.expires_at_ms)) return undefined;
  const result = await marketingTables(db).updateTable('marketing_confirmations').set({ used_at_ms: nowMs }).where('token_hash', '=', tokenHash).where('used_at_ms', 'is', null).executeTakeFirst();
  return Number(result.numUpdatedRows) === 1 ? row : undefined;
}
