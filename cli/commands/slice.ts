// `irqlens slice`: cut a recording by time, CPU, IRQ or device (record once, filter later).
import { closeRecording, openRecording } from '../common/recording.js';
import { sliceRecording, type SliceSpec } from '../../src/record/slice.js';
import { prepareOutput } from '../../src/output/safe-output.js';
import { UsageError } from '../common/errors.js';
import { count } from './record.js';

export interface SliceOpts {
  output: string;
  from?: number;
  to?: number;
  cpu?: number[];
  irq?: string[];
  dev?: string[];
  force?: boolean;
  json?: boolean;
}

export function sliceCommand(file: string, o: SliceOpts): Promise<void> {
  if (o.from !== undefined && o.to !== undefined && o.to <= o.from)
    throw new UsageError(`--to ${o.to} is not after --from ${o.from}`);
  const target = prepareOutput(o.output, { force: o.force ?? false, inputs: [file] });
  let rec;
  try {
    rec = openRecording(file);
  } catch (e) {
    target.discard();
    throw e;
  }
  try {
    // a CPU the recording does not have would keep nothing of it, silently
    const missing = (o.cpu ?? []).filter((c) => c >= rec.hello.ncpus);
    if (missing.length)
      throw new UsageError(
        `--cpu: ${missing.join(',')} ${missing.length > 1 ? 'are not CPUs' : 'is not a CPU'} of ${file} (it recorded CPUs 0-${rec.hello.ncpus - 1})`,
      );
    const spec: SliceSpec = {
      ...(o.from !== undefined ? { fromS: o.from } : {}),
      ...(o.to !== undefined ? { toS: o.to } : {}),
      ...(o.cpu ? { cpus: o.cpu } : {}),
      ...(o.irq ? { irqs: o.irq } : {}),
      ...(o.dev ? { devs: o.dev } : {}),
    };
    const r = sliceRecording(rec, target.writePath, spec);
    if (r.frames) target.commit();
    else target.discard();
    const span =
      r.firstS !== null && r.lastS !== null ? `${r.firstS.toFixed(2)}-${r.lastS.toFixed(2)} s` : 'no snapshots';
    if (o.json)
      process.stdout.write(
        JSON.stringify(
          {
            file: o.output,
            events: r.events,
            snapshots: r.snapshots,
            frames: r.frames,
            from_s: r.firstS,
            to_s: r.lastS,
          },
          null,
          2,
        ) + '\n',
      );
    else
      process.stderr.write(
        `irqlens: wrote ${o.output}: ${count(r.events)} events, ${r.snapshots} snapshots (${span} of ${file}'s clock)\n`,
      );
    if (r.snapshots < 2)
      process.stderr.write(
        `irqlens: the slice holds ${r.snapshots} snapshot${r.snapshots === 1 ? '' : 's'}: report needs two (widen --from/--to)\n`,
      );
  } catch (e) {
    target.discard();
    throw target.explain(e);
  } finally {
    closeRecording(rec);
  }
  return Promise.resolve();
}
