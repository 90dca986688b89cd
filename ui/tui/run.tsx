// Mounts the live UI on the terminal and gives it back on every exit path:
// the alternate screen is left, the cursor shown and raw mode switched off,
// also when the process exits without unmounting (an uncaught error).
import { render } from 'ink';
import { App, type AppProps } from './App.js';

const ENTER_ALT_SCREEN = '\x1b[?1049h\x1b[H';
const LEAVE_ALT_SCREEN = '\x1b[?25h\x1b[?1049l';

export interface TerminalIo {
  stdout: NodeJS.WriteStream;
  stdin: NodeJS.ReadStream;
}

export interface MountedTui {
  /** Unmounts the UI and restores the terminal; safe to call more than once. */
  close(): void;
  /** Settles when the UI ends: resolves once unmounted, rejects when rendering failed. */
  exited: Promise<unknown>;
}

export function mountTui(
  props: AppProps,
  io: TerminalIo = { stdout: process.stdout, stdin: process.stdin },
): MountedTui {
  let restored = false;
  const restore = () => {
    if (restored) return;
    restored = true;
    try {
      if (io.stdin.isTTY) io.stdin.setRawMode(false);
    } catch {
      // stdin already closed: nothing to give back
    }
    io.stdout.write(LEAVE_ALT_SCREEN);
  };
  io.stdout.write(ENTER_ALT_SCREEN);
  process.once('exit', restore);
  const instance = render(<App {...props} />, {
    stdout: io.stdout,
    stdin: io.stdin,
    exitOnCtrlC: false,
    patchConsole: false,
  });
  let closed = false;
  return {
    exited: instance.waitUntilExit(),
    close() {
      if (closed) return;
      closed = true;
      instance.unmount();
      restore();
      process.off('exit', restore);
      // ink leaves stdin readable; a paused, unreferenced stdin lets the process end
      io.stdin.pause();
      io.stdin.unref();
    },
  };
}
