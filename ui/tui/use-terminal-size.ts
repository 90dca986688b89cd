// The terminal's size, updated when it is resized.
import { useStdout } from 'ink';
import { useEffect, useState } from 'react';
import type { Size } from '../model/screen.js';

const DEFAULT: Size = { cols: 80, rows: 24 };

export function useTerminalSize(): Size {
  const { stdout } = useStdout();
  const read = (): Size => ({ cols: stdout.columns || DEFAULT.cols, rows: stdout.rows || DEFAULT.rows });
  const [size, setSize] = useState<Size>(read);
  useEffect(() => {
    const onResize = () => {
      setSize({ cols: stdout.columns || DEFAULT.cols, rows: stdout.rows || DEFAULT.rows });
    };
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout]);
  return size;
}
