// Runs every benchmark in sequence (npm run bench): stream (events/s into
// TypeScript), probe-cost (BPF ns per event vs libbpf-tools and bpftrace),
// reducer, period-overhead (busy-period tracking on the echo workload),
// record (bytes per event, replay/report speed), ui-cpu (irqlens top's own
// CPU), overhead (memcached + memcaslap untraced vs irqlens record, irqlens top,
// libbpf-tools and bpftrace) and, only with --memory, the long RSS run.
// Nothing here fails on a number: figures and ratios only.
//
//   node dist/scripts/bench/all.js [--quick] [--wait-quiet S] [--md] [--json PATH]
//        [--memory [MINUTES]] [--only stream,probe-cost,reducer,period-overhead,record,ui-cpu,overhead,memory]
//
// --md also prints the Markdown tables BENCHMARKS.md is written from; --json
// PATH saves the raw results; --wait-quiet S waits up to S seconds for an idle
// machine first; --quick runs fewer and shorter repeats (about 4 minutes
// instead of about 15). --memory adds memory.js (10 minutes by default, or
// MINUTES): the RSS of irqlens record and top over a long run at 500k calls/s.
// It is opt-in because it takes that long; run it alone as
// `node dist/scripts/bench/memory.js`. --only runs a subset.
//
// Examples:
//   npm run bench
//   node dist/scripts/bench/all.js --quick --md
//   node dist/scripts/bench/all.js --wait-quiet 300 --md --json results.json --memory
//   node dist/scripts/bench/all.js --only overhead,memory --memory 2
import { writeFileSync } from 'node:fs';
import {
  memorySummary,
  memoryTable,
  perWindowTable,
  printMemory,
  runMemoryBench,
  type MemoryResult,
} from './memory.js';
import {
  overheadMarkdown,
  printOverhead as printMemcached,
  runMemcachedOverhead,
  type OverheadResult as MemcachedResult,
} from './overhead.js';
import {
  overheadSummary,
  overheadTables,
  printOverhead,
  runOverheadBench,
  type OverheadResult,
} from './period-overhead.js';
import { costTables, printCost, runCostBench, type CostResult } from './probe-cost.js';
import { printRecord, recordTables, runRecordBench, type RecordBenchResult } from './record.js';
import { printReducer, reducerSummary, reducerTables, runReducerBench, type ReducerResult } from './reducer.js';
import { controlLine, printStream, runStreamBench, streamTable, type StreamResult } from './stream.js';
import { printUiCpu, runUiCpuBench, uiCpuTable, type UiCpuResult } from './ui-cpu.js';
import {
  argValue,
  backgroundCpuPct,
  fmt,
  initClockTicks,
  isMain,
  log,
  machine,
  machineLine,
  mdTable,
  printHeaderHelp,
  wantsHelp,
} from './util.js';

const ALL = ['stream', 'probe-cost', 'reducer', 'period-overhead', 'record', 'ui-cpu', 'overhead', 'memory'] as const;
type Name = (typeof ALL)[number];

interface Results {
  quiet: Partial<Record<Name, number>>;
  stream?: StreamResult;
  cost?: CostResult;
  reducer?: ReducerResult;
  periodOverhead?: OverheadResult;
  record?: RecordBenchResult;
  uiCpu?: UiCpuResult;
  overhead?: MemcachedResult;
  memory?: MemoryResult;
}

