// Which columns can hold personal data, and whether a personal-data map covers a schema (PV-16). Pure: the test
// reads the schema of a freshly migrated database (schema-introspection.ts) and hands it here.
//
// The rule, in order:
//   1. A column that points at a person (`member_id`, `actor_id`, `customer_id`, `*_member_id`…) is always declared.
//   2. Any other column whose name says personal (email, name, phone, address parts, birth, ip, user agent, notes,
//      reasons, messages, bodies, payloads, tokens, tracking…) or whose type can hold text (text, varchar, json…)
//      is declared, unless the small allowlist below exempts it with a reason.
// So a new free-text or JSON column is caught by default; only numbers, flags and times with neutral names pass
// without a word, and every exemption is written down with why it cannot hold personal data.
import { memberColumnOf, personalDataCategories, recordTimeColumns, retentionClasses, type PersonalDataMap } from './personal-data.ts';
import type { SchemaColumn } from './schema-introspection.ts';

/** Rule 1: references to a person. Never exempt. */
const personReference = /(^|_)(member|actor|customer|user|person|guest|recipient|requester|staff|owner|agent|approver|device|session)_id$/;

/** Rule 2, by name: what a person is, how to reach them, what they or others wrote about them, their secrets. */
const personalName =
  /e_?mail|phone|name$|address|line[12]$|city|postal|zip|region|country|birth|(^|_)ip(_|$)|user_agent|language|locale|gender|(^|_)age(_|$)|latitude|longitude|note|detail|reason|message|comment|description|text$|html|subject|body|payload|response|(^|_)data$|json|token|secret|password|otp|nonce|verifier|tracking/;

/** Rule 2, by type: anything that can carry characters (SQLite affinity names and PostgreSQL data types). */
const textualType = /char|text|clob|json|blob|bytea|uuid|inet|cidr/;

export interface AllowlistEntry {
  /** Tables the entry applies to; omitted: every table. */
  tables?: readonly string[];
  columns: readonly string[] | RegExp;
  /** Why these columns cannot hold personal data. */
  why: string;
}

/**
 * Columns that can carry text yet never hold personal data. Keep it short: each entry is a claim a reviewer checks,
 * and a stale entry (matching no column) fails the test.
 */
