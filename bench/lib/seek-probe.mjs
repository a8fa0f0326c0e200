// Child process of format.bench.mjs: opens a trace cold, reads one event, then random ones, then
// reads everything sequentially; prints timings and peak RSS as JSON.
import fs from 'node:fs';
const [file, target, seeksArg] = process.argv.slice(2);
const hwm = () => Number(/VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'))[1]) * 1024;
const baseRss = hwm();
const { TraceReader } = await import('../../dist/format/index.js');
let t = performance.now();
const r = TraceReader.open(file);
const openMs = performance.now() - t;
t = performance.now();
const ev = r.event(Number(target));
const firstSeekMs = performance.now() - t;
if (ev.seq !== Number(target)) throw new Error('wrong event');
const times = [];
let s = 12345;
for (let i = 0; i < Number(seeksArg); i++) {
  s = (s * 1103515245 + 12345) % 2147483648;
  const n = s % r.eventCount;
  t = performance.now();
  r.event(n);
  times.push(performance.now() - t);
}
times.sort((a, b) => a - b);
let count = 0;
for (const e of r.events()) count += e.seq >= 0 ? 1 : 0;
process.stdout.write(JSON.stringify({ openMs, firstSeekMs, medianMs: times[times.length >> 1], p99Ms: times[Math.floor(times.length * 0.99)], seeks: times.length, peakRss: hwm(), baseRss, count }));
