// `irqlens export`: a recording as a Perfetto/Chrome trace or per-interval CSV.
import { CSV_TABLES, exportCsv, type CsvTable } from '../../src/record/csv.js';
import { closeRecording, openRecording } from '../common/recording.js';
import { exportPerfetto } from '../../src/record/perfetto.js';
import { prepareOutput } from '../../src/output/safe-output.js';
import { UsageError } from '../common/errors.js';
import { count, mb } from './record.js';

export interface ExportOpts {
  format: string;
  output: string;
  table: string;
  interval?: number;
  force?: boolean;
  json?: boolean;
}

/** A progress bar on stderr, on a terminal only. */
export function progressBar(label: string): ((done: number, total: number) => void) | undefined {
  if (!process.stderr.isTTY) return undefined;
  return (done, total) => {
    const f = total ? Math.min(1, done / total) : 1;
    const w = 30;
    const n = Math.round(f * w);
    process.stderr.write(
      `\r${label} [${'#'.repeat(n)}${'.'.repeat(w - n)}] ${(f * 100).toFixed(0).padStart(3)}%\x1b[K`,
    );
  };
}

export function exportCommand(file: string, o: ExportOpts): Promise<void> {
  if (o.format !== 'perfetto' && o.format !== 'csv')
    throw new UsageError(`--format: '${o.format}' is not perfetto or csv`);
  if (!(CSV_TABLES as readonly string[]).includes(o.table))
    throw new UsageError(`--table: '${o.table}' is not one of ${CSV_TABLES.join(', ')}`);
  const toStdout = o.output === '-';
  const target = toStdout ? undefined : prepareOutput(o.output, { force: o.force ?? false, inputs: [file] });
  const out = target ? target.writePath : 1;
  let rec;
  try {
    rec = openRecording(file);
  } catch (e) {
    target?.discard();
    throw e;
  }
  const bar = toStdout ? undefined : progressBar(`exporting ${file}`);
  const t0 = performance.now();
  try {
    let summary: Record<string, unknown>;
    if (o.format === 'perfetto') {
      const r = exportPerfetto(rec, out, bar);
      summary = {
        file: o.output,
        format: 'perfetto',
        records: r.records,
        slices: r.slices,
        counters: r.counters,
        instants: r.instants,
        bytes: r.bytes,
      };
    } else {
      const rows = exportCsv(rec, out, o.table as CsvTable, (o.interval ?? 0) * 1e9, bar);
      summary = { file: o.output, format: 'csv', table: o.table, rows };
    }
    if (bar) process.stderr.write('\r\x1b[K');
    target?.commit();
    const secs = (performance.now() - t0) / 1000;
    if (o.json)
      process.stdout.write(JSON.stringify({ ...summary, seconds: Math.round(secs * 1000) / 1000 }, null, 2) + '\n');
    else if (!toStdout) {
      const what =
        o.format === 'perfetto'
          ? `${count(summary.slices as number)} slices, ${count(summary.counters as number)} counter samples, ${count(summary.instants as number)} instants (${mb(summary.bytes as number)}); open it in https://ui.perfetto.dev`
          : `${count(summary.rows as number)} rows of ${o.table}`;
      process.stderr.write(`irqlens: wrote ${o.output}: ${what} in ${secs.toFixed(1)} s\n`);
    }
  } catch (e) {
    target?.discard();
    throw target ? target.explain(e) : e;
  } finally {
    closeRecording(rec);
  }
  return Promise.resolve();
}
