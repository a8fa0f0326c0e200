// Native recording benchmark. For each workload, in the same run and alternating: wall time of
// `picotrace record` against `strace` with the same capture flags writing its text to a file (target
// ratio <= 1.10); trace bytes per call against that text and its gzip -6 (target: trace <= gzip);
// import throughput of that text (target >= 200k lines/s and >= 100 MB/s), end to end (parse and
// write) and parse only, each workload's in a Node process of its own (lib/import-rate.mjs), as a
// `picotrace import` runs. The CLI's wall time includes node start-up and module loading; the engine
// alone is timed too, and so is `record --cpu 0` against strace pinned the same way (taskset -c 0).
// The floor: strace writing to a FIFO that a bare Node process only drains (lib/fifo-floor.sh), what
// any recorder that parses in Node costs at the least on this machine; and the same FIFO drained by
// cat, what a reader woken by each of strace's lines costs with no Node at all. record and a one-shot
// `picotrace import` are also timed without V8's code cache of the bundle (PICOTRACE_CODE_CACHE=0),
// as on picotrace's first run; and tar's log ten times over, as one long log, by a one-shot import.
// Each ratio is the median of the repetitions' own: a run against the strace run of its repetition,
// which came just before it (the machine's speed drifts between them less than over the whole
// benchmark).
// `--quick` runs one repetition of each.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const bin = path.join(here, '..', 'bin', 'picotrace.js');
const { straceFlags, recordNative, DEFAULT_BUFFER_SIZE } = await import('../dist/capture/native/index.js');
const { TraceReader } = await import('../dist/format/index.js');

