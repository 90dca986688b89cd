// Benchmark: recordings. Bytes per event on disk for a real mixed load, and
// how fast the offline commands read them back.
//
// Without --file it records (root): the echo workload on loopback (epoll busy
// periods, NET_RX softirqs, backlog NAPI polls, IPIs) plus O_DIRECT disk
// writes (device IRQs), with `irqlens record --records all` (hardirq, vector,
// softirq, napi, epoll, burst, period). Then, on that file:
//   - bytes per event per codec (the same helper stream re-chunked by the writer)
//   - read speeds: inflate only; frames -> messages; + reduceTotals (what
//     replay and the live views run); measurementOf (+ the busy-period
//     collector, what report FILE folds); the whole `report FILE` (+ estimator)
//   - export speeds: perfetto JSON and csv
// Speeds are events (per-event records) per second of wall time, median and
// min-max of --repeats runs; nothing here fails on a number.
//
//   node dist/scripts/bench/record.js [--seconds S] [--repeats R] [--file REC] [--keep] [--md] [--json PATH]
//
// Examples:
//   node dist/scripts/bench/record.js --seconds 10 --repeats 3 --md
//   node dist/scripts/bench/record.js --file big.irqrec --repeats 5 --json results.json
import { execa } from 'execa';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEcho } from '../../src/cost/workloads.js';
import { repoRoot } from '../../src/probe/paths.js';
import { exportCsv } from '../../src/record/csv.js';
import { eachMessage, measurementOf } from '../../src/record/offline.js';
import { exportPerfetto } from '../../src/record/perfetto.js';
import { Recording } from '../../src/record/reader.js';
import { RecordingWriter, type Codec } from '../../src/record/writer.js';
import { buildReport } from '../../src/report/cost-report.js';
import { initialTotals, reduceTotals } from '../../src/reduce/totals.js';
import { REC_NAMES } from '../../src/stream/layout.js';
import {
  argValue,
  fmt,
  isMain,
  log,
  machine,
  type Machine,
  machineLine,
  mdTable,
  median,
  minMax,
  printHeaderHelp,
  table,
  wantsHelp,
} from './util.js';

export interface CodecRow {
  codec: string;
  bytes: number;
  bytesPerEvent: number;
  /** Writer throughput: helper-stream MB per second of wall time (compression included). */
  writeMBps: number;
}

export interface SpeedRow {
  what: string;
  seconds: number;
  eventsPerSec: number;
  /** Slowest and fastest of the repeats. */
  minEventsPerSec: number;
  maxEventsPerSec: number;
}

export interface RecordBenchResult {
  machine: Machine;
  load: string;
  seconds: number;
  events: number;
  byKind: Record<string, number>;
  streamBytes: number;
  streamBytesPerEvent: number;
  lostRecords: number;
  codecs: CodecRow[];
  speeds: SpeedRow[];
}

async function recordMixedLoad(file: string, seconds: number): Promise<{ load: string; lost: number }> {
  const cli = join(repoRoot(), 'dist', 'cli', 'main.js');
  const echo = await startEcho({ durationS: seconds - 2, serverCpu: 1, clientCpu: 0, work: 200, wssKb: 64, conns: 4 });
  try {
    const rec = execa(
      'node',
      [cli, 'record', '-o', file, '--force', '--records', 'all', '--duration', String(seconds), '--json'],
      { reject: false },
    );
    await new Promise((r) => setTimeout(r, 1000));
    const scratch = join(repoRoot(), 'build', 'test-scratch');
    const dd = execa(
      'dd',
      ['if=/dev/zero', `of=${join(scratch, `bench-record-${process.pid}`)}`, 'bs=4k', 'count=20000', 'oflag=direct'],
      { reject: false, cwd: scratch },
    );
    await Promise.all([echo.load(), dd]);
    rmSync(join(scratch, `bench-record-${process.pid}`), { force: true });
    const r = await rec;
    if (r.exitCode !== 0) throw new Error(`irqlens record failed: ${r.stderr}`);
    const j = JSON.parse(r.stdout) as { lost_records: number };
    return {
      load: `echo-server (work 200, wss 64 KiB, CPU 1) + echo-client (4 conns, CPU 0) + dd 4 KiB O_DIRECT writes, records all, ${seconds} s`,
      lost: j.lost_records,
    };
  } finally {
    await echo.stop();
  }
}

