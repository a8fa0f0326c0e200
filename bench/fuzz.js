#!/usr/bin/env node
// Mutation fuzzing of picotrace's inputs: trace files, strace and gVisor logs, suppression files
// and command-line values. Every case runs a command in a worker process with a time and memory
// limit; the only acceptable outcomes are success or a clean error (one `picotrace:` line, exit
// code 1-4). Anything else (an internal error, a stack trace, a hang, running out of memory) is
// saved under bench/out/fuzz-crashes/ with the command that triggered it.
//
//   npm run fuzz -- [--cases N] [--seed S] [--timeout MS] [--only trace|log|suppressions|argv] [--quiet]
import { fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { logMutators, textMutators, traceMutators } from './fuzz/mutate.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.dirname(here);
const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : def;
};
const CASES = Number(opt('cases', '100000'));
const SEED = Number(opt('seed', String(Date.now() % 1e9)));
const TIMEOUT = Number(opt('timeout', '20000'));
const ONLY = opt('only', '');
const QUIET = args.includes('--quiet');
const MEM_MB = 1024;

function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const r = rng(SEED);
const pick = (arr) => arr[Math.floor(r() * arr.length)];

const { COMMAND_LOADERS } = await import('../dist/cli/commands/index.js');
const available = new Set(Object.keys(COMMAND_LOADERS));

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'picotrace-fuzz-'));
const crashDir = path.join(root, 'bench', 'out', 'fuzz-crashes');

function walk(dir, pred, out = []) {
  if (!fs.existsSync(dir)) return out;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, pred, out);
    else if (pred(p)) out.push(p);
  }
  return out;
}

async function traceSeeds() {
  const { TraceWriter } = await import('../dist/format/index.js');
  const { makeHeader, makeCall, A } = await import('../dist/model/index.js');
  const seeds = walk(path.join(root, 'traces'), (p) => p.endsWith('.ptrace') && fs.statSync(p).size < 4 << 20).map((p) => fs.readFileSync(p));
  const f = path.join(work, 'seed.ptrace');
  const w = TraceWriter.create(f, makeHeader({ backend: 'native', argv: ['seed'], startTimeNs: 1n }), { chunkEvents: 16 });
  for (let i = 0; i < 100; i++) {
    w.append({ kind: 'start', pid: 1 + (i % 3), tid: 1 + (i % 3), timeNs: i, parentPid: 0, isThread: false, cloneFlags: 0, isRoot: i === 0 });
    w.append(makeCall({ name: 'openat', pid: 1, timeNs: i * 10, args: [A.fd(-100), A.str(`/p/${i}`), A.flags('O_RDONLY')], retval: 3, errno: i % 5 ? 0 : 2 }));
    w.append(makeCall({ name: 'read', pid: 2, timeNs: i * 10 + 1, args: [A.fd(3, '/p'), A.buf(0), A.int(10)], retval: 3, buffers: [{ argIndex: 1, out: true, data: Buffer.from('abc'), fullLength: 0, truncated: false, element: -1 }] }));
    w.append({ kind: 'signal', pid: 1, tid: 1, signo: 17, name: 'SIGCHLD', info: A.struct([['si_signo', A.sym('SIGCHLD')]]) });
  }
  w.close();
  seeds.push(fs.readFileSync(f));
  return seeds;
}

function logSeeds() {
  const files = walk(path.join(root, 'traces'), (p) => /\.(log|txt|strace)$/.test(p) && fs.statSync(p).size < 1 << 20);
  const seeds = files.map((p) => ({ data: fs.readFileSync(p), format: /gvisor|runsc|boot/.test(p) ? 'gvisor' : 'strace' }));
  seeds.push({
    format: 'strace',
    data: Buffer.from(
      [
        '1234  1700000000.000001 execve("/bin/true", ["true"], 0x7ffd /* 20 vars */) = 0 <0.000100>',
        '1234  1700000000.000002 openat(AT_FDCWD</root>, "/etc/ld.so.cache", O_RDONLY|O_CLOEXEC) = 3</etc/ld.so.cache> <0.000010>',
        '1234  1700000000.000003 read(3</etc/ld.so.cache>, "\\x7fELF\\x02", 832) = 832 <0.000005>',
        '1235  1700000000.000004 futex(0x7f, FUTEX_WAIT, 0, NULL <unfinished ...>',
        '1234  1700000000.000005 --- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=1236, si_status=0} ---',
        '1235  1700000000.000006 <... futex resumed>) = -1 EAGAIN (Resource temporarily unavailable) <0.000020>',
        '1234  1700000000.000007 exit_group(0) = ?',
        '1234  1700000000.000008 +++ exited with 0 +++',
      ].join('\n') + '\n',
    ),
  });
  return seeds;
}

