import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CaptureEnvError, UsageError } from '../../util/errors.js';

/** One result of an environment check: what was looked at, how it stands, and what to do about it. */
export interface EnvCheck {
  name: string;
  status: 'ok' | 'warn' | 'fail' | 'info';
  detail: string;
  advice?: string;
}

const CAP_SYS_PTRACE = 19;

/** Where a command is (the first executable file a PATH search finds, as execvp takes it), or why it cannot be run. */
export type CommandLookup = { path: string; problem?: undefined } | { path?: undefined; problem: string; notFound: boolean };

/**
 * Looks a command up as a shell would before running it: a name with a slash is taken as it is, any
 * other is searched for on `envPath` (an empty entry is the current directory). Not found (no such
 * file, or no directory holds it) or found and not executable (a directory, no execute permission).
 */
export function locateCommand(cmd: string, envPath = process.env.PATH ?? ''): CommandLookup {
  if (cmd.includes('/')) {
    const problem = cannotExecute(cmd);
    return problem ? { problem: problem.text, notFound: problem.missing } : { path: path.resolve(cmd) };
  }
  let denied: string | undefined;
  if (cmd !== '')
    for (const dir of envPath.split(':')) {
      const p = path.join(dir || '.', cmd);
      const problem = cannotExecute(p);
      if (!problem) return { path: p };
      if (!problem.missing && !problem.directory) denied ??= problem.text;
    }
  return denied ? { problem: denied, notFound: false } : { problem: 'command not found', notFound: true };
}

/** Why execve would refuse `p`, or undefined when it is an executable file. */
function cannotExecute(p: string): { text: string; missing: boolean; directory?: boolean } | undefined {
  let st: fs.Stats;
  try {
    st = fs.statSync(p);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? '';
    const missing = code === 'ENOENT' || code === 'ENOTDIR';
    // Node's message reads "ELOOP: too many symbolic links encountered, stat 'PATH'".
    return { text: missing ? 'no such file or directory' : (/^\w+: ([^,]+),/.exec((err as Error).message)?.[1] ?? code), missing };
  }
  if (st.isDirectory()) return { text: 'is a directory', missing: false, directory: true };
  try {
    fs.accessSync(p, fs.constants.X_OK);
  } catch {
    return { text: 'permission denied (not executable)', missing: false };
  }
  return st.isFile() ? undefined : { text: 'permission denied (not a regular file)', missing: false };
}

/** The path of an executable found on PATH (or the path itself, absolute, when it has a slash), or undefined. */
export function findExecutable(cmd: string, envPath = process.env.PATH ?? ''): string | undefined {
  return locateCommand(cmd, envPath).path;
}

/** What `strace -V` says: the version (e.g. "6.1"; undefined when it cannot be run), and whether this build can print stacks (-k). */
export function straceVersion(bin: string): { version?: string; stacks: boolean } {
  const r = spawnSync(bin, ['-V'], { encoding: 'utf8', timeout: 10_000 });
  return parseStraceVersion(String(r.stdout ?? ''));
}

/** The version and stack support `strace -V` printed as `out`. */
export function parseStraceVersion(out: string): { version?: string; stacks: boolean } {
  return { version: /version\s+(\S+)/.exec(out)?.[1], stacks: /Optional features enabled:.*\bstack-trace=/.test(out) };
}

function readText(p: string): string | undefined {
  try {
    return fs.readFileSync(p, 'utf8');
  } catch {
    return undefined;
  }
}

/** Whether this process holds CAP_SYS_PTRACE in its effective set (from /proc/self/status). */
export function hasCapSysPtrace(): boolean | undefined {
  const m = /^CapEff:\s*([0-9a-f]+)/m.exec(readText('/proc/self/status') ?? '');
  return m ? (BigInt(`0x${m[1]}`) >> BigInt(CAP_SYS_PTRACE)) % 2n === 1n : undefined;
}

/**
 * Checks that strace is installed and new enough; `bin` and `version` are set when it runs, and
 * `stacks` when the build can print user-space stacks (-k, for record --stack).
 */
