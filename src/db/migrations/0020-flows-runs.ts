import { sql, type Kysely } from 'kysely';

// Durable flows (src/flows/runner.ts): one row per run of a cross-module operation with outside calls, and one row
// per step that finished, so a restarted process continues from the last recorded step and a failed compensation is
// retried instead of dropped.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('flow_runs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('type', 'text', (c) => c.notNull())
    // One run per business object (`checkout:<orderId>`): a second start of the same key is refused.
    .addColumn('key', 'text', (c) => c.notNull().unique())
    .addColumn('state', 'text', (c) => c.notNull().check(sql`state in ('running', 'completed', 'compensating', 'compensated', 'failed', 'needs_attention')`))
    // What the steps need to resume, validated by the flow's zod schema; may hold personal data, hence member_id.
    .addColumn('input', 'text', (c) => c.notNull())
    .addColumn('member_id', 'text')
    .addColumn('current_step', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    // When the resume job may next take the run: the in-process runner's lease, a backoff, or null once finished.
    .addColumn('next_attempt_at_ms', 'bigint')
    // Why the run is being undone (a gateway code, `abandoned`…) and the latest error: codes only, never free text.
    .addColumn('cause_code', 'text')
    .addColumn('last_error_code', 'text')
    .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('updated_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('finished_at_ms', 'bigint')
    .execute();
  // The resume job looks for due unfinished runs; the operator view for runs needing attention.
  await db.schema.createIndex('flow_runs_state_next_idx').on('flow_runs').columns(['state', 'next_attempt_at_ms']).execute();
  await db.schema.createIndex('flow_runs_member_idx').on('flow_runs').columns(['member_id']).execute();

  await db.schema
    .createTable('flow_steps')
    .addColumn('run_id', 'text', (c) => c.notNull().references('flow_runs.id'))
    .addColumn('step', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull().check(sql`state in ('done', 'compensated', 'compensation_failed')`))
    .addColumn('result', 'text', (c) => c.notNull())
    // Definite refusals of this step's compensation so far: each retry after a refusal asks under a new key.
    .addColumn('refusals', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_error_code', 'text')
    .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('updated_at_ms', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('flow_steps_pk', ['run_id', 'step'])
    .execute();
}
