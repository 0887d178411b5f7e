import { PostgresAdapter, sql, type Kysely } from 'kysely';

// PostgreSQL only (issue 12, PF-4): a group of spends in one statement. Until now a group of spends was a
// transaction with a savepoint and a `credits_spend` call per spend (BEGIN, 2 round trips a spend, the events,
// COMMIT); now it is BEGIN, this call, the events, COMMIT. The group's accounts are locked first, in member order,
// as every other group locks them (no deadlock between groups). Each spend runs in a block of its own: one that
// raises leaves nothing behind and answers `fallback`, and its caller takes the general path, where the error (if
// it is one) reaches that caller only. A key repeated within the group answers `replay` (the first spend's row is
// visible to the second), as it would one after the other.
export async function up(db: Kysely<any>): Promise<void> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
  await sql`
    create or replace function credits_spend_group(p jsonb) returns jsonb language plpgsql as $$
    declare
      members text[] := array(select distinct value->>'memberId' from jsonb_array_elements(p));
      op jsonb;
      answer json;
      answers jsonb[] := '{}';
    begin
      perform 1 from credit_accounts where member_id = any(members) order by member_id for update;
      for op in select value from jsonb_array_elements(p) loop
        begin
          answer := credits_spend(op);
        exception when others then
          answer := json_build_object('status', 'fallback');
        end;
        answers := answers || answer::jsonb;
      end loop;
      return to_jsonb(answers);
    end $$`.execute(db);
}