const quick = process.argv.includes('--quick');
// bin/picotrace.js without V8's code cache of the bundle, as on its first run.
const NO_CODE_CACHE = { PICOTRACE_CODE_CACHE: '0' };
// Five: the machine's speed drifts by 20% within minutes (see the paired ratios above).
const reps = quick ? 1 : 5;
// Imports take a fraction of a second each: more repetitions of them cost little and steady the best.
const importReps = quick ? 1 : 5;
const out = fs.mkdtempSync(path.join(os.tmpdir(), 'picotrace-bench-'));
const fmt = (n, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const WORKLOADS = [
  // Its log, ten times over, is also imported as one long log (longLog below).
  { name: 'tar /usr/share/doc', argv: ['sh', '-c', 'tar cf - /usr/share/doc 2>/dev/null | cat >/dev/null'], long: 10 },
  // A fifth of a second each: more repetitions steady its median.
  { name: 'python3 imports', argv: ['/usr/bin/python3', '-c', 'import json, email, http.client'], reps: 11 },
  { name: 'dd 120k calls', argv: ['sh', '-c', 'dd if=/dev/zero of=/dev/null bs=64 count=60000 2>/dev/null'] },
];

// CPU time of a command and of every process it starts. GNU time counts only the processes that were
// reaped, and bin/picotrace.js's launcher leaves strace (and the program's CPU with it) a zombie of
// Node's until picotrace exits: so a cgroup's CPU accounting is used where one can be made (as root,
// cgroup v1's cpuacct or v2), GNU time otherwise (then the record's figure leaves strace out).
function cgroupAccounting() {
  const kinds = [
    { base: '/sys/fs/cgroup/cpuacct', read: (d) => Number(fs.readFileSync(path.join(d, 'cpuacct.usage'), 'utf8')) / 1e6 },
    { base: '/sys/fs/cgroup/unified', read: (d) => Number(/^usage_usec (\d+)/m.exec(fs.readFileSync(path.join(d, 'cpu.stat'), 'utf8'))[1]) / 1e3 },
    { base: '/sys/fs/cgroup', read: (d) => Number(/^usage_usec (\d+)/m.exec(fs.readFileSync(path.join(d, 'cpu.stat'), 'utf8'))[1]) / 1e3 },
  ];
  for (const k of kinds) {
    const dir = path.join(k.base, `picotrace-bench-${process.pid}`);
    try {
      fs.mkdirSync(dir);
    } catch {
      continue;
    }
    try {
      // A process moved there (by a shell that then execs the command) takes its children along.
      const r = spawnSync('sh', ['-c', 'echo $$ > "$0/cgroup.procs" && exec true', dir]);
      if (r.status === 0 && Number.isFinite(k.read(dir))) return { dir, read: () => k.read(dir), name: k.base };
    } catch {
      /* not usable */
    }
    fs.rmdirSync(dir);
  }
  return undefined;
}
const cgroup = cgroupAccounting();
const gnuTime = cgroup || !fs.existsSync('/usr/bin/time') ? undefined : '/usr/bin/time';
process.on('exit', () => {
  try {
    if (cgroup) fs.rmdirSync(cgroup.dir);
  } catch {
    /* a process still in it: the empty group stays */
  }
});
// record --cpu 0 against strace pinned the same way (taskset -c 0), when util-linux's taskset is here.
const taskset = ['/usr/bin/taskset', '/bin/taskset'].find((p) => fs.existsSync(p));
const cpu = { strace: [], record: [] };

function timed(cmd, args, cpuList, env) {
  const cpuFile = path.join(out, 'cpu.txt');
  // Both sides of a comparison run through the same wrapper (a shell, or GNU time), or none.
  const [c, a] = !cpuList ? [cmd, args] : cgroup ? ['sh', ['-c', 'echo $$ > "$0/cgroup.procs" && exec "$@"', cgroup.dir, cmd, ...args]] : gnuTime ? [gnuTime, ['-o', cpuFile, '-f', '%U %S', cmd, ...args]] : [cmd, args];
  let before = cgroup && cpuList ? cgroup.read() : 0;
  let t = performance.now();
  let r = spawnSync(c, a, { stdio: 'ignore', cwd: out, env: env && { ...process.env, ...env } });
  if (r.status !== 0) {
    console.log(`  (${path.basename(cmd)} failed with ${r.status ?? r.signal}; once more)`);
    before = cgroup && cpuList ? cgroup.read() : 0;
    t = performance.now();
    r = spawnSync(c, a, { stdio: 'ignore', cwd: out, env: env && { ...process.env, ...env } });
  }
  const ms = performance.now() - t;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.status ?? r.signal}`);
  if (cgroup && cpuList) cpuList.push(cgroup.read() - before);
  else if (gnuTime && cpuList) cpuList.push(fs.readFileSync(cpuFile, 'utf8').trim().split(/\s+/).map(Number).reduce((x, y) => x + y, 0) * 1000);
  return ms;
}

function countCalls(file) {
  const r = TraceReader.open(file);
  let calls = 0;
  for (const ev of r.events()) if (ev.kind === 'call') calls++;
  r.close();
  return calls;
}

/**
 * Writes `copies` copies of a `strace -f` log with absolute times (text, latin1) to `dest`, each
 * copy's times moved past the one before: one long recording whose processes, once exited, come back
 * with the same pids (as pids are reused). A one-shot import pays a fixed cost (Node's start, code
 * not yet optimized) that a 34 MB log does not amortize; this shows the rate that a long log gets.
 */
function longLog(text, dest, copies) {
  let first;
  let last;
  for (const m of text.matchAll(/^\d+ +(\d+)\./gm)) {
    first ??= Number(m[1]);
    last = Number(m[1]);
  }
  const span = last - first + 1;
  const fd = fs.openSync(dest, 'w', 0o600);
  try {
    for (let k = 0; k < copies; k++) {
      const copy = k === 0 ? text : text.replace(/^(\d+ +)(\d+)\./gm, (_, pid, sec) => `${pid}${Number(sec) + k * span}.`);
      fs.writeSync(fd, copy, null, 'latin1');
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** Import timings of one log, measured in a fresh process by lib/import-rate.mjs. */
function importRates(log, output) {
  // With the node flags bin/picotrace.js gives `picotrace import`.
  const r = spawnSync(process.execPath, ['--v8-pool-size=1', path.join(here, 'lib', 'import-rate.mjs'), log, output, String(importReps)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`import-rate.mjs failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

console.log(`strace flags: ${straceFlags({ bufferSize: DEFAULT_BUFFER_SIZE, env: false, output: 'FILE' }).args.join(' ')}; ${reps} repetition(s) (python: 11), median wall times; ratios are medians of each repetition's own`);
const rows = [];
for (const w of WORKLOADS) {
  const log = path.join(out, 'strace.log');
  const trace = path.join(out, 'trace.ptrace');
  const flags = straceFlags({ bufferSize: DEFAULT_BUFFER_SIZE, env: false, output: log }).args;
  timed('strace', [...flags, '--', ...w.argv]);
  const base = [];
  const rec = [];
  const recNoCache = [];
  const inproc = [];
  const pinnedBase = [];
  const pinnedRec = [];
  const floor = [];
  const catFloor = [];
  for (let i = 0; i < (quick ? 1 : (w.reps ?? reps)); i++) {
    base.push(timed('strace', [...flags, '--', ...w.argv], cpu.strace));
    // Run as an installed picotrace runs: the file itself, through its #! line.
    // With and without the code cache, through the same cgroup wrapper, in turn first.
    const withCache = () => rec.push(timed(bin, ['record', '-o', trace, '--', ...w.argv], cpu.record));
    const withoutCache = () => recNoCache.push(timed(bin, ['record', '-o', path.join(out, 'nocache.ptrace'), '--', ...w.argv], [], NO_CODE_CACHE));
    for (const run of i % 2 === 0 ? [withCache, withoutCache] : [withoutCache, withCache]) run();
    const fifoFlags = [...straceFlags({ bufferSize: DEFAULT_BUFFER_SIZE, env: false, output: 'FIFO' }).args, '--', ...w.argv];
    floor.push(timed('sh', [path.join(here, 'lib', 'fifo-floor.sh'), ...fifoFlags]));
    catFloor.push(timed('sh', [path.join(here, 'lib', 'fifo-floor.sh'), '--cat', ...fifoFlags]));
    const t = performance.now();
    await recordNative({ argv: w.argv, output: path.join(out, 'inproc.ptrace'), bufferSize: DEFAULT_BUFFER_SIZE, env: false, cwd: out });
    inproc.push(performance.now() - t);
    if (taskset) {
      pinnedBase.push(timed(taskset, ['-c', '0', 'strace', ...straceFlags({ bufferSize: DEFAULT_BUFFER_SIZE, env: false, output: path.join(out, 'pinned.log') }).args, '--', ...w.argv]));
      pinnedRec.push(timed(bin, ['record', '--cpu', '0', '-o', path.join(out, 'pinned.ptrace'), '--', ...w.argv]));
    }
  }
  // Each repetition's runs against its own strace run, then the median of those.
  const against = (xs, straceRuns = base) => median(xs.map((x, i) => x / straceRuns[i]));
  const calls = countCalls(trace);
  const text = fs.readFileSync(log);
  const textLatin1 = text.toString('latin1');
  const lines = textLatin1.split('\n').length - 1;
  const gz = zlib.gzipSync(text, { level: 6 }).length;
  const traceBytes = fs.statSync(trace).size;
  const { coldMs, imp, cpu: impCpu, parse } = importRates(log, path.join(out, 'imported.ptrace'));
  // picotrace import as a user runs it, one process each, with the code cache (written by the first
  // run) and without it, alternating.
  const cli = [];
  const cliNoCache = [];
  const cliOut = path.join(out, 'cli.ptrace');
  for (let i = 0; i < (quick ? 1 : (w.reps ?? importReps)); i++) {
    fs.rmSync(cliOut, { force: true });
    cli.push(timed(bin, ['import', '-q', log, '-o', cliOut]));
    fs.rmSync(cliOut, { force: true });
    cliNoCache.push(timed(bin, ['import', '-q', log, '-o', cliOut], undefined, NO_CODE_CACHE));
  }
  const importedBytes = fs.statSync(path.join(out, 'imported.ptrace')).size;
  const impMs = Math.min(...imp);
  const parseMs = Math.min(...parse);
  const row = {
    workload: w.name,
    calls,
    straceMs: median(base),
    recordMs: median(rec),
    ratio: against(rec),
    ratioOfMedians: median(rec) / median(base),
    recordNoCacheMs: median(recNoCache),
    noCacheRatio: against(recNoCache),
    cliImportMs: median(cli),
    cliImportNoCacheMs: median(cliNoCache),
    cliImportMBps: text.length / 1e6 / (median(cli) / 1000),
    engineMs: median(inproc),
    engineRatio: against(inproc),
    floorMs: median(floor),
    floorRatio: against(floor),
    catFloorMs: median(catFloor),
    catFloorRatio: against(catFloor),
    pinnedStraceMs: taskset ? median(pinnedBase) : undefined,
    pinnedRecordMs: taskset ? median(pinnedRec) : undefined,
    pinnedRatio: taskset ? against(pinnedRec, pinnedBase) : undefined,
    textBpc: text.length / calls,
    gzBpc: gz / calls,
    traceBpc: traceBytes / calls,
    importedBpc: importedBytes / calls,
    straceCpuMs: cgroup || gnuTime ? median(cpu.strace.splice(0)) : undefined,
    recordCpuMs: cgroup || gnuTime ? median(cpu.record.splice(0)) : undefined,
    importLinesPerS: lines / (impMs / 1000),
    importMBps: text.length / 1e6 / (impMs / 1000),
    importCpuLinesPerS: lines / (Math.min(...impCpu) / 1000),
    importCpuMBps: text.length / 1e6 / (Math.min(...impCpu) / 1000),
    parseLinesPerS: lines / (parseMs / 1000),
    parseMBps: text.length / 1e6 / (parseMs / 1000),
    importColdMBps: text.length / 1e6 / (coldMs / 1000),
  };
  rows.push(row);
  console.log(`\n${w.name}: ${fmt(calls)} calls, ${fmt(lines)} strace lines, ${fmt(text.length / 1e6, 1)} MB of text`);
  console.log(`  wall time     strace -o FILE ${fmt(row.straceMs)} ms   picotrace record ${fmt(row.recordMs)} ms   ratio ${fmt(row.ratio, 2)} (target <= 1.10; the median of the ${base.length} repetitions' own ratios; ratio of the medians ${fmt(row.ratioOfMedians, 2)})`);
  console.log(`                without the code cache (PICOTRACE_CODE_CACHE=0) ${fmt(row.recordNoCacheMs)} ms   ratio ${fmt(row.noCacheRatio, 2)}`);
  console.log(`                floor: strace to a FIFO that a bare Node process drains ${fmt(row.floorMs)} ms   ratio ${fmt(row.floorRatio, 2)}; that cat drains ${fmt(row.catFloorMs)} ms   ratio ${fmt(row.catFloorRatio, 2)}`);
  console.log(`                recording engine alone (recordNative in this process, no CLI start-up) ${fmt(row.engineMs)} ms   ratio ${fmt(row.engineRatio, 2)}`);
  if (taskset) console.log(`  on one CPU    taskset -c 0 strace -o FILE ${fmt(row.pinnedStraceMs)} ms   picotrace record --cpu 0 ${fmt(row.pinnedRecordMs)} ms   ratio ${fmt(row.pinnedRatio, 2)}; --cpu 0 against the unpinned record above: ${fmt(row.recordMs / row.pinnedRecordMs, 2)}x as fast`);
  if (cgroup || gnuTime) console.log(`  cpu time      strace -o FILE ${fmt(row.straceCpuMs)} ms   picotrace record ${fmt(row.recordCpuMs)} ms (program, strace and picotrace together${cgroup ? ', a cgroup\'s accounting' : ', GNU time: strace left out'})   added ${fmt(((row.recordCpuMs - row.straceCpuMs) * 1000) / calls, 1)} us/call`);
  console.log(`  bytes/call    strace text ${fmt(row.textBpc, 1)}   gzip -6 ${fmt(row.gzBpc, 1)}   recorded trace ${fmt(row.traceBpc, 1)} (${fmt(row.traceBpc / row.gzBpc, 2)} x gzip)   that text imported ${fmt(row.importedBpc, 1)} (${fmt(row.importedBpc / row.gzBpc, 2)} x gzip; target <= 1)`);
  console.log(`  import        ${fmt(row.importLinesPerS / 1000)}k lines/s, ${fmt(row.importMBps)} MB/s end to end (per CPU second: ${fmt(row.importCpuLinesPerS / 1000)}k lines/s, ${fmt(row.importCpuMBps)} MB/s); parse only ${fmt(row.parseLinesPerS / 1000)}k lines/s, ${fmt(row.parseMBps)} MB/s (target >= 200k lines/s, >= 100 MB/s; warm, best of ${importReps}; the first, cold import in a fresh process: ${fmt(row.importColdMBps)} MB/s)`);
  console.log(`  import (CLI)  picotrace import, one process, median of ${cli.length}: ${fmt(row.cliImportMs)} ms, ${fmt(row.cliImportMBps, 1)} MB/s, ${fmt(lines / (row.cliImportMs / 1000) / 1000)}k lines/s; without the code cache ${fmt(row.cliImportNoCacheMs)} ms`);
  if (w.long) {
    const long = path.join(out, 'long.log');
    longLog(textLatin1, long, w.long);
    const times = [];
    for (let i = 0; i < (quick ? 1 : 3); i++) {
      fs.rmSync(cliOut, { force: true });
      times.push(timed(bin, ['import', '-q', long, '-o', cliOut]));
    }
    fs.rmSync(long);
    Object.assign(row, { longCliImportMs: median(times), longCliImportMBps: (w.long * text.length) / 1e6 / (median(times) / 1000), longCliImportLinesPerS: (w.long * lines) / (median(times) / 1000) });
    console.log(`  import (CLI), that log ${w.long} times over (${fmt((w.long * text.length) / 1e6)} MB, times moved on, pids reused), median of ${times.length}: ${fmt(row.longCliImportMs)} ms, ${fmt(row.longCliImportMBps)} MB/s, ${fmt(row.longCliImportLinesPerS / 1000)}k lines/s`);
  }
}
fs.rmSync(out, { recursive: true, force: true });
console.log(`\n${JSON.stringify({ bench: 'record-native', rows })}`);
