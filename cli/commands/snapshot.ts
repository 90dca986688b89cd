// `irqlens snapshot`: totals over a window, as text or JSON.
import { Option, type Command } from 'commander';
import { Probe } from '../../src/probe/client.js';
import { Tracker } from '../../src/probe/tracker.js';
import { windowOf } from '../../src/reduce/totals.js';
import { snapshotJson } from '../../src/report/snapshot-json.js';
import { summaryHeader, summaryLines } from '../../src/report/summary-text.js';
import { positiveNumber, toProbeOptions, withProbeOptions, type RawProbeOpts } from '../common/probe-options.js';
import { LIVE_RING_BYTES } from '../../src/probe/options.js';
import { onInterrupt } from '../common/signals.js';

export interface SnapshotOpts extends RawProbeOpts {
  duration: number;
  json?: boolean;
}

export async function snapshotCommand(o: SnapshotOpts): Promise<void> {
  const probe = await Probe.start({ ...toProbeOptions(o, LIVE_RING_BYTES), intervalMs: 100 });
  const cleanup = onInterrupt(() => probe.stop(), 'cut-short');
  try {
    const tracker = new Tracker(probe);
    const start = await tracker.mark();
    const progress = !o.json && process.stderr.isTTY;
    const t0 = Date.now();
    const ms = o.duration * 1000;
    while (Date.now() - t0 < ms) {
      await new Promise((r) => setTimeout(r, Math.min(250, ms - (Date.now() - t0))));
      if (progress) process.stderr.write(`\rmeasuring: ${((Date.now() - t0) / 1000).toFixed(1)} / ${o.duration} s `);
    }
    if (progress) process.stderr.write('\r\x1b[K');
    const end = await tracker.mark();
    await probe.stop();
    await tracker.done;
    const w = windowOf(start, end);
    for (const warning of probe.warnings) process.stderr.write(`irqlens: ${warning}\n`);
    if (o.json) {
      process.stdout.write(JSON.stringify(snapshotJson(w), null, 2) + '\n');
    } else {
      process.stdout.write(summaryHeader(w) + '\n');
      process.stdout.write(summaryLines(w, `${o.duration}s`).join('\n') + '\n');
    }
  } finally {
    cleanup();
    await probe.stop();
  }
}

/** Adds `irqlens snapshot` to the program. */
export function registerSnapshotCommand(program: Command): void {
  withProbeOptions(
    program
      .command('snapshot')
      .description('interrupt, softirq, vector, NAPI and epoll totals over a window')
      .addOption(new Option('--duration <seconds>', 'window length').default(5).argParser(positiveNumber('--duration')))
      .option('--json', 'JSON output (schema irqlens.snapshot/1, see docs/snapshot-schema.md)')
      .addHelpText(
        'after',
        '\nExamples:\n  irqlens snapshot --duration 10\n  irqlens snapshot --duration 2 --json > window.json',
      ),
  ).action((o: SnapshotOpts) => snapshotCommand(o));
}
