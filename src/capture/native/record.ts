import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TraceWriter } from '../../format/writer.js';
import type { LineSplitter } from '../../import/lines.js';
import type { StraceParser } from '../../import/strace/assemble.js';
import type { EnvVar, NewEvent, TraceHeader } from '../../model/events.js';
import { BadInputError, CannotRunError, CaptureEnvError, ExitCode, fileError } from '../../util/errors.js';
import { AdoptedChild, descendants, holdSignals, isOwnChild, supervise, type HeldSignals, type RecorderProcess, type Supervision } from '../supervise.js';
import { nativeBundleCommand, readBundle, type Bundle } from '../bundle/index.js';
import { startWatchdog, watchdogOnFd, type Watchdog } from '../watchdog.js';
import type { RecordOptions, RecordResult } from '../types.js';
import { checkPtraceProbe, checkStrace, checkYama, cpuPinner, locateCommand, parseStraceVersion } from './checks.js';
import { pumpFifo, type FifoPump } from './fifo.js';
import { straceFlags, type StraceFlags } from './flags.js';

/**
 * How often the events parsed so far are written out as a chunk, so a killed recorder loses at most
 * this much (twice this for the last call before a quiet spell, held that long for its stack frames).
 */
export const FLUSH_INTERVAL_MS = 1000;

function failFast(stack: boolean): { bin: string; version: string } {
  const strace = checkStrace();
  for (const c of [strace, checkYama()]) if (c.status === 'fail') throw new CaptureEnvError(`${c.name}: ${c.detail}`, c.advice);
  if (stack && !strace.stacks)
    throw new CaptureEnvError(`strace: ${strace.bin} cannot print stack traces (no "stack-trace=" in strace -V)`, "install a strace built with libunwind or libdw (Debian's is), or record without --stack");
  return { bin: strace.bin!, version: strace.version ?? 'unknown' };
}

function envList(): EnvVar[] {
  return Object.entries(process.env).map(([name, value]) => ({ name, value: value ?? '' }));
}

function makeFifo(): { dir: string; fifo: string } {
  let dir: string;
  try {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'picotrace-'));
  } catch (err) {
    throw new CaptureEnvError(`cannot make a directory in ${os.tmpdir()}: ${(err as Error).message}`, 'point TMPDIR at a writable local directory');
  }
  const fifo = path.join(dir, 'strace.fifo');
  const r = spawnSync('mkfifo', ['-m', '600', fifo], { encoding: 'utf8' });
  if (r.status !== 0) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw new CaptureEnvError(`cannot create a FIFO in ${dir}: ${String(r.stderr || r.error?.message).trim()}`, 'check that TMPDIR is writable and coreutils (mkfifo) is installed');
  }
  return { dir, fifo };
}

/** The options that decide what a launch runs and where it writes; an early launch is adopted only when they match. */
function launchKey(opts: RecordOptions): string {
  return JSON.stringify([opts.argv, path.resolve(opts.output), opts.bufferSize, !!opts.env, !!opts.stack, opts.cpu ?? null, opts.cwd ?? process.cwd(), opts.bundle ?? null, opts.writer ?? null]);
}

/**
 * A recording whose strace is running and whose output is being read, before the strace grammar and
 * the writer are loaded: what launch() starts and finish() completes.
 */
interface Launched {
  key: string;
  held: HeldSignals;
  /** The header's fields known at launch (the writer makes the header once loaded). */
  header: Omit<TraceHeader, 'formatVersion' | 'scrubbed'>;
  output: string;
  dir: string;
  runArgv: string[];
  watchdog: Watchdog;
  /** The launcher's file of facts about strace, when it took them from there (ShellLaunch). */
  facts?: string;
  sup: Supervision;
  pump: FifoPump;
  drained: Promise<void>;
  /** What strace wrote before the grammar was ready (sink unset). */
  early: Buffer[];
  sink?: (chunk: Buffer) => void;
  parser?: StraceParser;
  /** The first failure (a full disk, say): the program and strace are stopped, and finish() throws it. */
  failure: unknown;
  guarded(fn: () => void): void;
}

