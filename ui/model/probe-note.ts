// What a panel says while the probes it needs are attaching: top attaches the
// per-packet (napi) and per-syscall (epoll) groups only while a panel shows them.
import { probeGap, type LiveState } from '../../src/derive/live-state.js';
import { fmtClock } from './format.js';

const WHAT: Readonly<Record<string, string>> = { napi: 'NAPI probes', epoll: 'epoll probes' };

/** One line when the latest interval lacks the group's figures (detached, or attached inside it); else null. */
export function probeGapLine(live: LiveState, group: string): string | null {
  const gap = probeGap(live, group);
  const what = WHAT[group] ?? `${group} probes`;
  if (!gap) return null;
  if (gap.state === 'detached') return `${what} are not attached (start with --all-probes to keep them on)`;
  return `${what} attached at ${fmtClock(gap.atMs, live.utcOffsetMin)} (they run while this panel is shown): figures from the next interval`;
}

/** Since when the group has run, when it attached during the run (the burst log covers only that). */
export function attachedSinceLine(live: LiveState, group: string): string | null {
  const at = live.probes === null ? undefined : live.attachedAtMs.get(group);
  if (at === undefined) return null;
  return `detecting since ${fmtClock(at, live.utcOffsetMin)} (NAPI probes run while the nic or bursts panel is shown; --all-probes keeps them on)`;
}