function selected(args: string[]): Set<Name> {
  const only = argValue(args, '--only');
  const names = (only ? only.split(',') : ALL.filter((n) => n !== 'memory' || args.includes('--memory'))) as Name[];
  for (const n of names) if (!ALL.includes(n)) throw new Error(`--only: unknown '${n}' (use ${ALL.join(', ')})`);
  return new Set(names);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  const want = selected(args);
  const t0 = performance.now();
  await initClockTicks();
  // the figures mean little on a busy machine: optionally wait (bounded) for
  // it to calm down, and always say how busy it was
  const waitQuiet = Number(argValue(args, '--wait-quiet') ?? 0);
  for (let waited = 0; waited < waitQuiet; waited++) {
    const busy = await backgroundCpuPct();
    if (busy < 10) break;
    if (waited % 10 === 0) log(`waiting for a quiet machine (busy ${fmt(busy, 0)}%), up to ${waitQuiet} s`);
  }
  const res: Results = { quiet: {} };
  const before = async (n: Name): Promise<boolean> => {
    if (!want.has(n)) return false;
    res.quiet[n] = await backgroundCpuPct();
    log(`background CPU before ${n}: ${fmt(res.quiet[n] ?? NaN, 1)}% (100 = one CPU)`);
    return true;
  };
  const wq = waitQuiet ? ['--wait-quiet', String(waitQuiet)] : [];
  if (await before('stream'))
    printStream((res.stream = await runStreamBench(quick ? ['--seconds', '2', '--repeats', '1'] : [])));
  if (await before('probe-cost')) printCost((res.cost = await runCostBench(quick ? ['--rounds', '3'] : [])));
  if (await before('reducer')) printReducer((res.reducer = await runReducerBench(quick ? ['--repeats', '5'] : [])));
  // per round it waits (bounded) for a quiet machine, as long as the whole run may wait
  if (await before('period-overhead'))
    printOverhead(
      (res.periodOverhead = await runOverheadBench([...(quick ? ['--rounds', '2', '--seconds', '3'] : []), ...wq])),
    );
  if (await before('record'))
    printRecord(
      (res.record = await runRecordBench(
        quick ? ['--seconds', '5', '--repeats', '2'] : ['--seconds', '10', '--repeats', '3'],
      )),
    );
  if (await before('ui-cpu'))
    printUiCpu((res.uiCpu = await runUiCpuBench(quick ? ['--seconds', '5', '--repeats', '1'] : [])));
  if (await before('overhead'))
    printMemcached(
      (res.overhead = await runMemcachedOverhead([...(quick ? ['--rounds', '2', '--seconds', '5'] : []), ...wq])),
    );
  if (await before('memory')) {
    const v = argValue(args, '--memory');
    const minutes = v !== undefined && /^[\d.]+$/.test(v) ? v : '10';
    printMemory((res.memory = await runMemoryBench(['--minutes', minutes])));
  }
  log(`all benchmarks took ${fmt((performance.now() - t0) / 1000, 1)} s`);

  const json = argValue(args, '--json');
  if (json) writeFileSync(json, JSON.stringify(res, null, 2) + '\n');
  if (args.includes('--md')) process.stdout.write('\n' + markdown(res).join('\n') + '\n');
}

function markdown(res: Results): string[] {
  const q = Object.entries(res.quiet)
    .map(([n, v]) => `before ${n}: ${fmt(v, 1)}%`)
    .join(', ');
  const out = [`Machine: ${machineLine(machine())}`, `Background CPU (100 = one CPU) ${q}`, ''];
  const { stream, cost, reducer, periodOverhead: po, record, uiCpu, overhead, memory } = res;
  if (stream) {
    const s = streamTable(stream);
    out.push(
      `### stream (\`${stream.command}\`), ${stream.repeats} repeats x ${stream.seconds} s per step, median (min-max)`,
      '',
      mdTable(s.headers, s.rows),
      '',
      `Highest rate lossless in every repeat: ${fmt(stream.bestLosslessPerSec)} events/s; highest lossless single run: ${fmt(stream.bestLosslessRunPerSec)} events/s`,
      '',
      stream.control ? controlLine(stream.control) : '',
      '',
    );
  }
  if (cost) {
    const c = costTables(cost);
    out.push(`### probe-cost (\`${cost.command}\`), ${cost.rounds} rounds; load: ${cost.load}`, '');
    for (const t of [c.perEvent, c.ratios, c.totals, c.perProgram]) out.push(mdTable(t.headers, t.rows), '');
  }
  if (reducer) {
    const r = reducerTables(reducer);
    out.push(
      `### reducer (\`${reducer.command}\`), ${reducer.repeats} repeats per stage`,
      '',
      mdTable(r.mix.headers, r.mix.rows),
      '',
      mdTable(r.stages.headers, r.stages.rows),
      '',
      ...reducerSummary(reducer).map((l) => `- ${l}`),
      '',
    );
  }
  if (po) {
    const o = overheadTables(po);
    out.push(
      `### period-overhead (\`${po.command}\`), ${po.rounds} rounds x ${po.seconds} s`,
      '',
      mdTable(o.runs.headers, o.runs.rows),
      '',
      mdTable(o.ratios.headers, o.ratios.rows),
      '',
      ...overheadSummary(po).map((l) => `- ${l}`),
      '',
    );
  }
  if (record) {
    out.push(`### record: ${record.load}`, '');
    for (const t of recordTables(record)) out.push(mdTable(t.headers, t.rows), '');
  }
  if (uiCpu) {
    const u = uiCpuTable(uiCpu);
    out.push(`### ui-cpu (\`${uiCpu.command}\`)`, '', mdTable(u.headers, u.rows), '');
  }
  if (overhead)
    out.push(
      `### overhead (\`${overhead.command}\`), ${overhead.rounds} rounds x ${overhead.seconds} s`,
      '',
      overheadMarkdown(overhead),
      '',
    );
  if (memory) {
    const m = memoryTable(memory);
    const p = perWindowTable(memory);
    out.push(
      `### memory (\`${memory.command}\`)`,
      '',
      mdTable(m.headers, m.rows),
      '',
      mdTable(p.headers, p.rows),
      '',
      ...memorySummary(memory).map((l) => `- ${l}`),
      '',
    );
  }
  return out;
}

if (isMain(import.meta.url) && wantsHelp(process.argv)) {
  printHeaderHelp(import.meta.url);
} else if (isMain(import.meta.url)) {
  main().catch((e: unknown) => {
    process.stderr.write(`bench: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  });
}