/**
 * Starts strace on the program, reading its output through a FIFO: everything a recording does before
 * the parser and writer are needed. Throws CaptureEnvError (exit 4) when strace is missing or ptrace
 * is refused, CannotRunError for a command that is not found or not executable, and a file error
 * when the trace cannot be created; nothing is left behind then.
 */
function launch(opts: RecordOptions, held: HeldSignals): Launched {
  const bundle = opts.bundle ? readBundle(opts.bundle) : undefined;
  const inBundle = bundle ? nativeBundleCommand(bundle) : undefined;
  if (!bundle && opts.argv.length === 0) throw new BadInputError('no command to record');
  const { bin: strace, version } = failFast(!!opts.stack);
  const taskset = opts.cpu === undefined ? undefined : cpuPinner(opts.cpu);
  const cwd = opts.cwd ?? process.cwd();
  const runArgv = inBundle ? inBundle.argv : opts.argv;
  const found = locateCommand(runArgv[0], process.env.PATH);
  if (found.problem !== undefined) throw new CannotRunError(runArgv[0], found.problem, found.notFound);
  const program = found.path;
  const { dir, fifo } = makeFifo();
  const flags = straceFlags({ bufferSize: opts.bufferSize, env: opts.env, output: fifo, stack: opts.stack });
  const header = launchHeader(opts, flags, version, BigInt(Date.now()) * 1000000n, bundle);
  // The trace file is made before the program runs, so that a path it cannot be written to stops the
  // recording first.
  try {
    fs.closeSync(fs.openSync(opts.output, 'w', 0o600));
  } catch (err) {
    fs.rmSync(dir, { recursive: true, force: true });
    fileError(err, opts.output);
  }
  const watchdog = startWatchdog(dir, path.resolve(opts.output));
  const undo = (): void => {
    watchdog.disarm();
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(opts.output, { force: true });
  };
  let child: ChildProcess;
  try {
    // With --cpu, taskset pins itself and then execs strace, whose children (the program) inherit the pin.
    const [cmd, pre] = taskset ? [taskset, ['-c', String(opts.cpu), strace]] : [strace, []];
    child = inBundle
      ? spawn(cmd, [...pre, ...flags.args, '--', program, ...runArgv.slice(1)], { stdio: 'inherit', env: inBundle.env })
      : spawn(cmd, [...pre, ...flags.args, '--', ...opts.argv], { cwd, stdio: 'inherit' });
  } catch (err) {
    undo();
    throw err;
  }
  if (child.pid) watchdog.add(child.pid);
  return attach({ key: launchKey(opts), held, header, output: opts.output, dir, runArgv, watchdog }, child, fifo, opts, undo);
}

/** The header's fields known when strace starts. */
function launchHeader(opts: RecordOptions, flags: StraceFlags, version: string, startTimeNs: bigint, bundle?: Bundle): Launched['header'] {
  return {
    backend: 'native',
    argv: bundle ? bundle.args : opts.argv,
    cwd: bundle ? bundle.cwd : (opts.cwd ?? process.cwd()),
    env: opts.env ? (bundle ? bundle.env.map(([name, value]) => ({ name, value })) : envList()) : [],
    hostKernel: `${os.type()} ${os.release()} ${os.machine()}`,
    runtimeName: 'linux',
    runtimeVersion: os.release(),
    startTimeNs,
    captureOptions: { ...flags.options, ...(bundle ? { bundle: bundle.dir } : {}), ...(opts.cpu === undefined ? {} : { cpu: String(opts.cpu) }) },
    notes: [`strace ${version}`],
    hostname: os.hostname(),
    writer: opts.writer ?? 'picotrace',
  };
}

