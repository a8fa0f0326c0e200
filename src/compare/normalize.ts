import type { ArgValue, CallEvent, Int64, NewEvent } from '../model/index.js';
import { argNumber, argString, CallFlags, signalName } from '../model/index.js';
import { FdTables } from './fds.js';
import { hashBytes, hashString, mix } from './hash.js';
import type { ProfileName } from './rules.js';
import { FD_ARGS, FD_DUP, FD_PAIR_ARG, FD_TARGET_OF, INODE_DEVICE_FIELDS, PATH_ARGS, PID_ARGS, RET_KIND, type RetKind, STAT_FIELDS_STRICT, VDSO_CALLS } from './tables.js';
import { type Task, TaskTracker } from './tasks.js';

/** A call as the normalizer reads it: a trace's, or one being written (its seq given apart). */
type NewCallEvent = Omit<CallEvent, 'seq'>;

/** One event of a task's normalized stream. */
export interface NormItem {
  task: Task;
  seq: number;
  /** Call name, or `exec`, `signal`, `exit`. */
  name: string;
  /** Identity text (name, paths, fd targets, pid arguments) when the normalizer keeps text, else "". */
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
const CLONE_THREAD = 0x10000n;
const TIMING_CALLS = new Set(['futex', 'sched_yield', 'nanosleep', 'clock_nanosleep']);
const RESTART_ERRNOS = new Set([512, 513, 514, 516]);
const F_DUPFD = 0;
const F_DUPFD_CLOEXEC = 1030;
const EXEC_CALLS = new Set(['execve', 'execveat']);
const RANDOM_CALLS = new Set(['getrandom']);
const RANDOM_SOURCES = new Set(['/dev/urandom', '/dev/random']);

function toFd(v: Int64 | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'number') return v | 0;
  return Number(BigInt.asIntN(32, v));
}

function chain(h: number, s: string): number {
  return hashString(s, mix(h, 0x2c));
}

/** What normalization needs to know about one call name, looked up once per name. */
interface CallSpec {
  paths: readonly number[];
  fds: readonly number[];
  pids: readonly number[];
  ret?: RetKind;
  vdso: boolean;
  exec: boolean;
  random: boolean;
  stat: boolean;
  nameHash: number;
}

const RES_UNKNOWN = hashString('?');
const RES_ERRNO = hashString('errno');
const RES_OK = hashString('ok');
const RES_VALUE = hashString('value');
const RES_PID = hashString('pid');
const RES_SELF = hashString('self');
const RES_PARENT = hashString('parent');
const RES_KIND = hashString('kind');

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

