// Runs every benchmark in sequence (npm run bench): the stream throughput
// bench, the per-event BPF cost comparison, the reducer's throughput on a
// recorded stream, and what busy-period tracking costs the echo workload's
// throughput. Prints plain tables; with
// --md also the Markdown tables BENCHMARKS.md is written from; with --json
// PATH it saves the raw results; --wait-quiet S waits up to S seconds for the
// machine to go idle first; --quick runs fewer repeats. Nothing here fails on
// a number: figures and ratios only.
import { writeFileSync } from 'node:fs';
import { overheadSummary, overheadTables, printOverhead, runOverheadBench } from './period-overhead.js';
import { costTables, printCost, runCostBench } from './probe-cost.js';
import { printReducer, reducerSummary, reducerTables, runReducerBench } from './reducer.js';
import { controlLine, printStream, runStreamBench, streamTable } from './stream.js';
import { backgroundCpuPct, fmt, initClockTicks, log, machineLine, mdTable } from './util.js';

function argValue(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
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
  const quietBefore = await backgroundCpuPct();
  log(`background CPU before the benchmarks: ${fmt(quietBefore, 1)}% (100 = one CPU)`);
  const stream = await runStreamBench(args.includes('--quick') ? ['--seconds', '2', '--repeats', '1'] : []);
  printStream(stream);
  const quietBetween = await backgroundCpuPct();
  log(`background CPU before probe-cost: ${fmt(quietBetween, 1)}%`);
  const cost = await runCostBench(args.includes('--quick') ? ['--rounds', '3'] : []);
  printCost(cost);
  const quietBeforeReducer = await backgroundCpuPct();
  log(`background CPU before reducer: ${fmt(quietBeforeReducer, 1)}%`);
  const reducer = await runReducerBench(args.includes('--quick') ? ['--repeats', '5'] : []);
  printReducer(reducer);
  const quietBeforeOverhead = await backgroundCpuPct();
  log(`background CPU before period-overhead: ${fmt(quietBeforeOverhead, 1)}%`);
  // per round it waits (bounded) for a quiet machine, as long as the whole run may wait
  const overhead = await runOverheadBench([
    ...(args.includes('--quick') ? ['--rounds', '2', '--seconds', '3'] : []),
    ...(waitQuiet ? ['--wait-quiet', String(waitQuiet)] : []),
  ]);
  printOverhead(overhead);
  log(`all benchmarks took ${fmt((performance.now() - t0) / 1000, 1)} s`);

  const json = argValue(args, '--json');
  if (json) {
    const all = { quietBefore, quietBetween, quietBeforeReducer, quietBeforeOverhead, stream, cost, reducer, overhead };
    writeFileSync(json, JSON.stringify(all, null, 2) + '\n');
  }
  if (args.includes('--md')) {
    const s = streamTable(stream);
    const c = costTables(cost);
    const r = reducerTables(reducer);
    const o = overheadTables(overhead);
    const out = [
      `Machine: ${machineLine(stream.machine)}`,
      `Background CPU (100 = one CPU) before stream: ${fmt(quietBefore, 1)}%, before probe-cost: ${fmt(quietBetween, 1)}%, ` +
        `before reducer: ${fmt(quietBeforeReducer, 1)}%, before period-overhead: ${fmt(quietBeforeOverhead, 1)}%`,
      '',
      `### stream (\`${stream.command}\`), ${stream.repeats} repeats x ${stream.seconds} s per step, median (min-max)`,
      '',
      mdTable(s.headers, s.rows),
      '',
      `Highest rate lossless in every repeat: ${fmt(stream.bestLosslessPerSec)} events/s; highest lossless single run: ${fmt(stream.bestLosslessRunPerSec)} events/s`,
      '',
      stream.control ? controlLine(stream.control) : '',
      '',
      `### probe-cost (\`${cost.command}\`), ${cost.rounds} rounds; load: ${cost.load}`,
      '',
      mdTable(c.perEvent.headers, c.perEvent.rows),
      '',
      mdTable(c.ratios.headers, c.ratios.rows),
      '',
      mdTable(c.totals.headers, c.totals.rows),
      '',
      mdTable(c.perProgram.headers, c.perProgram.rows),
      '',
      `### reducer (\`${reducer.command}\`), ${reducer.repeats} repeats per stage`,
      '',
      mdTable(r.mix.headers, r.mix.rows),
      '',
      mdTable(r.stages.headers, r.stages.rows),
      '',
      ...reducerSummary(reducer).map((l) => `- ${l}`),
      '',
      `### period-overhead (\`${overhead.command}\`), ${overhead.rounds} rounds x ${overhead.seconds} s`,
      '',
      mdTable(o.runs.headers, o.runs.rows),
      '',
      mdTable(o.ratios.headers, o.ratios.rows),
      '',
      ...overheadSummary(overhead).map((l) => `- ${l}`),
      '',
    ];
    process.stdout.write('\n' + out.join('\n'));
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`bench: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