/** Supervises a started strace and reads its FIFO; `undo` removes what the launch made, should that fail. */
function attach(base: Pick<Launched, 'key' | 'held' | 'header' | 'output' | 'dir' | 'runArgv' | 'watchdog' | 'facts'>, child: RecorderProcess, fifo: string, opts: RecordOptions, undo: () => void, widened = false): Launched {
  const l = { ...base, early: [] as Buffer[], failure: undefined as unknown } as Launched;
  // Until the parser knows the program's processes, they are strace's descendants.
  const straceTree = (): number[] => (child.pid ? descendants(child.pid) : []);
  l.sup = supervise(child, { targets: () => l.parser?.liveProcesses() ?? straceTree(), log: opts.log, pending: l.held.release });
  l.guarded = (fn) => {
    if (l.failure !== undefined) return;
    try {
      fn();
    } catch (err) {
      l.failure = err;
      l.sup.kill();
    }
  };
  // What strace still writes after a failure is drained and dropped, so that it ends quietly
  // instead of failing on a closed FIFO.
  try {
    l.pump = pumpFifo(fifo, (chunk) => l.guarded(() => (l.sink ? l.sink(chunk) : void l.early.push(chunk))), { widen: !widened });
  } catch (err) {
    l.sup.kill();
    undo();
    throw err;
  }
  l.drained = l.pump.done.catch((err) => {
    l.sup.kill();
    throw err;
  });
  l.drained.catch(() => undefined);
  return l;
}

/**
 * A strace that bin/picotrace.js started on a `record` command line before Node ran, with the same
 * checks and flags as launch() (see picotrace_launch_record there), and told the watchdog of.
 */
export interface ShellLaunch {
  /** strace's pid: a child of this process. */
  pid: number;
  /** When the shell started it (or a little earlier: see launcherStartNs). */
  startTimeNs: bigint;
  /** The time stamp of the default trace name (YYYYMMDD-HHMMSS, local time), when the shell chose that name. */
  stamp?: string;
  /** The file of this user's the shell took strace -V's text from, instead of running it (picotrace_keep_facts there). */
  facts?: string;
  /** The FIFO's directory (strace.fifo, watchdog.fifo), as launch() makes it. */
  dir: string;
  /** What `strace -V` printed. */
  straceV: string;
}

/** The FIFO, open for reading and writing so that strace's open did not wait for a reader, and the watchdog's stdin. */
const SHELL_FIFO_FD = 8;
const SHELL_WATCHDOG_FD = 9;

/**
 * Reads a ShellLaunch from the variables bin/picotrace.js exported (`PID START_NS STAMP DIR`, and
 * strace -V's text) and removes them from the environment. Undefined without one, or when the pid
 * is not this process's child (the variables were not the launcher's). Throws, after killing that
 * strace and its program, when the rest cannot be read: the program must not run twice.
 */
export function takeShellLaunch(env: NodeJS.ProcessEnv = process.env): ShellLaunch | undefined {
  const text = env.PICOTRACE_LAUNCH;
  const straceV = env.PICOTRACE_LAUNCH_STRACE ?? '';
  const facts = env.PICOTRACE_LAUNCH_FACTS || undefined;
  delete env.PICOTRACE_LAUNCH;
  delete env.PICOTRACE_LAUNCH_STRACE;
  delete env.PICOTRACE_LAUNCH_FACTS;
  if (text === undefined) return undefined;
  const pid = Number(text.split(' ', 1)[0]);
  if (!isOwnChild(pid)) return undefined;
  // `PID - - DIR` when the shell ran no date (the trace was named on the command line).
  const m = /^\d+ (?:(\d+) (\d{8}-\d{6})|- -) (.+)$/.exec(text);
  let startTimeNs: bigint | undefined;
  try {
    if (m) startTimeNs = m[1] === undefined ? launcherStartNs() : BigInt(m[1]);
  } catch {
    /* reported below */
  }
  if (!m || startTimeNs === undefined) {
    for (const p of [...descendants(pid), pid]) killQuietly(p);
    throw new Error(`its description cannot be read: ${JSON.stringify(text)}`);
  }
  return { pid, startTimeNs, stamp: m[2], facts, dir: path.resolve(m[3]), straceV };
}

/**
 * When this process started (the launcher's shell, before it started strace: Node runs in its
 * place), as wall-clock ns, no later than the truth and at most some 20 ms before it: /proc gives
 * the start in clock ticks (USER_HZ, 100 on every Linux) of the boot-time clock, and that clock's
 * present value in hundredths of a second, each truncated.
 */