function timed(what: string, events: number, repeats: number, fn: () => void): SpeedRow {
  const secs: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    fn();
    secs.push((performance.now() - t0) / 1000);
  }
  const s = median(secs);
  const [lo, hi] = minMax(secs);
  return { what, seconds: s, eventsPerSec: events / s, minEventsPerSec: events / hi, maxEventsPerSec: events / lo };
}

export async function runRecordBench(args: string[] = []): Promise<RecordBenchResult> {
  const seconds = Number(argValue(args, '--seconds') ?? 10);
  const repeats = Number(argValue(args, '--repeats') ?? 3);
  const dir = mkdtempSync(join(tmpdir(), 'irqlens-bench-rec-'));
  let file = argValue(args, '--file');
  let load = `the recording ${file ?? ''}`;
  let lost = 0;
  try {
    if (!file) {
      if (process.getuid?.() !== 0) throw new Error('recording a load needs root (or give --file REC)');
      file = join(dir, 'mixed.irqrec');
      log(`recording a mixed load for ${seconds} s`);
      ({ load, lost } = await recordMixedLoad(file, seconds));
    }
    const rec = Recording.open(file);
    const events = rec.index?.events ?? 0;
    const byKind: Record<string, number> = {};
    const frames: { type: number; flags: number; payload: Uint8Array }[] = [];
    let streamBytes = 0;
    for (const f of rec.frames()) {
      frames.push(f);
      streamBytes += 8 + f.payload.length;
    }
    rec.close();
    const path = file;
    const counts = new Float64Array(8);
    {
      const r = Recording.open(path);
      eachMessage(r, (m) => {
        if (m.type !== 'events') return;
        const dv = new DataView(m.bytes.buffer, m.bytes.byteOffset, m.bytes.byteLength);
        for (let off = 0; off + 2 <= m.bytes.length;) {
          const k = dv.getUint16(off, true);
          counts[k] = (counts[k] ?? 0) + 1;
          off += k === 7 ? 136 : k === 6 ? 48 : 32;
        }
      });
      r.close();
    }
    counts.forEach((n, k) => {
      if (n) byKind[REC_NAMES[k] ?? `kind${k}`] = n;
    });

    log('codecs');
    const codecs: CodecRow[] = [];
    for (const [codec, level] of [
      ['deflate-raw', 1],
      ['deflate-raw', 2],
      ['deflate-raw', 6],
      ['brotli', 5],
      ['stored', 0],
    ] as [Codec, number][]) {
      const out = join(dir, `codec-${codec}-${level}.irqrec`);
      const t0 = performance.now();
      const w = RecordingWriter.create(out, Recording.open(path).header, { codec, level });
      for (const f of frames) w.addFrame(f.type, f.flags, f.payload);
      w.close('end');
      const s = (performance.now() - t0) / 1000;
      const bytes = statSync(out).size;
      codecs.push({
        codec:
          codec === 'stored'
            ? 'none'
            : `${codec} ${level}${codec === 'deflate-raw' && level === 2 ? ' (default)' : ''}`,
        bytes,
        bytesPerEvent: bytes / events,
        writeMBps: streamBytes / 1e6 / s,
      });
      rmSync(out);
    }

    log('read speeds');
    const speeds: SpeedRow[] = [];
    speeds.push(
      timed('inflate + checksum (chunks)', events, repeats, () => {
        const r = Recording.open(path);
        let n = 0;
        for (const c of r.chunks()) n += c.raw.length;
        r.close();
        if (!n) throw new Error('an empty recording');
      }),
    );
    speeds.push(
      timed('frames -> messages (decodeFrame)', events, repeats, () => {
        const r = Recording.open(path);
        let n = 0;
        for (const m of r.messages()) n += m.type === 'events' ? 1 : 0;
        r.close();
        if (!n) throw new Error('no events frames');
      }),
    );
    speeds.push(
      timed('replay: + reduceTotals', events, repeats, () => {
        const r = Recording.open(path);
        let s = initialTotals(r.hello);
        eachMessage(r, (m) => {
          if (m.type !== 'hello') s = reduceTotals(s, m);
        });
        r.close();
      }),
    );
    speeds.push(
      timed('report fold: + busy-period collector (measurementOf)', events, repeats, () => {
        const r = Recording.open(path);
        measurementOf(r);
        r.close();
      }),
    );
    speeds.push(
      timed('report FILE: + estimator (buildReport)', events, repeats, () => {
        const r = Recording.open(path);
        buildReport([measurementOf(r)], { queues: r.header.settings?.queues ?? [] });
        r.close();
      }),
    );
    log('export speeds');
    speeds.push(
      timed('export perfetto (JSON written)', events, repeats, () => {
        const r = Recording.open(path);
        exportPerfetto(r, join(dir, 'out.json'));
        r.close();
      }),
    );
    speeds.push(
      timed('export csv (cpus table)', events, repeats, () => {
        const r = Recording.open(path);
        exportCsv(r, join(dir, 'out.csv'), 'cpus', 0);
        r.close();
      }),
    );
    return {
      machine: machine(),
      load,
      seconds,
      events,
      byKind,
      streamBytes,
      streamBytesPerEvent: streamBytes / events,
      lostRecords: lost,
      codecs,
      speeds,
    };
  } finally {
    if (!args.includes('--keep')) rmSync(dir, { recursive: true, force: true });
    else log(`kept ${dir}`);
  }
}

