// A short tool run by a switch (ethtool, the helper's napi commands): its
// status, output and last error line; a tool that cannot start is a UsageError.
import { spawnSync } from 'node:child_process';
import { UsageError } from '../errors.js';

export interface ToolResult {
  ok: boolean;
  out: string;
  /** The last line of its stderr: where these tools put the reason. */
  err: string;
}

/** Runs `bin args` (10 s at most); `missing` is the message when `bin` is not there. */
export function runTool(bin: string, args: readonly string[], missing: string): ToolResult {
  const r = spawnSync(bin, args, { encoding: 'utf8', timeout: 10_000 });
  if (r.error) {
    const code = (r.error as NodeJS.ErrnoException).code;
    throw new UsageError(code === 'ENOENT' ? missing : `${bin} ${args.join(' ')}: ${r.error.message}`);
  }
  return { ok: r.status === 0, out: r.stdout, err: r.stderr.trim().split('\n').pop() ?? '' };
}
