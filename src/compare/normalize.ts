import type { ArgValue, CallEvent, Int64, TraceEvent } from '../model/index.js';
import { argNumber, argString, CallFlags, errnoName, signalName } from '../model/index.js';
import { FdTables } from './fds.js';
import { hashBytes, hashString, mix } from './hash.js';
import type { ProfileName } from './rules.js';
import { FD_ARGS, FD_DUP, FD_PAIR_ARG, FD_TARGET_OF, INODE_DEVICE_FIELDS, PATH_ARGS, PID_ARGS, RET_KIND, STAT_FIELDS_STRICT, VDSO_CALLS } from './tables.js';
import { type Task, TaskTracker } from './tasks.js';

/** One event of a task's normalized stream. */
export interface NormItem {
  task: Task;
  seq: number;
  /** Call name, or `exec`, `signal`, `exit`. */
  name: string;
  /** Identity text: name, paths, fd targets, pid arguments. */
  idText: string;
  /** Hash of the identity: what alignment pairs on. */
  id: number;
  /** Hash of the result (errno name or normalized return value). */
  res: number;
  /** Identity hash without path arguments, used for calls whose paths one trace does not carry. */
  bare: number;
  /** A path argument of this call was not decoded (raw-argument sources). */
  pathless: boolean;
  /** Hash of the data read or written and of returned structs (0 when absent or not compared). */
  data: number;
  /** Identity and result, hashed: what stream digests and bisect compare. */
  full: number;
  errno: number;
  /** The first path or fd target the call names, for suppressions; "" when none. */
  subject: string;
  /** Exit events: the ones that decide the program's outcome. */
  outcome: boolean;
}

/** What the normalizer set aside instead of putting it into a stream. */
export interface SetAside {
  count: number;
  byName: Map<string, number>;
}

const CLONE_CALLS = new Set(['clone', 'clone3', 'fork', 'vfork']);
const STAT_CALLS = new Set(['stat', 'lstat', 'fstat', 'newfstatat', 'statx', 'fstatat64']);
const DATA_PREFIX = 32;
const RESTART_ERRNOS = new Set([512, 513, 514, 516]);
const F_DUPFD = 0;
const F_DUPFD_CLOEXEC = 1030;
const EXEC_CALLS = new Set(['execve', 'execveat']);
const RANDOM_CALLS = new Set(['getrandom']);
const RANDOM_SOURCES = new Set(['/dev/urandom', '/dev/random']);

function toFd(v: Int64 | undefined): number | undefined {
  if (v === undefined) return undefined;
  return Number(BigInt.asIntN(32, BigInt(v)));
}

function canon(a: ArgValue): string {
  switch (a.k) {
    case 'int':
      return String(a.v);
    case 'str':
      return typeof a.v === 'string' ? JSON.stringify(a.v) : Buffer.from(a.v).toString('hex');
    case 'flags':
      return [...a.v].sort().join('|');
    case 'sym':
      return a.v;
    case 'struct':
      return `{${a.fields.filter(([n]) => !INODE_DEVICE_FIELDS.has(n)).map(([n, v]) => `${n}=${canon(v)}`).join(',')}}`;
    case 'array':
      return `[${a.items.map(canon).join(',')}]`;
    case 'fn':
      return a.name === 'makedev' ? 'dev' : `${a.name}(${a.args.map(canon).join(',')})`;
    case 'comment':
      return a.of ? canon(a.of) : '';
    case 'not':
      return `~${canon(a.v)}`;
    case 'op':
      return `${canon(a.l)}${a.op}${canon(a.r)}`;
    default:
      return a.k;
  }
}

function semanticStruct(a: ArgValue | undefined, out: string[]): void {
  if (!a) return;
  if (a.k === 'struct') {
    for (const [n, v] of a.fields) {
      if (STAT_FIELDS_STRICT.has(n)) out.push(`${n}=${canon(v)}`);
      else if (v.k === 'struct') semanticStruct(v, out);
    }
  } else if (a.k === 'comment' && a.of) semanticStruct(a.of, out);
}

/**
 * Turns events into normalized stream items, one stream per task, under a profile's rules (see rules.ts).
 * Stateful (task tree, fd tables) and pure: feed every event of one trace in order.
 */
export class Normalizer {
  readonly tasks = new TaskTracker();
  readonly setAside: SetAside = { count: 0, byName: new Map() };
  private fds = new FdTables();
  private strict: boolean;
  private strings = new Map<string, string>();

  constructor(readonly profile: ProfileName = 'strict') {
    this.strict = profile === 'strict';
  }