export function recordTables(r: RecordBenchResult): { headers: string[]; rows: string[][] }[] {
  return [
    {
      headers: ['codec', 'file bytes', 'bytes/event', 'write MB/s'],
      rows: r.codecs.map((c) => [c.codec, fmt(c.bytes), fmt(c.bytesPerEvent, 2), fmt(c.writeMBps, 0)]),
    },
    {
      headers: ['what', 'seconds (median)', 'M events/s median', 'min-max'],
      rows: r.speeds.map((s) => [
        s.what,
        fmt(s.seconds, 3),
        fmt(s.eventsPerSec / 1e6, 2),
        `${fmt(s.minEventsPerSec / 1e6, 2)}-${fmt(s.maxEventsPerSec / 1e6, 2)}`,
      ]),
    },
  ];
}

export function printRecord(r: RecordBenchResult, md = false): void {
  const kinds = Object.entries(r.byKind)
    .map(([k, n]) => `${k} ${fmt(n)}`)
    .join(', ');
  process.stdout.write(`recordings: ${machineLine(r.machine)}\n${r.load}\n`);
  process.stdout.write(
    `${fmt(r.events)} events (${kinds}); helper stream ${fmt(r.streamBytes)} bytes = ${fmt(r.streamBytesPerEvent, 1)} bytes/event; lost ${fmt(r.lostRecords)}\n\n`,
  );
  for (const t of recordTables(r))
    process.stdout.write((md ? mdTable(t.headers, t.rows) : table(t.headers, t.rows)) + '\n\n');
}

if (isMain(import.meta.url) && wantsHelp(process.argv)) {
  printHeaderHelp(import.meta.url);
} else if (isMain(import.meta.url)) {
  const args = process.argv.slice(2);
  runRecordBench(args).then(
    (r) => {
      printRecord(r, args.includes('--md'));
      const json = argValue(args, '--json');
      if (json) writeFileSync(json, JSON.stringify(r, null, 2) + '\n');
    },
    (e: unknown) => {
      process.stderr.write(`bench: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(1);
    },
  );
}
