// PostgreSQL: the hot statements as named prepared statements, parsed and planned once per connection.
//
// node-postgres sends every statement with parameters as an unnamed one (Parse, Bind, Execute), so the server parses
// and plans it again each time: pgbench, one client, `select credits_replay_from_snapshot($1, $2)` 0.30–0.43 ms
// unnamed against 0.27–0.30 ms prepared, a primary-key read 0.077–0.111 against 0.046–0.056 ms (docs/PERFORMANCE.md,
// "Session 34"). A module marks such a statement once, where it defines its text; every connection of the pool then
// sends that text under one name, whoever runs it (Kysely's executor, a transaction, a group commit's connection).
// Only fixed texts are marked: a name holds one text for the life of the connection.
import type pg from 'pg';

const names = new Map<string, string>();

/** Marks `text` (PostgreSQL placeholders `$1…`) to run as a named prepared statement; returns it unchanged. */
export function preparedStatement(text: string): string {
  if (!names.has(text)) names.set(text, `patron_${names.size + 1}`);
  return text;
}

/** Whether marked statements run named; a benchmark's switch for its before/after (on by default). */
let enabled = true;
export function configurePreparedStatements(options: { enabled: boolean }): void {
  enabled = options.enabled;
}

type Query = (config: unknown, values?: unknown, callback?: unknown) => unknown;

/** Makes `client` send marked statements by name (the pool calls this once for each connection it opens). */
export function nameMarkedStatements(client: pg.PoolClient): void {
  const query = client.query as unknown as Query;
  const named: Query = function (this: pg.PoolClient, config, values, callback) {
    const name = enabled && typeof config === 'string' ? names.get(config) : undefined;
    if (name === undefined || typeof values === 'function') return query.call(this, config, values, callback);
    return query.call(this, { name, text: config, values }, callback);
  };
  (client as unknown as { query: Query }).query = named;
}