const tSeeds = await traceSeeds();
const lSeeds = logSeeds();

function makeCase(i) {
  const kinds = ['trace', 'trace', 'trace', 'log', 'log', 'argv'];
  if (available.has('diff')) kinds.push('suppressions');
  const kind = ONLY || pick(kinds);
  const id = `${i}`;
  if (kind === 'trace') {
    const m = pick(Object.keys(traceMutators));
    let data = pick(tSeeds);
    for (let k = 1 + Math.floor(r() * 2); k > 0; k--) data = traceMutators[pick(Object.keys(traceMutators))](data, r);
    data = traceMutators[m](data, r);
    const file = path.join(work, `c${i % 8}.ptrace`);
    fs.writeFileSync(file, data);
    const cmds = [['info', file], ['info', '--json', file], ['dump', file, '--json'], ['dump', file, '--from', String(Math.floor(r() * 500)), '--count', '20'], ['dump', file, '--failed', '-T']];
    if (available.has('replay')) cmds.push(['replay', file, '--script', pick(['goto 50; state', 'next-error; state', 'last; prev; state', 'goto 3; step; step; state'])]);
    if (available.has('stats')) cmds.push(['stats', file]);
    if (available.has('bisect')) cmds.push(['bisect', file, path.join(work, 'seed.ptrace')]);
    if (available.has('diff')) cmds.push(['diff', file, path.join(work, 'seed.ptrace'), '--format', 'json']);
    if (available.has('export')) cmds.push(['export', file, '--format', pick(['perfetto', 'jsonl', 'strace']), '-o', path.join(work, `out${i % 4}.json`)]);
    if (available.has('scrub')) cmds.push(['scrub', file, '-o', path.join(work, `scrub${i % 4}.ptrace`)]);
    return { id, kind, mutator: m, data, argv: pick(cmds), ext: 'ptrace' };
  }
  if (kind === 'log') {
    const seed = pick(lSeeds);
    const m = pick(Object.keys(logMutators));
    const data = logMutators[m](seed.data, r);
    const file = path.join(work, `l${i % 8}.log`);
    fs.writeFileSync(file, data);
    const fmt = available.has('import') ? pick([seed.format, 'auto', seed.format]) : undefined;
    const argv = available.has('import') ? ['import', '--format', fmt, file, '-o', path.join(work, `imp${i % 4}.ptrace`)] : ['info', file];
    if (argv[0] === 'import' && r() < 0.2) argv.push('--strict');
    return { id, kind, mutator: m, data, argv, ext: 'log' };
  }
  if (kind === 'suppressions') {
    const base = Buffer.from('# accepted deviations\n- call: rseq\n  errno: ENOSYS\n- call: openat\n  path: /proc/**\n');
    const m = pick(Object.keys(textMutators));
    const data = textMutators[m](base, r);
    const file = path.join(work, `s${i % 4}.supp`);
    fs.writeFileSync(file, data);
    const seed = path.join(work, 'seed.ptrace');
    return { id, kind, mutator: m, data, argv: ['diff', seed, seed, '--suppressions', file], ext: 'supp' };
  }
  const seed = path.join(work, 'seed.ptrace');
  const values = ['-1', '0', '99999999999999999999', 'abc', '', '0x', '1e9', '--', '-', ',,', 'NaN', '\u0000', 'a'.repeat(5000), '/nonexistent', seed, work, '9'.repeat(400)];
  const cmds = [...available].filter((c) => !['record', 'check', 'demo', 'doctor', 'help'].includes(c));
  const flags = ['--from', '--count', '--pid', '--tid', '--call', '--failed', '--json', '--format', '--context', '--top', '--by', '-o', '--goto', '--script', '--filter', '--break', '-s', '--string-limit'];
  const argv = [pick(cmds)];
  for (let k = Math.floor(r() * 5); k > 0; k--) argv.push(r() < 0.5 ? pick(flags) : pick(values));
  if (r() < 0.7) argv.splice(1, 0, seed);
  return { id, kind: 'argv', mutator: 'argv', data: Buffer.from(JSON.stringify(argv)), argv, ext: 'json' };
}

