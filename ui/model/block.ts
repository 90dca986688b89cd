// A panel's rendered content: a column header and its lines, laid out to a
// width, or a message when there is nothing to show.

export interface Block {
  /** Column header, or null for a message-only block. */
  header: string | null;
  lines: string[];
  /** Lines that did not fit, for a "+N more" hint. */
  hidden: number;
}

/** The first `max` lines; when some are cut, the last visible line says how many. */
export function clip(header: string | null, lines: readonly string[], max: number, more: (n: number) => string): Block {
  if (lines.length <= max) return { header, lines: [...lines], hidden: 0 };
  if (max <= 0) return { header, lines: [], hidden: lines.length };
  const hidden = lines.length - (max - 1);
  return { header, lines: [...lines.slice(0, max - 1), more(hidden)], hidden };
}

export function message(...lines: string[]): Block {
  return { header: null, lines, hidden: 0 };
}
