// Trace file benchmark: write and read throughput, bytes per call, open + seek latency and peak
// memory on 1M and 10M events shaped like a real recording (bench/lib/realistic.mjs), plus the
// codec/level comparison that picked the default. Baselines in the same run: the strace text log
// of the template workload and its gzip -6, per call.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { OUT, realisticTrace, templateEvents, templateTrace } from './lib/realistic.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const { TraceReader, TraceWriter, Codec } = await import('../dist/format/index.js');
const quick = process.argv.includes('--quick');
const fmt = (n) => Math.round(n).toLocaleString('en-US');

function readAll(file, touchArgs) {
  const r = TraceReader.open(file);
  const t = performance.now();
  let n = 0;
  let calls = 0;
  for (const ev of r.events()) {
    n++;
    if (ev.kind === 'call') {
      calls++;
      if (touchArgs) void ev.args.length;
    }
  }
  const ms = performance.now() - t;
  r.close();
  return { n, calls, ms };
}

const { log } = await templateTrace();
const { events } = await templateEvents();
const templateCalls = events.filter((e) => e.kind === 'call').length;
const logBytes = fs.statSync(log).size;
const gzBytes = zlib.gzipSync(fs.readFileSync(log), { level: 6 }).length;
console.log(`template: ${events.length} events (${templateCalls} calls) from: ${'tar + python import'}; strace text ${(logBytes / templateCalls).toFixed(1)} B/call, gzip -6 ${(gzBytes / templateCalls).toFixed(1)} B/call`);

console.log('\ncodec and level, on 60 chunks of 4096 real-shaped events (CPU time, so other load on the machine matters less):');
{
  const file = await realisticTrace(60 * 4096, 'codec-sample.ptrace', { codec: Codec.none, force: true });
  const fd = fs.openSync(file, 'r');
  const r = TraceReader.open(file);
  const raws = r.chunks.map((c) => {
    const b = Buffer.alloc(c.storedLength);
    fs.readSync(fd, b, 0, b.length, c.offset + 48);
    return b;
  });
  r.close();
  fs.closeSync(fd);
  const total = raws.reduce((a, b) => a + b.length, 0);
  const cpu = (f) => {
    const c0 = process.cpuUsage();
    f();
    const c1 = process.cpuUsage(c0);
    return (c1.user + c1.system) / 1000;
  };
  const q = (n) => ({ params: { [zlib.constants.BROTLI_PARAM_QUALITY]: n } });
  const table = [
    ['deflate-raw 1', (x) => zlib.deflateRawSync(x, { level: 1 }), (x, n) => zlib.inflateRawSync(x, { chunkSize: n + 1 })],
    ['deflate-raw 6', (x) => zlib.deflateRawSync(x, { level: 6 }), (x, n) => zlib.inflateRawSync(x, { chunkSize: n + 1 })],
    ['deflate-raw 9', (x) => zlib.deflateRawSync(x, { level: 9 }), (x, n) => zlib.inflateRawSync(x, { chunkSize: n + 1 })],
    ['brotli 1', (x) => zlib.brotliCompressSync(x, q(1)), (x, n) => zlib.brotliDecompressSync(x, { chunkSize: n + 1 })],
    ['brotli 4', (x) => zlib.brotliCompressSync(x, q(4)), (x, n) => zlib.brotliDecompressSync(x, { chunkSize: n + 1 })],
    ['brotli 5 *', (x) => zlib.brotliCompressSync(x, q(5)), (x, n) => zlib.brotliDecompressSync(x, { chunkSize: n + 1 })],
    ['brotli 6', (x) => zlib.brotliCompressSync(x, q(6)), (x, n) => zlib.brotliDecompressSync(x, { chunkSize: n + 1 })],
    ['brotli 9', (x) => zlib.brotliCompressSync(x, q(9)), (x, n) => zlib.brotliDecompressSync(x, { chunkSize: n + 1 })],
  ];
  console.log(`  ${'codec'.padEnd(14)} ${'B/event'.padStart(8)} ${'compress MB/s'.padStart(14)} ${'decompress MB/s'.padStart(16)}   (raw block ${(total / raws.length / 4096).toFixed(0)} B/event)`);
  for (const [name, comp, dec] of table) {
    let comps;
    const ct = cpu(() => (comps = raws.map(comp)));
    const size = comps.reduce((a, b) => a + b.length, 0);
    const dt = cpu(() => comps.forEach((x, i) => dec(x, raws[i].length)));
    console.log(`  ${name.padEnd(14)} ${(size / (raws.length * 4096)).toFixed(1).padStart(8)} ${(total / 1e3 / ct).toFixed(0).padStart(14)} ${(total / 1e3 / dt).toFixed(0).padStart(16)}`);
  }
  console.log('  (* the default: the smallest file whose decompression keeps up with deflate)');
  fs.rmSync(file);
}

for (const n of quick ? [1_000_000] : [1_000_000, 10_000_000]) {
  const t = performance.now();
  const file = await realisticTrace(n, `realistic-${n}.ptrace`, { force: true });
  const wms = performance.now() - t;
  const size = fs.statSync(file).size;
  const lazy = readAll(file, false);
  const eager = readAll(file, true);
  console.log(`\n${fmt(n)} events (${fmt(lazy.calls)} calls): ${(size / 1e6).toFixed(1)} MB`);
  console.log(`  bytes per call:      ${(size / lazy.calls).toFixed(1)} (strace text ${(logBytes / templateCalls).toFixed(1)}: ${((size / lazy.calls) / (logBytes / templateCalls)).toFixed(3)}x; gzip -6 text ${(gzBytes / templateCalls).toFixed(1)}: ${((size / lazy.calls) / (gzBytes / templateCalls)).toFixed(3)}x)`);
  console.log(`  write:               ${fmt(n / (wms / 1000))} events/s (including cycling the template)`);
  console.log(`  sequential read:     ${fmt(lazy.calls / (lazy.ms / 1000))} calls/s (${fmt(lazy.n / (lazy.ms / 1000))} events/s), target >= 1,000,000 calls/s`);
  console.log(`  read + decode args:  ${fmt(eager.calls / (eager.ms / 1000))} calls/s`);
  const probe = spawnSync(process.execPath, ['--max-semi-space-size=4', path.join(here, 'lib', 'seek-probe.mjs'), file, String(n - 1), '200'], { encoding: 'utf8' });
  if (probe.status !== 0) throw new Error(probe.stderr);
  const p = JSON.parse(probe.stdout);
  console.log(`  open + read event ${fmt(n - 1)} (fresh process): ${p.openMs.toFixed(1)} ms open + ${p.firstSeekMs.toFixed(1)} ms seek = ${(p.openMs + p.firstSeekMs).toFixed(1)} ms, target < 50 ms`);
  console.log(`  random seeks:        median ${p.medianMs.toFixed(2)} ms, p99 ${p.p99Ms.toFixed(2)} ms over ${p.seeks} events`);
  console.log(`  peak RSS (node flags of bin/picotrace.js; open, seeks, then a full sequential read): ${(p.peakRss / 1048576).toFixed(0)} MB (node baseline ${(p.baseRss / 1048576).toFixed(0)} MB), target < 150 MB`);
}
fs.mkdirSync(OUT, { recursive: true });
