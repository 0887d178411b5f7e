// Reads the import graph of src/ with the TypeScript compiler's pre-processor (imports, re-exports, dynamic imports,
// type-only imports alike) and checks it against the layer order documented in docs/ARCHITECTURE.md.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import ts from 'typescript';

export interface Layer {
  name: string;
  /** Folders (ending in /) and files, relative to the repository root. */
  paths: string[];
}

/** The fenced ```layers block: one layer per line, lowest first: `name  path path …`. */
export function parseLayerOrder(markdown: string): Layer[] {
  const block = /```layers\n([\s\S]*?)```/.exec(markdown);
  if (!block) return [];
  return block[1]!
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0 && !line.startsWith('#'))
    .map((line) => {
      const [name, ...paths] = line.split(/\s+/);
      return { name: name!, paths };
    });
}

export function listSourceFiles(root: string, folder = 'src'): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(join(root, folder), { withFileTypes: true })) {
    const path = `${folder}/${entry.name}`;
    if (entry.isDirectory()) files.push(...listSourceFiles(root, path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) files.push(path);
  }
  return files.sort();
}

/** file → the project files it imports (packages and node: built-ins left out). */
export function readImportGraph(root: string, files: readonly string[]): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const info = ts.preProcessFile(readFileSync(join(root, file), 'utf8'), true, true);
    const targets = info.importedFiles
      .map((imported) => imported.fileName)
      .filter((name) => name.startsWith('.'))
      .map((name) => relative(root, normalize(join(root, dirname(file), name))));
    graph.set(file, [...new Set(targets)].sort());
  }
  return graph;
}

function layerIndexOf(layers: readonly Layer[], file: string): number {
  // The longest matching path wins, so a file named in a layer beats its folder's layer.
  let best = -1;
  let bestLength = -1;
  layers.forEach((layer, index) => {
    for (const path of layer.paths) {
      const matches = path.endsWith('/') ? file.startsWith(path) : file === path;
      if (matches && path.length > bestLength) {
        best = index;
        bestLength = path.length;
      }
    }
  });
  return best;
}

function moduleOf(file: string): string | undefined {
  return /^src\/modules\/([^/]+)\//.exec(file)?.[1];
}

function findCycles(graph: ReadonlyMap<string, readonly string[]>): string[] {
  // Tarjan's strongly connected components; each component of more than one file (or a self-import) is a cycle,
  // reported as one concrete loop through it so the message says which imports to break.
  let index = 0;
  const indexes = new Map<string, number>();
  const lowLinks = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (node: string) => {
    indexes.set(node, index);
    lowLinks.set(node, index);
    index++;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!indexes.has(next)) {
        visit(next);
        lowLinks.set(node, Math.min(lowLinks.get(node)!, lowLinks.get(next)!));
      } else if (onStack.has(next)) lowLinks.set(node, Math.min(lowLinks.get(node)!, indexes.get(next)!));
    }
    if (lowLinks.get(node) === indexes.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1 || (graph.get(node) ?? []).includes(node)) components.push(component);
    }
  };
  for (const node of [...graph.keys()].sort()) if (!indexes.has(node)) visit(node);
  return components.map((component) => {
    const inside = new Set(component);
    const start = [...component].sort()[0]!;
    // Shortest loop from start back to itself inside the component (breadth first).
    const previous = new Map<string, string>();
    const queue = [start];
    while (queue.length > 0) {
      const node = queue.shift()!;
      for (const next of graph.get(node) ?? []) {
        if (!inside.has(next)) continue;
        if (next === start) {
          const path = [node];
          while (path[0] !== start) path.unshift(previous.get(path[0]!)!);
          return [...path, start].join(' -> ');
        }
        if (!previous.has(next)) {
          previous.set(next, node);
          queue.push(next);
        }
      }
    }
    return component.join(' -> ');
  });
}

export interface LayerReport {
  unplaced: string[];
  upward: string[];
  pastIndex: string[];
  cycles: string[];
}

export function checkLayers(layers: readonly Layer[], graph: ReadonlyMap<string, readonly string[]>): LayerReport {
  const report: LayerReport = { unplaced: [], upward: [], pastIndex: [], cycles: findCycles(graph) };
  for (const [file, targets] of graph) {
    const from = layerIndexOf(layers, file);
    if (from < 0) {
      report.unplaced.push(file);
      continue;
    }
    for (const target of targets) {
      const to = layerIndexOf(layers, target);
      if (to > from) report.upward.push(`${file} -> ${target} (${layers[from]!.name} may not import ${layers[to]!.name})`);
      const targetModule = moduleOf(target);
      if (targetModule && targetModule !== moduleOf(file) && target !== `src/modules/${targetModule}/index.ts`) report.pastIndex.push(`${file} -> ${target}`);
    }
  }
  report.upward.sort();
  report.pastIndex.sort();
  return report;
}
