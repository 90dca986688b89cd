// The UI's state and actions as types and constants only: keys.ts and the
// reducer in ui-state.ts both read them, so neither imports the other.
/** The parts of ink's key object the UI reads. */
export interface KeyInfo {
  tab?: boolean;
  shift?: boolean;
  ctrl?: boolean;
  escape?: boolean;
  return?: boolean;
  backspace?: boolean;
  delete?: boolean;
  upArrow?: boolean;
  downArrow?: boolean;
  leftArrow?: boolean;
  rightArrow?: boolean;
}

export const PANELS = ['cpus', 'irqs', 'nic', 'bursts', 'drops', 'workloads'] as const;
export type PanelId = (typeof PANELS)[number];
export type LowerPanelId = Exclude<PanelId, 'cpus'>;

export const PANEL_TITLES: Record<PanelId, string> = {
  cpus: 'CPUs',
  irqs: 'top IRQs',
  nic: 'NIC queues',
  bursts: 'micro-bursts',
  drops: 'drops',
  workloads: 'workloads',
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
  /** The BPF cost per probe is asked for (b): statistics are sampled while it is. */
  bpfCost: boolean;
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
  | { type: 'toggle-bpf-cost' }
  /** A key press, interpreted against the state it arrives in (keys typed faster than redraws stay in order). */
  | { type: 'key'; input: string; key: KeyInfo };
