// The personal-data map is complete (PV-16, issue 7.6): a freshly migrated database is introspected (SQLite's
// pragma_table_info, PostgreSQL's information_schema) and every column that can hold personal data must be declared
// by its module, every declaration must point at a real table, column and member column, and docs/PERSONAL-DATA.md
// must be the rendering of the map. The checker is run against a changed schema too, to show it catches a new
// undeclared column or table. On both databases.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { sql } from 'kysely';
import { declareTable, eraseByDelete, keepForLaw, type PersonalDataColumn, type PersonalDataMap } from '../../src/db/personal-data.ts';
import { canHoldPersonalData, checkPersonalDataMap, nonPersonalColumns, type MapCheck } from '../../src/db/personal-data.rules.ts';
import { readSchemaColumns, type SchemaColumn } from '../../src/db/schema-introspection.ts';
import { allPersonalData } from '../support/data-map.ts';
import { describeEachDatabase } from '../support/each-database.ts';
import { currentPersonalDataDoc, personalDataDocPath } from '../support/write-data-map-doc.ts';

const problemLabels: Record<keyof MapCheck, string> = {
  undeclared: 'columns that can hold personal data but are declared by no module (add them to the owning module’s *.data-map.ts, or, if they truly cannot, to the allowlist in src/db/personal-data.rules.ts with the reason)',
  unknownTables: 'declared tables that do not exist',
  unknownColumns: 'declared columns that do not exist',
  unknownMemberColumns: 'declared member columns that do not exist',
  recordTimes: 'tables with transaction_records values whose record time column is missing, unknown or ambiguous (PV-30: declareTable(…, { recordTimeColumn }))',
  duplicates: 'columns declared more than once',
  malformed: 'declarations that break the vocabulary',
  staleAllowlist: 'allowlist entries that match no column (remove them)',
};

/** Fails with every problem listed, one `table.column` per line, so the fix is a copy away. */
function assertSound(check: MapCheck): void {
  const problems = (Object.keys(problemLabels) as (keyof MapCheck)[]).filter((key) => check[key].length > 0).map((key) => `${problemLabels[key]}:\n  ${check[key].join('\n  ')}`);
  assert.equal(problems.length, 0, `the personal-data map does not match the schema:\n${problems.join('\n')}`);
}

const surveyDeclaration = { category: 'free_text', purpose: 'A test table standing in for a new module’s table.', retention: 'account', erase: eraseByDelete } as const;

describeEachDatabase('personal-data map', (suite) => {
  test('PV-16 every column that can hold personal data is declared, and every declaration names an existing table, column and member column', async () => {
    const schema = await readSchemaColumns(suite.deps().db);
    assert.ok(schema.some((column) => column.table === 'members' && column.column === 'email'), 'the introspection sees the migrated tables');
    assertSound(checkPersonalDataMap(schema, allPersonalData()));
  });

  test('PV-16 a column or a table added without a declaration is reported by table.column, and declaring it clears the report', async () => {
    const db = suite.deps().db;
    await sql`alter table members add column nickname text`.execute(db);
    await sql`create table loyalty_surveys (id text primary key, member_id text not null, answer text, birth_year integer, score integer, status text not null)`.execute(db);
    try {
      const schema = await readSchemaColumns(db);
      const check = checkPersonalDataMap(schema, allPersonalData());
      // Free text (nickname, answer) by type, the member reference by name, the birth year by name although a number;
      // the score (a number) and the status (an allowlisted enumeration) need nothing.
      assert.deepEqual([...check.undeclared].sort(), ['loyalty_surveys.answer', 'loyalty_surveys.birth_year', 'loyalty_surveys.member_id', 'members.nickname']);
      assert.throws(() => assertSound(check), /declared by no module[^]*loyalty_surveys\.answer[^]*members\.nickname/);

      const extended: PersonalDataMap = [
        ...allPersonalData(),
        ...declareTable('members', 'id', { nickname: { ...surveyDeclaration, category: 'name' } }),
        ...declareTable('loyalty_surveys', 'member_id', {
          member_id: { ...surveyDeclaration, category: 'identifier' },
          answer: surveyDeclaration,
          birth_year: { ...surveyDeclaration, category: 'birth_date' },
        }),
      ];
      assertSound(checkPersonalDataMap(schema, extended));
    } finally {
      await sql`drop table loyalty_surveys`.execute(db);
      await sql`alter table members drop column nickname`.execute(db);
    }
    assertSound(checkPersonalDataMap(await readSchemaColumns(db), allPersonalData()));
  });

  test('PV-16 a declaration that points at a missing table, column or member column is reported', async () => {
    const schema = await readSchemaColumns(suite.deps().db);
    const wrong: PersonalDataColumn[] = [
      { table: 'store_customers', column: 'email', category: 'contact', purpose: 'A table that was renamed away.', retention: 'account', erase: eraseByDelete },
      { table: 'members', column: 'nick_name', category: 'name', purpose: 'A column that was never added.', retention: 'account', erase: eraseByDelete, memberColumn: 'id' },
      // store_refund_lines has no member_id, so the default member column does not exist.
      { table: 'store_refund_lines', column: 'amount_minor', category: 'financial', purpose: 'A table without a member column.', retention: 'transaction_records', erase: eraseByDelete },
      { table: 'store_orders', column: 'guest_email', category: 'contact', purpose: 'Points at a member column that is not there.', retention: 'account', erase: eraseByDelete, memberColumn: 'customer_id' },
    ];
    const check = checkPersonalDataMap(schema, [...allPersonalData().filter((column) => !(column.table === 'store_orders' && column.column === 'guest_email')), ...wrong]);
    assert.deepEqual(check.unknownTables, ['store_customers']);
    assert.deepEqual(check.unknownColumns, ['members.nick_name']);
    assert.deepEqual(check.unknownMemberColumns, ['store_refund_lines.amount_minor → store_refund_lines.member_id', 'store_orders.guest_email → store_orders.customer_id']);
    assert.deepEqual(check.undeclared, []);
  });

  test('PV-30 a table with transaction_records values must name an existing record time column', async () => {
    const schema = await readSchemaColumns(suite.deps().db);
    const withoutOrderTime = allPersonalData().map((entry) => (entry.table === 'store_orders' ? { ...entry, recordTimeColumn: undefined } : entry));
    assert.deepEqual(checkPersonalDataMap(schema, withoutOrderTime).recordTimes, ['store_orders: holds transaction_records values but declares no recordTimeColumn']);
    const wrongCaseTime = allPersonalData().map((entry) => (entry.table === 'aftersales_cases' ? { ...entry, recordTimeColumn: 'opened_at_ms' } : entry));
    assert.deepEqual(checkPersonalDataMap(schema, wrongCaseTime).recordTimes, ['aftersales_cases: recordTimeColumn opened_at_ms does not exist']);
    // A table whose transaction_records columns are identifiers only (an order line's member ID) has nothing the
    // retention pass clears, so it needs no record time.
    assert.ok(!checkPersonalDataMap(schema, allPersonalData()).recordTimes.some((problem) => problem.startsWith('store_order_lines')));
  });

  test('PV-16 a column declared twice, an empty purpose, a keep-for-law without its legal basis or a memberless blob kept long is reported', async () => {
    const schema = await readSchemaColumns(suite.deps().db);
    const [first] = allPersonalData();
    assert.ok(first);
    const check = checkPersonalDataMap(schema, [
      ...allPersonalData(),
      first,
      { table: 'members', column: 'email', category: 'contact', purpose: '', retention: 'account', erase: keepForLaw(' '), memberColumn: 'id' },
      // A body without a member column is found by nobody's export or erasure: it must be short-lived.
      { table: 'store_webhook_events', column: 'body', category: 'payload', purpose: 'A body kept for good without a member.', retention: 'account', erase: eraseByDelete, memberColumn: null },
    ]);
    assert.deepEqual(check.duplicates, [`${first.table}.${first.column}`, 'members.email', 'store_webhook_events.body']);
    assert.deepEqual(check.malformed, [
      'members.email: the purpose must say why the column is kept',
      'members.email: keep_for_law needs its legal basis',
      'store_webhook_events.body: without a member column it needs a short retention (security_log, operational_short) or must hold IDs only',
    ]);
  });
});

