// The dependency direction of docs/ARCHITECTURE.md, enforced: every import in src/ points down (or within its own
// layer), reaches another module only through its index.ts, and no files import each other in a cycle. The order is
// read from the document itself, so the document and the code cannot drift apart.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { checkLayers, listSourceFiles, parseLayerOrder, readImportGraph } from '../support/layers.ts';

const root = new URL('../../', import.meta.url).pathname;
const layers = parseLayerOrder(readFileSync(`${root}docs/ARCHITECTURE.md`, 'utf8'));
const graph = readImportGraph(root, listSourceFiles(root));

test('the documented layer order names every folder and file of src/', () => {
  assert.ok(layers.length >= 10, 'docs/ARCHITECTURE.md has the layers block');
  const report = checkLayers(layers, graph);
  assert.deepEqual(report.unplaced, [], 'every source file belongs to a documented layer');
});

test('no import in src/ points up the documented order or into another module past its index.ts', () => {
  const report = checkLayers(layers, graph);
  assert.deepEqual(report.upward, [], 'imports against the order');
  assert.deepEqual(report.pastIndex, [], "imports of another module's internals");
});

test('no import cycle in src/ (files importing each other, directly or around a loop)', () => {
  const report = checkLayers(layers, graph);
  assert.deepEqual(report.cycles, [], 'import cycles');
});

test('the checker itself catches an upward import, a cycle and an import past an index.ts', () => {
  const fake = new Map<string, string[]>([
    ['src/modules/accounts/members.service.ts', ['src/modules/credits/index.ts']],
    ['src/modules/credits/index.ts', ['src/modules/credits/a.ts']],
    ['src/modules/credits/a.ts', ['src/modules/credits/b.ts']],
    ['src/modules/credits/b.ts', ['src/modules/credits/a.ts']],
    ['src/modules/store/x.ts', ['src/modules/accounts/members.service.ts']],
  ]);
  const report = checkLayers(layers, fake);
  assert.deepEqual(report.upward, ['src/modules/accounts/members.service.ts -> src/modules/credits/index.ts (accounts may not import credits)']);
  assert.deepEqual(report.pastIndex, ['src/modules/store/x.ts -> src/modules/accounts/members.service.ts']);
  assert.deepEqual(report.cycles, ['src/modules/credits/a.ts -> src/modules/credits/b.ts -> src/modules/credits/a.ts']);
});
