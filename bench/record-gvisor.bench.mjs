// gVisor recording benchmark: on `tar cf - /usr/share/doc | cat >/dev/null`, the wall time of
// `picotrace record --backend gvisor` with each source against plain `runsc do` (the baseline,
// measured in the same run, modes interleaved per round), plus native `record` for reference; events
// per second sustained, events gVisor dropped, and trace bytes per call. Target: the default source
// at most 1.5x plain `runsc do`. BENCH_N rounds (default 3; `--quick` 1); medians are reported.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const BIN = path.join(here, '..', 'bin', 'picotrace.js');
const N = process.argv.includes('--quick') ? 1 : Number(process.env.BENCH_N || 3);
const WORKLOAD = ['sh', '-c', 'tar cf - /usr/share/doc 2>/dev/null | cat >/dev/null'];
const { DEFAULT_GVISOR_SOURCE } = await import('../dist/capture/gvisor/index.js');
const { TraceReader } = await import('../dist/format/index.js');

if (spawnSync('runsc', ['--version']).status !== 0) {
  console.log('runsc is not installed: skipping (CI installs it with .ci/run)');
  process.exit(0);
}
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'picotrace-bench-gvisor-'));
fs.chmodSync(dir, 0o755);

function timed(cmd, args) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}):\n${r.stderr.trim().split('\n').slice(-12).join('\n')}`);
  return ms;
}

function traceFigures(file) {
  const r = TraceReader.open(file);
  try {
    let calls = 0;
    for (const ev of r.events()) if (ev.kind === 'call') calls++;
    return { events: r.eventCount, calls, dropped: r.footerInfo.droppedEvents, bytes: fs.statSync(file).size };
  } finally {
    r.close();
  }
}

const modes = [
  { name: 'runsc do', run: () => timed('runsc', ['--root', path.join(dir, 'state'), '--network=none', '--platform=ptrace', 'do', '--quiet', ...WORKLOAD]) },
  ...['monitor', 'strace-log'].map((source) => ({
    name: `record gvisor ${source}${source === DEFAULT_GVISOR_SOURCE ? ' (default)' : ''}`,
    source,
    run: () => timed(process.execPath, [BIN, 'record', '--backend', 'gvisor', '--source', source, '-o', path.join(dir, `${source}.ptrace`), '--', ...WORKLOAD]),
  })),
  { name: 'record native (reference)', native: true, run: () => timed(process.execPath, [BIN, 'record', '-o', path.join(dir, 'native.ptrace'), '--', ...WORKLOAD]) },
];

const times = new Map(modes.map((m) => [m.name, []]));
const figures = new Map();
try {
  for (let round = 0; round < N; round++) {
    for (const m of modes) {
      times.get(m.name).push(m.run());
      const file = m.source ? path.join(dir, `${m.source}.ptrace`) : m.native ? path.join(dir, 'native.ptrace') : undefined;
      if (file) {
        const f = traceFigures(file);
        const prev = figures.get(m.name);
        figures.set(m.name, { ...f, dropped: Math.max(f.dropped, prev?.dropped ?? 0) });
      }
    }
  }
  const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
  const base = median(times.get('runsc do'));
  console.log(`workload: ${WORKLOAD.join(' ')}; ${N} round(s), modes interleaved; median wall time`);
  console.log(`${'mode'.padEnd(34)} ${'ms'.padStart(8)} ${'x runsc do'.padStart(10)} ${'calls'.padStart(8)} ${'events/s'.padStart(9)} ${'dropped'.padStart(8)} ${'B/call'.padStart(7)}`);
  for (const m of modes) {
    const ms = median(times.get(m.name));
    const f = figures.get(m.name);
    const cols = f ? [String(f.calls).padStart(8), String(Math.round(f.events / (ms / 1000))).padStart(9), String(f.dropped).padStart(8), (f.bytes / f.calls).toFixed(1).padStart(7)] : [];
    console.log(`${m.name.padEnd(34)} ${ms.toFixed(0).padStart(8)} ${(ms / base).toFixed(2).padStart(10)} ${cols.join(' ')}`);
  }
  const def = modes.find((m) => m.source === DEFAULT_GVISOR_SOURCE);
  const ratio = median(times.get(def.name)) / base;
  console.log(`default source ${DEFAULT_GVISOR_SOURCE}: ${ratio.toFixed(2)}x plain runsc do (target <= 1.5x): ${ratio <= 1.5 ? 'met' : 'NOT met'}`);
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
