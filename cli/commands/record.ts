// `irqlens record`: the probe stream to a file (docs/recording-format.md),
// with the NIC and kernel settings in its header, for the offline commands.
import { existsSync, statSync } from 'node:fs';
import { prepareOutput } from '../../src/output/safe-output.js';
import { Capture, type CaptureStatus, type CaptureSummary } from '../../src/record/capture.js';
import { commandExists, makeCgroup, removeCgroup, startCommand, type Child } from '../../src/cost/command.js';
import { makeHeader } from '../../src/record/header.js';
import { hostSettings } from '../../src/record/settings.js';
import type { Codec } from '../../src/record/writer.js';
import { toProbeOptions, type RawProbeOpts } from '../common/probe-options.js';
import { UsageError } from '../common/errors.js';
import { onInterrupt } from '../common/signals.js';
import { RECORD_WORKLOADS, recordProbes, withWorkloadRecords, type ProbeGroup } from '../../src/probe/options.js';

export interface RecordOpts extends RawProbeOpts {
  output: string;
  duration?: number;
  snapshotMs: number;
  compression: string;
  force?: boolean;
  json?: boolean;
  /** (top's r key) stop like Ctrl-C when stdin closes: the view that started us is gone. */
  stopWithStdin?: boolean;
  workloads?: boolean;
  allProbes?: boolean;
}

/**
 * The records and probe groups of a recording: the --records kinds, plus busy periods with --workloads or a named
 * workload (--pid, --cgroup or a command: they only narrow the epoll probes, which nothing else would attach).
 */
export function recordSelection(
  records: readonly string[],
  o: { workloads?: boolean; allProbes?: boolean; namedWorkload: boolean },
): { records: string[]; probes: ProbeGroup[] } {
  const all = o.workloads || o.namedWorkload ? withWorkloadRecords(records, RECORD_WORKLOADS) : [...records];
  return { records: all, probes: recordProbes(all, o.allProbes) };
}

const CODECS: Record<string, Codec> = { deflate: 'deflate-raw', brotli: 'brotli', none: 'stored' };

export function mb(n: number): string {
  return n >= 1e9
    ? `${(n / 1e9).toFixed(2)} GB`
    : n >= 1e6
      ? `${(n / 1e6).toFixed(1)} MB`
      : `${(n / 1e3).toFixed(1)} kB`;
}

export function count(n: number): string {
  return n >= 1e6 ? `${(n / 1e6).toFixed(2)} M` : n >= 1e4 ? `${(n / 1e3).toFixed(1)} k` : String(n);
}

function statusLine(path: string, s: CaptureStatus): string {
  const per = s.events ? `, ${(s.fileBytes / s.events).toFixed(1)} B/event` : '';
  return `\rrecording ${path}: ${(s.elapsedMs / 1000).toFixed(1)} s, ${count(s.events)} events, ${mb(s.fileBytes)}${per}, lost ${s.lost}\x1b[K`;
}

