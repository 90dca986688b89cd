// Keys -> UI actions. What a key does depends on the mode: while the filter
// is typed every printable key is text; otherwise keys are commands.
import type { KeyInfo, UiAction, UiState } from './ui-types.js';

export type { KeyInfo } from './ui-types.js';

export type KeyResult = Exclude<UiAction, { type: 'key' }> | null;

/** Shown when the program around the UI cannot record (tests, replays). */
export const RECORDING_NOT_AVAILABLE = 'recording is not available here';

const NO_FLAGS = (k: KeyInfo) =>
  !k.ctrl &&
  !k.escape &&
  !k.tab &&
  !k.return &&
  !k.backspace &&
  !k.delete &&
  !k.upArrow &&
  !k.downArrow &&
  !k.leftArrow &&
  !k.rightArrow;

/**
 * Several keys that reached us in one read (tmux send-keys, a fast typist, a paste) as single keys,
 * so each one counts; outside the filter prompt only, where a paste is text.
 */
export function splitKeys(input: string, key: KeyInfo, s: UiState): [string, KeyInfo][] {
  const chars = Array.from(input);
  if (s.editing !== null || chars.length < 2 || !NO_FLAGS(key)) return [[input, key]];
  return chars.map((c): [string, KeyInfo] => {
    if (c === '\t') return ['', { tab: true }];
    if (c === '\r') return ['', { return: true }];
    if (c === '\x7f') return ['', { backspace: true }];
    if (c === '\x03') return ['c', { ctrl: true }];
    return [c, {}];
  });
}

export function actionForKey(input: string, key: KeyInfo, s: UiState): KeyResult {
  if (key.ctrl && input === 'c') return { type: 'quit' };
  if (s.editing !== null) {
    if (key.return) return { type: 'filter-apply' };
    if (key.escape) return { type: 'filter-cancel' };
    if (key.backspace || key.delete) return { type: 'filter-backspace' };
    if (key.ctrl || key.tab || key.upArrow || key.downArrow || key.leftArrow || key.rightArrow) return null;
    // eslint-disable-next-line no-control-regex
    const text = input.replace(/[\x00-\x1f\x7f]/g, '');
    return text ? { type: 'filter-type', text } : null;
  }
  if (key.tab) return key.shift ? { type: 'focus-prev' } : { type: 'focus-next' };
  if (key.rightArrow || key.downArrow) return { type: 'focus-next' };
  if (key.leftArrow || key.upArrow) return { type: 'focus-prev' };
  if (key.escape) return { type: 'dismiss' };
  switch (input) {
    case 'q':
      return { type: 'quit' };
    case 'p':
    case ' ':
      return { type: 'toggle-pause' };
    case 's':
      return { type: 'cycle-sort' };
    case 'f':
    case '/':
      return { type: 'filter-start' };
    case '+':
    case '=':
      return { type: 'interval-longer' };
    case '-':
    case '_':
      return { type: 'interval-shorter' };
    case 'r':
      return { type: 'toggle-recording' };
    case 'b':
      return { type: 'toggle-bpf-cost' };
    case '?':
    case 'h':
      return { type: 'toggle-help' };
    default:
      return null;
  }
}