export function launcherStartNs(stat = fs.readFileSync('/proc/self/stat', 'latin1'), uptime = (): string => fs.readFileSync('/proc/uptime', 'latin1'), nowMs = (): number => performance.timeOrigin + performance.now()): bigint {
  const ticks = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  const before = nowMs();
  const up = /^(\d+)\.(\d\d) /.exec(uptime());
  if (!ticks || !/^\d+$/.test(ticks) || !up) throw new Error('/proc/self/stat or /proc/uptime cannot be read');
  // The boot clock read now is below its value + 10 ms, and `before` came no later than that reading.
  const upNs = (BigInt(up[1]) * 100n + BigInt(up[2])) * 10_000_000n + 10_000_000n;
  const startedNs = BigInt(ticks) * 10_000_000n;
  return BigInt(Math.floor(before * 1000)) * 1000n - (upNs - startedNs);
}

/**
 * Takes over a strace that bin/picotrace.js started (ShellLaunch) as launchEarly() would have
 * started it; recordNative() adopts it the same way. Throws, after stopping it and removing its
 * trace, when it cannot be read: the program must not be started a second time.
 */
export function adoptShellLaunch(opts: RecordOptions, s: ShellLaunch): void {
  const held = holdSignals();
  const watchdog = watchdogOnFd(SHELL_WATCHDOG_FD);
  const child = new AdoptedChild(s.pid);
  const undo = (): void => {
    watchdog.disarm();
    fs.rmSync(s.dir, { recursive: true, force: true });
    fs.rmSync(opts.output, { force: true });
  };
  let launched: Launched;
  try {
    if (pending) throw new Error('a recording was already started');
    const fifo = path.join(s.dir, 'strace.fifo');
    const flags = straceFlags({ bufferSize: opts.bufferSize, env: opts.env, output: fifo, stack: opts.stack });
    const header = launchHeader(opts, flags, parseStraceVersion(s.straceV).version ?? 'unknown', s.startTimeNs);
    // The launcher has already widened the FIFO.
    launched = attach({ key: launchKey(opts), held, header, output: opts.output, dir: s.dir, runArgv: opts.argv, watchdog, facts: s.facts }, child, fifo, opts, undo, true);
  } catch (err) {
    held.release();
    for (const pid of [...descendants(s.pid), s.pid]) killQuietly(pid);
    undo();
    throw err;
  } finally {
    // The reader is open (or the launch is given up): strace's end of file comes when it exits.
    try {
      fs.closeSync(SHELL_FIFO_FD);
    } catch {
      /* not open */
    }
  }
  // strace closes the FIFO as it exits: look for its exit at once then.
  launched.pump.done.then(
    () => child.poll(1),
    () => child.poll(1),
  );
  hold(launched);
}

let loading: ReturnType<typeof loadRecorderModules> | undefined;

function loadRecorderModules() {
  return Promise.all([import('../../format/writer.js'), import('../../import/strace/assemble.js'), import('../../import/lines.js'), import('../../model/events.js')]);
}

/**
 * The writer and the strace grammar (with protobufjs, most of what record loads): loaded after
 * strace has started the program, from the time an early launch starts, alongside the rest of the
 * command line's machinery.
 */
function recorderModules(): ReturnType<typeof loadRecorderModules> {
  loading ??= loadRecorderModules();
  return loading;
}

/** A launch started before the command line was fully parsed (launchEarly), until recordNative() adopts it. */
let pending: { launched: Launched; forget: () => void } | undefined;

/**
 * Starts a recording as soon as picotrace runs, before the rest of the command-line machinery loads,
 * so that the program starts that much sooner; recordNative() adopts it when given the same options.
 * Returns false, leaving nothing behind, when anything stands in the way: recordNative() then starts it
 * the usual way and reports the problem. A launch never adopted is killed and its trace removed when
 * picotrace exits.
 */
export function launchEarly(opts: RecordOptions): boolean {
  if (pending || opts.bundle) return false;
  const held = holdSignals();
  let launched: Launched;
  try {
    launched = launch(opts, held);
  } catch {
    held.release();
    return false;
  }
  hold(launched);
  return true;
}

