// UI state (which panel has focus, sort, filter, pause, refresh interval,
// help) and the reducer that is the only way to change it.
import { actionForKey, splitKeys, type KeyInfo } from './keys.js';

export const PANELS = ['cpus', 'irqs', 'nic', 'bursts', 'drops', 'workloads'] as const;
export type PanelId = (typeof PANELS)[number];
export type LowerPanelId = Exclude<PanelId, 'cpus'>;

export const PANEL_TITLES: Record<PanelId, string> = {
  cpus: 'CPUs', irqs: 'top IRQs', nic: 'NIC queues', bursts: 'micro-bursts', drops: 'drops', workloads: 'workloads',
};

/** Sort keys per panel; the first is the default. */
export const SORT_KEYS: Record<PanelId, readonly string[]> = {
  cpus: ['cpu', 'irq time', 'IRQs/s', 'softirq'],
  irqs: ['time', 'rate', 'max', 'p99', 'name'],
  nic: ['packets', 'at budget', 'bursts', 'device'],
  bursts: ['newest', 'packets', 'peak'],
  drops: ['count', 'rate', 'newest', 'reason'],
  workloads: ['busy', 'tax', 'IRQs', 'name'],
};

/** Refresh intervals `+` and `-` step through, in seconds. */
export const INTERVALS = [0.25, 0.5, 1, 2, 5, 10] as const;

export interface UiState {
  panel: PanelId;
  /** The panel shown under the CPU table (the last non-CPU panel with focus). */
  lower: LowerPanelId;
  /** Index into SORT_KEYS[panel], per panel. */
  sort: Record<PanelId, number>;
  /** The applied filter text ('' = none). */
  filter: string;
  /** The filter being typed, or null when not editing. */
  editing: string | null;
  paused: boolean;
  intervalS: number;
  help: boolean;
  /** A one-line message for the user (e.g. a key that does nothing yet). */
  notice: string | null;
  /** The user asked to quit (the app then ends the program). */
  quitting: boolean;
  /** How many times r was pressed: each press starts or stops a recording. */
  recordToggles: number;
}

export type UiAction =
  | { type: 'focus-next' }
  | { type: 'focus-prev' }
  | { type: 'focus'; panel: PanelId }
  | { type: 'cycle-sort' }
  | { type: 'toggle-pause' }
  | { type: 'interval-shorter' }
  | { type: 'interval-longer' }
  | { type: 'toggle-help' }
  | { type: 'dismiss' }
  | { type: 'filter-start' }
  | { type: 'filter-type'; text: string }
  | { type: 'filter-backspace' }
  | { type: 'filter-apply' }
  | { type: 'filter-cancel' }
  | { type: 'notice'; text: string }
  | { type: 'quit' }
  | { type: 'toggle-recording' }
  /** A key press, interpreted against the state it arrives in (keys typed faster than redraws stay in order). */
  | { type: 'key'; input: string; key: KeyInfo };

export function initialUiState(intervalS = 1): UiState {
  return {
    panel: 'cpus', lower: 'irqs', sort: { cpus: 0, irqs: 0, nic: 0, bursts: 0, drops: 0, workloads: 0 },
    filter: '', editing: null, paused: false, intervalS, help: false, notice: null, quitting: false, recordToggles: 0,
  };
}

function focus(s: UiState, panel: PanelId): UiState {
  return { ...s, panel, lower: panel === 'cpus' ? s.lower : panel, notice: null };
}

function step(s: UiState, dir: 1 | -1): number {
  // from a value off the list (e.g. --interval 3), go to the next one on it
  if (dir > 0) return INTERVALS.find((v) => v > s.intervalS) ?? s.intervalS;
  return [...INTERVALS].reverse().find((v) => v < s.intervalS) ?? s.intervalS;
}

export function uiReducer(s: UiState, a: UiAction): UiState {
  switch (a.type) {
    case 'focus-next':
      return focus(s, PANELS[(PANELS.indexOf(s.panel) + 1) % PANELS.length] ?? 'cpus');
    case 'focus-prev':
      return focus(s, PANELS[(PANELS.indexOf(s.panel) + PANELS.length - 1) % PANELS.length] ?? 'cpus');
    case 'focus':
      return focus(s, a.panel);
    case 'cycle-sort': {
      const n = SORT_KEYS[s.panel].length;
      return { ...s, sort: { ...s.sort, [s.panel]: (s.sort[s.panel] + 1) % n }, notice: null };
    }
    case 'toggle-pause':
      return { ...s, paused: !s.paused, notice: null };
    case 'interval-shorter':
      return { ...s, intervalS: step(s, -1), notice: null };
    case 'interval-longer':
      return { ...s, intervalS: step(s, 1), notice: null };
    case 'toggle-help':
      return { ...s, help: !s.help, notice: null };
    case 'dismiss':
      return { ...s, help: false, notice: null };
    case 'filter-start':
      return { ...s, editing: s.filter, help: false, notice: null };
    case 'filter-type':
      return s.editing === null ? s : { ...s, editing: s.editing + a.text };
    case 'filter-backspace':
      return s.editing === null ? s : { ...s, editing: Array.from(s.editing).slice(0, -1).join('') };
    case 'filter-apply':
      return s.editing === null ? s : { ...s, filter: s.editing.trim(), editing: null };
    case 'filter-cancel':
      return { ...s, editing: null };
    case 'notice':
      return { ...s, notice: a.text };
    case 'quit':
      return { ...s, quitting: true };
    case 'toggle-recording':
      return { ...s, recordToggles: s.recordToggles + 1, notice: null };
    case 'key': {
      let out = s;
      for (const [input, key] of splitKeys(a.input, a.key, s)) {
        const next = actionForKey(input, key, out);
        if (next) out = uiReducer(out, next);
      }
      return out;
    }
  }
}

export function sortKey(s: UiState, panel: PanelId): string {
  const keys = SORT_KEYS[panel];
  return keys[s.sort[panel] % keys.length] ?? keys[0] ?? '';
}