export const nonPersonalColumns: readonly AllowlistEntry[] = [
  {
    columns: /^(id|[a-z_]+_id|address_number)$/,
    why: "The row's own key or a reference to another row, made by the ID generator or by the outside system that owns the row. It names a row, not a person; that row's personal columns are declared where it lives. References to a person (member_id, actor_id, customer_id…) are never exempt (rule 1).",
  },
  {
    columns: ['status', 'state', 'kind', 'type', 'role', 'actor_role', 'requested_by_role', 'decided_by_role', 'source', 'channel', 'category', 'purpose', 'topic', 'template', 'trigger', 'operation', 'account', 'gateway', 'marketplace', 'refund_state', 'action', 'scopes', 'step', 'current_step', 'delivery', 'keyword'],
    why: 'A value from a closed set fixed in code (a CHECK constraint or a zod enum: states, kinds, roles, job types, template names, audit action names, API scopes, flow step names, recognised SMS keywords), never typed by a person.',
  },
  {
    columns: ['currency', 'sku', 'code', 'discount_code', 'reason_code', 'failure_code', 'payment_failure_code', 'key_prefix', 'response_status', 'carrier', 'cause_code', 'last_error_code'],
    why: 'A short machine code: an ISO currency, a product SKU, a discount code, an error code, the public prefix of an API key, an HTTP status, a shipping company (≤ 50 characters, checked by the schema).',
  },
  {
    tables: ['credit_transactions', 'store_refunds'],
    columns: ['reason'],
    why: 'An enumerated reason code (the ledger operation or adjustmentReasonCodes; refundReasons); the free-text explanation lives in `note`, which is declared.',
  },
  {
    columns: ['request_hash', 'hash', 'prev_hash', 'last_hash'],
    why: 'A SHA-256 digest of a request (to recognise a retry) or of the audit chain: it cannot be read back. Digests of secrets (token_hash, password_hash…) are credentials and are declared.',
  },
  {
    columns: ['key', 'idem_key', 'idem_scope', 'dedupe_key', 'idempotency_key', 'external_ref', 'cursor'],
    why: 'A deterministic key made of job types, time slots and row IDs, a client-chosen Idempotency-Key (PL-4) or the storefront\'s order and refund numbers: references, never contact details. A campaign’s `cursor` is the contact-list row ID its sending reached, a credits event reader’s (credit_event_cursors, `key` its fixed name) the ledger row it read up to.',
  },
  {
    columns: ['last_error'],
    why: 'Written only through describeErrorSafely (src/jobs/safe-error.ts), which keeps error names and codes and drops messages that may quote an address or a value.',
  },
  {
    columns: ['ship_by_date', 'deliver_by_date'],
    why: 'A calendar date computed from the shipping promise (ST-5, MB-8): about the parcel, not the person.',
  },
  {
    tables: ['store_products', 'store_reward_items', 'store_tax_rates', 'store_order_lines', 'store_redemptions', 'privacy_consent_notices', 'marketing_campaigns'],
    columns: ['name', 'description', 'region', 'text', 'subject', 'body', 'audience'],
    why: 'Texts written by staff for everyone: catalog texts about products, rewards and tax regions, product titles copied onto order lines and redemptions, the notice a consent purpose is asked with (PV-22), and a promotional campaign as staff wrote it for everyone on its list with its audience filter (no recipient in it).',
  },
  {
    tables: ['api_keys'],
    columns: ['name'],
    why: "The label an admin gives an integration's API key (\"Storefront sync\"); the admin is declared in created_by_member_id.",
  },
  {
    tables: ['jobs'],
    columns: ['locked_by'],
    why: 'The ID of the worker process holding the job (host and process), not of a person.',
  },
  {
    tables: ['store_webhook_events'],
    columns: ['shop_domain'],
    why: "The sending storefront's shop domain: the business, not its customer.",
  },
  {
    tables: ['sandbox_gateway_payments', 'sandbox_gateway_requests'],
    columns: ['token', 'response'],
    why: "The sandbox gateway's own books: its tokens are a fixed set of test tokens (any other is refused) and its answers hold gateway IDs, amounts and status codes. A real gateway keeps its books outside Patron.",
  },
  {
    tables: ['idempotency_keys'],
    columns: ['scope'],
    why: 'The route an Idempotency-Key belongs to, as a pattern (`POST /api/v1/me/orders/:orderId/cancel`): the caller is the separate, declared `caller` column.',
  },
  {
    tables: ['credit_audit_runs'],
    columns: ['totals'],
    why: "The auditor's program-wide sums of credits per bucket: numbers about the whole program, no member in them.",
  },
];

const shortRetention = new Set<string>(['security_log', 'operational_short']);

/** Tables written only by the migrator (schema-introspection.ts), not by Patron's code. */
const exemptTables = new Set(['schema_migrations', 'schema_migrations_lock']);

function allowlisted(entry: AllowlistEntry, column: SchemaColumn): boolean {
  if (entry.tables && !entry.tables.includes(column.table)) return false;
  return Array.isArray(entry.columns) ? entry.columns.includes(column.column) : (entry.columns as RegExp).test(column.column);
}

/** Whether the rule above requires a declaration for this column. */
export function canHoldPersonalData(column: SchemaColumn, allowlist: readonly AllowlistEntry[] = nonPersonalColumns): boolean {
  if (exemptTables.has(column.table)) return false;
  if (personReference.test(column.column)) return true;
  if (!personalName.test(column.column) && !textualType.test(column.type)) return false;
  return !allowlist.some((entry) => allowlisted(entry, column));
}

/** Each allowlisted name (or pattern) that matches no column of the schema. */
function staleEntries(schema: readonly SchemaColumn[], allowlist: readonly AllowlistEntry[]): string[] {
  const stale: string[] = [];
  for (const entry of allowlist) {
    const inTables = schema.filter((column) => !entry.tables || entry.tables.includes(column.table));
    const where = entry.tables ? entry.tables.join(', ') : 'any table';
    if (Array.isArray(entry.columns)) {
      for (const name of entry.columns as readonly string[]) if (!inTables.some((column) => column.column === name)) stale.push(`${name} (${where})`);
    } else if (!inTables.some((column) => (entry.columns as RegExp).test(column.column))) stale.push(`${String(entry.columns)} (${where})`);
    for (const table of entry.tables ?? []) if (!schema.some((column) => column.table === table)) stale.push(`table ${table}`);
  }
  return stale;
}

