// `irqlens replay`: the live per-interval summary, driven by a recording at
// its own pace (or faster). The terminal UI can consume the same source
// (src/record/source.ts) once it lands.
import { IntervalFolder } from '../../src/reduce/intervals.js';
import { closeRecording, openRecording } from '../common/recording.js';
import { RecordingSource } from '../../src/record/source.js';
import { RecordError } from '../../src/record/errors.js';
import { UsageError } from '../common/errors.js';
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
  if (o.from !== undefined && o.to !== undefined && o.to <= o.from)
    throw new UsageError(`--to ${o.to} is not after --from ${o.from}`);
  const rec = openRecording(file);
  const src = new RecordingSource(rec, { speed: o.speed, ...(o.from !== undefined ? { fromS: o.from } : {}) });
  const cleanup = onInterrupt(() => src.stop());
  try {
    const h = src.hello;
    process.stdout.write(
      `replaying ${file} (recorded ${rec.header.created}, ${o.speed === Infinity ? 'as fast as possible' : `${o.speed}x`})\n`,
    );
    process.stdout.write(summaryHeader({ hello: h }) + '\n');
    for (const w of src.warnings) process.stderr.write(`irqlens: ${w}\n`);
    const folder = new IntervalFolder(h, { everyNs: o.interval * 1e9 * 0.95 });
    const t0 = Number(h.monoNs);
    let shown = 0;
    let endS = 0;
    let stopped = false;
    for await (const m of src.messages()) {
      if (m.type === 'snapshot') endS = Math.max(endS, (Number(m.tsNs) - t0) / 1e9);
      const iv = folder.add(m);
      if (!iv) continue;
      if (o.to !== undefined && iv.startS >= o.to) {
        stopped = true;
        break;
      }
      if (o.from !== undefined && iv.endS <= o.from) continue;
      shown++;
      const at = `${clock(h.realtimeNs, h.monoNs, iv.endNs)} +${((iv.endNs - t0) / 1e9).toFixed(1)}s`;
      process.stdout.write(summaryLines(iv.window, at).join('\n') + '\n\n');
    }
    // nothing shown is not a replay: say why (a range past the end, an interval longer than the recording)
    if (!shown && (stopped || !rec.damaged)) {
      const range = o.from !== undefined || o.to !== undefined ? `${o.from ?? 0}-${o.to ?? 'end'} s` : undefined;
      throw new RecordError(
        range
          ? `no ${o.interval} s interval of ${file} is in ${range}: it spans 0-${endS.toFixed(1)} s`
          : `${file} spans ${endS.toFixed(1)} s: no whole ${o.interval} s interval (give a shorter --interval)`,
      );
    }
  } catch (e) {
    if (e instanceof StreamError)
      throw new RecordError(`${file}: the recorded stream does not decode: ${e.message}`, undefined, { cause: e });
    throw e;
  } finally {
    cleanup();
    closeRecording(rec);
  }
}
