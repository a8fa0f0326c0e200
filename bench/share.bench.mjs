// scrub, stats and export throughput on a trace shaped like a real recording: a recorded tar + ls
// run (read/write buffers, paths, execs) cycled to N events. Baselines measured in the same run: a
// plain read pass (events decoded, args touched) and a plain copy (read + TraceWriter.append). Every
// pass reads with TraceReader.stream(), as the commands do.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.dirname(here);
const out = path.join(here, 'out');
fs.mkdirSync(out, { recursive: true });
const N = Number(process.env.SHARE_BENCH_EVENTS ?? 200_000);
const { TraceReader, TraceWriter } = await import('../dist/format/index.js');
const { createScrubber, HOME_RULES } = await import('../dist/scrub/index.js');
const { StatsCollector } = await import('../dist/stats/index.js');
const { EXPORT_FORMATS } = await import('../dist/export/index.js');
const { SafeOutputFile } = await import('../dist/util/outfile.js');

const template = path.join(out, 'share-template.ptrace');
if (!fs.existsSync(template)) {
  const r = spawnSync(process.execPath, [path.join(root, 'bin/picotrace.js'), 'record', '--env', '-o', template, '--', 'sh', '-c', 'tar cf - /usr/share/doc/[a-d]* 2>/dev/null | cat >/dev/null; ls -la /usr/bin >/dev/null'], { stdio: 'ignore' });
  if (r.status !== 0) throw new Error(`recording the template failed (${r.status}); is strace installed?`);
}

const big = path.join(out, `share-${N}.ptrace`);
{
  const r = TraceReader.open(template);
  const evs = [...r.events()].map((e) => (e.kind === 'call' ? { ...e, args: e.args, buffers: e.buffers } : { ...e }));
  const span = Math.max(1, ...evs.map((e) => e.timeNs ?? 0)) + 1000;
  const w = TraceWriter.create(big, r.header);
  for (let i = 0, cycle = 0; i < N; cycle++) for (const e of evs) {
    if (i++ >= N) break;
    w.append({ ...e, timeNs: e.timeNs === undefined ? undefined : e.timeNs + cycle * span });
  }
  w.close();
  r.close();
  console.log(`trace: ${N} events cycled from a recorded tar + ls run (${evs.length} events, ${evs.filter((e) => e.kind === 'call' && e.buffers.length).length} with buffers), ${(fs.statSync(big).size / 1e6).toFixed(1)} MB`);
}

async function measure(name, fn) {
  globalThis.gc?.();
  const t = performance.now();
  await fn();
  const ms = performance.now() - t;
  return { name, ms, rate: N / (ms / 1000) };
}

const results = [];
const readPass = () => {
  const r = TraceReader.open(big);
  for (const ev of r.stream()) if (ev.kind === 'call') void ev.args.length;
  r.close();
};
readPass();
results.push(
  await measure('read pass (baseline)', () => {
    const r = TraceReader.open(big);
    for (const ev of r.stream()) if (ev.kind === 'call') void ev.args.length;
    r.close();
  }),
);
results.push(
  await measure('copy: read + append (baseline)', () => {
    const r = TraceReader.open(big);
    const w = TraceWriter.create(path.join(out, 'share-copy.ptrace'), r.header, { atomic: true });
    for (const ev of r.stream()) w.append(ev);
    w.close();
    r.close();
  }),
);
results.push(
  await measure('scrub (buffers, env, --map-home)', () => {
    const s = createScrubber({ buffers: true, env: true, paths: [...HOME_RULES] });
    const r = TraceReader.open(big);
    const w = TraceWriter.create(path.join(out, 'share-scrubbed.ptrace'), s.header(r.header), { atomic: true });
    for (const ev of r.stream()) w.append(s.event(ev));
    w.close();
    r.close();
  }),
);
results.push(
  await measure('stats --by call', () => {
    const c = new StatsCollector({ by: 'call' });
    const r = TraceReader.open(big);
    for (const ev of r.stream()) c.add(ev);
    c.result();
    r.close();
  }),
);
results.push(
  await measure('stats --by path', () => {
    const c = new StatsCollector({ by: 'path' });
    const r = TraceReader.open(big);
    for (const ev of r.stream()) c.add(ev);
    c.result();
    r.close();
  }),
);
for (const format of Object.keys(EXPORT_FORMATS)) {
  let bytes = 0;
  const m = await measure(`export --format ${format}`, async () => {
    const r = TraceReader.open(big);
    const f = SafeOutputFile.create(path.join(out, `share.${format}`));
    const x = EXPORT_FORMATS[format]();
    let batch = x.begin(r.header);
    for (const ev of r.stream()) {
      batch += x.event(ev);
      if (batch.length >= 1 << 16) {
        await f.write(batch);
        batch = '';
      }
    }
    await f.write(batch + x.end());
    bytes = f.bytesWritten;
    await f.commit();
    r.close();
  });
  m.name += ` (${(bytes / N).toFixed(0)} B/event)`;
  results.push(m);
}
const [read, copy] = results;
console.log(`\n${'pass'.padEnd(42)} ${'ms'.padStart(8)} ${'events/s'.padStart(10)}  vs read  vs copy`);
for (const r of results)
  console.log(`${r.name.padEnd(42)} ${r.ms.toFixed(0).padStart(8)} ${Math.round(r.rate).toLocaleString('en-US').padStart(10)}  ${(r.ms / read.ms).toFixed(2).padStart(6)}x ${(r.ms / copy.ms).toFixed(2).padStart(6)}x`);
for (const f of fs.readdirSync(out)) if (f.startsWith('share') && f !== path.basename(template)) fs.rmSync(path.join(out, f), { force: true });