  /** The stream item for `ev`, or undefined when the event is not part of any stream (start, unparsed, set aside). */
  push(ev: TraceEvent): NormItem | undefined {
    const it = this.step(ev);
    if (this.tasks.created.length) {
      for (const t of this.tasks.created) if (!t.isThread && t.parent) this.fds.fork(t.parent.pid, t.pid);
      this.tasks.created = [];
    }
    return it;
  }

  private step(ev: TraceEvent): NormItem | undefined {
    const tid = ev.tid || ev.pid;
    switch (ev.kind) {
      case 'start':
        this.tasks.start(tid, ev.parentPid, ev.isThread, ev.isRoot);
        return undefined;
      case 'unparsed':
        return undefined;
      case 'exec': {
        const task = this.tasks.get(tid, ev.pid);
        const path = this.intern(ev.path);
        task.execs.push(path);
        return this.item(task, ev.seq, 'exec', `exec(${path})`, 0, 0, 0, path, false);
      }
      case 'signal': {
        const task = this.tasks.get(tid, ev.pid);
        const name = ev.name || signalName(ev.signo);
        return this.item(task, ev.seq, 'signal', `signal(${name})`, 0, 0, 0, '', false);
      }
      case 'exit': {
        const task = this.tasks.get(tid, ev.pid);
        this.tasks.ended(task, ev.status, ev.signal);
        if (!ev.threadOnly) this.fds.drop(ev.pid);
        const res = ev.signal ? `killed:${signalName(ev.signal)}` : `status:${ev.status}`;
        return this.item(task, ev.seq, 'exit', ev.threadOnly ? 'exit(thread)' : 'exit()', hashString(res), 0, 0, '', !ev.threadOnly);
      }
      case 'call':
        return this.call(ev, tid);
    }
  }

  /** A flat copy of a string kept beyond one event (decoders hand out slices that pin whole chunks). */
  private intern(s: string): string {
    const hit = this.strings.get(s);
    if (hit !== undefined) return hit;
    if (this.strings.size >= 100_000) this.strings.clear();
    const c = Buffer.from(s, 'utf8').toString('utf8');
    this.strings.set(c, c);
    return c;
  }

  private item(task: Task, seq: number, name: string, idText: string, res: number, data: number, errno: number, subject: string, outcome: boolean, bareText = idText, pathless = false): NormItem {
    task.calls++;
    const id = hashString(idText);
    const bare = bareText === idText ? id : hashString(bareText);
    return { task, seq, name, idText, id, bare, pathless, res, data, full: mix(id, res), errno, subject, outcome };
  }

  private call(ev: CallEvent, tid: number): NormItem | undefined {
    if (VDSO_CALLS.has(ev.name) || ev.flags & CallFlags.vdso) {
      this.setAside.count++;
      this.setAside.byName.set(ev.name, (this.setAside.byName.get(ev.name) ?? 0) + 1);
      return undefined;
    }
    if (RESTART_ERRNOS.has(ev.errno)) {
      this.setAside.count++;
      this.setAside.byName.set(ev.name, (this.setAside.byName.get(ev.name) ?? 0) + 1);
      this.tasks.get(tid, ev.pid);
      return undefined;
    }
    if (EXEC_CALLS.has(ev.name) && !ev.errno) {
      this.tasks.get(tid, ev.pid);
      return undefined;
    }
    const task = this.tasks.get(tid, ev.pid);
    const pid = task.pid;
    const parts: string[] = [];
    let subject = '';
    let pathless = false;
    const pathArgs = PATH_ARGS[ev.name] ?? [];
    for (const i of pathArgs) {
      const p = argString(ev.args[i]);
      if (p === undefined) pathless = true;
      parts.push(p ?? '?');
      if (!subject && p) subject = p;
    }
    for (const i of FD_ARGS[ev.name] ?? []) {
      const a = ev.args[i];
      let t: string;
      if (a && a.k === 'sym') t = a.v;
      else {
        const fd = toFd(argNumber(a) ?? ev.rawArgs[i]);
        t = fd === undefined ? '?' : this.fds.target(pid, fd);
      }
      parts.push(t);
      if (!subject && t !== 'AT_FDCWD') subject = t;
    }
    for (const i of PID_ARGS[ev.name] ?? []) {
      const v = argNumber(ev.args[i]) ?? ev.rawArgs[i];
      const n = v === undefined ? undefined : Number(BigInt.asIntN(32, BigInt(v)));
      parts.push(n === undefined ? '?' : n > 0 ? (this.tasks.pathOf(n) ? `task:${this.tasks.pathOf(n)}` : 'pid') : String(n));
    }
    const idText = `${ev.name}(${parts.join(',')})`;
    const bareText = pathArgs.length ? `${ev.name}(${parts.slice(pathArgs.length).join(',')})` : idText;
    const finished = !(ev.flags & (CallFlags.unfinished | CallFlags.retvalUnknown));
    if (finished && !ev.errno) this.track(ev, task, parts);
    let resText: string;
    if (!finished) resText = '?';
    else if (ev.errno) resText = errnoName(ev.errno);
    else resText = this.strict ? this.retText(ev, task) : 'ok';
    let data = 0;
    if (this.strict && finished && !RANDOM_CALLS.has(ev.name) && !RANDOM_SOURCES.has(subject)) {
      const pieces: string[] = [];
      for (const b of ev.buffers) {
        pieces.push(`${b.out ? 'o' : 'i'}:${b.data.length ? hashBytes(b.data, DATA_PREFIX) : b.digest?.length ? `sha:${Buffer.from(b.digest).toString('hex')}` : '-'}`);
      }
      if (STAT_CALLS.has(ev.name)) for (const a of ev.args) semanticStruct(a, pieces);
      if (pieces.length) data = hashString(pieces.join(';'));
    }
    return this.item(task, ev.seq, ev.name, idText, hashString(resText), data, ev.errno, subject && this.intern(subject), false, bareText, pathless);
  }

