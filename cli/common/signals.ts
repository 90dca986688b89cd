// Ctrl-C and SIGTERM: `stop` ends the work cleanly (the helper detaches), then
// what happens depends on the command:
// - 'done': the signal is the normal end (top, serve): exit 0 once stopped;
// - 'finish': the command goes on to finish its output (record writes its
//   index and prints what it recorded) and exits as it would have;
// - 'cut-short': the result would be partial (snapshot, report, doctor):
//   exit 130 / 143 with a line saying so, so that no script reads an empty
//   result as a healthy one.
// A second signal exits at once (the helper still dies with its parent).
export type InterruptMode = 'done' | 'finish' | 'cut-short';

const CODES: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 130, SIGTERM: 143 };

export function onInterrupt(stop: () => Promise<void>, mode: InterruptMode = 'done'): () => void {
  let count = 0;
  const handler = (sig: NodeJS.Signals) => {
    count++;
    const code = CODES[sig] ?? 1;
    if (count > 1) process.exit(code);
    const after = () => {
      if (mode === 'done') process.exit(0);
      if (mode === 'cut-short') {
        process.stderr.write(`\nirqlens: interrupted by ${sig} before the measurement ended: no result\n`);
        process.exit(code);
      }
    };
    stop().then(after, () => process.exit(mode === 'cut-short' ? code : 1));
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}
