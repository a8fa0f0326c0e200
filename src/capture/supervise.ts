import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import tty from 'node:tty';

/** Signals picotrace passes on to the traced program instead of dying from them. */
export const FORWARDED_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** Signals held between the start of a recording and its supervision. */
export interface HeldSignals {
  /** Stops holding and returns what arrived meanwhile, in order (idempotent). */
  release(): NodeJS.Signals[];
}

/**
 * Catches SIGINT, SIGTERM and SIGHUP from the moment a recording starts, so none kills picotrace
 * before supervise() takes over and replays them (pass `release` as SuperviseOptions.pending).
 */
export function holdSignals(): HeldSignals {
  const queue: NodeJS.Signals[] = [];
  const onSignal = (sig: NodeJS.Signals): void => void queue.push(sig);
  for (const s of FORWARDED_SIGNALS) process.on(s, onSignal);
  let released = false;
  return {
    release: () => {
      if (!released) for (const s of FORWARDED_SIGNALS) process.off(s, onSignal);
      released = true;
      return queue.splice(0);
    },
  };
}

/** How to reach the traced program while it runs. */
export interface SuperviseOptions {
  /** Processes of the traced program to signal (the root first); empty while not known yet. */
  targets(): number[];
  /** Progress and warnings. */
  log?: (line: string) => void;
  /** Signals that arrived before supervision (HeldSignals.release), handled as if they came now. */
  pending?: () => NodeJS.Signals[];
}

/** A supervised recorder child (strace, runsc): its shell-style exit code and a way to stop it. */
export interface Supervision {
  /** Resolves with the exit status the way a shell reports it (128+N when killed by signal N). */
  readonly done: Promise<number>;
  /** Kills the recorder and the traced program (used when recording fails). */
  kill(): void;
}

/**
 * The fields of /proc/PID/stat after the command name (the first is the state, field 3): the name
 * may hold spaces and parentheses, so they are read after its last ')'.
 */
function statFields(pid: number): string[] | undefined {
  let stat: string;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return undefined;
  }
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/**
 * Every descendant of `pid` (children first, then theirs), from the parent links in /proc/N/stat.
 * A recorder's descendants are the traced program's processes, known this way before its output is
 * parsed; they must be killed before the recorder, as a tracee outlives a killed tracer.
 */
export function descendants(pid: number): number[] {
  const kids = new Map<number, number[]>();
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    return [];
  }
  for (const d of entries) {
    if (d.charCodeAt(0) > 57) continue;
    const f = statFields(Number(d));
    if (!f) continue;
    const ppid = Number(f[1]);
    const list = kids.get(ppid);
    if (list) list.push(Number(d));
    else kids.set(ppid, [Number(d)]);
  }
  const out: number[] = [];
  for (let i = -1; i < out.length; i++) for (const k of kids.get(i < 0 ? pid : out[i]) ?? []) out.push(k);
  return out;
}

/** What supervise() watches: a ChildProcess, or a process this one did not start through Node (AdoptedChild). */
export interface RecorderProcess {
  readonly pid?: number;
  readonly exitCode: number | null;
  readonly signalCode: NodeJS.Signals | null;
  kill(signal?: NodeJS.Signals): boolean;
  once(event: 'exit', listener: (code: number | null, signal: NodeJS.Signals | null) => void): unknown;
  once(event: 'error', listener: (err: Error) => void): unknown;
}


/** Whether `pid` is a child of this process (one it inherited from the shell that exec'd Node, say). */
export function isOwnChild(pid: number): boolean {
  return Number.isInteger(pid) && pid > 0 && statFields(pid)?.[1] === String(process.pid);
}

const SIGNAL_NAMES = new Map(Object.entries(os.constants.signals).map(([name, n]) => [n, name as NodeJS.Signals]));

/**
 * A child of this process that Node did not spawn (bin/picotrace.js starts strace before it execs
 * Node), so libuv never reaps it: it stays a zombie once it exits, and its exit status is read from
 * the zombie's /proc/PID/stat (field 52, as waitpid reports it). Looked at every `interval` ms, and
 * at once when poll() says it is about to end.
 */
