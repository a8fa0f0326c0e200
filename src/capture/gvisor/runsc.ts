import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { CaptureEnvError } from '../../util/errors.js';
import { findExecutable } from '../native/checks.js';

/** Platforms runsc is run with; ptrace works everywhere, kvm needs /dev/kvm. */
export const PLATFORMS = ['ptrace', 'kvm'] as const;

/** Where runsc is and what it says its version is. */
export interface RunscInfo {
  path: string;
  version: string;
}

/** Locates runsc ($PICOTRACE_RUNSC or PATH) and reads its version; throws CaptureEnvError with the fix when it is missing or broken. */
export function locateRunsc(): RunscInfo {
  const want = process.env.PICOTRACE_RUNSC || 'runsc';
  const p = findExecutable(want);
  if (!p) throw new CaptureEnvError(`runsc not found (looked for ${want} on PATH)`, 'install gVisor: apt-get install runsc, or set PICOTRACE_RUNSC to its path');
  const r = spawnSync(p, ['--version'], { encoding: 'utf8', timeout: 20_000 });
  if (r.error || r.status !== 0) throw new CaptureEnvError(`${p} --version failed: ${r.error?.message ?? (r.stderr || '').trim().split('\n')[0]}`, 'reinstall runsc');
  const m = /runsc version (\S+)/.exec(r.stdout);
  return { path: p, version: m ? m[1] : r.stdout.trim().split('\n')[0] };
}

/** The runsc platform to use: $PICOTRACE_RUNSC_PLATFORM or ptrace; throws CaptureEnvError for an unknown one or kvm without /dev/kvm. */
export function runscPlatform(): string {
  const p = process.env.PICOTRACE_RUNSC_PLATFORM || 'ptrace';
  if (!(PLATFORMS as readonly string[]).includes(p)) throw new CaptureEnvError(`unknown runsc platform ${p}`, `set PICOTRACE_RUNSC_PLATFORM to one of ${PLATFORMS.join(', ')}`);
  if (p === 'kvm' && !fs.existsSync('/dev/kvm')) throw new CaptureEnvError('runsc platform kvm needs /dev/kvm, which this machine lacks', 'unset PICOTRACE_RUNSC_PLATFORM to use ptrace');
  return p;
}

/** What to run: a command with `runsc do`, or an OCI bundle with `runsc run`. */
export type RunscTarget = { kind: 'do'; argv: string[]; cwd: string } | { kind: 'run'; bundle: string; id: string };

/** Options of the runsc invocation. */
export interface RunscOptions {
  runsc: string;
  /** runsc --root: private state directory, removed afterwards. */
  stateDir: string;
  /** runsc --log: where runsc writes its own errors. */
  logFile: string;
  platform: string;
  podInitConfig?: string;
  /** Directory for the --strace --debug-log logs of the strace-log source (without --debug: the strace lines are logged at info level anyway, and the other debug output costs ~30 % more time). */
  straceLogDir?: string;
  straceLogSize?: number;
}

/** The argument list of one runsc invocation. */
export function runscArgs(o: RunscOptions, t: RunscTarget): string[] {
  const a = ['--root', o.stateDir, '--log', o.logFile, '--network=none', `--platform=${o.platform}`];
  if (o.podInitConfig) a.push(`--pod-init-config=${o.podInitConfig}`);
  if (o.straceLogDir) a.push('--strace', `--debug-log=${o.straceLogDir.endsWith('/') ? o.straceLogDir : `${o.straceLogDir}/`}`, `--strace-log-size=${o.straceLogSize ?? 1024}`);
  if (t.kind === 'do') a.push('do', '--quiet', `--cwd=${t.cwd}`, '--', ...t.argv);
  else a.push('run', '--bundle', t.bundle, t.id);
  return a;
}

function isSocket(fd: number): boolean {
  try {
    return fs.fstatSync(fd).isSocket();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EBADF') return false;
    throw err;
  }
}

