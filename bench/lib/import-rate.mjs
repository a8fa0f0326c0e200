// Times `importLogs` (parse and write) and the parser alone on one strace log, in a process of its
// own, so that what the JIT learned from another workload does not slow or speed this one. Prints
// one JSON line: wall and CPU milliseconds of every warm repetition, and of the first (cold) import.
// Usage: node import-rate.mjs LOG OUT.ptrace REPS
import { performance } from 'node:perf_hooks';

const [log, out, repsText] = process.argv.slice(2);
const reps = Number(repsText);
const { importLogs, StraceParser, SyncLineReader } = await import('../../dist/import/index.js');

function parseOnly() {
  const reader = new SyncLineReader(log);
  const parser = new StraceParser(() => undefined, {});
  const t = performance.now();
  let line;
  let n = 0;
  while ((line = reader.next()) !== undefined) parser.line(line, ++n, 'bench');
  parser.end();
  const ms = performance.now() - t;
  reader.close();
  return ms;
}

const imp = [];
const cpu = [];
const parse = [];
// The first import runs cold, as a one-off `picotrace import` does: most of the parser is not yet
// compiled by the optimizing tier. More warm the process up (two, or as many as make 300k lines for
// a short log); then the measured repetitions.
let t = performance.now();
const first = importLogs({ inputs: [log], output: out, format: 'strace' });
const coldMs = performance.now() - t;
const warmups = Math.min(200, Math.max(2, Math.ceil(300_000 / Math.max(1, first.stats.lines))));
for (let i = 0; i < warmups; i++) importLogs({ inputs: [log], output: out, format: 'strace' });
for (let i = 0; i < reps; i++) {
  t = performance.now();
  const c = process.cpuUsage();
  importLogs({ inputs: [log], output: out, format: 'strace' });
  const used = process.cpuUsage(c);
  imp.push(performance.now() - t);
  cpu.push((used.user + used.system) / 1000);
  parse.push(parseOnly());
}
console.log(JSON.stringify({ coldMs, imp, cpu, parse }));
