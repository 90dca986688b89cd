// `irqlens report FILE --html OUT`: the report and the web view's charts in one
// self-contained file. The frames are the serve pipeline's, built from every
// snapshot of the recording (joined so that a long recording stays small).
import { errnoText } from '../output/errno.js';
import { writeFileSync } from 'node:fs';
import { buildReport } from '../report/cost-report.js';
import { reportText } from '../report/report-text.js';
import { measurementOf, eachMessage } from '../record/offline.js';
import { RecordError } from '../record/errors.js';
import type { Recording } from '../record/reader.js';
import { Pipeline } from './pipeline.js';
import { reportPage } from './page.js';
import { encode } from './wire.js';

/** Frames in a report at most (a longer recording's snapshots are joined). */
const MAX_FRAMES = 1500;

export interface HtmlReportOptions {
  pid?: number;
  comm?: string;
}

/** The report of an open recording (`file` names it in messages) as one self-contained page at `out`. */
export function htmlReport(
  rec: Recording,
  file: string,
  out: string,
  o: HtmlReportOptions,
): { frames: number; bytes: number } {
  const m = measurementOf(rec);
  // the workload as `report FILE` picks it: --pid, else the traced process, else --comm, else all
  const target = o.pid ?? (rec.hello.targetTgid || undefined);
  const byComm =
    o.comm === undefined ? undefined : [...m.collector.comms].filter(([, c]) => c === o.comm).map(([t]) => t);
  if (byComm && !byComm.length) throw new RecordError(`--comm: no process in ${file} is named '${o.comm ?? ''}'`);
  const tgids = target !== undefined ? [target] : byComm;
  const r = buildReport([m], { ...(tgids ? { tgids } : {}), queues: rec.header.settings?.queues ?? [] });
  const lines: string[] = [];
  const pipeline = new Pipeline(rec.hello, {
    intervalMs: 0,
    queues: () => rec.header.settings?.queues ?? [],
    estimate: null,
    everySnapshotNs: Math.max(0, (m.toNs - m.fromNs) / MAX_FRAMES),
    onFrame: (f) => lines.push(Buffer.from(encode(f)).toString('base64')),
  });
  eachMessage(rec, (msg) => {
    pipeline.add(msg);
  });
  const hello = encode({
    type: 'hello',
    host: rec.hello.host,
    kernel: rec.hello.kernel,
    ncpus: rec.hello.ncpus,
    source: `${file} (recorded ${rec.header.created})`,
    intervalMs: 0,
    history: lines.length,
  });
  const html = reportPage(
    `irqlens report: ${rec.hello.host}`,
    [Buffer.from(hello).toString('base64'), ...lines].join('\n'),
    reportText(r),
  );
  try {
    writeFileSync(out, html);
  } catch (e) {
    throw new RecordError(`cannot write ${out}: ${errnoText(e)}`, undefined, { cause: e });
  }
  return { frames: lines.length, bytes: Buffer.byteLength(html) };
}
