// What the terminal can show: colour (off under NO_COLOR) and Unicode glyphs
// (off unless the locale says UTF-8), decided once from the environment.

export interface Theme {
  /** Colours and text styles; false under NO_COLOR (https://no-color.org). */
  color: boolean;
  /** Block characters for sparklines and box glyphs; ASCII otherwise. */
  unicode: boolean;
}

export function themeFromEnv(env: NodeJS.ProcessEnv): Theme {
  const noColor = env.NO_COLOR !== undefined && env.NO_COLOR !== '';
  const locale = env.LC_ALL || env.LC_CTYPE || env.LANG || '';
  return { color: !noColor, unicode: /utf-?8/i.test(locale) };
}

export interface Glyphs {
  /** Sparkline levels, index 0 = nothing. */
  levels: readonly string[];
  ellipsis: string;
  sep: string;
  down: string;
}

const UNICODE: Glyphs = { levels: [' ', '▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'], ellipsis: '…', sep: '│', down: '▼' };
const ASCII: Glyphs = { levels: [' ', '.', ':', '-', '=', '+', '*', '#', '@'], ellipsis: '~', sep: '|', down: 'v' };

export function glyphsOf(t: Theme): Glyphs {
  return t.unicode ? UNICODE : ASCII;
}
