import { sql, type Kysely } from 'kysely';

// The agent side of after-sales (AS-10, AS-13): the link between a support case and the warranty claim an agent
// turned it into (both directions, so either case's view names the other without a search), and the queue's index.
// The queue reads open cases whose requester is known (a member, or a guest who confirmed the email, AS-1) in the
// order priority desc, created asc, id asc; 0700's index has neither the ID nor the confirmation condition, so a deep
// keyset page had to filter rows the index could not skip. This one carries both: a page is an index range seek.
// The state list and the condition are written exactly as the queue query writes them (literals, not parameters),
// so SQLite's planner can prove the query implies the partial index's condition.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('aftersales_cases').addColumn('converted_from_case_id', 'text').execute();
  await db.schema.alterTable('aftersales_cases').addColumn('converted_to_case_id', 'text').execute();
  await db.schema
    .createIndex('aftersales_cases_agent_queue')
    .on('aftersales_cases')
    .columns(['priority desc', 'created_at_ms asc', 'id asc'])
    .where(sql<boolean>`state in ('submitted', 'under_review', 'needs_info', 'approved', 'awaiting_return', 'received') and (email_confirmed_at_ms is not null or member_id is not null)`)
    .execute();
  await db.schema.dropIndex('aftersales_cases_queue').execute();
  // The queue filtered by one state (`state=resolved` lists closed cases too): equality on state and priority, then
  // the same (created_at_ms, id) range, so a page of a state with a million cases is a seek, not a sort of them all.
  await db.schema.createIndex('aftersales_cases_state_queue').on('aftersales_cases').columns(['state', 'priority', 'created_at_ms', 'id']).execute();
}