export function checkStrace(): EnvCheck & { bin?: string; version?: string; stacks?: boolean } {
  const bin = findExecutable('strace');
  if (!bin) return { name: 'strace', status: 'fail', detail: 'not found on PATH', advice: 'install strace (Debian/Ubuntu: apt-get install strace)' };
  const { version: v, stacks } = straceVersion(bin);
  if (!v) return { name: 'strace', status: 'fail', detail: `${bin} does not run`, advice: 'reinstall strace' };
  const major = Number(v.split('.')[0]);
  if (major < 6) return { name: 'strace', status: 'fail', detail: `${bin} version ${v}`, advice: 'picotrace needs strace 6.0 or newer (ns timestamps); upgrade strace' };
  return { name: 'strace', status: 'ok', detail: `${bin} version ${v}${stacks ? ', stack traces (-k)' : ', no stack traces (-k)'}`, bin, version: v, stacks };
}

/** The CPUs this process may run on (`Cpus_allowed_list` of /proc/self/status), or undefined when unknown. */
export function allowedCpus(): number[] | undefined {
  const m = /^Cpus_allowed_list:\s*(\S+)/m.exec(readText('/proc/self/status') ?? '');
  if (!m) return undefined;
  const out: number[] = [];
  for (const part of m[1].split(',')) {
    const [a, b] = part.split('-').map(Number);
    for (let c = a; c <= (b ?? a); c++) out.push(c);
  }
  return out;
}

/**
 * What `record --cpu N` runs strace through: taskset, when found and N is a CPU picotrace may use.
 * Throws UsageError for another CPU and CaptureEnvError (exit 4) without taskset.
 */
export function cpuPinner(cpu: number): string {
  const allowed = allowedCpus();
  if (allowed && !allowed.includes(cpu)) throw new UsageError(`--cpu ${cpu}: picotrace may run only on CPU ${formatCpus(allowed)}`);
  const taskset = findExecutable('taskset');
  if (!taskset) throw new CaptureEnvError('taskset: not found on PATH (record --cpu runs strace through it)', 'install util-linux (Debian/Ubuntu: apt-get install util-linux), or record without --cpu');
  return taskset;
}

function formatCpus(cpus: number[]): string {
  const runs: string[] = [];
  for (let i = 0; i < cpus.length; ) {
    let j = i;
    while (j + 1 < cpus.length && cpus[j + 1] === cpus[j] + 1) j++;
    runs.push(j > i ? `${cpus[i]}-${cpus[j]}` : String(cpus[i]));
    i = j + 1;
  }
  return runs.join(',');
}

/** Checks the Yama LSM's ptrace_scope. */
export function checkYama(): EnvCheck {
  const t = readText('/proc/sys/kernel/yama/ptrace_scope');
  if (t === undefined) return { name: 'ptrace_scope', status: 'ok', detail: 'Yama is not active (no restriction)' };
  const v = Number(t.trim());
  if (v <= 1) return { name: 'ptrace_scope', status: 'ok', detail: `kernel.yama.ptrace_scope=${v} (tracing own children is allowed)` };
  if (v === 2) {
    const cap = hasCapSysPtrace();
    return cap
      ? { name: 'ptrace_scope', status: 'ok', detail: 'kernel.yama.ptrace_scope=2 and CAP_SYS_PTRACE is held' }
      : { name: 'ptrace_scope', status: 'fail', detail: 'kernel.yama.ptrace_scope=2: only processes with CAP_SYS_PTRACE may trace', advice: 'run as root, or: sudo sysctl kernel.yama.ptrace_scope=1' };
  }
  return { name: 'ptrace_scope', status: 'fail', detail: `kernel.yama.ptrace_scope=${v}: ptrace is disabled until reboot`, advice: 'set kernel.yama.ptrace_scope=1 at boot (sysctl.conf) and reboot' };
}