/** Keeps a launch for recordNative() to adopt (killed, with its trace removed, if picotrace exits first), and starts loading what finishing it needs. */
function hold(launched: Launched): void {
  const onExit = (): void => abandon(launched);
  process.on('exit', onExit);
  pending = { launched, forget: () => process.off('exit', onExit) };
  recorderModules().catch(() => undefined);
}

/** Stops a launch that will not be finished: strace and the program, its trace and its FIFO directory. */
function abandon(l: Launched): void {
  l.held.release();
  l.sup.kill();
  fs.rmSync(l.dir, { recursive: true, force: true });
  fs.rmSync(l.output, { force: true });
}

function adopt(opts: RecordOptions): Launched | undefined {
  if (!pending) return undefined;
  const { launched, forget } = pending;
  pending = undefined;
  forget();
  if (launched.key === launchKey(opts)) return launched;
  // Cannot happen while the early reading of the command line agrees with commander's (tested);
  // the program has already run, so it must not be run a second time.
  abandon(launched);
  throw new Error(`the recording started early was for other options than the command line gives (${launched.key})`);
}

/**
 * Records a program natively: runs it under strace, streams strace's output through a FIFO into the
 * strace grammar and a TraceWriter while it runs (flushing a chunk every second), and returns the
 * program's exit status. Throws CaptureEnvError (exit 4) when strace is missing or ptrace is refused.
 */
export async function recordNative(opts: RecordOptions): Promise<RecordResult> {
  let launched = adopt(opts);
  const held = launched?.held ?? holdSignals();
  try {
    launched ??= launch(opts, held);
    return await finish(launched, opts);
  } finally {
    held.release();
  }
}

async function finish(l: Launched, opts: RecordOptions): Promise<RecordResult> {
  const { sup, watchdog } = l;
  const execFailure = new ExecFailure();
  let writer: TraceWriter | undefined;
  let timer: NodeJS.Timeout | undefined;
  try {
    let splitter: LineSplitter | undefined;
    try {
      // The writer and the strace grammar (with protobufjs, most of what record loads) are loaded
      // after strace has started the program, and read what it wrote meanwhile.
      const [{ TraceWriter: Writer }, { StraceParser: Parser }, { LineSplitter: Splitter }, { makeHeader }] = await recorderModules();
      const header = makeHeader(l.header);
      const w = Writer.create(opts.output, opts.transform ? opts.transform.header(header) : header, { annotator: opts.annotator });
      writer = w;
      const tf = opts.transform;
      const p = new Parser(
        (ev) => {
          execFailure.observe(ev);
          w.append(tf ? tf.event(ev) : ev);
          if (ev.kind === 'start' && !ev.isThread) watchdog.add(ev.pid);
          else if (ev.kind === 'exit' && !ev.threadOnly) watchdog.remove(ev.pid);
        },
        { startTimeNs: l.header.startTimeNs, source: 'strace' },
      );
      l.parser = p;
      const sp = new Splitter((line, no) => p.line(line, no));
      splitter = sp;
      l.guarded(() => {
        for (const chunk of l.early.splice(0)) sp.push(chunk);
        l.sink = (chunk) => sp.push(chunk);
      });
      timer = setInterval(
        () =>
          l.guarded(() => {
            // The last call, held for the stack frames that may follow it, is written once quiet.
            p.releaseQuiet();
            w.flush();
          }),
        FLUSH_INTERVAL_MS,
      );
    } catch (err) {
      l.failure ??= err;
      sup.kill();
    }
    let exitCode: number;
    try {
      exitCode = await sup.done;
    } catch (err) {
      throw new CaptureEnvError(`cannot run strace: ${(err as Error).message}`, 'run picotrace doctor');
    }
    l.pump.stop();
    await l.drained;
    if (l.failure !== undefined) throw l.failure;
    const w = writer!;
    const parser = l.parser!;
    splitter!.end();
    const leftover = parser.liveProcesses();
    parser.end();
    for (const pid of leftover) killQuietly(pid);
    if (parser.stats.lines === 0 && exitCode !== 0) {
      const probe = checkPtraceProbe();
      w.abort();
      writer = undefined;
      fs.rmSync(opts.output, { force: true });
      // What the launcher knew of strace may be what is wrong (a strace replaced without a newer
      // time stamp): the next recording asks strace again.
      try {
        if (l.facts) fs.rmSync(l.facts, { force: true });
      } catch {
        /* the next run then trusts it again; the error below is the one to report */
      }
      if (probe.status === 'fail') throw new CaptureEnvError(`strace could not record ${l.runArgv[0]}: ${probe.detail}`, probe.advice);
      const starter = l.header.captureOptions.cpu === undefined ? 'strace' : 'taskset or strace';
      throw new BadInputError(`${starter} could not start it (exit status ${exitCode}; its message is above)`, l.runArgv[0]);
    }
    const warnings: string[] = [];
    if (execFailure.errno !== undefined && exitCode === 1) {
      exitCode = execFailure.errno === ENOENT ? ExitCode.notFound : ExitCode.cannotExecute;
      warnings.push(`${l.runArgv[0]} could not be executed: ${await execProblem(l.runArgv[0], execFailure.errno)}; exit status ${exitCode}, as from a shell`);
    }
    if (leftover.length) warnings.push(`strace ended before the program; killed ${leftover.length} process(es) it left running: ${leftover.join(', ')}`);
    if (parser.stats.unparsed) warnings.push(`${parser.stats.unparsed} strace lines did not parse (kept as unparsed events): ${parser.stats.samples[0] ?? ''}`);
    w.close({ endNotes: { exitStatus: String(exitCode), straceLines: String(parser.stats.lines) }, endTimeNs: Number(BigInt(Date.now()) * 1000000n - l.header.startTimeNs) });
    return { exitCode, events: w.count, dropped: 0, warnings };
  } catch (err) {
    if (writer) writer.abort();
    else fs.rmSync(opts.output, { force: true });
    throw err;
  } finally {
    watchdog.disarm();
    if (timer) clearInterval(timer);
    fs.rmSync(l.dir, { recursive: true, force: true });
  }
}

