// Problems the user can fix (port in use, bad address): one line, no stack.
export class ServeError extends Error {
  override name = 'ServeError';
}
