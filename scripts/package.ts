// `npm run package`: the installable tarball for a host with only Node. It holds the
// compiled runtime (dist/cli, dist/src, dist/ui; no tests, no source maps), the page stylesheet,
// the static helper (CO-RE object inside, needs only libc) and the two workloads
// `cost --workload echo` runs, under prebuilt/<platform>-<arch>/, and the monitoring
// folder. Staged in a temp dir with a runtime-only package.json, then `npm pack`.
import { execa, ExecaError } from 'execa';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { platformKey, PREBUILT_PLATFORMS, repoRoot } from '../src/probe/paths.js';

const root = repoRoot();

class PackageError extends Error {}

interface Options {
  out: string;
  force: boolean;
  quiet: boolean;
}

function usage(): never {
  process.stderr.write(
    'usage: node dist/scripts/package.js [--out DIR] [--force] [--quiet]\n' +
      '  builds the tarball irqlens-<version>.tgz in DIR (default build/); --force replaces an existing one outside build/\n',
  );
  process.exit(2);
}

function parseArgs(argv: string[]): Options {
  const o: Options = { out: join(root, 'build'), force: false, quiet: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--out' && argv[i + 1]) o.out = resolve(argv[++i] ?? '');
    else if (a === '--force') o.force = true;
    else if (a === '--quiet') o.quiet = true;
    else if (a === '--help' || a === '-h') usage();
    else {
      process.stderr.write(`package: unknown argument '${a ?? ''}'\n`);
      usage();
    }
  }
  return o;
}

/** The compiled trees the runtime imports (not dist/test, dist/scripts). */
const RUNTIME_DIRS = ['cli', 'src', 'ui'];

/** The binaries the runtime runs, from build/, and where they go in the package. */
const BINARIES = ['irqlens-helper', 'echo-server', 'echo-client'];

/** Shared objects a binary may need on any glibc host: the helper must not need libbpf, libelf, zlib or zstd. */
const LIBC_ONLY =
  /^(linux-vdso\.so\.1|libc\.so\.6|\/lib64\/ld-linux-x86-64\.so\.2|ld-linux-x86-64\.so\.2|\/lib\/ld-linux-aarch64\.so\.1|libm\.so\.6|libpthread\.so\.0)$/;

async function checkLibcOnly(bin: string): Promise<void> {
  const r = await execa('ldd', [bin], { reject: false });
  const libs = r.stdout
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[0] ?? '')
    .filter(Boolean);
  const extra = libs.filter((l) => !LIBC_ONLY.test(l));
  if (r.exitCode !== 0 || extra.length) {
    throw new PackageError(
      `${bin} needs shared libraries a host may lack (${extra.join(', ') || r.stderr.trim()}): it must link libbpf, libelf, zlib and zstd statically`,
    );
  }
}

/** True when a compiled module still has its source: dist/ keeps outputs of moved or deleted files. */
function hasSource(compiled: string): boolean {
  const base = join(root, relative(join(root, 'dist'), compiled)).replace(/\.js$/, '');
  return existsSync(`${base}.ts`) || existsSync(`${base}.tsx`);
}

