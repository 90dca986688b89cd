// The live UI: UI state in a reducer, live state from the sampler's store,
// keys mapped by ui/model/keys.ts, the frame built by ui/model/screen.ts and
// ui/model/frame.ts, painted row by row (ui/tui/painter.ts); ink reads the keys.
import { useInput, useStdout } from 'ink';
import { useEffect, useLayoutEffect, useReducer, useRef, useState, useSyncExternalStore, type ReactNode } from 'react';
import type { LiveState } from '../../src/derive/live-state.js';
import { buildScreen, type Size } from '../model/screen.js';
import type { Theme } from '../model/theme.js';
import { initialUiState, uiReducer, type UiState } from '../model/ui-state.js';
import { RECORDING_NOT_AVAILABLE } from '../model/keys.js';
import type { PanelId } from '../model/ui-types.js';
import { frameRows, type Row } from '../model/frame.js';
import { Painter } from './painter.js';
import { useTerminalSize } from './use-terminal-size.js';

/** Where live state comes from (the sampler's store, or a fixture in tests). */
export interface LiveSource {
  getState: () => LiveState;
  subscribe: (onChange: () => void) => () => void;
}

/** What the UI asks of the program around it. */
export interface Controller {
  setIntervalS: (s: number) => void;
  quit: () => void;
  /** Starts or stops a recording; resolves with a line for the user. Absent: cannot record. */
  toggleRecording?: () => Promise<string>;
  /** The lower panel now on screen (at start and on every change): the probes it needs attach while it is. */
  panelShown?: (panel: PanelId) => void;
  /** The BPF cost per probe is asked for (b) or no longer: statistics are sampled only while it is. */
  bpfCostShown?: (shown: boolean) => void;
}

export interface AppProps {
  source: LiveSource;
  controller: Controller;
  theme: Theme;
  initial?: Partial<UiState>;
  /** A fixed size (tests); the terminal's size otherwise. */
  size?: Size;
  /** Where frames go (tests); painted on ink's stdout otherwise. */
  paint?: (rows: Row[], size: Size) => void;
}

export function App({ source, controller, theme, initial, size, paint }: AppProps): ReactNode {
  const [ui, dispatch] = useReducer(uiReducer, undefined, () => ({ ...initialUiState(), ...initial }));
  const live = useSyncExternalStore(source.subscribe, source.getState);
  // pause freezes what was on screen when p was pressed (the last committed frame), not whatever the
  // source holds by the time an effect runs: sampling goes on underneath
  const onScreen = useRef(live);
  const [frozen, setFrozen] = useState<LiveState | null>(null);
  if (ui.paused && frozen === null) setFrozen(onScreen.current);
  if (!ui.paused && frozen !== null) setFrozen(null);
  useEffect(() => {
    controller.setIntervalS(ui.intervalS);
  }, [ui.intervalS, controller]);
  useEffect(() => {
    if (ui.quitting) controller.quit();
  }, [ui.quitting, controller]);
  useEffect(() => {
    controller.panelShown?.(ui.lower);
  }, [ui.lower, controller]);
  useEffect(() => {
    controller.bpfCostShown?.(ui.bpfCost);
  }, [ui.bpfCost, controller]);
  useEffect(() => {
    if (!ui.recordToggles) return;
    if (!controller.toggleRecording) {
      dispatch({ type: 'notice', text: RECORDING_NOT_AVAILABLE });
      return;
    }
    controller.toggleRecording().then(
      (text) => {
        dispatch({ type: 'notice', text });
      },
      (e: unknown) => {
        dispatch({ type: 'notice', text: `recording failed: ${e instanceof Error ? e.message : String(e)}` });
      },
    );
  }, [ui.recordToggles, controller]);
  useInput((input, key) => {
    dispatch({ type: 'key', input, key });
  });
  const terminal = useTerminalSize();
  const { stdout } = useStdout();
  const painter = useRef<Painter | null>(null);
  const shown = ui.paused ? (frozen ?? onScreen.current) : live;
  useEffect(() => {
    onScreen.current = shown;
  });
  const at = size ?? terminal;
  const rows = frameRows(buildScreen(shown, ui, at, theme), theme);
  // after React commits, before the next input: the frame on screen is the state just rendered
  useLayoutEffect(() => {
    if (paint) paint(rows, at);
    else (painter.current ??= new Painter((s) => stdout.write(s))).paint(rows, at);
  });
  return null;
}
