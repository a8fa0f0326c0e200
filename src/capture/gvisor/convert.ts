import { posix } from 'node:path';
import { A, type ArgValue, CallFlags, type EnvVar, type Int64, type NewEvent, syscallName } from '../../model/index.js';
import { argCount, argKinds } from '../../import/gvisor/argspec.js';
import type { Frame } from './frames.js';

type Msg = Record<string, unknown>;

interface Context {
  timeNs?: Int64;
  relNs?: number;
  threadId?: number;
  threadGroupId?: number;
}

interface PendingCall {
  sysno: number;
  tid: number;
  pid: number;
  args: Int64[];
  enterNs?: number;
  exitNs?: number;
  detail?: Msg;
  exit?: { result: Int64; errno: number };
  execAfter?: NewEvent;
}

/** Options of a MonitorConverter. */
export interface ConvertOptions {
  /** Wall-clock ns that event times are made relative to (the header's startTimeNs). */
  startTimeNs: bigint;
  /** Keep environment values in exec events (names are always kept). */
  env: boolean;
  /** Resolved path of the initial program; container/start gives only its argv. */
  initialPath?: string;
  /** Working directory of the initial program, when container/start does not say. */
  cwd?: string;
}

const CLONE_THREAD = 0x10000;
const AT_FDCWD = -100;
const RESTART_ERRNOS = new Set([512, 513, 514, 516]);
const NO_RETURN = new Set(['exit', 'exit_group']);
const AWAIT_DETAIL_EXIT = new Set(['pipe', 'pipe2']);
const OPENS = new Set(['open', 'openat', 'creat', 'openat2']);
const DUPS = new Set(['dup', 'dup2', 'dup3']);

function ctxOf(m: Msg): Context {
  return (m.context as Context | undefined) ?? {};
}

function num(v: unknown): number {
  if (v === undefined || v === null) return 0;
  return typeof v === 'bigint' ? Number(v) : (v as number);
}

function int32(v: Int64): number {
  return Number(BigInt.asIntN(32, BigInt(v)));
}

function goodPath(p: unknown): string | undefined {
  return typeof p === 'string' && p !== '' && !p.startsWith('[err') ? p : undefined;
}

/** Splits "NAME=value" entries into EnvVars, dropping values unless `keep`. */
export function envVars(entries: string[], keep: boolean): EnvVar[] {
  return entries.map((e) => {
    const i = e.indexOf('=');
    const name = i < 0 ? e : e.slice(0, i);
    return keep ? { name, value: i < 0 ? '' : e.slice(i + 1) } : { name, value: '', valueRemoved: true };
  });
}

/**
 * Turns decoded monitoring frames into trace events: pairs raw enter and exit points per thread into
 * calls (names from the syscall table, errno in the native -1/errno convention), folds in the paths
 * and fd paths of schematized points, and maps container start, clone, execve and task exit to
 * lifecycle events. Pure: feed frames with push(), collect what is ready, then finish().
 */
export class MonitorConverter {
  private pending = new Map<number, PendingCall>();
  private fds = new Map<number, Map<number, string>>();
  private cwds = new Map<number, string>();
  private droppedBase = 0;
  private lastDropped = 0;
  /** Packets whose message type this converter does not know. */
  unknownMessages = 0;
  /** Whether any event arrived from the sandbox. */
  started = false;
  /** The container id runsc reported at start, once seen. */
  containerId?: string;

  constructor(private readonly opts: ConvertOptions) {}

  /** Points the Sentry reported it could not send, accounting for 32-bit wrap-around. */
  get dropped(): number {
    return this.droppedBase + this.lastDropped;
  }

  private rel(ctx: Context): number | undefined {
    if (ctx.relNs !== undefined) return ctx.relNs;
    if (ctx.timeNs === undefined) return undefined;
    return Number(BigInt(ctx.timeNs) - this.opts.startTimeNs);
  }

  /** Consumes one frame and returns the events it completes, in order. */
  push(f: Frame): NewEvent[] {
    if (this.lastDropped - f.dropped > 2 ** 31) this.droppedBase += 2 ** 32;
    if (f.dropped > this.lastDropped || this.lastDropped - f.dropped > 2 ** 31) this.lastDropped = f.dropped;
    this.started = true;
    if (!f.spec || !f.msg) {
      this.unknownMessages++;
      return [];
    }
    const m = f.msg;
    switch (f.spec.kind) {
      case 'raw':
        return this.raw(m);
      case 'schema':
        return this.detail(m);
      case 'start':
        return this.start(m);
      case 'clone':
        return this.clone(m);
      case 'exec':
        return this.exec(m);
      case 'taskExit':
        return this.taskExit(m);
      case 'exitNotify':
        return [];
    }
  }

  /** Emits the calls still waiting for their exit as unfinished. */
  finish(): NewEvent[] {
    const out: NewEvent[] = [];
    for (const p of this.pending.values()) out.push(...this.emit(p));
    this.pending.clear();
    return out;
  }

