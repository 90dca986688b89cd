// `irqlens compare A B`: two recordings side by side, with what is beyond noise.
import { compareProfiles, profile } from '../../src/record/compare.js';
import { compareText } from '../../src/record/compare-text.js';
import { closeRecording, openRecording } from '../../src/record/open.js';

export interface CompareOpts {
  interval: number;
  json?: boolean;
}

export function compareCommand(a: string, b: string, o: CompareOpts): Promise<void> {
  const ra = openRecording(a);
  try {
    const rb = openRecording(b);
    try {
      const c = compareProfiles(profile(ra, o.interval * 1e9), profile(rb, o.interval * 1e9));
      process.stdout.write(o.json ? JSON.stringify(c, null, 2) + '\n' : compareText(c));
    } finally {
      closeRecording(rb);
    }
  } finally {
    closeRecording(ra);
  }
  return Promise.resolve();
}
