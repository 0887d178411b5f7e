// The streaming CSV reader behind `patron import` (PL-11): quoting, line ends, records split across chunks.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readCsv, CsvSyntaxError, type CsvRecord } from '../../src/platform/csv.ts';

async function parse(chunks: string[]): Promise<CsvRecord[]> {
  const records: CsvRecord[] = [];
  for await (const record of readCsv((async function* () { yield* chunks; })())) records.push(record);
  return records;
}

test('PL-11 CSV: quoted fields, doubled quotes, CRLF, a BOM and blank lines, with the line each record starts on', async () => {
  const text = '\uFEFFname,note\r\n"Smith, Ann","said ""hi""\nthen left"\r\n\r\nBob,\nlast,"x"';
  const records = await parse([text]);
  assert.deepEqual(records, [
    { line: 1, fields: ['name', 'note'] },
    { line: 2, fields: ['Smith, Ann', 'said "hi"\nthen left'] },
    { line: 5, fields: ['Bob', ''] },
    { line: 6, fields: ['last', 'x'] },
  ]);
});

test('PL-11 CSV: the same records whatever the chunk boundaries (one character at a time)', async () => {
  const text = 'a,"b ""q"" c"\r\n"d\r\ne",f\n';
  const whole = await parse([text]);
  const split = await parse([...text]);
  assert.deepEqual(split, whole);
  assert.deepEqual(whole, [
    { line: 1, fields: ['a', 'b "q" c'] },
    { line: 2, fields: ['d\r\ne', 'f'] },
  ]);
});

test('PL-11 CSV: a stray quote or an unclosed field is an error naming the line', async () => {
  await assert.rejects(parse(['a,b\n"x"y,z\n']), (error: unknown) => error instanceof CsvSyntaxError && error.line === 2);
  await assert.rejects(parse(['a,b\n1,2\n"open,3\n']), (error: unknown) => error instanceof CsvSyntaxError && error.line === 3);
});