export async function recordCommand(argv: string[], o: RecordOpts): Promise<void> {
  const parsed = toProbeOptions(o);
  const chosen = recordSelection(parsed.records ?? [], {
    ...o,
    namedWorkload: argv.length > 0 || o.pid !== undefined || o.cgroup !== undefined,
  });
  const probe = { ...parsed, records: chosen.records, probes: chosen.probes };
  const codec = CODECS[o.compression];
  if (!codec) throw new UsageError(`--compression: '${o.compression}' is not one of ${Object.keys(CODECS).join(', ')}`);
  if (argv.length && (o.pid !== undefined || o.cgroup !== undefined))
    throw new UsageError('give either --pid/--cgroup or a command after --, not both');
  if (o.pid !== undefined && !existsSync(`/proc/${o.pid}`)) throw new UsageError(`--pid: no process ${o.pid}`);
  if (argv[0] !== undefined && !(await commandExists(argv[0])))
    throw new UsageError(`cannot run '${argv[0]}': no such command or file`);
  // created exclusively now, so a second `record -o` of the same name fails at once, not at the end
  const target = prepareOutput(o.output, { force: o.force ?? false, inPlace: true });

  const settings = await hostSettings();
  const cg = argv.length ? makeCgroup('record') : undefined;
  if (argv.length && !cg)
    process.stderr.write("irqlens: no cgroup v2 (or not root): tracing the command's own process only\n");
  const tty = !o.json && process.stderr.isTTY;
  let child: Child | undefined;
  // without a cgroup the helper needs the pid before it starts: start the command first
  if (argv.length && !cg) child = startCommand(argv, undefined);
  const pid = o.pid ?? (child?.pid !== undefined && !cg ? child.pid : undefined);

  let stopNow: () => void = () => undefined;
  const stopRequested = new Promise<void>((r) => (stopNow = r));
  let finished: Promise<unknown> = Promise.resolve();
  const cleanup = onInterrupt(() => {
    stopNow();
    return finished.then(() => undefined);
  }, 'finish');
  if (o.stopWithStdin) {
    process.stdin.on('end', stopNow);
    process.stdin.on('close', stopNow);
    process.stdin.resume();
  }
  const run = async (): Promise<CaptureSummary> => {
    let capture: Capture;
    try {
      capture = await Capture.start({
        ...probe,
        ...(pid !== undefined ? { pid } : {}),
        ...(cg ? { cgroup: cg, ownCgroup: true } : {}),
        intervalMs: o.snapshotMs,
        path: target.writePath,
        codec,
        header: (hello) =>
          makeHeader({
            hello,
            settings,
            options: {
              records: probe.records ?? [],
              intervalMs: o.snapshotMs,
              windowUs: o.windowUs,
              burstPackets: o.burstPackets,
              ...(o.ringBytes !== undefined ? { ringBytes: o.ringBytes } : {}),
              ...(pid !== undefined ? { pid } : {}),
              ...(o.cgroup !== undefined ? { cgroup: o.cgroup } : {}),
              ...(argv.length ? { command: argv } : {}),
            },
          }),
        onStatus: (s) => {
          if (tty) process.stderr.write(statusLine(o.output, s));
        },
        onWarning: (w) => {
          process.stderr.write(`${tty ? '\r\x1b[K' : ''}irqlens: ${w}\n`);
        },
      });
    } catch (e) {
      child?.kill('SIGTERM');
      throw e;
    }
    if (argv.length && cg)
      try {
        child = startCommand(argv, cg);
      } catch (e) {
        await capture.stop();
        throw e;
      }
    const waits: Promise<unknown>[] = [stopRequested, capture.done];
    if (o.duration !== undefined) waits.push(new Promise((r) => setTimeout(r, (o.duration ?? 0) * 1000)));
    if (child) waits.push(child);
    await Promise.race(waits).catch(() => undefined);
    const summary = await capture.stop();
    if (child && child.exitCode === null) child.kill('SIGTERM');
    return summary;
  };
  const p = run();
  finished = p.catch(() => undefined);
  let summary: CaptureSummary;
  try {
    summary = await p;
    target.commit();
  } catch (e) {
    // what was recorded before a failure is kept (readable up to its last chunk); an empty file is not
    let written = 0;
    try {
      written = statSync(target.writePath).size;
    } catch {
      // never created
    }
    if (written > 0) target.commit();
    else target.discard();
    throw e;
  } finally {
    cleanup();
    if (o.stopWithStdin) process.stdin.destroy();
    if (tty) process.stderr.write('\r\x1b[K');
    if (cg) await removeCgroup(cg);
  }
  const r = child ? await child : undefined;
  const line = {
    file: o.output,
    duration_s: Math.round(summary.elapsedMs) / 1000,
    events: summary.events,
    bytes: summary.fileBytes,
    bytes_per_event: summary.events ? Math.round((summary.fileBytes / summary.events) * 100) / 100 : null,
    stream_bytes: summary.rawBytes,
    chunks: summary.chunks,
    lost_records: summary.lost,
    ended: summary.ended,
  };
  if (o.json) process.stdout.write(JSON.stringify(line, null, 2) + '\n');
  else {
    process.stderr.write(
      `irqlens: recorded ${line.duration_s.toFixed(1)} s, ${count(line.events)} events in ${mb(line.bytes)}` +
        `${line.bytes_per_event !== null ? ` (${line.bytes_per_event.toFixed(1)} bytes/event)` : ''} to ${line.file}` +
        `${line.lost_records ? `; ${line.lost_records} records were lost in the kernel (ring or map full)` : ''}\n`,
    );
  }
  if (r?.exitCode) process.exitCode = r.exitCode;
}