function hasCloneThread(a: ArgValue): boolean {
  switch (a.k) {
    case 'flags':
      return a.v.includes('CLONE_THREAD');
    case 'struct':
      return a.fields.some(([, v]) => hasCloneThread(v));
    case 'comment':
      return !!a.of && hasCloneThread(a.of);
    case 'op':
      return hasCloneThread(a.l);
    default:
      return false;
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
  private specs = new Map<string, CallSpec>();
  private text: boolean;

  /** `text` keeps each item's identity as text (idText) for tests and debugging; otherwise idText is "". */
  constructor(
    readonly profile: ProfileName = 'strict',
    opts: { text?: boolean } = {},
  ) {
    this.strict = profile === 'strict';
    this.text = !!opts.text;
  }

  /** The stream item for `ev`, or undefined when the event is not part of any stream (start, unparsed, set aside). */
  push(ev: NewEvent, seq = ev.seq ?? 0): NormItem | undefined {
    const it = this.step(ev, seq);
    if (this.tasks.created.length) {
      for (const t of this.tasks.created) if (!t.isThread && t.parent) this.fds.fork(t.parent.pid, t.pid);
      this.tasks.created = [];
    }
    return it;
  }

  private step(ev: NewEvent, seq: number): NormItem | undefined {
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
        return this.item(task, seq, 'exec', `exec(${path})`, 0, 0, 0, path, false);
      }
      case 'signal': {
        const task = this.tasks.get(tid, ev.pid);
        const name = ev.name || signalName(ev.signo);
        return this.item(task, seq, 'signal', `signal(${name})`, 0, 0, 0, '', false);
      }
      case 'exit': {
        const task = this.tasks.get(tid, ev.pid);
        this.tasks.ended(task, ev.status, ev.signal);
        if (!ev.threadOnly) this.fds.drop(ev.pid);
        const res = ev.signal ? `killed:${signalName(ev.signal)}` : `status:${ev.status}`;
        return this.item(task, seq, 'exit', ev.threadOnly ? 'exit(thread)' : 'exit()', hashString(res), 0, 0, '', !ev.threadOnly);
      }
      case 'call':
        return this.call(ev, tid, seq);
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

  private spec(name: string): CallSpec {
    let sp = this.specs.get(name);
    if (!sp) {
      sp = {
        paths: PATH_ARGS[name] ?? [],
        fds: FD_ARGS[name] ?? [],
        pids: PID_ARGS[name] ?? [],
        ret: RET_KIND[name],
        vdso: VDSO_CALLS.has(name),
        exec: EXEC_CALLS.has(name),
        random: RANDOM_CALLS.has(name),
        stat: STAT_CALLS.has(name),
        nameHash: hashString(name),
      };
      this.specs.set(name, sp);
    }
    return sp;
  }

  private setAsideCall(name: string): void {
    this.setAside.count++;
    this.setAside.byName.set(name, (this.setAside.byName.get(name) ?? 0) + 1);
  }

  private call(ev: NewCallEvent, tid: number, seq: number): NormItem | undefined {
    const sp = this.spec(ev.name);
    if (sp.vdso || ev.flags & CallFlags.vdso || (!this.strict && TIMING_CALLS.has(ev.name))) {
      this.setAsideCall(ev.name);
      return undefined;
    }
    if (ev.errno >= 512 && RESTART_ERRNOS.has(ev.errno)) {
      this.setAsideCall(ev.name);
      this.tasks.get(tid, ev.pid);
      return undefined;
    }
    if (sp.exec && !ev.errno) {
      this.tasks.get(tid, ev.pid);
      return undefined;
    }
    const task = this.tasks.get(tid, ev.pid);
    const pid = task.pid;
    const parts: string[] = [];
    let subject = '';
    let pathless = false;
    let id = sp.nameHash;
    let bare = sp.nameHash;
    for (const i of sp.paths) {
      const p = argString(ev.args[i]);
      if (p === undefined) pathless = true;
      const t = p ?? '?';
      parts.push(t);
      id = chain(id, t);
      if (!subject && p) subject = p;
    }
    for (const i of sp.fds) {
      const a = ev.args[i];
      let t: string;
      if (a && a.k === 'sym') t = a.v;
      else {
        const fd = toFd(argNumber(a) ?? ev.rawArgs[i]);
        t = fd === undefined ? '?' : this.fds.target(pid, fd);
      }
      parts.push(t);
      id = chain(id, t);
      bare = chain(bare, t);
      if (!subject && t !== 'AT_FDCWD') subject = t;
    }
    for (const i of sp.pids) {
      const n = toFd(argNumber(ev.args[i]) ?? ev.rawArgs[i]);
      const path = n !== undefined && n > 0 ? this.tasks.pathOf(n) : undefined;
      const t = n === undefined ? '?' : n > 0 ? (path ? `task:${path}` : 'pid') : String(n);
      parts.push(t);
      id = chain(id, t);
      bare = chain(bare, t);
    }
    const finished = !(ev.flags & (CallFlags.unfinished | CallFlags.retvalUnknown));
    if (finished && !ev.errno) this.track(ev, task, parts, sp);
    let res: number;
    if (!finished) res = RES_UNKNOWN;
    else if (ev.errno) res = mix(RES_ERRNO, ev.errno);
    else if (!this.strict) res = RES_OK;
    else res = this.retHash(ev, task, sp.ret);
    let data = 0;
    if (this.strict && finished && !sp.random && (ev.buffers.length || sp.stat) && !RANDOM_SOURCES.has(subject)) {
      for (const b of ev.buffers) {
        data = mix(data, b.out ? 1 : 2);
        data = mix(data, b.data.length ? hashBytes(b.data, DATA_PREFIX) : b.digest?.length ? hashBytes(b.digest) : 0);
      }
      if (sp.stat) {
        const pieces: string[] = [];
        for (const a of ev.args) semanticStruct(a, pieces);
        if (pieces.length) data = mix(data, hashString(pieces.join(';')));
      }
    }
    task.calls++;
    const idText = this.text ? `${ev.name}(${parts.join(',')})` : '';
    return { task, seq, name: ev.name, idText, id, bare: sp.paths.length ? bare : id, pathless, res, data, full: mix(id, res), errno: ev.errno, subject: subject && this.intern(subject), outcome: false };
  }

  private retHash(ev: NewCallEvent, task: Task, kind: RetKind | undefined): number {
    if (!kind) {
      const v = ev.retval;
      return typeof v === 'number' && (v | 0) === v ? mix(RES_VALUE, v) : hashString(String(v), RES_VALUE);
    }
    switch (kind) {
      case 'pid': {
        const n = Number(ev.retval);
        if (n <= 0) return mix(RES_VALUE, n | 0);
        const p = this.tasks.pathOf(n);
        return p ? hashString(`task:${p}`) : RES_PID;
      }
      case 'self':
        return RES_SELF;
      case 'parent':
        return task.parent ? hashString(`task:${task.parent.path}`) : RES_PARENT;
      default:
        return hashString(kind, RES_KIND);
    }
  }

  private track(ev: NewCallEvent, task: Task, parts: string[], sp: CallSpec): void {
    const pid = task.pid;
    const ret = toFd(ev.retval) ?? -1;
    if (CLONE_CALLS.has(ev.name)) {
      if (ret > 0) {
        const thread = ev.args.some(hasCloneThread) || (ev.name === 'clone' && ev.args.length === 0 && ev.rawArgs[0] !== undefined && (BigInt(ev.rawArgs[0]) & CLONE_THREAD) !== 0n);
        this.tasks.cloned(task, ret, thread);
      }
      return;
    }
    const dup = FD_DUP[ev.name];
    if (dup) {
      const src = parts[sp.paths.length];
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
    if (sp.ret === 'fd' && ret >= 0) {
      const paths = sp.paths;
      const target = paths && paths.length ? (argString(ev.args[paths[0]]) ?? '?') : (FD_TARGET_OF[ev.name] ?? ev.name);
      this.fds.set(pid, ret, this.intern(target));
    }
  }
}
