// One measurement: the probes with busy-period records on, for a fixed time
// or until a process ends, folded into window totals and busy periods.
import { RECORD_PRESETS } from '../probe/options.js';
import { Probe, type ProbeOptions } from '../probe/client.js';
import { Tracker } from '../probe/tracker.js';
import { windowOf, type Window } from '../reduce/totals.js';
import { PeriodCollector } from '../reduce/periods.js';

export interface Measurement {
  window: Window;
  collector: PeriodCollector;
  /** Monotonic ns of the two window edges. */
  fromNs: number;
  toNs: number;
  warnings: string[];
}

export interface MeasureOptions extends ProbeOptions {
  durationMs?: number;
  /** Measure until this settles (e.g. the traced command exits), instead of a fixed time. */
  until?: Promise<unknown>;
  /** Called once the probes are attached and the window is open (start the load here). */
  onReady?: () => Promise<void> | void;
  accept?: (tgid: number) => boolean;
  onProgress?: (elapsedMs: number) => void;
}

export async function measure(o: MeasureOptions): Promise<Measurement> {
  const probe = await Probe.start({ ...o, records: [...RECORD_PRESETS.workloads], intervalMs: 200 });
  try {
    const tracker = new Tracker(probe);
    const collector = new PeriodCollector(o.accept);
    tracker.onMessage((_t, m) => {
      collector.add(m);
    });
    const start = await tracker.mark();
    // the load starts inside the window, so the window sees all of it
    await o.onReady?.();
    const t0 = Date.now();
    const tick = setInterval(() => o.onProgress?.(Date.now() - t0), 250);
    try {
      if (o.until) await o.until;
      else await new Promise((r) => setTimeout(r, o.durationMs ?? 5000));
    } finally {
      clearInterval(tick);
    }
    const end = await tracker.mark();
    await probe.stop();
    await tracker.done;
    return {
      window: windowOf(start, end),
      collector,
      fromNs: Number(start.tsNs),
      toNs: Number(end.tsNs),
      warnings: probe.warnings,
    };
  } finally {
    await probe.stop();
  }
}
