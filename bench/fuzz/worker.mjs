// Fuzz worker: runs picotrace command lines in-process and reports each outcome to the parent.
import { run } from '../../dist/cli/main.js';

const realOut = process.stdout.write.bind(process.stdout);
const realErr = process.stderr.write.bind(process.stderr);
let errText = '';
let outBytes = 0;

process.on('message', async (msg) => {
  errText = '';
  outBytes = 0;
  process.stdout.write = (chunk, enc, cb) => {
    outBytes += chunk.length;
    if (typeof enc === 'function') enc();
    else if (typeof cb === 'function') cb();
    return true;
  };
  process.stderr.write = (chunk, enc, cb) => {
    if (errText.length < 20000) errText += String(chunk);
    if (typeof enc === 'function') enc();
    else if (typeof cb === 'function') cb();
    return true;
  };
  let code;
  let thrown;
  const t0 = performance.now();
  try {
    code = await run(msg.argv);
  } catch (err) {
    thrown = String(err && err.stack ? err.stack : err);
  }
  process.stdout.write = realOut;
  process.stderr.write = realErr;
  process.send({ id: msg.id, code, thrown, stderr: errText.slice(0, 4000), outBytes, ms: performance.now() - t0, rss: process.memoryUsage().rss });
});
process.send({ ready: true });
