// Probe groups attached only while something reads them (serve: a page, a
// /metrics scrape), and which intervals each one covered whole: a view shows a
// gap for the others instead of counts from a probe that ran part of the time.

export interface OnDemandOptions {
  /** Attached throughout. */
  base: readonly string[];
  /** Attaches exactly these groups (Probe.setProbes). */
  set: (groups: readonly string[]) => void;
}

export class OnDemandGroups {
  /** Per on-demand group: attached until this time (ms, the caller's clock). */
  private readonly until = new Map<string, number>();
  private readonly attached = new Set<string>();
  /** Per attached group: snapshot edges still to pass before it covers an interval, then the first covered edge (ns). */
  private readonly pending = new Map<string, number>();
  private readonly from = new Map<string, bigint>();

  constructor(private readonly o: OnDemandOptions) {}

  /** Something reads these groups now: keep them attached until `untilMs` at least. */
  want(groups: readonly string[], untilMs: number): void {
    for (const g of groups) this.until.set(g, Math.max(this.until.get(g) ?? -Infinity, untilMs));
  }

  /** A reader (a page, a scrape) reads its groups now: they stay attached `holdMs` more; attaches them at once. */
  read(reader: { groups: readonly string[]; holdMs: number }, nowMs: number): void {
    this.want(reader.groups, nowMs + reader.holdMs);
    this.tick(nowMs);
  }

  /** Attaches what is wanted at `nowMs` and detaches what is no longer; true when that changed anything. */
  tick(nowMs: number): boolean {
    const want = new Set([...this.until].filter(([, u]) => u > nowMs).map(([g]) => g));
    const changed = [...want].some((g) => !this.attached.has(g)) || [...this.attached].some((g) => !want.has(g));
    if (!changed) return false;
    for (const g of this.attached)
      if (!want.has(g)) {
        this.pending.delete(g);
        this.from.delete(g);
      }
    // a snapshot asked for before the attach may still be on its way (the pipeline keeps at most one in flight): the
    // edge after it is the first the group surely ran through
    for (const g of want) if (!this.attached.has(g)) this.pending.set(g, 2);
    this.attached.clear();
    for (const g of want) this.attached.add(g);
    this.o.set([...this.o.base, ...[...want].filter((g) => !this.o.base.includes(g))]);
    return true;
  }

  /** A snapshot edge at `tsNs` (stream time) has arrived. */
  edge(tsNs: bigint): void {
    for (const [g, n] of this.pending) {
      if (n > 1) this.pending.set(g, n - 1);
      else {
        this.pending.delete(g);
        this.from.set(g, tsNs);
      }
    }
  }

  isAttached(group: string): boolean {
    return this.o.base.includes(group) || this.attached.has(group);
  }

  /** Whether `group` ran through the whole interval that started at `startNs` (and has not been detached since). */
  covers(group: string, startNs: bigint): boolean {
    if (this.o.base.includes(group)) return true;
    const f = this.from.get(group);
    return f !== undefined && startNs >= f;
  }
}
