// `irqlens replay`: the live per-interval summary, driven by a recording at
// its own pace (or faster). The terminal UI can consume the same source
// (src/record/source.ts) once it lands.
import { IntervalFolder } from '../../src/record/intervals.js';
import { closeRecording, openRecording } from '../../src/record/open.js';
import { RecordingSource } from '../../src/record/source.js';
import { RecordError } from '../../src/record/errors.js';
import { summaryHeader, summaryLines } from '../../src/report/summary-text.js';
import { StreamError } from '../../src/stream/errors.js';
import { onInterrupt } from '../common/signals.js';

export interface ReplayOpts {
  speed: number;
  interval: number;
  from?: number;
  to?: number;
}

function clock(realtimeNs: bigint, monoNs: bigint, atNs: number): string {
  const ms = Number(realtimeNs / 1_000_000n) + (atNs - Number(monoNs)) / 1e6;
  return new Date(ms).toTimeString().slice(0, 8);
}

export async function replayCommand(file: string, o: ReplayOpts): Promise<void> {
  const rec = openRecording(file);
  const src = new RecordingSource(rec, { speed: o.speed, ...(o.from !== undefined ? { fromS: o.from } : {}) });
  const cleanup = onInterrupt(() => src.stop());
  try {
    const h = src.hello;
    process.stdout.write(`replaying ${file} (recorded ${rec.header.created}, ${o.speed === Infinity ? 'as fast as possible' : `${o.speed}x`})\n`);
    process.stdout.write(summaryHeader({ hello: h }) + '\n');
    for (const w of src.warnings) process.stderr.write(`irqlens: ${w}\n`);
    const folder = new IntervalFolder(h, o.interval * 1e9 * 0.95);
    const t0 = Number(h.monoNs);
    for await (const m of src.messages()) {
      const iv = folder.add(m);
      if (!iv) continue;
      if (o.to !== undefined && iv.startS >= o.to) break;
      if (o.from !== undefined && iv.endS <= o.from) continue;
      const at = `${clock(h.realtimeNs, h.monoNs, iv.endNs)} +${((iv.endNs - t0) / 1e9).toFixed(1)}s`;
      process.stdout.write(summaryLines(iv.window, at).join('\n') + '\n\n');
    }
  } catch (e) {
    if (e instanceof StreamError) throw new RecordError(`${file}: the recorded stream does not decode: ${e.message}`, undefined, { cause: e });
    throw e;
  } finally {
    cleanup();
    closeRecording(rec);
  }
}
