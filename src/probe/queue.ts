// A tiny unbounded async queue: producer pushes, one consumer iterates.
export class AsyncQueue<T> implements AsyncIterable<T> {
  private items: T[] = [];
  private waiters: ((r: IteratorResult<T>) => void)[] = [];
  private closed = false;
  private failure: Error | undefined;
  private failWaiters: ((e: Error) => void)[] = [];

  push(item: T): void {
    const w = this.waiters.shift();
    this.failWaiters.shift();
    if (w) w({ value: item, done: false });
    else this.items.push(item);
  }

  close(err?: Error): void {
    if (this.closed) return;
    this.closed = true;
    this.failure = err;
    for (const [i, w] of this.waiters.entries()) {
      const f = this.failWaiters[i];
      if (err && f) f(err);
      else w({ value: undefined, done: true });
    }
    this.waiters = [];
    this.failWaiters = [];
  }

  /** Takes every queued item without waiting. */
  drain(): T[] {
    const out = this.items;
    this.items = [];
    return out;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  get closeError(): Error | undefined {
    return this.failure;
  }

  next(): Promise<IteratorResult<T>> {
    const item = this.items.shift();
    if (item !== undefined) return Promise.resolve({ value: item, done: false });
    if (this.closed)
      return this.failure ? Promise.reject(this.failure) : Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => {
      this.waiters.push(resolve);
      this.failWaiters.push(reject);
    });
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return { next: () => this.next() };
  }
}
