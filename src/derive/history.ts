// A short per-CPU history of interrupt time: the newest values, oldest dropped.
export const HISTORY_LEN = 120;

export function pushHistory(
  h: ReadonlyMap<number, readonly number[]>,
  values: ReadonlyMap<number, number>,
): Map<number, number[]> {
  const out = new Map<number, number[]>();
  for (const [cpu, v] of values) out.set(cpu, [...(h.get(cpu) ?? []), v].slice(-HISTORY_LEN));
  return out;
}
