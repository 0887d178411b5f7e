// PV-15 PV-16 the export's encodings: CSV cells per RFC 4180 and safe to open in a spreadsheet (formula injection),
// HTML escaped, credentials left out of the entities, one entity per member column.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { declareTable, eraseByDelete } from '../../src/db/personal-data.ts';
import { csvCell, csvLine, escapeHtml, exportEntities, exportValue } from '../../src/modules/privacy/export.rules.ts';

test('PV-15 CSV cells quote commas, quotes and line breaks (RFC 4180) and defuse = + - @ at the start of a cell', () => {
  assert.equal(csvCell('plain'), 'plain');
  assert.equal(csvCell('a,b'), '"a,b"');
  assert.equal(csvCell('say "hi"'), '"say ""hi"""');
  assert.equal(csvCell('two\nlines'), '"two\nlines"');
  assert.equal(csvCell('=HYPERLINK("http://x")'), `"'=HYPERLINK(""http://x"")"`);
  assert.equal(csvCell('+1 555'), "'+1 555");
  assert.equal(csvCell('-5'), "'-5");
  assert.equal(csvCell('@SUM(A1)'), "'@SUM(A1)");
  assert.equal(csvCell(-5), '-5', 'numbers are numbers');
  assert.equal(csvCell(null), '');
  assert.equal(csvLine(['a', 1, null, true]), 'a,1,,true\r\n');
});

test('PV-15 HTML is escaped', () => {
  assert.equal(escapeHtml(`<script>alert('x')</script>&"`), '&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;');
});

test('PV-15 PV-16 entities: credentials never exported (even in the key), one entity per member column, the record context only through its own member column, values typed', () => {
  const declaration = { purpose: 'A test declaration of a column.', retention: 'account', erase: eraseByDelete } as const;
  const map = [
    ...declareTable('codes', 'member_id', { member_id: { ...declaration, category: 'identifier' }, code_hash: { ...declaration, category: 'credential' } }),
    ...declareTable('notes', 'member_id', { member_id: { ...declaration, category: 'identifier' }, body: { ...declaration, category: 'free_text' } }),
    ...declareTable('notes', 'author_id', { author_id: { ...declaration, category: 'identifier' } }),
    ...declareTable('secrets', 'member_id', { token_hash: { ...declaration, category: 'credential' } }),
  ];
  const layouts = new Map([
    ['codes', { types: new Map([['member_id', 'text'], ['code_hash', 'text']]), keyColumns: ['member_id', 'code_hash'] }],
    ['notes', { types: new Map([['id', 'text'], ['member_id', 'text'], ['author_id', 'text'], ['body', 'text'], ['at_ms', 'bigint']]), keyColumns: ['id'] }],
    ['secrets', { types: new Map([['id', 'text'], ['member_id', 'text'], ['token_hash', 'text']]), keyColumns: ['id'] }],
  ]);
  const entities = exportEntities(map, layouts);
  assert.deepEqual(entities.map((entity) => [entity.name, entity.columns.map((column) => column.name)]), [
    ['codes', ['member_id']],
    ['notes', ['id', 'member_id', 'body', 'at_ms']],
    ['notes__by_author_id', ['id', 'author_id']],
  ]);
  assert.deepEqual(entities[0]!.keyColumns, ['member_id', 'code_hash'], 'the credential still orders the batches');
  assert.equal(exportValue('12', 'number'), 12);
  assert.equal(exportValue(1, 'boolean'), true);
  assert.equal(exportValue({ a: 1 }, 'string'), '{"a":1}');
});

test('PV-15 the folder file storage streams a file in and out, and a failed stream leaves nothing under the key', async () => {
  const { mkdtemp, rm, readdir } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { createFolderFileStorage } = await import('../../src/ports/local-file-storage.ts');
  const root = await mkdtemp(join(tmpdir(), 'patron-files-'));
  try {
    const files = createFolderFileStorage(root);
    async function* chunks(failAfter?: number) {
      for (let index = 0; index < 4; index++) {
        if (failAfter !== undefined && index === failAfter) throw new Error('source broke');
        yield new Uint8Array(1024).fill(index);
      }
    }
    await files.putStream('privacy/exports/pex_1.zip', chunks(), 'application/zip');
    const stored = await files.getStream('privacy/exports/pex_1.zip');
    assert.equal(stored?.contentType, 'application/zip');
    const parts: Buffer[] = [];
    for await (const chunk of stored!.stream) parts.push(Buffer.from(chunk));
    assert.equal(Buffer.concat(parts).length, 4096);
    assert.equal((await files.get('privacy/exports/pex_1.zip'))?.bytes[3000], 2);
    await assert.rejects(files.putStream('privacy/exports/pex_2.zip', chunks(2), 'application/zip'), /source broke/);
    assert.equal(await files.getStream('privacy/exports/pex_2.zip'), undefined);
    assert.deepEqual((await readdir(join(root, 'privacy/exports'))).sort(), ['pex_1.zip', 'pex_1.zip.type']);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