/** Copies a compiled tree without source maps, TypeScript build info or stale outputs. */
function copyRuntime(from: string, to: string): number {
  let n = 0;
  for (const name of readdirSync(from)) {
    const src = join(from, name);
    if (statSync(src).isDirectory()) {
      n += copyRuntime(src, join(to, name));
    } else if (name.endsWith('.js') && hasSource(src)) {
      mkdirSync(to, { recursive: true });
      // the map is not shipped, so neither is the comment pointing at it
      writeFileSync(join(to, name), readFileSync(src, 'utf8').replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n'));
      n++;
    }
  }
  return n;
}

interface SourcePackage {
  name: string;
  version: string;
  description: string;
  license: string;
  type: string;
  engines: Record<string, string>;
  bin: Record<string, string>;
  dependencies: Record<string, string>;
}

function runtimePackageJson(src: SourcePackage): string {
  const pkg = {
    name: src.name,
    version: src.version,
    description: src.description,
    license: src.license,
    type: src.type,
    // not for the public registry: a fleet installs the tarball (or its own registry's copy)
    private: true,
    bin: src.bin,
    engines: src.engines,
    os: ['linux'],
    cpu: PREBUILT_PLATFORMS.map((p) => p.split('-')[1] ?? ''),
    dependencies: src.dependencies,
    files: ['dist/', 'ui/web/page.css', 'prebuilt/', 'deploy/', 'README.md', 'LICENSE'],
  };
  return JSON.stringify(pkg, null, 2) + '\n';
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const log = (m: string) => {
    if (!o.quiet) process.stderr.write(`package: ${m}\n`);
  };
  if (!PREBUILT_PLATFORMS.includes(platformKey())) {
    throw new PackageError(`the package ships ${PREBUILT_PLATFORMS.join(', ')} binaries; this is ${platformKey()}`);
  }
  const src = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as SourcePackage;
  const tarName = `${src.name}-${src.version}.tgz`;
  const target = join(o.out, tarName);
  const inBuild = !relative(join(root, 'build'), o.out).startsWith('..');
  if (existsSync(target) && !inBuild && !o.force)
    throw new PackageError(`${target} exists: pass --force to replace it`);

  for (const b of BINARIES) {
    if (!existsSync(join(root, 'build', b))) throw new PackageError(`build/${b} is not built: run 'npm run build'`);
  }
  await checkLibcOnly(join(root, 'build', 'irqlens-helper'));

  mkdirSync(o.out, { recursive: true });
  const stage = mkdtempSync(join(o.out, '.package-'));
  try {
    const files = RUNTIME_DIRS.reduce((n, d) => n + copyRuntime(join(root, 'dist', d), join(stage, 'dist', d)), 0);
    log(
      `${files} compiled runtime modules (${RUNTIME_DIRS.map((d) => `dist/${d}`).join(', ')}; no tests, no source maps)`,
    );
    mkdirSync(join(stage, 'ui', 'web'), { recursive: true });
    cpSync(join(root, 'ui', 'web', 'page.css'), join(stage, 'ui', 'web', 'page.css'));
    const pre = join(stage, 'prebuilt', platformKey());
    mkdirSync(pre, { recursive: true });
    for (const b of BINARIES) {
      // debug info is for the build host; the CO-RE object is data in .rodata and stays
      await execa('objcopy', ['--strip-debug', join(root, 'build', b), join(pre, b)]);
    }
    log(`prebuilt/${platformKey()}: ${BINARIES.join(', ')} (helper needs only libc)`);
    if (existsSync(join(root, 'deploy'))) cpSync(join(root, 'deploy'), join(stage, 'deploy'), { recursive: true });
    for (const f of ['README.md', 'LICENSE']) cpSync(join(root, f), join(stage, f));
    writeFileSync(join(stage, 'package.json'), runtimePackageJson(src));

    const packed = mkdtempSync(join(o.out, '.packed-'));
    try {
      const r = await execa('npm', ['pack', '--json', '--pack-destination', packed], { cwd: stage });
      const info = (JSON.parse(r.stdout) as { filename: string; size: number; entryCount: number }[])[0];
      if (!info) throw new PackageError('npm pack printed no result');
      renameSync(join(packed, info.filename), target);
      log(
        `${relative(process.cwd(), target) || target}: ${info.entryCount} files, ${(info.size / 1024).toFixed(0)} kB`,
      );
    } finally {
      rmSync(packed, { recursive: true, force: true });
    }
    process.stdout.write(target + '\n');
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  if (e instanceof PackageError) process.stderr.write(`package: ${e.message}\n`);
  else if (e instanceof ExecaError)
    process.stderr.write(
      `package: ${e.shortMessage}\n${((e.stderr as string | undefined) ?? '').split('\n').slice(-10).join('\n')}\n`,
    );
  else process.stderr.write(`package: ${String(e)}\n`);
  process.exit(1);
});
