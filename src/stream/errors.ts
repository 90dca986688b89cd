// The one error type stream decoding throws: bad bytes, never a crash.
export class StreamError extends Error {
  override name = 'StreamError';
}
