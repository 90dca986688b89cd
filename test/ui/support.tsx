// Rendering the UI in tests: ink-testing-library (keys, the terminal's size)
// with the frames the app paints caught as text, a live source the test can
// update, and a controller that records calls.
import { Text } from 'ink';
import { render } from 'ink-testing-library';
import { App, type Controller, type LiveSource } from '../../ui/tui/App.js';
import type { LiveState } from '../../src/derive/live-state.js';
import type { Size } from '../../ui/model/screen.js';
import type { Theme } from '../../ui/model/theme.js';
import type { UiState } from '../../ui/model/ui-state.js';
import { rowText, type Row } from '../../ui/model/frame.js';

let columns = 100;
let rows = 24;
{
  const probe = render(<Text>x</Text>);
  const proto: object = Object.getPrototypeOf(probe.stdout) as object;
  Object.defineProperty(proto, 'columns', { get: () => columns, configurable: true });
  Object.defineProperty(proto, 'rows', { get: () => rows, configurable: true });
  probe.unmount();
}

export const PLAIN: Theme = { color: false, unicode: true };
export const ASCII: Theme = { color: false, unicode: false };

export class TestSource implements LiveSource {
  private readonly listeners = new Set<() => void>();
  constructor(private state: LiveState) {}
  readonly getState = (): LiveState => this.state;
  readonly subscribe = (l: () => void): (() => void) => {
    this.listeners.add(l);
    return () => {
      this.listeners.delete(l);
    };
  };
  set(s: LiveState): void {
    this.state = s;
    for (const l of this.listeners) l();
  }
}

export class TestController implements Controller {
  intervals: number[] = [];
  quits = 0;
  readonly setIntervalS = (s: number): void => {
    this.intervals.push(s);
  };
  readonly quit = (): void => {
    this.quits++;
  };
  toggleRecording?: () => Promise<string>;
  bpfCostShown?: (shown: boolean) => void;
}

export interface Rendered {
  frame: () => string;
  /** Resizes the fake terminal and tells the app, as a terminal's SIGWINCH does. */
  resize: (size: Size) => Promise<void>;
  press: (...keys: string[]) => Promise<void>;
  /** Types `key` and runs `meanwhile` at once, before the app redraws. */
  pressWith: (key: string, meanwhile: () => void) => Promise<void>;
  source: TestSource;
  controller: TestController;
  unmount: () => void;
}

export const tick = (ms = 20): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Waits until the app has drawn everything a key set off: a notice that an effect dispatches comes
 * a render or two after the key, later still on a loaded machine, so a fixed wait was a race.
 * Settled = the frame unchanged over three polls in a row (bounded: 2 s).
 */
async function settle(frame: () => string): Promise<void> {
  await tick();
  let last = frame();
  let same = 0;
  for (const t0 = Date.now(); same < 3 && Date.now() - t0 < 2000;) {
    await tick();
    const now = frame();
    same = now === last ? same + 1 : 0;
    last = now;
  }
}

/** Renders the app on a fake terminal of `size` (the app reads the size from the terminal, as in production). */
export async function renderApp(
  state: LiveState,
  size: Size,
  o: { theme?: Theme; initial?: Partial<UiState> } = {},
): Promise<Rendered> {
  columns = size.cols;
  rows = size.rows;
  const source = new TestSource(state);
  const controller = new TestController();
  // the frame the app painted last, as the terminal shows it without colour
  let painted = '';
  const paint = (frameRows: Row[]) => {
    painted = frameRows.map(rowText).join('\n');
  };
  const r = render(
    <App
      source={source}
      controller={controller}
      theme={o.theme ?? PLAIN}
      paint={paint}
      {...(o.initial ? { initial: o.initial } : {})}
    />,
  );
  await tick();
  const frame = () => painted;
  return {
    frame,
    resize: async (s: Size) => {
      columns = s.cols;
      rows = s.rows;
      r.stdout.emit('resize');
      await tick();
    },
    // one key per write, as a person types them
    press: async (...keys: string[]) => {
      for (const k of keys) {
        r.stdin.write(k);
        await settle(frame);
      }
    },
    pressWith: async (key: string, meanwhile: () => void) => {
      r.stdin.write(key);
      meanwhile();
      await settle(frame);
    },
    source,
    controller,
    unmount: () => {
      r.unmount();
    },
  };
}

export const KEY = {
  tab: '\t',
  shiftTab: '\x1b[Z',
  right: '\x1b[C',
  left: '\x1b[D',
  enter: '\r',
  escape: '\x1b',
  backspace: '\x7f',
  ctrlC: '\x03',
};
