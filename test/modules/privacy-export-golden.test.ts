// PV-15 PV-16 the golden subject: a member with a row in every table the personal-data map declares (seeded from the
// map itself, test/support/golden-subject.ts) and a second member seeded the same way. The export of the first must
// hold every declared non-credential column's value in data.json and in its entity's CSV, name each missing one as
// table.column, carry the map's `file` columns' files under files/, match every manifest hash, validate against the
// published JSON Schema, and never show the second member's values or any credential. On both databases.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { memberColumnOf } from '../../src/db/personal-data.ts';
import { buildSubjectExport, exportSchema } from '../../src/modules/privacy/index.ts';
import { csvCell, exportEntities, exportValue, unexportedCategories, zipPathOfFile, type ExportEntity } from '../../src/modules/privacy/export.rules.ts';
import { readTableLayouts } from '../../src/modules/privacy/export.repository.ts';
import { describeEachDatabase } from '../support/each-database.ts';
import { assertManifest, readZip } from '../support/export-zip.ts';
import { relaxConstraints, seedGoldenSubject, type GoldenSubject } from '../support/golden-subject.ts';

/** Each declared, exportable column whose seeded value is not in data.json, the entity's CSV or index.html, as table.column. */
function missingFromExport(entries: Map<string, Buffer>, values: GoldenSubject['values'], entities: ExportEntity[]): string[] {
  const data = JSON.parse(entries.get('data.json')!.toString('utf8')) as { entities: Record<string, Array<Record<string, unknown>>> };
  const html = entries.get('index.html')!.toString('utf8');
  const missing: string[] = [];
  for (const { declaration, value } of values) {
    const memberColumn = memberColumnOf(declaration);
    if (memberColumn === null || unexportedCategories.has(declaration.category)) continue;
    const entity = entities.find((item) => item.table === declaration.table && item.memberColumn === memberColumn)!;
    const column = entity.columns.find((item) => item.name === declaration.column)!;
    const expected = exportValue(value, column.kind);
    const rows = data.entities[entity.name] ?? [];
    if (!rows.some((row) => row[declaration.column] === expected)) missing.push(`${declaration.table}.${declaration.column} (data.json ${entity.name})`);
    const csv = entries.get(`csv/${entity.name}.csv`)?.toString('utf8') ?? '';
    if (!csv.includes(csvCell(expected))) missing.push(`${declaration.table}.${declaration.column} (csv/${entity.name}.csv)`);
    if (typeof expected === 'string' && !html.includes(expected.replaceAll('&', '&amp;').replaceAll('"', '&quot;'))) missing.push(`${declaration.table}.${declaration.column} (index.html)`);
  }
  return missing;
}

describeEachDatabase('privacy export: the golden subject', (suite) => {
  test('PV-15 PV-16 every declared column of every table holding the member appears in data.json and its CSV; files, manifest and schema check out; another member and credentials never appear', async () => {
    const deps = suite.deps();
    await relaxConstraints(deps.db);
    const map = deps.ports.personalData;
    const layouts = await readTableLayouts(deps.db);
    const subject = await seedGoldenSubject(deps.db, { map, layouts, memberId: 'mem_golden_subject', prefix: 'GOLDA', subjectIndex: 1, files: deps.ports.files });
    const other = await seedGoldenSubject(deps.db, { map, layouts, memberId: 'mem_golden_other', prefix: 'OTHERB', subjectIndex: 2, files: deps.ports.files });

    const result = await buildSubjectExport(deps, { memberId: subject.memberId });
    assert.match(result.storageKey, /^privacy\/exports\/pex_[A-Za-z0-9]+\.zip$/);
    const stored = await deps.ports.files.get(result.storageKey);
    assert.ok(stored, 'the ZIP is in the file store');
    assert.equal(stored.contentType, 'application/zip');
    assert.equal(stored.bytes.length, result.sizeBytes);
    const entries = await readZip(stored.bytes);
    const manifest = assertManifest(entries);
    assert.equal(manifest.memberId, subject.memberId);

    const data = JSON.parse(entries.get('data.json')!.toString('utf8')) as { $schema: string; entities: Record<string, Array<Record<string, unknown>>> };
    const schema = await exportSchema(deps);
    assert.equal(data.$schema, schema.$id, 'data.json points at the published schema');
    const ajv = new Ajv2020({ allErrors: true, strict: false, validateFormats: false });
    const validate = ajv.compile(schema);
    assert.ok(validate(data), `data.json validates against the schema: ${ajv.errorsText(validate.errors)}`);

    const missing = missingFromExport(entries, subject.values, exportEntities(map, layouts));
    assert.deepEqual(missing, [], `declared columns missing from the export:\n  ${missing.join('\n  ')}`);
    assert.ok(subject.values.length > 100, 'the golden subject covers the whole map');

    for (const [key, bytes] of subject.files) {
      if (key.includes('privacy_exports')) continue;
      assert.deepEqual(new Uint8Array(entries.get(zipPathOfFile(key)) ?? []), bytes, `the file ${key} is in the ZIP under files/`);
    }

    const everything = [...entries.values()].map((bytes) => bytes.toString('utf8')).join('\n');
    const credentials = subject.values.filter(({ declaration, value }) => declaration.category === 'credential' && typeof value === 'string');
    assert.ok(credentials.length > 5);
    for (const { declaration, value } of credentials) assert.ok(!everything.includes(String(value)), `the credential ${declaration.table}.${declaration.column} is not exported`);
    for (const { declaration, value } of other.values) {
      if (typeof value === 'string') assert.ok(!everything.includes(value), `another member's ${declaration.table}.${declaration.column} is not exported`);
    }
    assert.ok(!everything.includes('mem_golden_other'), "another member's ID is not exported");
  });

  test('PV-16 an export built from a map that lost a declaration fails the golden check naming table.column', async () => {
    const deps = suite.deps();
    const layouts = await readTableLayouts(deps.db);
    const subject = await seedGoldenSubject(deps.db, { map: deps.ports.personalData, layouts, memberId: 'mem_golden_third', prefix: 'THIRDC', subjectIndex: 3, files: deps.ports.files });
    const shrunk = deps.ports.personalData.filter((column) => !(column.table === 'credit_transactions' && column.column === 'actor_id'));
    const result = await buildSubjectExport({ ...deps, ports: { ...deps.ports, personalData: shrunk } }, { memberId: subject.memberId });
    const entries = await readZip((await deps.ports.files.get(result.storageKey))!.bytes);
    const missing = missingFromExport(entries, subject.values, exportEntities(deps.ports.personalData, layouts));
    assert.deepEqual(missing, ['credit_transactions.actor_id (data.json credit_transactions__by_actor_id)', 'credit_transactions.actor_id (csv/credit_transactions__by_actor_id.csv)']);
  });
});
