// Cleanup that also runs on Ctrl-C / SIGTERM: benchmarks start tracers, load
// generators and tmux servers that must not outlive them.
type Cleanup = () => Promise<void> | void;

const pending = new Set<Cleanup>();
let installed = false;

async function runAll(): Promise<void> {
  for (const c of [...pending].reverse()) {
    try {
      await c();
    } catch {
      // on the way out: keep cleaning the rest
    }
  }
}

let cleaning = false;

function onSignal(sig: NodeJS.Signals): void {
  // a second Ctrl-C while cleaning up exits at once
  if (cleaning) process.exit(130);
  cleaning = true;
  process.stderr.write(`bench: ${sig}: cleaning up\n`);
  // bounded: a hung child must not keep the benchmark alive
  const force = setTimeout(() => process.exit(130), 10_000);
  void runAll().finally(() => {
    clearTimeout(force);
    process.exit(130);
  });
}

/** Registers `c` to run on SIGINT/SIGTERM; the returned function unregisters it (call it in `finally`). */
export function onInterrupt(c: Cleanup): () => void {
  if (!installed) {
    installed = true;
    // on, not once: execa's signal-exit kills the process at once when it sees no other listener
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
  pending.add(c);
  return () => {
    pending.delete(c);
  };
}
