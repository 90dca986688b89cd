// The page's files: its script (the compiled ui/web modules joined into one
// script, so the same bytes are served and inlined into an HTML report) and
// uPlot and msgpackr's browser builds from node_modules.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { moduleDir, packageRoot } from '../probe/paths.js';
import { ServeError } from './errors.js';

const webDir = () => fileURLToPath(new URL('../../ui/web/', import.meta.url));

function read(path: string, what: string): string {
  if (!existsSync(path)) throw new ServeError(`${what} is missing (${path}): run 'npm run build' (or npm ci)`);
  return readFileSync(path, 'utf8');
}

const IMPORT = /^import\s+(?:type\s+)?(?:\{[^}]*\}|\*\s+as\s+\w+|\w+)\s+from\s+'([^']+)';\s*$/gm;

/**
 * The page's ES modules as one module script: each module's dependencies first, import lines
 * dropped and `export` keywords removed (the modules share one scope; their top-level names are unique).
 */
export function pageScript(entry = 'main.js'): string {
  const dir = webDir();
  const done = new Set<string>();
  const parts: string[] = [];
  const visit = (file: string, stack: string[]) => {
    if (done.has(file)) return;
    if (stack.includes(file)) throw new Error(`ui/web: import cycle through ${file}`);
    const src = read(join(dir, file), `the page script ${file}`);
    for (const m of src.matchAll(IMPORT)) {
      const spec = m[1] ?? '';
      if (!spec.startsWith('./')) throw new Error(`ui/web/${file}: only relative imports can be joined (${spec})`);
      visit(spec.slice(2), [...stack, file]);
    }
    done.add(file);
    parts.push(
      `// ---- ${file}\n` +
        src
          .replace(IMPORT, '')
          .replace(/^export\s+(?=(?:async\s+)?(?:function|const|let|class|interface|type|enum)\b)/gm, '')
          .replace(/^\/\/# sourceMappingURL=.*$/m, ''),
    );
  };
  visit(entry, []);
  return parts.join('\n');
}

export interface Vendor {
  uplotJs: string;
  uplotCss: string;
  msgpackrJs: string;
}

export function vendor(): Vendor {
  // resolved as Node resolves them: hoisted next to irqlens when it is an installed dependency
  const uplot = moduleDir('uplot');
  const msgpackr = moduleDir('msgpackr');
  return {
    uplotJs: read(join(uplot, 'dist/uPlot.iife.min.js'), "uPlot's browser build"),
    uplotCss: read(join(uplot, 'dist/uPlot.min.css'), "uPlot's stylesheet"),
    msgpackrJs: read(join(msgpackr, 'dist/index.min.js'), "msgpackr's browser build"),
  };
}

export function pageCss(): string {
  return read(join(packageRoot(), 'ui/web/page.css'), 'the page stylesheet ui/web/page.css');
}