// The rule itself, on columns made up for the purpose (pure, no database).
const column = (table: string, name: string, type = 'text'): SchemaColumn => ({ table, column: name, type });

test('PV-16 the allowlist exempts only what it names: the same name in another table, or any reference to a person, is still caught', () => {
  assert.equal(canHoldPersonalData(column('store_products', 'name')), false, 'a product name is catalog text');
  assert.equal(canHoldPersonalData(column('loyalty_surveys', 'name')), true, 'a name elsewhere is personal');
  assert.equal(canHoldPersonalData(column('store_orders', 'order_id')), false, 'a reference to a row');
  for (const reference of ['member_id', 'customer_id', 'approver_member_id', 'device_id']) {
    assert.equal(canHoldPersonalData(column('store_products', reference)), true, `${reference} points at a person`);
  }
  assert.equal(canHoldPersonalData(column('loyalty_surveys', 'status')), false, 'an enumerated status');
  assert.equal(canHoldPersonalData(column('loyalty_surveys', 'score', 'integer')), false, 'a number with a neutral name');
  for (const [name, type] of [['date_of_birth_ms', 'bigint'], ['ip_address', 'inet'], ['phone_number', 'bigint'], ['payload', 'jsonb'], ['comment', 'character varying']] as const) {
    assert.equal(canHoldPersonalData(column('loyalty_surveys', name, type)), true, `${name} (${type})`);
  }
  // Kysely's bookkeeping tables hold migration names only.
  assert.equal(canHoldPersonalData(column('schema_migrations', 'name', 'character varying')), false);
});

test('PV-16 an allowlist entry that matches no column is reported as stale', () => {
  const schema = [column('jobs', 'status'), column('jobs', 'locked_by')];
  const check = checkPersonalDataMap(schema, [], [
    { columns: ['status', 'no_such_column'], why: 'test entry' },
    { tables: ['jobs', 'gone_table'], columns: ['locked_by'], why: 'test entry' },
  ]);
  assert.deepEqual(check.staleAllowlist, ['no_such_column (any table)', 'table gone_table']);
  assert.ok(nonPersonalColumns.length <= 15, 'the allowlist stays short: declare columns rather than exempting them');
});

test('PV-16 docs/PERSONAL-DATA.md is the rendering of the current map (run `npm run -s docs:data-map` after changing a declaration)', () => {
  assert.equal(readFileSync(personalDataDocPath, 'utf8'), currentPersonalDataDoc(), 'docs/PERSONAL-DATA.md is out of date: run `npm run -s docs:data-map`');
});