  private raw(m: Msg): NewEvent[] {
    const ctx = ctxOf(m);
    const tid = ctx.threadId ?? 0;
    const sysno = num(m.sysno);
    const out: NewEvent[] = [];
    const exit = m.exit as { result?: Int64; errorno?: Int64 } | undefined;
    let p = this.pending.get(tid);
    if (!exit) {
      if (p) {
        out.push(...this.emit(p));
        this.pending.delete(tid);
      }
      p = { sysno, tid, pid: ctx.threadGroupId ?? tid, args: rawArgs(m), enterNs: this.rel(ctx) };
      this.pending.set(tid, p);
      return out;
    }
    if (!p || p.sysno !== sysno || p.exit) {
      if (p) out.push(...this.emit(p));
      p = { sysno, tid, pid: ctx.threadGroupId ?? tid, args: rawArgs(m) };
      this.pending.set(tid, p);
    } else if (p.args.length === 0) p.args = rawArgs(m);
    p.exit = { result: exit.result ?? 0, errno: num(exit.errorno) };
    p.exitNs = this.rel(ctx);
    if (AWAIT_DETAIL_EXIT.has(syscallName(sysno))) return out;
    this.pending.delete(tid);
    out.push(...this.emit(p));
    return out;
  }

  private detail(m: Msg): NewEvent[] {
    const ctx = ctxOf(m);
    const tid = ctx.threadId ?? 0;
    const sysno = num(m.sysno);
    let p = this.pending.get(tid);
    const out: NewEvent[] = [];
    if (!m.exit && (!p || p.exit || p.sysno !== sysno)) {
      if (p) out.push(...this.emit(p));
      p = { sysno, tid, pid: ctx.threadGroupId ?? tid, args: [], enterNs: this.rel(ctx) };
      this.pending.set(tid, p);
      p.detail = m;
      return out;
    }
    if (!p || p.sysno !== sysno) return [];
    p.detail = p.detail ? { ...p.detail, ...m } : m;
    if (!m.exit || !p.exit) return [];
    this.pending.delete(tid);
    return this.emit(p);
  }

  private emit(p: PendingCall): NewEvent[] {
    const name = syscallName(p.sysno);
    const n = Math.min(argCount(name), p.args.length);
    const rawArgs = p.args.slice(0, n);
    let flags = 0;
    let retval: Int64 = 0;
    let errno = 0;
    if (!p.exit) flags |= CallFlags.unfinished;
    else if (p.exit.errno) {
      retval = -1;
      errno = p.exit.errno;
      if (RESTART_ERRNOS.has(errno)) flags |= CallFlags.interrupted;
    } else retval = p.exit.result;
    if (NO_RETURN.has(name)) {
      flags |= CallFlags.noReturn | CallFlags.retvalUnknown;
      flags &= ~CallFlags.unfinished;
      retval = 0;
    }
    const call: NewEvent = {
      kind: 'call',
      pid: p.pid,
      tid: p.tid,
      timeNs: p.enterNs ?? p.exitNs,
      name,
      sysno: p.sysno,
      rawArgs,
      args: decodeArgs(name, rawArgs, p.detail, this.fdTable(p.pid)),
      retval,
      errno,
      flags,
      buffers: [],
      arch: 'x86_64',
      ...(p.enterNs !== undefined && p.exitNs !== undefined ? { durationNs: p.exitNs - p.enterNs } : {}),
    };
    if (p.exit && !p.exit.errno) this.trackFds(p.pid, name, rawArgs, p.exit.result, p.detail);
    return p.execAfter ? [call, p.execAfter] : [call];
  }

  private fdTable(pid: number): Map<number, string> {
    let t = this.fds.get(pid);
    if (!t) this.fds.set(pid, (t = new Map()));
    return t;
  }

  private absolute(pid: number, dirfd: number, p: string): string {
    if (p.startsWith('/')) return posix.normalize(p);
    const base = dirfd === AT_FDCWD ? this.cwds.get(pid) : this.fds.get(pid)?.get(dirfd);
    return base && base.startsWith('/') ? posix.resolve(base, p) : p;
  }

  private trackFds(pid: number, name: string, raw: Int64[], result: Int64, detail?: Msg): void {
    const t = this.fdTable(pid);
    const ret = Number(result);
    if (OPENS.has(name)) {
      const path = goodPath(detail?.pathname);
      if (path) t.set(ret, this.absolute(pid, name === 'openat' || name === 'openat2' ? int32(raw[0] ?? 0) : AT_FDCWD, path));
    } else if (name === 'chdir' || name === 'fchdir') {
      const dir = name === 'chdir' ? goodPath(detail?.pathname) : t.get(int32(raw[0] ?? 0));
      if (dir) this.cwds.set(pid, this.absolute(pid, AT_FDCWD, dir));
    } else if (DUPS.has(name) || (name === 'fcntl' && (Number(raw[1]) === 0 || Number(raw[1]) === 1030))) {
      const from = t.get(int32(raw[0] ?? 0));
      if (from !== undefined) t.set(ret, from);
      else t.delete(ret);
    } else if (name === 'close') t.delete(int32(raw[0] ?? 0));
    else if (name === 'pipe' || name === 'pipe2') {
      if (detail?.reader !== undefined) {
        t.set(num(detail.reader), 'pipe');
        t.set(num(detail.writer), 'pipe');
      }
    }
  }