export interface MapCheck {
  /** `table.column` pairs that can hold personal data and are not declared. */
  undeclared: string[];
  /** Declarations whose table does not exist. */
  unknownTables: string[];
  /** Declarations whose column does not exist in an existing table. */
  unknownColumns: string[];
  /** Declarations whose memberColumn does not exist in their table. */
  unknownMemberColumns: string[];
  /**
   * Tables with `transaction_records` values that name no record time column, name one that does not exist, or name
   * two different ones: the retention pass (PV-30) could not tell when their period ends.
   */
  recordTimes: string[];
  /** `table.column` declared more than once (possibly by two modules). */
  duplicates: string[];
  /** Declarations that break the vocabulary: unknown category or retention, keep_for_law without a basis, no purpose. */
  malformed: string[];
  /** Allowlist entries that match no column: remove them, or the allowlist grows stale. */
  staleAllowlist: string[];
}

/** Compares a map with a schema; every list is empty when the map is complete and points only at what exists. */
export function checkPersonalDataMap(schema: readonly SchemaColumn[], map: PersonalDataMap, allowlist: readonly AllowlistEntry[] = nonPersonalColumns): MapCheck {
  const columnsByTable = new Map<string, Set<string>>();
  for (const column of schema) {
    const set = columnsByTable.get(column.table) ?? new Set<string>();
    set.add(column.column);
    columnsByTable.set(column.table, set);
  }
  const declared = new Map<string, number>();
  const check: MapCheck = { undeclared: [], unknownTables: [], unknownColumns: [], unknownMemberColumns: [], recordTimes: [], duplicates: [], malformed: [], staleAllowlist: [] };
  for (const entry of map) {
    const name = `${entry.table}.${entry.column}`;
    declared.set(name, (declared.get(name) ?? 0) + 1);
    const columns = columnsByTable.get(entry.table);
    if (!columns) {
      if (!check.unknownTables.includes(entry.table)) check.unknownTables.push(entry.table);
      continue;
    }
    if (!columns.has(entry.column)) check.unknownColumns.push(name);
    const memberColumn = memberColumnOf(entry);
    if (memberColumn !== null && !columns.has(memberColumn)) check.unknownMemberColumns.push(`${name} → ${entry.table}.${memberColumn}`);
    if (!(personalDataCategories as readonly string[]).includes(entry.category)) check.malformed.push(`${name}: category ${entry.category}`);
    if (!(retentionClasses as readonly string[]).includes(entry.retention)) check.malformed.push(`${name}: retention ${entry.retention}`);
    if (entry.purpose.trim().length < 10) check.malformed.push(`${name}: the purpose must say why the column is kept`);
    if (entry.erase.kind === 'keep_for_law' && entry.erase.legalBasis.trim().length < 10) check.malformed.push(`${name}: keep_for_law needs its legal basis`);
    // Export and erasure find a person's rows through the member column; without one, only a short life keeps a
    // copy of someone's data from outliving its purpose (issue 7.6: webhook bodies, idempotency answers).
    if (memberColumn === null && entry.category !== 'identifier' && !shortRetention.has(entry.retention)) {
      check.malformed.push(`${name}: without a member column it needs a short retention (security_log, operational_short) or must hold IDs only`);
    }
  }
  for (const [table, recordTime] of recordTimeColumns(map)) {
    const columns = columnsByTable.get(table);
    if (!columns) continue;
    const named = new Set(map.filter((entry) => entry.table === table && entry.recordTimeColumn !== undefined).map((entry) => entry.recordTimeColumn));
    if (recordTime === undefined) check.recordTimes.push(`${table}: holds transaction_records values but declares no recordTimeColumn`);
    else if (!columns.has(recordTime)) check.recordTimes.push(`${table}: recordTimeColumn ${recordTime} does not exist`);
    else if (named.size > 1) check.recordTimes.push(`${table}: declares different recordTimeColumns (${[...named].join(', ')})`);
  }
  check.duplicates = [...declared].filter(([, count]) => count > 1).map(([name]) => name);
  const needing = schema.filter((column) => canHoldPersonalData(column, allowlist));
  check.undeclared = needing.map((column) => `${column.table}.${column.column}`).filter((name) => !declared.has(name));
  check.staleAllowlist = staleEntries(schema, allowlist);
  return check;
}