const { ENOENT } = os.constants.errno;

/**
 * Watches for strace failing to exec the program it was given (a script whose interpreter is missing,
 * a binary for another machine): the root process's first call is an execve that failed, and it
 * makes no other. strace then exits 1 after its own "exec: ..." line, where a shell gives 127 or 126.
 */
class ExecFailure {
  private root: number | undefined;
  private calls = 0;
  /** The failed execve's errno while it is the root's only call. */
  errno: number | undefined;

  observe(ev: NewEvent): void {
    if (ev.kind === 'start' && ev.isRoot) this.root = ev.pid;
    else if (ev.kind === 'call' && ev.pid === this.root)
      this.errno = this.calls++ === 0 && (ev.name === 'execve' || ev.name === 'execveat') && ev.retval === -1 ? ev.errno : undefined;
  }
}

/** What an exec of `cmd` failing with `errno` means: strerror's text, and for a script's ENOENT, the interpreter its #! line names. */
async function execProblem(cmd: string, errno: number): Promise<string> {
  const { errnoText, errnoName } = await import('../../model/tables.js');
  const text = (errnoText(errno) || errnoName(errno)).toLowerCase();
  const file = locateCommand(cmd, process.env.PATH).path;
  if (errno !== ENOENT || !file) return text;
  let head = '';
  try {
    const fd = fs.openSync(file, 'r');
    try {
      const buf = Buffer.alloc(256);
      head = buf.toString('latin1', 0, fs.readSync(fd, buf, 0, buf.length, 0));
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return text;
  }
  const interpreter = /^#!\s*(\S+)/.exec(head)?.[1];
  return interpreter ? `${text} (the interpreter its #! line names, ${interpreter}, was not found)` : `${text} (it exists: what it needs to start, such as its dynamic loader, was not found)`;
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

/** Whether a recording started by launchEarly is waiting to be adopted. */
export function earlyLaunchPending(): boolean {
  return pending !== undefined;
}
