// The build: vmlinux.h -> one BPF object per bpf/*.bpf.c -> ONE linked object
// -> skeleton -> static helper; plus the C workloads the tests drive.
// Every step runs only when an input is newer than its output.
import { execa, ExecaError } from 'execa';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync, readFileSync } from 'node:fs';
import { join, basename } from 'node:path';
import { release } from 'node:os';
import { repoRoot } from '../src/probe/paths.js';

const root = repoRoot();
const bpfDir = join(root, 'bpf');
const out = join(root, 'build');
const objDir = join(out, 'bpf');
const quiet = process.argv.includes('--quiet');

class BuildError extends Error {}

function log(msg: string): void {
  if (!quiet) process.stderr.write(`build: ${msg}\n`);
}

function mtime(path: string): number {
  return existsSync(path) ? statSync(path).mtimeMs : -1;
}

/** True when `output` is missing or older than any input. */
function stale(output: string, inputs: string[]): boolean {
  const t = mtime(output);
  return t < 0 || inputs.some((i) => mtime(i) > t);
}

async function run(cmd: string, args: string[], what: string): Promise<string> {
  try {
    const r = await execa(cmd, args, { cwd: root });
    return r.stdout;
  } catch (e) {
    if (e instanceof ExecaError) {
      if (e.code === 'ENOENT') throw new BuildError(`${what}: '${cmd}' is not installed (run: bash scripts/setup.sh)`);
      const tail = (e.stderr || e.stdout || e.shortMessage).split('\n').slice(-15).join('\n');
      throw new BuildError(`${what} failed:\n${tail}`);
    }
    throw e;
  }
}

async function onPath(cmd: string): Promise<boolean> {
  try {
    await execa('sh', ['-c', `command -v ${cmd}`]);
    return true;
  } catch {
    return false;
  }
}

async function vmlinuxHeader(): Promise<string> {
  const btf = '/sys/kernel/btf/vmlinux';
  const header = join(out, 'vmlinux.h');
  const stamp = join(out, 'vmlinux.kernel');
  if (!existsSync(btf)) {
    throw new BuildError(
      `this kernel has no BTF (${btf} is missing): irqlens needs CONFIG_DEBUG_INFO_BTF=y ` +
        '(Debian, Ubuntu, Fedora and RHEL kernels have it)',
    );
  }
  const kernel = release();
  if (existsSync(header) && existsSync(stamp) && readFileSync(stamp, 'utf8') === kernel) return header;
  log(`vmlinux.h from ${btf}`);
  const c = await run('bpftool', ['btf', 'dump', 'file', btf, 'format', 'c'], 'bpftool btf dump');
  writeFileSync(header, c + '\n');
  writeFileSync(stamp, kernel);
  return header;
}

const clangBase = [
  '-O2',
  '-g',
  '-target',
  'bpf',
  '-mcpu=v3',
  '-D__TARGET_ARCH_x86',
  '-Wall',
  '-Werror',
  '-Wno-unused-function',
];

type Linker = 'bpf-linker' | 'bpftool';

async function chooseLinker(): Promise<Linker> {
  const forced = process.env.IRQLENS_BPF_LINKER;
  if (forced) {
    if (forced !== 'bpf-linker' && forced !== 'bpftool') {
      throw new BuildError(`IRQLENS_BPF_LINKER='${forced}': use 'bpf-linker' or 'bpftool'`);
    }
    if (forced === 'bpf-linker' && !(await onPath('bpf-linker'))) {
      throw new BuildError('IRQLENS_BPF_LINKER=bpf-linker but bpf-linker is not on PATH');
    }
    return forced;
  }
  return (await onPath('bpf-linker')) ? 'bpf-linker' : 'bpftool';
}

async function bpfObject(vmlinux: string): Promise<string> {
  const sources = readdirSync(bpfDir)
    .filter((f) => f.endsWith('.bpf.c'))
    .sort();
  const headers = readdirSync(bpfDir)
    .filter((f) => f.endsWith('.h'))
    .map((f) => join(bpfDir, f));
  const linker = await chooseLinker();
  const ext = linker === 'bpf-linker' ? '.bc' : '.o';
  const parts: string[] = [];
  for (const src of sources) {
    const input = join(bpfDir, src);
    const part = join(objDir, basename(src, '.c') + ext);
    parts.push(part);
    if (!stale(part, [input, vmlinux, ...headers])) continue;
    log(`clang ${src}${linker === 'bpf-linker' ? ' (bitcode)' : ''}`);
    const emit = linker === 'bpf-linker' ? ['-emit-llvm'] : [];
    await run('clang', [...clangBase, ...emit, `-I${out}`, `-I${bpfDir}`, '-c', input, '-o', part], `clang ${src}`);
  }
  const linked = join(out, 'irqlens.bpf.o');
  const linkerStamp = join(out, 'linker');
  const sameLinker = existsSync(linkerStamp) && readFileSync(linkerStamp, 'utf8') === linker;
  if (sameLinker && !stale(linked, parts)) return linked;
  log(`link ${parts.length} objects with ${linker}`);
  if (linker === 'bpf-linker') {
    await run('bpf-linker', ['--cpu', 'v3', '-o', linked, ...parts], 'bpf-linker');
  } else {
    await run('bpftool', ['gen', 'object', linked, ...parts], 'bpftool gen object');
  }
  writeFileSync(linkerStamp, linker);
  return linked;
}

async function helper(linked: string): Promise<void> {
  const skel = join(out, 'irqlens.skel.h');
  if (stale(skel, [linked])) {
    log('skeleton');
    const s = await run('bpftool', ['gen', 'skeleton', linked, 'name', 'irqlens'], 'bpftool gen skeleton');
    writeFileSync(skel, s + '\n');
  }
  const bin = join(out, 'irqlens-helper');
  const helperDir = join(bpfDir, 'helper');
  const sources = readdirSync(helperDir)
    .filter((f) => f.endsWith('.c'))
    .sort()
    .map((f) => join(helperDir, f));
  const inputs = [...sources, join(helperDir, 'helper.h'), join(bpfDir, 'events.h'), join(bpfDir, 'layout.h'), skel];
  if (!stale(bin, inputs)) return;
  log('helper (static libbpf)');
  await run(
    'gcc',
    [
      '-O2',
      '-g',
      '-Wall',
      '-Wextra',
      '-Werror',
      `-I${out}`,
      `-I${bpfDir}`,
      ...sources,
      '-o',
      bin,
      '-Wl,-Bstatic',
      '-lbpf',
      '-lelf',
      '-lz',
      '-lzstd',
      '-Wl,-Bdynamic',
    ],
    'gcc helper',
  );
}

/** C workloads the tests and benchmarks drive (test/workloads/*.c). */
async function workloads(): Promise<void> {
  const dir = join(root, 'test', 'workloads');
  if (!existsSync(dir)) return;
  for (const src of readdirSync(dir).filter((f) => f.endsWith('.c'))) {
    const bin = join(out, basename(src, '.c'));
    if (!stale(bin, [join(dir, src)])) continue;
    log(`workload ${src}`);
    await run('gcc', ['-O2', '-Wall', '-Werror', '-pthread', join(dir, src), '-o', bin], `gcc ${src}`);
  }
}

async function main(): Promise<void> {
  mkdirSync(objDir, { recursive: true });
  const vmlinux = await vmlinuxHeader();
  const linked = await bpfObject(vmlinux);
  await helper(linked);
  await workloads();
}

main().catch((e: unknown) => {
  process.stderr.write(`build: ${e instanceof BuildError ? e.message : String(e)}\n`);
  process.exit(1);
});
