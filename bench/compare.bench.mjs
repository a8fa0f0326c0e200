// Compare benchmark: `picotrace diff` of two 1M-call traces (target < 5 s, peak RSS < 1 GB) and
// `picotrace bisect` of two 10M-call traces with one divergence near the end (target < 200 ms,
// chunks read reported). Traces cycle a real recording (bench/lib/realistic.mjs) and carry stream
// digests; B has divergences planted. Baselines in the same run: one streaming read of both traces
// (what any diff must at least do) and bisect's own fallback, a streaming scan of both traces.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { OUT, templateEvents } from './lib/realistic.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const BIN = path.join(here, '..', 'bin', 'picotrace.js');
const quick = process.argv.includes('--quick');
const fmt = (n) => Math.round(n).toLocaleString('en-US');

/** Writes `n` events cycling the template, with digests; `plant(i)` may return a replacement for event i. */
async function writeTrace(name, n, plant) {
  const file = path.join(OUT, name);
  if (fs.existsSync(file)) return file;
  const { TraceWriter } = await import('../dist/format/index.js');
  const { DigestAnnotator } = await import('../dist/compare/index.js');
  const { events, header } = await templateEvents();
  const span = Math.max(1, ...events.map((e) => e.timeNs ?? 0)) + 1000;
  const tmp = `${file}.partial`;
  const w = TraceWriter.create(tmp, header, { annotator: new DigestAnnotator('strict') });
  for (let i = 0, cycle = 0; i < n; cycle++) {
    const shift = cycle * span;
    for (const ev of events) {
      if (i >= n) break;
      const base = ev.timeNs === undefined ? ev : { ...ev, timeNs: ev.timeNs + shift };
      w.append(plant(i, base) ?? base);
      i++;
    }
  }
  w.close();
  fs.renameSync(tmp, file);
  return file;
}

/** Fails call `i` with ENOSYS when it is a successful call (the classic library-OS deviation). */
function enosys(ev) {
  if (ev.kind !== 'call' || ev.errno || ev.name === 'exit_group' || ev.name === 'execve') return undefined;
  return { ...ev, retval: -1, errno: 38 };
}

function timed(args) {
  const r = spawnSync('/usr/bin/time', ['-f', 'TIME %e %U %S %M', process.execPath, '--max-semi-space-size=4', ...args], { encoding: 'utf8', maxBuffer: 1 << 30 });
  const m = /TIME ([\d.]+) ([\d.]+) ([\d.]+) (\d+)/.exec(r.stderr);
  return { code: r.status, s: m ? Number(m[1]) : NaN, cpu: m ? Number(m[2]) + Number(m[3]) : NaN, rssMb: m ? Number(m[4]) / 1024 : NaN, stdout: r.stdout, stderr: r.stderr };
}

const READ_BOTH = `const { TraceReader } = await import(${JSON.stringify(path.join(here, '..', 'dist/format/index.js'))});
let n = 0; for (const f of process.argv.slice(1)) { const r = TraceReader.open(f); for (const ev of r.events()) { n += ev.kind === 'call' ? ev.args.length : 0; } r.close(); }`;

fs.mkdirSync(OUT, { recursive: true });
const N1 = quick ? 200_000 : 1_000_000;
const N2 = quick ? 1_000_000 : 10_000_000;

let t = performance.now();
const plantEvery = Math.floor(N1 / 25);
const a1 = await writeTrace(`compare-${N1}-a.ptrace`, N1, () => undefined);
const b1 = await writeTrace(`compare-${N1}-b.ptrace`, N1, (i, ev) => (i > 0 && i % plantEvery === 0 ? enosys(ev) : undefined));
console.log(`${fmt(N1)}-event traces ready (${((performance.now() - t) / 1000).toFixed(1)} s, cached in bench/out/)`);

const base1 = timed(['--input-type=module', '-e', READ_BOTH, a1, b1]);
const diff1 = timed([BIN, 'diff', '--format', 'json', '--all', a1, b1]);
const j = JSON.parse(diff1.stdout || '{}');
console.log(`\ndiff of two ${fmt(N1)}-event traces (${j.totalDivergences ?? '?'} divergences, exit ${diff1.code}):`);
console.log(`  picotrace diff --format json --all   ${diff1.s.toFixed(2)} s wall  ${diff1.cpu.toFixed(2)} s CPU   peak RSS ${fmt(diff1.rssMb)} MB   (target < 5 s, < 1024 MB)`);
console.log(`  baseline: streaming read of both     ${base1.s.toFixed(2)} s wall  ${base1.cpu.toFixed(2)} s CPU   peak RSS ${fmt(base1.rssMb)} MB`);
console.log(`  ratio diff / read (CPU)              ${(diff1.cpu / base1.cpu).toFixed(2)}x   load average ${fs.readFileSync('/proc/loadavg', 'utf8').split(' ')[0]} on ${(await import('node:os')).cpus().length} cores`);

t = performance.now();
const at = N2 - Math.floor(N2 / 500);
const a2 = await writeTrace(`compare-${N2}-a.ptrace`, N2, () => undefined);
const b2 = await writeTrace(`compare-${N2}-b.ptrace`, N2, (i, ev) => (i >= at && i < at + 50 ? enosys(ev) : undefined));
console.log(`\n${fmt(N2)}-event traces ready (${((performance.now() - t) / 1000).toFixed(1)} s, cached in bench/out/)`);

const runs = [];
for (let k = 0; k < 3; k++) runs.push(timed([BIN, 'bisect', a2, b2]));
const best = runs.map((r) => ({ ...r, inner: Number(/in ([\d.]+) ms/.exec(r.stdout)?.[1] ?? NaN), innerCpu: Number(/\(([\d.]+) ms CPU\)/.exec(r.stdout)?.[1] ?? NaN), chunks: /read (\d+) of (\d+) chunks/.exec(r.stdout) })).sort((x, y) => x.inner - y.inner)[0];
const pos = /first divergence at stream position (\d+)/.exec(best.stdout);
console.log(`bisect of two ${fmt(N2)}-event traces, divergence planted at event ${fmt(at)} (exit ${best.code}):`);
console.log(`  search (open excluded)   ${best.inner.toFixed(1)} ms wall  ${best.innerCpu.toFixed(1)} ms CPU   chunks read ${best.chunks ? `${best.chunks[1]} of ${best.chunks[2]}` : '?'}   (target < 200 ms)`);
console.log(`  whole command            ${best.s.toFixed(2)} s wall  ${best.cpu.toFixed(2)} s CPU   peak RSS ${fmt(best.rssMb)} MB   first divergence at stream position ${pos?.[1] ?? '?'}`);
if (!quick) {
  const scan = timed([BIN, 'bisect', '--loose', a2, b2]);
  const sm = /in ([\d.]+) ms/.exec(scan.stdout);
  console.log(`  baseline: streaming scan (--loose: no matching digests)  ${(Number(sm?.[1]) / 1000).toFixed(2)} s   peak RSS ${fmt(scan.rssMb)} MB`);
  console.log(`  ratio scan / search      ${(Number(sm?.[1]) / best.inner).toFixed(0)}x`);
}
