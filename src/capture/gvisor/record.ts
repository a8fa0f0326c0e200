import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { TraceWriter } from '../../format/index.js';
import { makeHeader, type EnvVar, type NewEvent } from '../../model/index.js';
import { CannotRunError, UsageError } from '../../util/errors.js';
import { locateCommand } from '../native/checks.js';
import { supervise } from '../supervise.js';
import type { RecordOptions, RecordResult } from '../types.js';
import { readBundle, resolveInRoot, type Bundle } from '../bundle/index.js';
import { DEFAULT_RETRY, type SinkRetry } from './config.js';
import { startMonitor, type MonitorSource } from './monitor-source.js';
import { cleanupRunscState, locateRunsc, runscLoggedError, runscPlatform, runscStartError, startRunsc, type RunscOptions, type RunscTarget } from './runsc.js';
import { startStraceLog, type StraceLogSource } from './stracelog-source.js';
import { makeWorkDir } from './workdir.js';

/**
 * The event sources of the gvisor backend, by --source name: `monitor` (runtime monitoring: raw enter
 * and exit points of every syscall plus the points that carry paths) and `strace-log` (runsc's strace
 * debug log: decoded arguments and buffer contents).
 */
export const GVISOR_SOURCES = ['monitor', 'strace-log'] as const;

/** A gvisor event source name. */
export type GvisorSource = (typeof GVISOR_SOURCES)[number];

/** The source used when --source is not given (chosen by bench/record-gvisor.bench.mjs; see docs/gvisor.md). */
export const DEFAULT_GVISOR_SOURCE: GvisorSource = 'strace-log';

/** The monitor sink's retries: DEFAULT_RETRY, or $PICOTRACE_GVISOR_RETRIES (fewer retries: faster, but gVisor drops events when picotrace falls behind). */
function retryFromEnv(): SinkRetry {
  const v = process.env.PICOTRACE_GVISOR_RETRIES;
  if (v === undefined || v === '') return DEFAULT_RETRY;
  if (!/^\d+$/.test(v)) throw new UsageError(`PICOTRACE_GVISOR_RETRIES: expected a non-negative integer (got ${JSON.stringify(v)})`);
  return { ...DEFAULT_RETRY, retries: Number(v) };
}

function envList(entries: [string, string][]): EnvVar[] {
  return entries.map(([name, value]) => ({ name, value }));
}

interface Plan {
  target: RunscTarget;
  argv: string[];
  cwd: string;
  env: [string, string][];
  initialPath?: string;
  bundle?: Bundle;
}

function plan(opts: RecordOptions): Plan {
  if (opts.bundle) {
    const b = readBundle(opts.bundle);
    const envPath = b.env.find(([k]) => k === 'PATH')?.[1] ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
    return {
      target: { kind: 'run', bundle: b.dir, id: `picotrace-${process.pid}-${crypto.randomBytes(4).toString('hex')}` },
      argv: b.args,
      cwd: b.cwd,
      env: b.env,
      initialPath: resolveInRoot(b.rootfs, b.args[0], envPath, b.cwd),
      bundle: b,
    };
  }
  if (opts.argv.length === 0) throw new UsageError('no command to record: give one after --, or --bundle DIR');
  const cwd = path.resolve(opts.cwd ?? process.cwd());
  const found = locateCommand(opts.argv[0], process.env.PATH);
  if (found.problem !== undefined) throw new CannotRunError(opts.argv[0], found.problem, found.notFound);
  return { target: { kind: 'do', argv: opts.argv, cwd }, argv: opts.argv, cwd, env: Object.entries(process.env).map(([k, v]) => [k, v ?? '']), initialPath: found.path };
}

/**
 * Records a program (or an OCI bundle) under gVisor: runs it with `runsc do` (or `runsc run`) and
 * turns the sandbox's runtime-monitoring stream (source "monitor") or its strace debug log (source
 * "strace-log") into a trace of the same event model as the native backend. Returns the program's
 * exit status; throws CaptureEnvError (exit 4) with the fix when runsc is missing or cannot start.
 */
