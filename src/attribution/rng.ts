// Seeded pseudo-random numbers, so every estimate (placebo times, bootstrap
// blocks) replays exactly. mulberry32 for the stream, a splitmix-style mix to
// derive independent streams from one seed.

/** 32-bit avalanche mix (from MurmurHash3's finaliser). */
function mix32(x: number): number {
  let h = x >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

export class Rng {
  private state: number;

  constructor(seed: number) {
    // any finite number is a seed: fold the fraction and high bits in
    const s = Number.isFinite(seed) ? seed : 0;
    this.state = mix32((s >>> 0) ^ mix32(Math.floor(s / 4294967296) >>> 0) ^ 0x9e3779b9);
  }

  /** An independent stream for one purpose, derived from this generator's seed and a label. */
  static stream(seed: number, label: string): Rng {
    let h = 0x811c9dc5;
    for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 0x01000193);
    const r = new Rng(seed);
    r.state = mix32(r.state ^ mix32(h >>> 0));
    return r;
  }

  /** Next 32 random bits (mulberry32). */
  nextUint32(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Uniform in [0, 1), 53 bits. */
  next(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Standard normal (Box-Muller). */
  normal(): number {
    let u = this.next();
    while (u === 0) u = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }

  /** Exponential with the given rate (mean 1/rate). */
  exponential(rate: number): number {
    return -Math.log(1 - this.next()) / rate;
  }
}
