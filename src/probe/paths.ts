// Where irqlens's files live, from this module's own path (dist/src/probe/paths.js),
// so the CLI works from any working directory: a source checkout (helper and
// workloads in build/) or an installed package (prebuilt/<platform>-<arch>/).
import { fileURLToPath } from 'node:url';
import { basename, dirname, join } from 'node:path';
import { existsSync, readFileSync } from 'node:fs';

/** The platforms the package ships a prebuilt helper for. */
export const PREBUILT_PLATFORMS: readonly string[] = ['linux-x64'];

const here = () => dirname(fileURLToPath(import.meta.url));

function isIrqlensPackage(dir: string): boolean {
  const pj = join(dir, 'package.json');
  if (!existsSync(pj)) return false;
  try {
    return (JSON.parse(readFileSync(pj, 'utf8')) as { name?: unknown }).name === 'irqlens';
  } catch {
    return false;
  }
}

/** The directory holding irqlens's package.json: the checkout or the installed package. */
export function packageRoot(): string {
  let dir = here();
  for (let i = 0; i < 6; i++) {
    if (isIrqlensPackage(dir)) return dir;
    dir = dirname(dir);
  }
  throw new Error('cannot find the irqlens package root');
}

/** The source checkout's root (scripts and tests only: an installed package has no bpf/). */
export function repoRoot(): string {
  const root = packageRoot();
  if (!existsSync(join(root, 'bpf'))) throw new Error(`${root} is an installed irqlens package, not a source checkout`);
  return root;
}

/** True in a source checkout (build outputs in build/), false in an installed package. */
export function isCheckout(): boolean {
  return existsSync(join(packageRoot(), 'bpf'));
}

export function platformKey(): string {
  return `${process.platform}-${process.arch}`;
}

/** The directory holding this platform's prebuilt helper and workloads in an installed package. */
export function prebuiltDir(): string {
  return join(packageRoot(), 'prebuilt', platformKey());
}

/** Build outputs: build/ in a checkout, prebuilt/<platform>-<arch>/ in an installed package. */
export function buildDir(): string {
  return isCheckout() ? join(packageRoot(), 'build') : prebuiltDir();
}

/** The helper binary: IRQLENS_HELPER overrides (e.g. a setcap'd copy). */
export function helperPath(): string {
  return process.env.IRQLENS_HELPER ?? join(buildDir(), 'irqlens-helper');
}

/** The one-line reason a helper or workload binary at `path` is missing, and the fix. */
export function missingBinary(path: string, what: string): string {
  if (process.env.IRQLENS_HELPER && path === process.env.IRQLENS_HELPER) {
    return `${what} ${path} (from IRQLENS_HELPER) does not exist: point IRQLENS_HELPER at the helper binary or unset it`;
  }
  if (isCheckout()) return `${what} ${path} is not built: run 'bash scripts/setup.sh' (or npm run build)`;
  if (!PREBUILT_PLATFORMS.includes(platformKey())) {
    return (
      `irqlens ships prebuilt binaries for ${PREBUILT_PLATFORMS.join(', ')} only, not ${platformKey()}: ` +
      'build it from a source checkout (bash scripts/setup.sh)'
    );
  }
  return `${what} ${path} is missing from the installed package: reinstall irqlens`;
}

/**
 * The directory of an npm package as Node would resolve it from irqlens: its own
 * node_modules in a checkout, the enclosing node_modules when installed as a dependency.
 */
export function moduleDir(name: string): string {
  let dir = packageRoot();
  for (;;) {
    if (basename(dir) !== 'node_modules') {
      const cand = join(dir, 'node_modules', name);
      if (existsSync(join(cand, 'package.json'))) return cand;
    }
    const up = dirname(dir);
    if (up === dir) return join(packageRoot(), 'node_modules', name);
    dir = up;
  }
}
