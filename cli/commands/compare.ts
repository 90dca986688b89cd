// `irqlens compare A B`: two recordings side by side, with what is beyond noise.
import { compareProfiles, profile } from '../../src/record/compare.js';
import { compareText } from '../../src/record/compare-text.js';
import { closeRecording, openRecording } from '../common/recording.js';
import { RecordError } from '../../src/record/errors.js';

export interface CompareOpts {
  interval: number;
  json?: boolean;
}

export function compareCommand(a: string, b: string, o: CompareOpts): Promise<void> {
  const ra = openRecording(a);
  try {
    const rb = openRecording(b);
    try {
      const pa = profile(ra, o.interval * 1e9);
      const pb = profile(rb, o.interval * 1e9);
      // no interval on a side compares nothing: an --interval longer than a recording, most likely
      for (const p of [pa, pb]) {
        if (!p.samples.length)
          throw new RecordError(
            `${p.path} spans ${(p.report.duration_ns / 1e9).toFixed(1)} s: no whole ${o.interval} s interval to compare (give a shorter --interval)`,
          );
      }
      const c = compareProfiles(pa, pb);
      process.stdout.write(o.json ? JSON.stringify(c, null, 2) + '\n' : compareText(c));
    } finally {
      closeRecording(rb);
    }
  } finally {
    closeRecording(ra);
  }
  return Promise.resolve();
}