/** Reports CAP_SYS_PTRACE and seccomp, which decide whether ptrace works inside containers. */
export function checkContainer(): EnvCheck[] {
  const status = readText('/proc/self/status') ?? '';
  const seccomp = Number(/^Seccomp:\s*(\d+)/m.exec(status)?.[1] ?? 0);
  const cap = hasCapSysPtrace();
  const out: EnvCheck[] = [];
  out.push(
    cap
      ? { name: 'CAP_SYS_PTRACE', status: 'ok', detail: 'held' }
      : { name: 'CAP_SYS_PTRACE', status: 'info', detail: 'not held (enough for tracing own children unless ptrace_scope=2 or a seccomp filter blocks ptrace)', advice: 'in a container: docker run --cap-add=SYS_PTRACE' },
  );
  out.push(
    seccomp === 2
      ? { name: 'seccomp', status: 'warn', detail: 'a seccomp filter is active (container runtime?); it may refuse ptrace', advice: 'if recording fails: docker run --cap-add=SYS_PTRACE --security-opt seccomp=unconfined' }
      : { name: 'seccomp', status: 'ok', detail: seccomp === 1 ? 'strict mode' : 'no filter' },
  );
  return out;
}

/** Actually traces `true` with strace: the one check that proves recording works here. */
export function checkPtraceProbe(): EnvCheck {
  const bin = findExecutable('strace');
  const truth = findExecutable('true');
  if (!bin || !truth) return { name: 'ptrace probe', status: 'fail', detail: 'skipped: strace or true missing', advice: 'install strace' };
  const r = spawnSync(bin, ['-f', '-qq', '-e', 'trace=none', '-o', '/dev/null', truth], { encoding: 'utf8', timeout: 20_000 });
  if (r.status === 0) return { name: 'ptrace probe', status: 'ok', detail: 'strace traced a test program' };
  const msg = String(r.stderr ?? '').split('\n').find((l) => l.trim()) ?? `exit status ${r.status ?? r.signal}`;
  return {
    name: 'ptrace probe',
    status: 'fail',
    detail: `strace could not trace a test program: ${msg.trim()}`,
    advice: /Operation not permitted|EPERM/.test(msg)
      ? 'ptrace is refused: in a container add --cap-add=SYS_PTRACE (and --security-opt seccomp=unconfined); on a host lower kernel.yama.ptrace_scope'
      : 'run picotrace doctor and check the strace installation',
  };
}

/** Checks that a FIFO can be made in the temporary directory (strace's output goes through one). */
export function checkFifo(): EnvCheck {
  let dir: string | undefined;
  try {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'picotrace-doctor-'));
    const r = spawnSync('mkfifo', ['-m', '600', path.join(dir, 'probe')], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(String(r.stderr || r.error?.message || `mkfifo exit status ${r.status}`).trim());
    return { name: 'fifo', status: 'ok', detail: `FIFOs can be made in ${os.tmpdir()}` };
  } catch (err) {
    return { name: 'fifo', status: 'fail', detail: `cannot make a FIFO in ${os.tmpdir()}: ${(err as Error).message}`, advice: 'point TMPDIR at a writable local directory; install coreutils (mkfifo)' };
  } finally {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Reports util-linux's taskset, which `record --cpu` runs strace through. */
export function checkTaskset(): EnvCheck {
  const taskset = findExecutable('taskset');
  return taskset
    ? { name: 'taskset', status: 'ok', detail: `${taskset} (for record --cpu; CPUs ${formatCpus(allowedCpus() ?? [])})` }
    : { name: 'taskset', status: 'info', detail: 'not found on PATH: record --cpu cannot pin the program to a CPU', advice: 'install util-linux (Debian/Ubuntu: apt-get install util-linux)' };
}

/** Every check native recording depends on, cheapest first. */
export function nativeChecks(): EnvCheck[] {
  const strace = checkStrace();
  const list = [strace, checkYama(), ...checkContainer(), checkFifo(), checkTaskset()];
  if (strace.status !== 'fail') list.push(checkPtraceProbe());
  return list;
}
