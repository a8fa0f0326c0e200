import path from 'node:path/posix';
import type { CallEvent } from '../model/index.js';
import { argBits, argFdPath, argInt, argIntArray, argPath, callName, decodedArg, hasBits, peel, retNum, retPath, valueBits } from './accessors.js';
import type { Draft } from './draft.js';
import { CLOSE_RANGE_FLAGS, CREATE_FLAGS, FCNTL_CMDS, FD_CLOEXEC_FLAGS, FD_MAKERS, O_ACCMODE, O_APPEND, O_CLOEXEC, OPEN_FLAGS } from './tables.js';
import type { FdEntry, FdTable, Proc } from './types.js';
import { argField } from '../model/index.js';

const AT_FDCWD = -100;
const EBADF = 9;

function accessMode(flags: number): string {
  if (hasBits(flags, OPEN_FLAGS.O_PATH)) return 'path';
  const acc = flags & O_ACCMODE;
  return acc === 0 ? 'r' : acc === 1 ? 'w' : 'rw';
}

/** Resolves `p` against the directory fd `dirfd` (AT_FDCWD: the cwd) of `proc`; relative when the base is unknown. */
export function resolvePath(d: Draft, proc: Proc, dirfd: number | undefined, p: string): string {
  if (p.startsWith('/')) return path.normalize(p);
  const base = dirfd === undefined || dirfd === AT_FDCWD ? proc.cwd : d.fdTable(proc.fdTable).get(dirfd)?.path;
  if (!base || !base.startsWith('/')) return p;
  return p === '' ? base : path.join(base, p);
}

function update(d: Draft, proc: Proc, fn: (t: Map<number, FdEntry>) => void): void {
  const t = new Map(d.fdTable(proc.fdTable));
  fn(t);
  d.setFdTable(proc.fdTable, t);
}

/** Sets `fd` to `e` in the process's (possibly shared) fd table. */
export function setFd(d: Draft, proc: Proc, fd: number, e: FdEntry): void {
  if (fd < 0) return;
  update(d, proc, (t) => t.set(fd, e));
}

function openCall(d: Draft, p: Proc, ev: CallEvent, dirfdArg: number, pathArg: number, flags: number): void {
  const fd = retNum(ev);
  const given = argPath(ev, pathArg);
  const dirfd = dirfdArg < 0 ? AT_FDCWD : argInt(ev, dirfdArg);
  const where = retPath(ev) ?? (given === undefined ? '' : resolvePath(d, p, dirfd, given));
  setFd(d, p, fd, {
    kind: hasBits(flags, OPEN_FLAGS.O_DIRECTORY) ? 'dir' : 'file',
    path: where,
    cloexec: hasBits(flags, O_CLOEXEC),
    append: hasBits(flags, O_APPEND),
    mode: accessMode(flags),
    since: ev.seq,
  });
}

function dupTo(d: Draft, p: Proc, ev: CallEvent, oldfd: number | undefined, newfd: number, cloexec: boolean): void {
  if (oldfd === undefined || oldfd === newfd) return;
  const src = d.fdTable(p.fdTable).get(oldfd);
  const e: FdEntry = src
    ? { ...src, cloexec, since: ev.seq }
    : { kind: 'unknown', path: argFdPath(ev, 0) ?? retPath(ev) ?? '', cloexec, append: false, mode: '', since: ev.seq };
  setFd(d, p, newfd, e);
}

function makePair(d: Draft, p: Proc, ev: CallEvent, arrayArg: number, kind: string, cloexec: boolean, modes: [string, string]): void {
  const fds = argIntArray(ev, arrayArg);
  if (!fds || fds.length < 2) return;
  const arr = peel(ev.args[arrayArg]);
  const paths = arr && arr.k === 'array' ? arr.items.map((it) => (peel(it)?.k === 'fd' ? ((peel(it) as { path?: string }).path ?? '') : '')) : [];
  update(d, p, (t) => {
    for (let i = 0; i < 2; i++) t.set(fds[i], { kind, path: paths[i] || kind, cloexec, append: false, mode: modes[i], since: ev.seq });
  });
}

function describeNew(ev: CallEvent, kind: string, nameArg: number | undefined): string {
  const ann = retPath(ev);
  if (ann) return ann;
  if (nameArg !== undefined) {
    const n = argPath(ev, nameArg);
    if (n !== undefined) return `memfd:${n}`;
  }
  if (kind === 'socket') {
    const fam = decodedArg(ev, 0);
    if (fam && fam.k === 'sym') return `socket:${fam.v}`;
  }
  return `anon_inode:[${kind}]`;
}

/** An fd-state handler: applies one successful (or, for close, any) call to process `p`. */
export type FdHandler = (d: Draft, p: Proc, ev: CallEvent) => void;