/** A started runsc and a promise that resolves once the output it relays has been passed on. */
export interface RunscProcess {
  child: ChildProcess;
  relayed: Promise<void>;
}

/**
 * Starts runsc with the caller's stdio so the program talks to the terminal. A stdout or stderr that
 * is a socket is relayed through a pipe instead: the sandbox shuts down the sockets it was given
 * when it exits, which would silence picotrace's own last lines.
 */
export function startRunsc(o: RunscOptions, t: RunscTarget): RunscProcess {
  const relay = [isSocket(1), isSocket(2)];
  const child = spawn(o.runsc, runscArgs(o, t), { stdio: ['inherit', relay[0] ? 'pipe' : 'inherit', relay[1] ? 'pipe' : 'inherit'], cwd: t.kind === 'do' ? t.cwd : undefined });
  const streams: Promise<void>[] = [];
  const pass = (from: NodeJS.ReadableStream | null, to: NodeJS.WritableStream): void => {
    if (!from) return;
    from.pipe(to, { end: false });
    streams.push(new Promise((resolve) => from.once('close', () => resolve())));
  };
  if (relay[0]) pass(child.stdout, process.stdout);
  if (relay[1]) pass(child.stderr, process.stderr);
  return { child, relayed: Promise.all(streams).then(() => undefined) };
}

const ADVICE: [RegExp, string][] = [
  [/chroot.*permission denied/i, 'the sandbox runs as an unprivileged user and must reach TMPDIR: point TMPDIR at a directory every user can traverse (e.g. /tmp)'],
  [/cgroup/i, 'run as root, or on a machine with a writable cgroup hierarchy (runsc --rootless is not used by picotrace)'],
  [/permission denied|operation not permitted/i, 'run picotrace as root'],
  [/iptables|veth|network/i, 'this needs --network=none, which picotrace passes; check the runsc version'],
  [/platform|kvm|ptrace/i, 'use the ptrace platform (unset PICOTRACE_RUNSC_PLATFORM)'],
  [/bundle|config\.json|spec/i, 'check the OCI bundle: config.json and its root.path'],
];

/** The first error runsc logged, if any (its --log file holds one JSON object or text line per message). */
export function runscLoggedError(logFile: string): string | undefined {
  let text: string;
  try {
    text = fs.readFileSync(logFile, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  for (const line of text.split(/\n|(?<=\})(?=\{)/)) {
    const t = line.trim();
    if (!t) continue;
    if (t.startsWith('{')) {
      try {
        const o = JSON.parse(t) as { msg?: string; level?: string };
        if (o.level === 'error' || o.level === 'fatal') return o.msg;
      } catch (err) {
        if (!(err instanceof SyntaxError)) throw err;
      }
    } else if (/^[EF]\d{4} /.test(t)) return t.replace(/^\S+ \S+ +\d+ \S+\] /, '');
  }
  return undefined;
}

/** A CaptureEnvError for a runsc that could not start the sandbox, with advice chosen from the message. */
export function runscStartError(message: string): CaptureEnvError {
  const advice = ADVICE.find(([re]) => re.test(message))?.[1] ?? 'run `picotrace doctor` to check the gVisor setup';
  return new CaptureEnvError(`runsc could not start the sandbox: ${message}`, advice);
}

/** Kills and deletes every container runsc still lists under `stateDir` (best effort; used after failures and interrupts). */
export function cleanupRunscState(runsc: string, stateDir: string): void {
  if (!fs.existsSync(stateDir)) return;
  const r = spawnSync(runsc, ['--root', stateDir, 'list', '--quiet'], { encoding: 'utf8', timeout: 10_000 });
  for (const id of (r.stdout ?? '').split('\n').map((s) => s.trim()).filter(Boolean)) {
    spawnSync(runsc, ['--root', stateDir, 'delete', '--force', id], { stdio: 'ignore', timeout: 10_000 });
  }
}
