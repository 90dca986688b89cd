// The help screen: keys, the filter language and what each column means.
import { SPARK_EDGES } from './history.js';
import type { Glyphs } from './theme.js';

export function helpLines(g: Glyphs): string[] {
  const scale =
    SPARK_EDGES.map((e, i) => `${g.levels[i + 1] ?? ''}<${+(e * 100).toFixed(1)}%`).join(' ') +
    ` ${g.levels[SPARK_EDGES.length + 1] ?? ''}more`;
  return [
    'keys',
    '  q, Ctrl-C     quit                 p, space   pause or resume the display',
    '  tab, arrows   move between panels  s          next sort order of the panel',
    '  + / -         refresh interval longer / shorter (0.25 to 10 s)',
    '  f, /          filter: cpu:1,3 irq:virtio dev:eth0 proc:nginx or text;',
    '                enter applies, esc cancels, an empty filter clears it',
    '  r             record to irqlens-<time>.irqrec   b  measure BPF cost / stop',
    '  ?, esc        close this help',
    'columns (shares of one CPU over the interval)',
    '  irq% device IRQ handlers   vec% system vectors (timer, IPIs)   soft% softirqs',
    '  IRQs/s  device IRQs + system vectors     p99  upper edge of its log2 bucket',
    '  max  the longest since irqlens started; every other column: this interval',
    `  interrupt time per interval: ${scale}`,
    '  tax  (handler + indirect time) / busy time of the workload running there,',
    '       95% interval; <= an upper bound, >= a lower bound; what-if: the gain if',
    '       its busy periods were never interrupted (needs --workloads; a sample of',
    '       busy periods every 10 s: irqlens report --pid N measures all of them)',
    '  budget  NAPI polls that used their whole budget (more work was waiting)',
    "  status line: probe events/s, BPF time (CPU share, after b), this UI's CPU,",
    '       lost records, BPF ns per event: irq, soft(irq), vec(tors), napi, epoll',
  ];
}
