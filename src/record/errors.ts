// The one error type of the recording layer: a file irqlens cannot read (or
// write) as a recording. Never a crash: every bad byte ends up here.
export class RecordError extends Error {
  override name = 'RecordError';
  constructor(
    message: string,
    /** Byte offset in the file the problem is at, when there is one. */
    readonly offset?: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
