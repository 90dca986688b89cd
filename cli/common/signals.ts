// Ctrl-C and SIGTERM stop the probe cleanly; a second Ctrl-C exits at once
// (the helper still detaches: it dies with its parent).
export function onInterrupt(stop: () => Promise<void>): () => void {
  let count = 0;
  const handler = (sig: NodeJS.Signals) => {
    count++;
    if (count > 1) process.exit(sig === 'SIGINT' ? 130 : 143);
    stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}
