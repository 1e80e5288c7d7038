/**
 * No import cycle in src/main and src/shared: the layers of docs/architecture.md only hold if every module can
 * be understood, tested and moved with what it imports, never with what imports it.
 *
 * Every `.ts` file under src/main and src/shared is read with TypeScript's own `ts.preProcessFile` (which
 * lists `import`, `export … from`, `import()` and `require` specifiers without a full program); relative
 * specifiers are resolved the way the bundler does (`x.ts`, `x.tsx`, `x/index.ts`), package imports are not
 * followed. Type-only imports (`import type`) are INCLUDED: they erase at runtime, but a type cycle ties the
 * modules together just as much (neither can be changed or moved without the other) and is where runtime
 * cycles start, so it counts.
 */
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '../..');
const SOURCE_DIRS = ['src/main', 'src/shared'];

function tsFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return tsFiles(full);
    return /\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [full] : [];
  });
}

const rel = (file: string) => path.relative(ROOT, file).split(path.sep).join('/');

function resolveRelative(from: string, specifier: string, known: ReadonlySet<string>): string | null {
  const base = path.resolve(path.dirname(from), specifier);
  const candidates = [base, `${base}.ts`, `${base}.tsx`, path.join(base, 'index.ts')];
  return candidates.find((c) => known.has(c)) ?? null;
}

/** The import graph: file (relative to the repository) -> the files it imports. */
export function importGraph(dirs: readonly string[] = SOURCE_DIRS): Map<string, string[]> {
  const files = dirs.flatMap((d) => tsFiles(path.join(ROOT, d)));
  const known = new Set(files);
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const info = ts.preProcessFile(fs.readFileSync(file, 'utf8'), true, true);
    const targets = info.importedFiles
      .map((f) => f.fileName)
      .filter((s) => s.startsWith('.'))
      .map((s) => resolveRelative(file, s, known))
      .filter((t): t is string => t !== null)
      .map(rel);
    graph.set(rel(file), [...new Set(targets)].sort());
  }
  return graph;
}

/**
 * The strongly connected components of more than one file (or a file importing itself), by Tarjan's
 * algorithm: each is one tangle, however many cycles run through it.
 */
export function tangles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next);
    next += 1;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (graph.get(v) ?? []).includes(v)) components.push(component);
    }
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
  return components.map((component) => component.sort());
}

/** One cycle per tangle, each as a path `a -> b -> … -> a`. */
export function findCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  return tangles(graph).map((component) => cycleIn(graph, new Set(component)));
}

/** A shortest cycle through the component's first file (breadth-first inside the component). */
function cycleIn(graph: ReadonlyMap<string, readonly string[]>, component: ReadonlySet<string>): string[] {
  const start = [...component].sort()[0]!;
  const parent = new Map<string, string>();
  const queue = [start];
  for (let i = 0; i < queue.length; i += 1) {
    const v = queue[i]!;
    for (const w of graph.get(v) ?? []) {
      if (!component.has(w)) continue;
      if (w === start) {
        const cycle = [start];
        for (let at: string | undefined = v; at !== undefined && at !== start; at = parent.get(at))
          cycle.splice(1, 0, at);
        return [...cycle, start];
      }
      if (!parent.has(w)) {
        parent.set(w, v);
        queue.push(w);
      }
    }
  }
  return [start, start];
}

describe('import graph', () => {
  it('finds a cycle when there is one, and names it', () => {
    const graph = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['c.ts']],
      ['c.ts', ['a.ts']],
      ['d.ts', ['a.ts']],
    ]);
    expect(findCycles(graph)).toEqual([['a.ts', 'b.ts', 'c.ts', 'a.ts']]);
    expect(findCycles(new Map([['a.ts', ['a.ts']]]))).toEqual([['a.ts', 'a.ts']]);
    expect(
      findCycles(
        new Map([
          ['a.ts', ['b.ts']],
          ['b.ts', []],
        ]),
      ),
    ).toEqual([]);
  });

  it('resolves the relative imports of the sources', () => {
    const graph = importGraph();
    expect(graph.get('src/main/api/handlers.ts')).toContain('src/main/api/handlers-reports.ts');
    // A folder import resolves to its index.
    expect(graph.get('src/main/app.ts')).toContain('src/main/engine/index.ts');
  });

  it('has no import cycle in src/main and src/shared', () => {
    const graph = importGraph();
    const found = tangles(graph).map(
      (files) =>
        `${cycleIn(graph, new Set(files)).join(' -> ')}` +
        (files.length > 2 ? ` (one of the cycles among ${files.join(', ')})` : ''),
    );
    expect(found).toEqual([]);
  });
});
