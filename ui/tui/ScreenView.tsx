// Draws a Screen (ui/model/screen.ts) line by line. Styles only add emphasis:
// without colour (NO_COLOR) the frame is exactly screenLines(screen).
import { Box, Text } from 'ink';
import type { ReactNode } from 'react';
import type { Screen, Tab } from '../model/screen.js';
import { screenLines, tabsText } from '../model/screen.js';
import type { Theme } from '../model/theme.js';

interface LineProps {
  text: string;
  theme: Theme;
  bold?: boolean;
  inverse?: boolean;
  color?: string;
  dim?: boolean;
}

/** One terminal line; an empty one still takes its row. */
export function Line({ text, theme, bold, inverse, color, dim }: LineProps): ReactNode {
  const t = text.trimEnd() || ' ';
  if (!theme.color) return <Text wrap="truncate">{t}</Text>;
  return (
    <Text
      wrap="truncate"
      bold={bold ?? false}
      inverse={inverse ?? false}
      dimColor={dim ?? false}
      {...(color ? { color } : {})}
    >
      {t}
    </Text>
  );
}

function TabBar({ screen, theme }: { screen: Screen; theme: Theme }): ReactNode {
  if (!theme.color) return <Line text={tabsText(screen)} theme={theme} />;
  const label = (t: Tab) => (t.focused ? `[${t.label}]` : ` ${t.label} `);
  const plain = tabsText(screen);
  const tabsOnly = screen.tabs.map(label).join(' ');
  const rest = plain.slice(tabsOnly.length);
  return (
    <Text wrap="truncate">
      {screen.tabs.map((t, i) => (
        <Text key={t.id}>
          {i > 0 ? ' ' : ''}
          <Text inverse={t.focused} underline={t.shown && !t.focused}>
            {label(t)}
          </Text>
        </Text>
      ))}
      <Text dimColor>{rest}</Text>
    </Text>
  );
}

export function ScreenView({ screen, theme }: { screen: Screen; theme: Theme }): ReactNode {
  if (screen.tooSmall || screen.fatal || !theme.color) {
    return (
      <Box flexDirection="column">
        {screenLines(screen).map((l, i) => (
          <Line key={i} text={l} theme={theme} color={screen.fatal && i === 2 ? 'red' : undefined} />
        ))}
      </Box>
    );
  }
  const body = screen.body;
  const pad = Array.from({ length: screen.padding }, (_, i) => <Line key={`pad${i}`} text="" theme={theme} />);
  return (
    <Box flexDirection="column">
      <Line text={screen.title} theme={theme} inverse color={screen.paused ? 'yellow' : undefined} />
      {body.kind === 'help'
        ? body.lines.map((l, i) => <Line key={`help${i}`} text={l} theme={theme} bold={!l.startsWith(' ')} />)
        : [
            <Line
              key="cpuhdr"
              text={screen.cpu.header ?? ''}
              theme={theme}
              bold
              color={screen.cpu.focused ? 'cyan' : undefined}
            />,
            ...screen.cpu.lines.map((l, i) => <Line key={`cpu${i}`} text={l} theme={theme} />),
            <TabBar key="tabs" screen={screen} theme={theme} />,
            ...(body.block.header === null
              ? []
              : [
                  <Line
                    key="hdr"
                    text={body.block.header}
                    theme={theme}
                    bold
                    color={body.focused ? 'cyan' : undefined}
                  />,
                ]),
            ...body.block.lines.map((l, i) => <Line key={`row${i}`} text={l} theme={theme} />),
          ]}
      {pad}
      <Line
        text={screen.message?.text ?? ''}
        theme={theme}
        color={screen.message?.tone === 'warn' ? 'yellow' : screen.message?.tone === 'prompt' ? 'cyan' : undefined}
      />
      <Line
        text={screen.status.text}
        theme={theme}
        color={screen.status.warn ? 'red' : undefined}
        dim={!screen.status.warn}
      />
    </Box>
  );
}
