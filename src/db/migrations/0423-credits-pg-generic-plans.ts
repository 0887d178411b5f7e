import { PostgresAdapter, sql, type Kysely } from 'kysely';

// PostgreSQL only (issue 12, PF-3/PF-5): the append group's function plans its statements once per connection. A
// PL/pgSQL statement with parameters starts on custom plans (planned again for every call) and keeps them when they
// look no dearer than the generic one, which the group's big statement always did: perf on the server under 16
// earners put ~10 % of the backends' CPU in planning inside this function. With generic plans, measured alternating
// in one process (20,000 members, 16 callers, five pairs of 4 s rounds): 192–217 µs of server CPU per earn against
// 207–234, earns 4.3–5.0k/s against 4.1–4.8k/s. The plans are index lookups whatever the group's size, so the
// generic plan is the same plan. A later `create or replace function credits_append_group` drops this setting
// unless it repeats it (test/modules/credits-pg-plans.test.ts fails then).
export async function up(db: Kysely<any>): Promise<void> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
  await sql`alter function credits_append_group(jsonb) set plan_cache_mode = force_generic_plan`.execute(db);
}