/** The fd rules, by call name. */
export const FD_HANDLERS: Readonly<Record<string, FdHandler>> = {
  open: (d, p, ev) => openCall(d, p, ev, -1, 0, argBits(ev, 1, OPEN_FLAGS)),
  creat: (d, p, ev) => openCall(d, p, ev, -1, 0, OPEN_FLAGS.O_CREAT | OPEN_FLAGS.O_WRONLY | OPEN_FLAGS.O_TRUNC),
  openat: (d, p, ev) => openCall(d, p, ev, 0, 1, argBits(ev, 2, OPEN_FLAGS)),
  openat2: (d, p, ev) => openCall(d, p, ev, 0, 1, valueBits(argField(peel(ev.args[2]), 'flags'), OPEN_FLAGS) ?? 0),
  open_by_handle_at: (d, p, ev) => openCall(d, p, ev, 0, -1, argBits(ev, 2, OPEN_FLAGS)),
  close: (d, p, ev) => {
    const fd = argInt(ev, 0);
    if (fd === undefined || ev.errno === EBADF) return;
    if (d.fdTable(p.fdTable).has(fd)) update(d, p, (t) => t.delete(fd));
  },
  close_range: (d, p, ev) => {
    const first = argInt(ev, 0) ?? 0;
    let last = argInt(ev, 1);
    if (last === undefined || last < 0 || last >= 0xffffffff) last = Infinity;
    const flags = argBits(ev, 2, CLOSE_RANGE_FLAGS);
    if (hasBits(flags, CLOSE_RANGE_FLAGS.CLOSE_RANGE_UNSHARE)) unshareFds(d, p);
    const own = d.proc(p.pid) ?? p;
    update(d, own, (t) => {
      for (const [fd, e] of t) {
        if (fd < first || fd > last) continue;
        if (hasBits(flags, CLOSE_RANGE_FLAGS.CLOSE_RANGE_CLOEXEC)) t.set(fd, { ...e, cloexec: true });
        else t.delete(fd);
      }
    });
  },
  dup: (d, p, ev) => dupTo(d, p, ev, argInt(ev, 0), retNum(ev), false),
  dup2: (d, p, ev) => dupTo(d, p, ev, argInt(ev, 0), retNum(ev), false),
  dup3: (d, p, ev) => dupTo(d, p, ev, argInt(ev, 0), retNum(ev), hasBits(argBits(ev, 2, OPEN_FLAGS), O_CLOEXEC)),
  fcntl: (d, p, ev) => {
    const fd = argInt(ev, 0);
    const cmd = argInt(ev, 1, FCNTL_CMDS);
    if (fd === undefined) return;
    if (cmd === FCNTL_CMDS.F_DUPFD || cmd === FCNTL_CMDS.F_DUPFD_CLOEXEC) {
      dupTo(d, p, ev, fd, retNum(ev), cmd === FCNTL_CMDS.F_DUPFD_CLOEXEC);
      return;
    }
    const e = d.fdTable(p.fdTable).get(fd);
    if (!e) return;
    if (cmd === FCNTL_CMDS.F_SETFD) setFd(d, p, fd, { ...e, cloexec: hasBits(argBits(ev, 2, FD_CLOEXEC_FLAGS), 1) });
    else if (cmd === FCNTL_CMDS.F_SETFL) setFd(d, p, fd, { ...e, append: hasBits(argBits(ev, 2, OPEN_FLAGS), O_APPEND) });
  },
  pipe: (d, p, ev) => makePair(d, p, ev, 0, 'pipe', false, ['r', 'w']),
  pipe2: (d, p, ev) => makePair(d, p, ev, 0, 'pipe', hasBits(argBits(ev, 1, CREATE_FLAGS), O_CLOEXEC), ['r', 'w']),
  socketpair: (d, p, ev) => makePair(d, p, ev, 3, 'socket', hasBits(argBits(ev, 1, CREATE_FLAGS), O_CLOEXEC), ['rw', 'rw']),
  chdir: (d, p, ev) => {
    const given = argPath(ev, 0);
    if (given !== undefined) d.setProc({ ...p, cwd: resolvePath(d, p, AT_FDCWD, given) });
  },
  fchdir: (d, p, ev) => {
    const fd = argInt(ev, 0);
    const where = (fd === undefined ? undefined : d.fdTable(p.fdTable).get(fd)?.path) || argFdPath(ev, 0);
    if (where) d.setProc({ ...p, cwd: where });
  },
};

/** The rule for a call that creates one fd (socket, eventfd2, memfd_create, ...), from FD_MAKERS. */
export function makerHandler(name: string): FdHandler | undefined {
  const m = FD_MAKERS[name];
  if (!m) return undefined;
  return (d, p, ev) => {
    const flags = m.flagsArg >= 0 ? argBits(ev, m.flagsArg, CREATE_FLAGS) : 0;
    setFd(d, p, retNum(ev), {
      kind: m.kind,
      path: describeNew(ev, m.kind, m.nameArg),
      cloexec: m.cloexecBit !== 0 && hasBits(flags, m.cloexecBit),
      append: false,
      mode: 'rw',
      since: ev.seq,
    });
  };
}

/** Gives `p` a private copy of its fd table (CLOSE_RANGE_UNSHARE, unshare(CLONE_FILES), exec). */
export function unshareFds(d: Draft, p: Proc): Proc {
  const id = d.newId();
  d.setFdTable(id, d.fdTable(p.fdTable));
  const q = { ...p, fdTable: id };
  d.setProc(q);
  return q;
}

/** Drops every close-on-exec fd, in a table private to `p` (exec unshares the table). */
export function closeOnExec(d: Draft, p: Proc): Proc {
  const old: FdTable = d.fdTable(p.fdTable);
  const t = new Map<number, FdEntry>();
  for (const [fd, e] of old) if (!e.cloexec) t.set(fd, e);
  const id = d.newId();
  d.setFdTable(id, t);
  const q = { ...p, fdTable: id };
  d.setProc(q);
  return q;
}

/** Learns fds the trace shows with a path (strace -yy) that the table does not know yet (inherited before the trace began). */
export function learnFds(d: Draft, p: Proc, ev: CallEvent): void {
  const name = callName(ev);
  if (name === 'close' || name === 'dup2' || name === 'dup3') return;
  for (const a of ev.args) {
    const v = peel(a);
    if (!v || v.k !== 'fd' || v.fd < 0 || v.path === undefined) continue;
    const cur = d.fdTable(p.fdTable).get(v.fd);
    if (!cur) setFd(d, p, v.fd, { kind: 'inherited', path: v.path, cloexec: false, append: false, mode: '', since: -1 });
    else if (cur.path === '') setFd(d, p, v.fd, { ...cur, path: v.path });
  }
}