export class AdoptedChild extends EventEmitter implements RecorderProcess {
  exitCode: number | null = null;
  signalCode: NodeJS.Signals | null = null;
  private timer: NodeJS.Timeout | undefined;
  private ended = false;

  constructor(
    readonly pid: number,
    private readonly interval = 50,
  ) {
    super();
    this.schedule(interval);
  }

  /** Looks every `ms` from now on (its output ended: the exit is imminent). */
  poll(ms: number): void {
    if (this.ended) return;
    clearTimeout(this.timer);
    this.schedule(ms);
  }

  kill(signal: NodeJS.Signals = 'SIGTERM'): boolean {
    if (this.ended) return false;
    try {
      process.kill(this.pid, signal);
      return true;
    } catch {
      return false;
    }
  }

  private schedule(ms: number): void {
    this.timer = setTimeout(() => (this.check() ? undefined : this.schedule(ms)), ms);
  }

  private check(): boolean {
    const f = statFields(this.pid);
    if (f && f[0] !== 'Z') return false;
    this.ended = true;
    // Without a readable zombie (reaped by another, which a child of Node's spawning never is), the
    // status is unknown: reported as exit code null, signal null (a shell's 128).
    const status = f ? Number(f[49]) : NaN;
    if (Number.isInteger(status)) {
      if ((status & 0x7f) === 0) this.exitCode = (status >> 8) & 0xff;
      else this.signalCode = SIGNAL_NAMES.get(status & 0x7f) ?? null;
    }
    this.emit('exit', this.exitCode, this.signalCode);
    return true;
  }
}

/** The exit status a shell would report for a process that ended with `code` or `signal`. */
export function shellStatus(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  if (signal) return 128 + (os.constants.signals[signal] ?? 0);
  return 128;
}

function trySignal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

/**
 * Watches a recorder child: SIGINT, SIGTERM and SIGHUP sent to picotrace go to the traced program
 * (a SIGINT typed at a terminal already reached it, so it is not sent twice); a second signal kills
 * the program, a third the recorder too. Handlers are removed when the child exits, and the child
 * and program are killed if picotrace exits first.
 */
export function supervise(child: RecorderProcess, o: SuperviseOptions): Supervision {
  let count = 0;
  const killAll = (): void => {
    for (const pid of o.targets()) trySignal(pid, 'SIGKILL');
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  const deliver = (sig: NodeJS.Signals): void => {
    const targets = o.targets();
    if (targets.length === 0) {
      if (child.exitCode === null && child.signalCode === null) setTimeout(() => deliver(sig), 25).unref();
      return;
    }
    for (const pid of targets) trySignal(pid, sig);
  };
  const onSignal = (sig: NodeJS.Signals): void => {
    count++;
    if (count >= 3) {
      o.log?.(`picotrace: ${sig} again: killing the recorder and the program`);
      killAll();
    } else if (count === 2) {
      o.log?.(`picotrace: ${sig} again: killing the program`);
      for (const pid of o.targets()) trySignal(pid, 'SIGKILL');
    } else if (!(sig === 'SIGINT' && tty.isatty(0))) {
      deliver(sig);
    }
  };
  const onExit = (): void => killAll();
  for (const s of FORWARDED_SIGNALS) process.on(s, onSignal);
  process.on('exit', onExit);
  for (const sig of o.pending?.() ?? []) onSignal(sig);
  const done = new Promise<number>((resolve, reject) => {
    child.once('error', (err) => {
      cleanup();
      reject(err);
    });
    child.once('exit', (code, signal) => {
      cleanup();
      resolve(shellStatus(code, signal));
    });
  });
  function cleanup(): void {
    for (const s of FORWARDED_SIGNALS) process.off(s, onSignal);
    process.off('exit', onExit);
  }
  return { done, kill: killAll };
}
