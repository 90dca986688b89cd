// Errors the core raises for a request it cannot serve as asked (bad option,
// missing program): the CLI shows the message and exits 2.
export class UsageError extends Error {
  override name = 'UsageError';
}
