// Test helper: a stand-in for `irqlens top` that starts a recording with the r
// key's Recorder, says where, and waits to be killed.
import { Recorder } from '../../src/live/recorder.js';

const dir = process.argv[2] ?? process.cwd();
const msg = await new Recorder(['--records', 'burst'], dir).toggle();
process.stdout.write(`${msg}\n`);
setInterval(() => undefined, 1000);
