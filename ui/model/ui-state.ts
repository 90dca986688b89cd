// UI state (which panel has focus, sort, filter, pause, refresh interval,
// help) and the reducer that is the only way to change it.
import { actionForKey, splitKeys } from './keys.js';
import { INTERVALS, PANELS, SORT_KEYS, type PanelId, type UiAction, type UiState } from './ui-types.js';

export * from './ui-types.js';

export function initialUiState(intervalS = 1): UiState {
  return {
    panel: 'cpus',
    lower: 'irqs',
    sort: { cpus: 0, irqs: 0, nic: 0, bursts: 0, drops: 0, workloads: 0 },
    filter: '',
    editing: null,
    paused: false,
    intervalS,
    help: false,
    notice: null,
    quitting: false,
    recordToggles: 0,
    bpfCost: false,
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
    case 'toggle-bpf-cost':
      return { ...s, bpfCost: !s.bpfCost };
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