  private retText(ev: CallEvent, task: Task): string {
    const kind = RET_KIND[ev.name];
    if (!kind) return String(ev.retval);
    switch (kind) {
      case 'pid': {
        const n = Number(ev.retval);
        if (n <= 0) return String(n);
        const p = this.tasks.pathOf(n);
        return p ? `task:${p}` : 'pid';
      }
      case 'self':
        return 'self';
      case 'parent':
        return task.parent ? `task:${task.parent.path}` : 'parent';
      default:
        return kind;
    }
  }

  private track(ev: CallEvent, task: Task, parts: string[]): void {
    const pid = task.pid;
    const ret = toFd(ev.retval) ?? -1;
    if (CLONE_CALLS.has(ev.name)) {
      if (ret > 0) {
        const thread = ev.args.some((a) => a.k === 'flags' && a.v.includes('CLONE_THREAD')) || (ev.name === 'clone' && typeof ev.rawArgs[0] !== 'undefined' && (BigInt(ev.rawArgs[0]) & 0x10000n) !== 0n);
        this.tasks.cloned(task, ret, thread);
      }
      return;
    }
    const dup = FD_DUP[ev.name];
    if (dup) {
      const src = parts[(PATH_ARGS[ev.name] ?? []).length + 0];
      const dst = dup[1] < 0 ? ret : toFd(argNumber(ev.args[dup[1]]) ?? ev.rawArgs[dup[1]]);
      if (dst !== undefined && dst >= 0) this.fds.set(pid, dst, src ?? '?');
      return;
    }
    if (ev.name === 'fcntl' && ret >= 0) {
      const cmd = ev.args[1];
      const n = cmd && cmd.k === 'sym' ? undefined : Number(argNumber(cmd) ?? ev.rawArgs[1] ?? -1);
      const isDup = (cmd && cmd.k === 'sym' && cmd.v.startsWith('F_DUPFD')) || n === F_DUPFD || n === F_DUPFD_CLOEXEC;
      if (isDup) this.fds.set(pid, ret, parts[0] ?? '?');
      return;
    }
    if (ev.name === 'close') {
      const fd = toFd(argNumber(ev.args[0]) ?? ev.rawArgs[0]);
      if (fd !== undefined) this.fds.close(pid, fd);
      return;
    }
    const pairArg = FD_PAIR_ARG[ev.name];
    if (pairArg !== undefined) {
      const arr = ev.args[pairArg];
      if (arr && arr.k === 'array')
        arr.items.forEach((it, k) => {
          const fd = toFd(argNumber(it));
          if (fd !== undefined) this.fds.set(pid, fd, `${FD_TARGET_OF[ev.name]}:${k}`);
        });
      return;
    }
    if (RET_KIND[ev.name] === 'fd' && ret >= 0) {
      const paths = PATH_ARGS[ev.name];
      const target = paths && paths.length ? (argString(ev.args[paths[0]]) ?? '?') : (FD_TARGET_OF[ev.name] ?? ev.name);
      this.fds.set(pid, ret, this.intern(target));
    }
  }
}
