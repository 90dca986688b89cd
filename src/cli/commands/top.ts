// `irqlens top` (and plain `irqlens`): live per-interval summary of the
// machine's interrupts. The terminal UI replaces this view when it lands.
import { Probe } from '../../probe/client.js';
import { Tracker } from '../../probe/tracker.js';
import { windowOf, type Totals } from '../../reduce/totals.js';
import { summaryHeader, summaryLines } from '../../report/summary-text.js';
import { toProbeOptions, type RawProbeOpts } from '../probe-options.js';
import { onInterrupt } from '../signals.js';

export interface TopOpts extends RawProbeOpts {
  interval: number;
  count?: number;
}

export async function topCommand(o: TopOpts): Promise<void> {
  const probe = await Probe.start({ ...toProbeOptions(o), intervalMs: 100 });
  let stopping = false;
  const cleanup = onInterrupt(async () => {
    stopping = true;
    await probe.stop();
  });
  try {
    const tracker = new Tracker(probe);
    let prev: Totals = await tracker.mark();
    process.stdout.write(summaryHeader({ hello: probe.hello }) + '\n');
    for (let i = 0; !stopping && (o.count === undefined || i < o.count); i++) {
      await new Promise((r) => setTimeout(r, o.interval * 1000));
      if (stopping) break;
      const cur = await tracker.mark();
      const clock = new Date().toTimeString().slice(0, 8);
      process.stdout.write(summaryLines(windowOf(prev, cur), clock).join('\n') + '\n\n');
      prev = cur;
    }
  } catch (e) {
    if (!stopping) throw e;
  } finally {
    cleanup();
    await probe.stop();
  }
}