  private start(m: Msg): NewEvent[] {
    const ctx = ctxOf(m);
    const tid = ctx.threadId ?? 1;
    const pid = ctx.threadGroupId ?? tid;
    const argv = (m.args as string[] | undefined) ?? [];
    this.containerId = (m.id as string | undefined) || undefined;
    const cwd = (m.cwd as string | undefined) || this.opts.cwd;
    if (cwd) this.cwds.set(pid, cwd);
    const timeNs = this.rel(ctx);
    return [
      { kind: 'start', pid, tid, timeNs, parentPid: 0, isThread: false, cloneFlags: 0, isRoot: true },
      { kind: 'exec', pid, tid, timeNs, path: this.opts.initialPath ?? argv[0] ?? '', argv, env: envVars((m.env as string[] | undefined) ?? [], this.opts.env), oldPid: pid },
    ];
  }

  private clone(m: Msg): NewEvent[] {
    const ctx = ctxOf(m);
    const flags = (m.flags as Int64 | undefined) ?? 0;
    const tid = num(m.createdThreadId);
    const childPid = num(m.createdThreadGroupId) || tid;
    const parentPid = ctx.threadGroupId ?? 0;
    if (childPid !== parentPid) {
      this.fds.set(childPid, new Map(this.fds.get(parentPid) ?? []));
      const cwd = this.cwds.get(parentPid);
      if (cwd) this.cwds.set(childPid, cwd);
    }
    return [
      {
        kind: 'start',
        pid: num(m.createdThreadGroupId) || tid,
        tid,
        timeNs: this.rel(ctx),
        parentPid: ctx.threadGroupId ?? 0,
        isThread: (Number(BigInt(flags) & BigInt(CLONE_THREAD)) !== 0),
        cloneFlags: flags,
        isRoot: false,
      },
    ];
  }

  private exec(m: Msg): NewEvent[] {
    const ctx = ctxOf(m);
    const tid = ctx.threadId ?? 0;
    const pid = ctx.threadGroupId ?? tid;
    const ev: NewEvent = {
      kind: 'exec',
      pid,
      tid,
      timeNs: this.rel(ctx),
      path: (m.binaryPath as string | undefined) ?? '',
      argv: (m.argv as string[] | undefined) ?? [],
      env: envVars((m.env as string[] | undefined) ?? [], this.opts.env),
      oldPid: tid,
    };
    const p = this.pending.get(tid);
    if (p && !p.exit) {
      p.execAfter = ev;
      return [];
    }
    return [ev];
  }

  private taskExit(m: Msg): NewEvent[] {
    const ctx = ctxOf(m);
    const tid = ctx.threadId ?? 0;
    const pid = ctx.threadGroupId ?? tid;
    const ws = num(m.exitStatus);
    const out: NewEvent[] = [];
    const p = this.pending.get(tid);
    if (p) {
      out.push(...this.emit(p));
      this.pending.delete(tid);
    }
    out.push({ kind: 'exit', pid, tid, timeNs: this.rel(ctx), status: (ws >> 8) & 0xff, signal: ws & 0x7f, coreDumped: (ws & 0x80) !== 0, threadOnly: tid !== pid });
    return out;
  }
}

function rawArgs(m: Msg): Int64[] {
  return [m.arg1, m.arg2, m.arg3, m.arg4, m.arg5, m.arg6].map((v) => (v === undefined ? 0 : (v as Int64)));
}

function plainInt(v: Int64): ArgValue {
  return typeof v === 'bigint' || v >= 0x10000 ? A.int(v, 16) : A.int(v);
}

/** Builds the decoded arguments of a call from its raw registers, the schematized point's fields where there was one, and the process's fd table. */
export function decodeArgs(name: string, raw: Int64[], detail?: Msg, fds?: ReadonlyMap<number, string>): ArgValue[] {
  const kinds = argKinds(name);
  let fdSeen = false;
  return raw.map((v, i) => {
    const kind = kinds[i] ?? 'int';
    if (kind === 'fd') {
      const fd = int32(v);
      const path = (!fdSeen && detail ? goodPath(detail.fdPath) : undefined) ?? fds?.get(fd);
      fdSeen = true;
      return fd === -100 ? A.fd(fd) : A.fd(fd, path);
    }
    if (kind === 'path') {
      const path = detail ? (detail.pathname as string | undefined) : undefined;
      return path !== undefined ? A.str(path) : plainInt(v);
    }
    if (kind === 'pipefds' && detail && detail.reader !== undefined) return A.array([A.fd(num(detail.reader)), A.fd(num(detail.writer))]);
    if (kind === 'argv') {
      const argv = detail ? (detail.argv as string[] | undefined) : undefined;
      return argv ? A.array(argv.map((s) => A.str(s))) : plainInt(v);
    }
    return plainInt(v);
  });
}