export async function recordGvisor(opts: RecordOptions): Promise<RecordResult> {
  if (opts.stack) throw new UsageError('--stack: the gvisor backend cannot capture user-space stacks (record natively for them)');
  if (opts.cpu !== undefined) throw new UsageError('--cpu: the gvisor backend does not pin the sandbox to a CPU (record natively with it)');
  const source = (opts.source ?? DEFAULT_GVISOR_SOURCE) as GvisorSource;
  if (!GVISOR_SOURCES.includes(source)) throw new UsageError(`--source: unknown gvisor source "${opts.source}" (known: ${GVISOR_SOURCES.join(', ')})`);
  const p = plan(opts);
  const runsc = locateRunsc();
  const platform = runscPlatform();
  const work = makeWorkDir();
  const startTimeNs = BigInt(Date.now()) * 1000000n;
  const captureOptions: Record<string, string> = { source, platform, network: 'none' };
  const retry = retryFromEnv();
  if (source !== 'strace-log') Object.assign(captureOptions, { retries: String(retry.retries), backoff: retry.backoff, backoffMax: retry.backoffMax });
  else captureOptions.straceLogSize = String(opts.bufferSize);
  if (p.bundle) captureOptions.bundle = p.bundle.dir;
  const header = makeHeader({
    backend: 'gvisor',
    argv: p.argv,
    cwd: p.cwd,
    env: opts.env ? envList(p.env) : [],
    hostKernel: `${os.type()} ${os.release()} ${os.machine()}`,
    runtimeName: 'runsc',
    runtimeVersion: runsc.version,
    startTimeNs,
    captureOptions,
    notes: [`runsc ${runsc.version} --platform=${platform}${p.bundle ? ` run --bundle ${p.bundle.dir}` : ' do'}`],
    hostname: os.hostname(),
    writer: opts.writer ?? 'picotrace',
  });
  let writer: TraceWriter | undefined;
  let monitor: MonitorSource | undefined;
  let strace: StraceLogSource | undefined;
  let sourceError: Error | undefined;
  const runscOpts: RunscOptions = { runsc: runsc.path, stateDir: work.state, logFile: work.runscLog, platform };
  try {
    writer = TraceWriter.create(opts.output, opts.transform ? opts.transform.header(header) : header, { annotator: opts.annotator });
    const w = writer;
    const tf = opts.transform;
    const sink = tf ? (ev: NewEvent) => w.append(tf.event(ev)) : (ev: NewEvent) => w.append(ev);
    // The first failure (a full disk, a broken source) stops the sandbox; it is reported once it exits.
    let stopSandbox = (): void => undefined;
    const onError = (err: Error): void => {
      if (sourceError) return;
      sourceError = err;
      stopSandbox();
    };
    if (source !== 'strace-log') {
      monitor = startMonitor({ socket: work.socket, config: work.config, env: opts.env, enter: true, retry, startTimeNs, initialPath: p.initialPath, cwd: p.cwd, saveFrames: process.env.PICOTRACE_GVISOR_SAVE_FRAMES || undefined, sink, onError });
      runscOpts.podInitConfig = monitor.podInitConfig;
    } else {
      strace = startStraceLog({ dir: work.straceLogs, startTimeNs, env: opts.env, initialPath: p.initialPath, argv: p.argv, envList: opts.env ? envList(p.env) : undefined, sink, onError });
      runscOpts.straceLogDir = work.straceLogs;
      runscOpts.straceLogSize = opts.bufferSize;
    }
    const flushTimer = setInterval(() => {
      if (sourceError) return;
      try {
        w.flush();
      } catch (err) {
        onError(err as Error);
      }
    }, 1000);
    let exitCode: number;
    try {
      const { child, relayed } = startRunsc(runscOpts, p.target);
      const sup = supervise(child, { targets: () => (child.pid ? [child.pid] : []), log: opts.log });
      stopSandbox = sup.kill;
      if (sourceError) sup.kill();
      try {
        exitCode = await sup.done;
      } catch (err) {
        throw runscStartError((err as Error).message);
      }
      await relayed;
      if (monitor) await monitor.finish();
      if (strace) await strace.finish();
    } finally {
      clearInterval(flushTimer);
    }
    if (sourceError) throw sourceError;
    const started = monitor ? monitor.converter.started : strace!.started;
    const logged = runscLoggedError(work.runscLog);
    if (!started && logged) {
      w.abort();
      writer = undefined;
      fs.rmSync(opts.output, { force: true });
      // The sandbox started; the program in it could not (a script whose #! interpreter is missing, a
      // binary for another machine): 127 or 126, as from a shell.
      const load = /creating process: failed to load .*: ([^:]+)$/.exec(logged);
      if (load) throw new CannotRunError(p.argv[0], `gVisor cannot execute it: ${load[1]}`, /no such file/i.test(load[1]));
      throw runscStartError(logged);
    }
    const warnings: string[] = [];
    if (!started) warnings.push(monitor && !monitor.connected ? 'runsc never connected to the monitoring socket: the trace has no events' : 'no events arrived from the sandbox: the trace has none');
    const dropped = monitor ? monitor.converter.dropped : 0;
    const unknownMessages = monitor ? monitor.converter.unknownMessages : 0;
    if (dropped) warnings.push(`gVisor dropped ${dropped} events it could not send (the trace is incomplete)`);
    if (monitor && monitor.badFrames.count) warnings.push(`${monitor.badFrames.count} monitoring packets did not decode (${monitor.badFrames.first})`);
    if (unknownMessages) warnings.push(`${unknownMessages} monitoring messages of unknown types were skipped`);
    if (strace && strace.stats.unparsed) warnings.push(`${strace.stats.unparsed} strace log lines did not parse (kept as unparsed events): ${strace.stats.samples[0] ?? ''}`);
    if (logged && exitCode !== 0) warnings.push(`runsc: ${logged}`);
    const endNotes: Record<string, string> = { exitStatus: String(exitCode), source };
    w.close({ droppedEvents: dropped, unknownMessages, endNotes, endTimeNs: Number(BigInt(Date.now()) * 1000000n - startTimeNs) });
    return { exitCode, events: w.count, dropped, warnings };
  } catch (err) {
    writer?.abort();
    cleanupRunscState(runsc.path, work.state);
    throw err;
  } finally {
    monitor?.close();
    strace?.close();
    cleanupRunscState(runsc.path, work.state);
    work.remove();
  }
}
