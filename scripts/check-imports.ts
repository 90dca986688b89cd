// Lint: the import graph of cli/, ui/ and src/ has no cycle, between files or
// between folders, so the code reads one way: cli -> ui -> src, and inside src
// from the stream up to the derived figures. Prints each cycle it finds.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { repoRoot } from '../src/probe/paths.js';

const LAYERS = ['cli', 'ui', 'src'];
const IMPORT = /(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s*['"](\.{1,2}\/[^'"]+)['"]/g;

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sources(p));
    else if (/\.tsx?$/.test(name) && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** file -> the files it imports (type-only imports count: they shape the reading order too). */
export function importGraph(root: string): Map<string, string[]> {
  const files = LAYERS.flatMap((l) => sources(join(root, l)));
  const known = new Set(files);
  const graph = new Map<string, string[]>();
  for (const f of files) {
    const deps: string[] = [];
    for (const m of readFileSync(f, 'utf8').matchAll(IMPORT)) {
      const spec = m[1] ?? '';
      const base = resolve(dirname(f), spec).replace(/\.js$/, '');
      const hit = [`${base}.ts`, `${base}.tsx`].find((c) => known.has(c));
      if (hit) deps.push(hit);
    }
    graph.set(f, deps);
  }
  return graph;
}

/** Strongly connected components with more than one node (Tarjan), or a self-loop. */
export function cycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) ?? 0, low.get(w) ?? 0));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v) ?? 0, idx.get(w) ?? 0));
    }
    if (low.get(v) === idx.get(v)) {
      const comp: string[] = [];
      let w: string | undefined;
      do {
        w = stack.pop();
        if (w === undefined) break;
        on.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1 || (graph.get(v) ?? []).includes(v)) out.push(comp.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return out;
}

/** The same graph between folders (a file's folder imports the folders of its imports). */
export function folderGraph(graph: ReadonlyMap<string, readonly string[]>): Map<string, string[]> {
  const out = new Map<string, Set<string>>();
  for (const [f, deps] of graph) {
    const from = dirname(f);
    const set = out.get(from) ?? new Set<string>();
    for (const d of deps) if (dirname(d) !== from) set.add(dirname(d));
    out.set(from, set);
  }
  return new Map([...out].map(([k, v]) => [k, [...v]]));
}

function main(): number {
  const root = repoRoot();
  const graph = importGraph(root);
  const rel = (c: string[]) => c.map((f) => relative(root, f)).join(' <-> ');
  const fileCycles = cycles(graph);
  const dirCycles = cycles(folderGraph(graph));
  for (const c of fileCycles) process.stderr.write(`check-imports: file cycle: ${rel(c)}\n`);
  for (const c of dirCycles) process.stderr.write(`check-imports: folder cycle: ${rel(c)}\n`);
  if (fileCycles.length || dirCycles.length) {
    process.stderr.write(
      'check-imports: break the cycle by moving the shared part down a layer (see docs/architecture.md)\n',
    );
    return 1;
  }
  return 0;
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname)) process.exit(main());
