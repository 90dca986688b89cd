// System error codes as words a user reads ("no space left on the device"), never bare ENOSPC.
const WORDS: Record<string, string> = {
  ENOENT: 'no such file or directory',
  ENOTFOUND: 'no such host name',
  EAI_AGAIN: 'the name server did not answer',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'it is a directory',
  ENOTDIR: 'a part of the path is not a directory',
  EEXIST: 'it already exists',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'read-only file system',
  EIO: 'input/output error (the disk or file system failed)',
  EFBIG: 'the file is too large',
  EMFILE: 'too many open files',
  ENAMETOOLONG: 'the file name is too long',
  ESPIPE: 'it cannot be read from an offset (a pipe or terminal)',
  EPIPE: 'the reader closed the pipe',
  EXDEV: 'it is on another file system',
  ELOOP: 'too many symbolic links',
  EBUSY: 'the device or resource is busy',
  ENXIO: 'no such device (a socket or a device that is not there)',
  ENODEV: 'no such device',
  ETXTBSY: 'the file is busy',
};

/** "permission denied" for an errno error; the message of any other error. */
export function errnoText(e: unknown): string {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (code && WORDS[code]) return WORDS[code];
  // a code not listed: libuv's own words ("EXYZ: some words, read") rather than the bare code
  const uv = e instanceof Error ? /^[A-Z0-9_]+: ([^,]+)/.exec(e.message)?.[1] : undefined;
  if (uv) return uv;
  if (code) return code;
  return e instanceof Error ? e.message : String(e);
}