let worker;
let pending;
function startWorker() {
  worker = fork(path.join(here, 'fuzz', 'worker.mjs'), [], { cwd: work, execArgv: [`--max-old-space-size=${MEM_MB}`], stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  worker.stderr.on('data', () => {});
  return new Promise((resolve) => worker.once('message', () => resolve()));
}

function runCase(c) {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      worker.removeAllListeners('exit');
      worker.kill('SIGKILL');
      resolve({ bad: 'hang', detail: `no answer within ${TIMEOUT} ms` });
    }, TIMEOUT);
    const onExit = (code, sig) => {
      clearTimeout(timer);
      resolve({ bad: 'died', detail: `worker exited (${code ?? sig}), probably out of memory (${MEM_MB} MB limit)` });
    };
    worker.once('exit', onExit);
    pending = (m) => {
      clearTimeout(timer);
      worker.removeListener('exit', onExit);
      resolve(m);
    };
    worker.send({ id: c.id, argv: c.argv });
  });
}

function judge(res) {
  if (res.bad) return res;
  if (res.thrown) return { bad: 'threw', detail: res.thrown };
  if (![0, 1, 2, 3, 4].includes(res.code)) return { bad: 'exit', detail: `exit code ${res.code}: ${res.stderr}` };
  if (/internal error|\n\s+at .*\(.*:\d+:\d+\)/.test(res.stderr)) return { bad: 'trace', detail: res.stderr };
  if (res.code >= 2 && !/^picotrace: /m.test(res.stderr)) return { bad: 'silent', detail: `exit ${res.code} with no error line` };
  if (res.rss > MEM_MB * 1.5 * (1 << 20)) return { bad: 'memory', detail: `rss ${Math.round(res.rss / 1048576)} MB` };
  return undefined;
}

await startWorker();
worker.on('message', (m) => pending && pending(m));
const t0 = performance.now();
const outcomes = new Map();
const crashes = [];
let slowest = 0;
for (let i = 0; i < CASES; i++) {
  const c = makeCase(i);
  const res = await runCase(c);
  const bad = judge(res);
  if (res.ms > slowest) slowest = res.ms;
  const key = bad ? `BAD ${bad.bad}` : `exit ${res.code}`;
  outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
  if (bad) {
    fs.mkdirSync(crashDir, { recursive: true });
    const name = `${c.kind}-${c.mutator}-seed${SEED}-case${i}`;
    fs.writeFileSync(path.join(crashDir, `${name}.${c.ext}`), c.data);
    fs.writeFileSync(path.join(crashDir, `${name}.txt`), `${c.argv.join(' ')}\n${bad.bad}: ${bad.detail}\n`);
    crashes.push({ name, argv: c.argv.join(' '), ...bad });
    if (!QUIET) process.stderr.write(`\n${bad.bad}: ${name}: ${c.argv.join(' ').slice(0, 200)}\n  ${String(bad.detail).split('\n').slice(0, 4).join('\n  ')}\n`);
    if (bad.bad === 'hang' || bad.bad === 'died') await startWorker();
  }
  // redrawn in place on a terminal; a line per 10,000 cases into a log
  if (!QUIET && (process.stderr.isTTY ? i % 500 === 499 : i % 10000 === 9999))
    process.stderr.write(`${process.stderr.isTTY ? '\r' : ''}${i + 1}/${CASES} cases, ${crashes.length} bad, ${((i + 1) / ((performance.now() - t0) / 1000)).toFixed(0)} cases/s${process.stderr.isTTY ? '' : '\n'}`);
}
worker.kill();
fs.rmSync(work, { recursive: true, force: true });
const secs = (performance.now() - t0) / 1000;
const summary = { seed: SEED, cases: CASES, seconds: Number(secs.toFixed(1)), msPerCase: Number(((secs * 1000) / CASES).toFixed(2)), slowestMs: Math.round(slowest), outcomes: Object.fromEntries(outcomes), bad: crashes.length };
process.stdout.write(`${JSON.stringify(summary)}\n`);
if (crashes.length) process.stdout.write(`saved in ${crashDir}:\n${crashes.map((c) => `  ${c.bad} ${c.name}`).join('\n')}\n`);
process.exit(crashes.length ? 1 : 0);
