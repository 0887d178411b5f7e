// SQL for campaigns, their deliveries, per-campaign opt-outs and tracking events.
import type { Executor } from '../../db/database.ts';
import { marketingTables, type CampaignOptOutRow, type CampaignRow, type CampaignState, type DeliveryRow, type TrackingEventRow } from './marketing.table.ts';

export async function insertCampaign(db: Executor, row: CampaignRow): Promise<void> {
  await marketingTables(db).insertInto('marketing_campaigns').values(row).execute();
}

export function findCampaign(db: Executor, id: string): Promise<CampaignRow | undefined> {
  return marketingTables(db).selectFrom('marketing_campaigns').selectAll().where('id', '=', id).executeTakeFirst();
}

export function selectCampaigns(db: Executor, limit: number): Promise<CampaignRow[]> {
  return marketingTables(db).selectFrom('marketing_campaigns').selectAll().orderBy('id', 'desc').limit(limit).execute();
}

/** A guarded update: changes the campaign only while it is in one of `from`; returns whether it did. */
export async function updateCampaign(db: Executor, id: string, from: readonly CampaignState[], changes: Partial<CampaignRow>): Promise<boolean> {
  const result = await marketingTables(db).updateTable('marketing_campaigns').set(changes).where('id', '=', id).where('state', 'in', from).executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Advances a sending campaign's cursor from the value the batch started at (so a repeated batch changes nothing). */
export async function advanceCampaign(db: Executor, id: string, input: { fromCursor: string | null; toCursor: string | null; queued: number; skipped: number; done: boolean; nowMs: number }): Promise<boolean> {
  let query = marketingTables(db)
    .updateTable('marketing_campaigns')
    .set((eb) => ({
      cursor: input.toCursor,
      queued_count: eb('queued_count', '+', input.queued),
      skipped_count: eb('skipped_count', '+', input.skipped),
      updated_at_ms: input.nowMs,
      ...(input.done ? { state: 'sent' as const, completed_at_ms: input.nowMs } : {}),
    }))
    .where('id', '=', id)
    .where('state', '=', 'sending');
  query = input.fromCursor === null ? query.where('cursor', 'is', null) : query.where('cursor', '=', input.fromCursor);
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function insertDeliveries(db: Executor, rows: readonly DeliveryRow[]): Promise<void> {
  for (let start = 0; start < rows.length; start += 100) {
    await marketingTables(db).insertInto('marketing_deliveries').values(rows.slice(start, start + 100)).onConflict((oc) => oc.columns(['campaign_id', 'contact_id']).doNothing()).execute();
  }
}

export function findDelivery(db: Executor, id: string): Promise<DeliveryRow | undefined> {
  return marketingTables(db).selectFrom('marketing_deliveries').selectAll().where('id', '=', id).executeTakeFirst();
}

export function selectDeliveries(db: Executor, campaignId: string, limit: number): Promise<DeliveryRow[]> {
  return marketingTables(db).selectFrom('marketing_deliveries').selectAll().where('campaign_id', '=', campaignId).orderBy('id').limit(limit).execute();
}

export async function insertCampaignOptOut(db: Executor, row: CampaignOptOutRow): Promise<boolean> {
  const result = await marketingTables(db).insertInto('marketing_campaign_optouts').values(row).onConflict((oc) => oc.columns(['campaign_id', 'channel', 'address']).doNothing()).executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
}

export async function hasCampaignOptOut(db: Executor, campaignId: string, channel: string, address: string): Promise<boolean> {
  const row = await marketingTables(db).selectFrom('marketing_campaign_optouts').select('campaign_id').where('campaign_id', '=', campaignId).where('channel', '=', channel as 'email').where('address', '=', address).executeTakeFirst();
  return row !== undefined;
}

/** Of these addresses, those with a per-campaign opt-out (one query for a send batch). */
export async function selectCampaignOptOuts(db: Executor, campaignId: string, channel: string, addresses: readonly string[]): Promise<Set<string>> {
  if (addresses.length === 0) return new Set();
  const rows = await marketingTables(db).selectFrom('marketing_campaign_optouts').select('address').where('campaign_id', '=', campaignId).where('channel', '=', channel as 'email').where('address', 'in', addresses).execute();
  return new Set(rows.map((r) => r.address));
}

export async function insertTrackingEvent(db: Executor, row: TrackingEventRow): Promise<void> {
  await marketingTables(db).insertInto('marketing_tracking_events').values(row).execute();
}

export async function countTracking(db: Executor, campaignId: string): Promise<{ opens: number; clicks: number }> {
  const rows = await marketingTables(db).selectFrom('marketing_tracking_events').select(['kind', (eb) => eb.fn.countAll<number | string>().as('n')]).where('campaign_id', '=', campaignId).groupBy('kind').execute();
  const of = (kind: string) => Number(rows.find((r) => r.kind === kind)?.n ?? 0);
  return { opens: of('open'), clicks: of('click') };
}
