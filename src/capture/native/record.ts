import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TraceWriter } from '../../format/writer.js';
import type { LineSplitter } from '../../import/lines.js';
import type { StraceParser } from '../../import/strace/assemble.js';
import { makeHeader, type EnvVar } from '../../model/index.js';
import { BadInputError, CaptureEnvError, fileError } from '../../util/errors.js';
import { holdSignals, supervise, type HeldSignals } from '../supervise.js';
import { nativeBundleCommand, readBundle } from '../bundle/index.js';
import { startWatchdog } from '../watchdog.js';
import type { RecordOptions, RecordResult } from '../types.js';
import { checkPtraceProbe, checkStrace, checkYama, findExecutable } from './checks.js';
import { pumpFifo } from './fifo.js';
import { straceFlags } from './flags.js';

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

/**
 * Records a program natively: runs it under strace, streams strace's output through a FIFO into the
 * strace grammar and a TraceWriter while it runs (flushing a chunk every second), and returns the
 * program's exit status. Throws CaptureEnvError (exit 4) when strace is missing or ptrace is refused.
 */
export async function recordNative(opts: RecordOptions): Promise<RecordResult> {
  const held = holdSignals();
  try {
    return await record(opts, held);
  } finally {
    held.release();
  }
}

async function record(opts: RecordOptions, held: HeldSignals): Promise<RecordResult> {
  const bundle = opts.bundle ? readBundle(opts.bundle) : undefined;
  const inBundle = bundle ? nativeBundleCommand(bundle) : undefined;
  if (!bundle && opts.argv.length === 0) throw new BadInputError('no command to record');
  const { bin: strace, version } = failFast(!!opts.stack);
  const cwd = opts.cwd ?? process.cwd();
  const runArgv = inBundle ? inBundle.argv : opts.argv;
  const program = findExecutable(runArgv[0], process.env.PATH);
  if (!program) throw new BadInputError('command not found', runArgv[0]);
  const { dir, fifo } = makeFifo();
  const flags = straceFlags({ bufferSize: opts.bufferSize, env: opts.env, output: fifo, stack: opts.stack });
  const startTimeNs = BigInt(Date.now()) * 1000000n;
  const header = makeHeader({
    backend: 'native',
    argv: bundle ? bundle.args : opts.argv,
    cwd: bundle ? bundle.cwd : cwd,
    env: opts.env ? (bundle ? bundle.env.map(([name, value]) => ({ name, value })) : envList()) : [],
    hostKernel: `${os.type()} ${os.release()} ${os.machine()}`,
    runtimeName: 'linux',
    runtimeVersion: os.release(),
    startTimeNs,
    captureOptions: bundle ? { ...flags.options, bundle: bundle.dir } : flags.options,
    notes: [`strace ${version}`],
    hostname: os.hostname(),
    writer: opts.writer ?? 'picotrace',
  });
  // The trace file is made before the program runs, so that a path it cannot be written to stops the
  // recording first. The writer and the strace grammar (with protobufjs, most of what record loads)
  // are loaded after strace has started the program, and read what it wrote meanwhile.
  try {
    fs.closeSync(fs.openSync(opts.output, 'w', 0o600));
  } catch (err) {
    fs.rmSync(dir, { recursive: true, force: true });
    fileError(err, opts.output);
  }
  let writer: TraceWriter | undefined;
  let timer: NodeJS.Timeout | undefined;
  let disarm = (): void => undefined;
  try {
    const watchdog = startWatchdog(dir);
    const child = inBundle
      ? spawn(strace, [...flags.args, '--', program, ...runArgv.slice(1)], { stdio: 'inherit', env: inBundle.env })
      : spawn(strace, [...flags.args, '--', ...opts.argv], { cwd, stdio: 'inherit' });
    if (child.pid) watchdog.add(child.pid);
    disarm = () => {
      if (child.pid) watchdog.remove(child.pid);
      watchdog.disarm();
    };
    let parser: StraceParser | undefined;
    const sup = supervise(child, { targets: () => parser?.liveProcesses() ?? [], log: opts.log, pending: held.release });
    // The first failure (a full disk, say) stops the program and strace; what strace still writes
    // is drained and dropped so that it ends quietly instead of failing on a closed FIFO.
    let failure: unknown;
    const guarded = (fn: () => void): void => {
      if (failure !== undefined) return;
      try {
        fn();
      } catch (err) {
        failure = err;
        sup.kill();
      }
    };
    const early: Buffer[] = [];
    let push = (chunk: Buffer): void => void early.push(chunk);
    const pump = pumpFifo(fifo, (chunk) => guarded(() => push(chunk)));
    const drained = pump.done.catch((err) => {
      sup.kill();
      throw err;
    });
    drained.catch(() => undefined);
    let splitter: LineSplitter | undefined;
    try {
      const [{ TraceWriter: Writer }, { StraceParser: Parser }, { LineSplitter: Splitter }] = await Promise.all([
        import('../../format/writer.js'),
        import('../../import/strace/assemble.js'),
        import('../../import/lines.js'),
      ]);
      const w = Writer.create(opts.output, opts.transform ? opts.transform.header(header) : header, { annotator: opts.annotator });
      writer = w;
      const tf = opts.transform;
      const p = new Parser(
        (ev) => {
          w.append(tf ? tf.event(ev) : ev);
          if (ev.kind === 'start' && !ev.isThread) watchdog.add(ev.pid);
          else if (ev.kind === 'exit' && !ev.threadOnly) watchdog.remove(ev.pid);
        },
        { startTimeNs, source: 'strace' },
      );
      parser = p;
      const sp = new Splitter((line, no) => p.line(line, no));
      splitter = sp;
      push = (chunk) => sp.push(chunk);
      guarded(() => {
        for (const chunk of early.splice(0)) sp.push(chunk);
      });
      timer = setInterval(
        () =>
          guarded(() => {
            // The last call, held for the stack frames that may follow it, is written once quiet.
            p.releaseQuiet();
            w.flush();
          }),
        FLUSH_INTERVAL_MS,
      );
    } catch (err) {
      failure ??= err;
      sup.kill();
    }
    let exitCode: number;
    try {
      exitCode = await sup.done;
    } catch (err) {
      throw new CaptureEnvError(`cannot run strace: ${(err as Error).message}`, 'run picotrace doctor');
    }
    pump.stop();
    await drained;
    if (failure !== undefined) throw failure;
    const w = writer!;
    splitter!.end();
    const leftover = parser!.liveProcesses();
    parser!.end();
    for (const pid of leftover) killQuietly(pid);
    if (parser!.stats.lines === 0 && exitCode !== 0) {
      const probe = checkPtraceProbe();
      w.abort();
      writer = undefined;
      fs.rmSync(opts.output, { force: true });
      if (probe.status === 'fail') throw new CaptureEnvError(`strace could not record ${runArgv[0]}: ${probe.detail}`, probe.advice);
      throw new BadInputError(`strace could not start it (exit status ${exitCode}; its message is above)`, runArgv[0]);
    }
    const warnings: string[] = [];
    if (leftover.length) warnings.push(`strace ended before the program; killed ${leftover.length} process(es) it left running: ${leftover.join(', ')}`);
    if (parser!.stats.unparsed) warnings.push(`${parser!.stats.unparsed} strace lines did not parse (kept as unparsed events): ${parser!.stats.samples[0] ?? ''}`);
    w.close({ endNotes: { exitStatus: String(exitCode), straceLines: String(parser!.stats.lines) }, endTimeNs: Number(BigInt(Date.now()) * 1000000n - startTimeNs) });
    return { exitCode, events: w.count, dropped: 0, warnings };
  } catch (err) {
    if (writer) writer.abort();
    else fs.rmSync(opts.output, { force: true });
    throw err;
  } finally {
    disarm();
    if (timer) clearInterval(timer);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}
