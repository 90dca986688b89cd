// Errors from the probe layer carry the helper's own one-line message.
export class ProbeError extends Error {
  override name = 'ProbeError';
  constructor(
    message: string,
    readonly exitCode = 1,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
