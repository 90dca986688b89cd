// Synthetic recordings with known rates: a hello, cumulative snapshots every
// interval, optional per-event records, written through the real writer.
import { HIST_SLOTS, REC, SOFTIRQ_NAMES, TABLE } from '../../../src/stream/layout.js';
import type { RecordingHeader } from '../../../src/record/format.js';
import { writeRecording } from '../../../src/record/writer.js';
import {
  concat,
  endFrame,
  eventRec,
  eventsFrame,
  hardirqRow,
  helloFrame,
  irqNameRow,
  snapshotFrame,
  softirqRow,
} from '../support/stream-builder.js';
import { prng } from '../support/fixture.js';
import { testHeader } from './support.js';

export interface SynthSpec {
  seconds: number;
  intervalMs: number;
  /** Device IRQ 24 ("eth0-rx-0") on CPU 0: interrupts per second and handler ns each. */
  irqRate: number;
  irqNs: number;
  /** NET_RX on CPU 1 per second. */
  netRxRate: number;
  seed: number;
  /** Per-event hardirq records for every interrupt (export tests). */
  records?: boolean;
  header?: Partial<RecordingHeader>;
}

export const T0 = 5_000_000_000n;

function noisy(rand: () => number, mean: number): number {
  // normal approximation of a Poisson count
  const u = Math.max(rand(), 1e-12);
  const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
  return Math.max(0, Math.round(mean + Math.sqrt(mean) * z));
}

function hist(slot: number, n: number): number[] {
  const h = new Array<number>(HIST_SLOTS).fill(0);
  h[slot] = n;
  return h;
}

export function synthStream(s: SynthSpec): Uint8Array {
  const rand = prng(s.seed);
  const parts: Uint8Array[] = [
    helloFrame({ monoNs: T0, ncpus: 2, intervalMs: s.intervalMs, recordMask: s.records ? 1 << REC.HARDIRQ : 0 }),
  ];
  const step = BigInt(s.intervalMs) * 1_000_000n;
  const n = Math.round((s.seconds * 1000) / s.intervalMs);
  let irqs = 0;
  let rx = 0;
  const slot = Math.floor(Math.log2(s.irqNs));
  for (let i = 0; i <= n; i++) {
    const ts = T0 + BigInt(i) * step + 1000n;
    if (i > 0) {
      const k = noisy(rand, (s.irqRate * s.intervalMs) / 1000);
      if (s.records) {
        const recs: Uint8Array[] = [];
        for (let j = 0; j < k; j++) {
          const at = ts - step + BigInt(Math.floor(((j + 0.5) / k) * Number(step)));
          recs.push(eventRec({ kind: 'hardirq', cpu: 0, id: 24, tsNs: at, durNs: s.irqNs, tgid: 0, arg0: 0, arg1: 0 }));
        }
        if (recs.length) parts.push(eventsFrame(...recs));
      }
      irqs += k;
      rx += noisy(rand, (s.netRxRate * s.intervalMs) / 1000);
    }
    const netRx = SOFTIRQ_NAMES.indexOf('NET_RX');
    parts.push(
      snapshotFrame(
        {
          tsNs: ts,
          seq: i,
          tables: [
            {
              table: TABLE.HARDIRQ,
              rows: [
                hardirqRow({
                  cpu: 0,
                  irq: 24,
                  count: irqs,
                  timeNs: irqs * s.irqNs,
                  maxNs: s.irqNs,
                  hist: hist(slot, irqs),
                }),
              ],
            },
            {
              table: TABLE.SOFTIRQ,
              rows: [
                softirqRow({
                  cpu: 1,
                  vec: netRx,
                  count: rx,
                  timeNs: rx * 3000,
                  maxNs: 3000,
                  asyncCount: rx,
                  asyncTimeNs: rx * 3000,
                  raised: rx,
                  raiseLatNs: rx * 500,
                  hist: hist(11, rx),
                  latHist: hist(8, rx),
                }),
              ],
            },
            ...(i === 0 ? [{ table: TABLE.IRQNAME, rows: [irqNameRow({ irq: 24, name: 'eth0-rx-0' })] }] : []),
          ],
        },
        i === 0 ? 1 : 0,
      ),
    );
  }
  parts.push(endFrame(T0 + BigInt(n) * step + 2000n));
  return concat(...parts);
}

export function synthRecording(path: string, s: SynthSpec): void {
  writeRecording(path, testHeader({ irqNames: { '24': 'eth0-rx-0' }, ...s.header }), synthStream(s), {
    chunkBytes: 16384,
  });
}
