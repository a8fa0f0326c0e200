import type { ArgValue, CallEvent, TraceEvent } from '../model/index.js';
import { errnoName, errnoNumber } from '../model/index.js';
import { argString } from '../model/index.js';
import { callName, FD_ARG0_CALLS, FD_MAKERS, peel } from '../state/index.js';
import { UsageError } from '../util/errors.js';
import { CALL_CLASSES, classCalls } from './classes.js';

/** A predicate over events. */
export type Matcher = (ev: TraceEvent) => boolean;

/** What the list shows: every given criterion must hold (lists within one criterion are alternatives). */
export interface FilterSpec {
  pids?: number[];
  tids?: number[];
  calls?: string[];
  classes?: string[];
  /** errno names; "any" for every failed call. */
  errnos?: string[];
}

/** One breakpoint: stops on a call of a name, on a path, failing with an errno, or on an fd. */
export interface Breakpoint {
  kind: 'call' | 'path' | 'errno' | 'fd';
  value: string;
}

function splitSpec(spec: string, what: string): [string, string][] {
  const out: [string, string][] = [];
  for (const part of spec.trim().split(/\s+/).filter(Boolean)) {
    const m = /^([a-z]+)[=:](.+)$/.exec(part);
    if (!m) throw new UsageError(`${what}: expected key=value, got ${JSON.stringify(part)}`);
    out.push([m[1], m[2]]);
  }
  return out;
}

function ints(v: string, what: string): number[] {
  const list = v.split(',');
  if (!list.every((x) => /^\d+$/.test(x))) throw new UsageError(`${what}: expected comma-separated numbers, got ${JSON.stringify(v)}`);
  return list.map(Number);
}

function errnos(v: string, what: string): string[] {
  const list = v.split(',');
  for (const e of list) if (e !== 'any' && errnoNumber(e.toUpperCase()) === undefined) throw new UsageError(`${what}: unknown errno ${JSON.stringify(e)}`);
  return list.map((e) => (e === 'any' ? e : e.toUpperCase()));
}

/** Parses `pid=1,2 tid=3 call=openat,read class=file errno=ENOENT` (space-separated criteria). Throws UsageError. */
export function parseFilter(spec: string): FilterSpec {
  const f: FilterSpec = {};
  for (const [k, v] of splitSpec(spec, 'filter')) {
    if (k === 'pid') f.pids = [...(f.pids ?? []), ...ints(v, 'filter pid')];
    else if (k === 'tid') f.tids = [...(f.tids ?? []), ...ints(v, 'filter tid')];
    else if (k === 'call') f.calls = [...(f.calls ?? []), ...v.split(',')];
    else if (k === 'class') {
      for (const c of v.split(',')) if (!classCalls(c)) throw new UsageError(`filter: unknown class ${JSON.stringify(c)} (known: ${Object.keys(CALL_CLASSES).join(', ')})`);
      f.classes = [...(f.classes ?? []), ...v.split(',')];
    } else if (k === 'errno') f.errnos = [...(f.errnos ?? []), ...errnos(v, 'filter errno')];
    else throw new UsageError(`filter: unknown key ${JSON.stringify(k)} (use pid, tid, call, class, errno)`);
  }
  return f;
}

/** The filter as the user would type it again. */
export function describeFilter(f: FilterSpec | undefined): string {
  if (!f) return '';
  const parts: string[] = [];
  if (f.pids?.length) parts.push(`pid=${f.pids.join(',')}`);
  if (f.tids?.length) parts.push(`tid=${f.tids.join(',')}`);
  if (f.calls?.length) parts.push(`call=${f.calls.join(',')}`);
  if (f.classes?.length) parts.push(`class=${f.classes.join(',')}`);
  if (f.errnos?.length) parts.push(`errno=${f.errnos.join(',')}`);
  return parts.join(' ');
}

/** A matcher for a filter (undefined filter: everything). */
export function filterMatcher(f: FilterSpec | undefined): Matcher {
  if (!f || !describeFilter(f)) return () => true;
  const pids = f.pids?.length ? new Set(f.pids) : undefined;
  const tids = f.tids?.length ? new Set(f.tids) : undefined;
  let names: Set<string> | undefined;
  if (f.calls?.length || f.classes?.length) {
    names = new Set(f.calls ?? []);
    for (const c of f.classes ?? []) for (const n of classCalls(c) ?? []) names.add(n);
  }
  const anyErr = f.errnos?.includes('any');
  const errs = f.errnos?.length ? new Set(f.errnos.filter((e) => e !== 'any').map((e) => errnoNumber(e) as number)) : undefined;
  return (ev) => {
    if (pids && !pids.has(ev.pid)) return false;
    if (tids && !tids.has(ev.tid)) return false;
    if (names && (ev.kind !== 'call' || !names.has(callName(ev)))) return false;
    if (errs && (ev.kind !== 'call' || ev.errno === 0 || (!anyErr && !errs.has(ev.errno)))) return false;
    return true;
  };
}

/** Parses `call=NAME`, `path=P`, `errno=E` or `fd=N`. Throws UsageError. */
export function parseBreakpoint(spec: string): Breakpoint {
  const parts = splitSpec(spec, 'break');
  if (parts.length !== 1) throw new UsageError(`break: expected one of call=NAME, path=PATH, errno=ERRNO, fd=N (got ${JSON.stringify(spec)})`);
  const [k, v] = parts[0];
  if (k === 'call' || k === 'path') return { kind: k, value: v };
  if (k === 'errno') return { kind: k, value: errnos(v, 'break errno')[0] };
  if (k === 'fd') return { kind: k, value: String(ints(v, 'break fd')[0]) };
  throw new UsageError(`break: unknown key ${JSON.stringify(k)} (use call, path, errno, fd)`);
}

/** The breakpoint as typed. */
export function describeBreakpoint(b: Breakpoint): string {
  return `${b.kind}=${b.value}`;
}

function pathsOf(c: CallEvent): string[] {
  const out: string[] = [];
  const visit = (a: ArgValue | undefined, depth: number) => {
    const v = peel(a);
    if (!v || depth > 3) return;
    if (v.k === 'str') {
      const s = argString(v);
      if (s !== undefined && s.length < 4096) out.push(s);
    } else if (v.k === 'fd' && v.path !== undefined) out.push(v.path);
    else if (v.k === 'array') v.items.slice(0, 16).forEach((x) => visit(x, depth + 1));
    else if (v.k === 'struct') v.fields.slice(0, 16).forEach(([, x]) => visit(x, depth + 1));
  };
  for (const a of c.args) visit(a, 0);
  if (c.retAnnotation) out.push(c.retAnnotation);
  return out;
}

/** True when a call names `path` (contained in a string argument, an fd's path, or the returned fd's path). */
export function onPath(ev: TraceEvent, path: string): boolean {
  if (ev.kind === 'exec') return ev.path.includes(path);
  if (ev.kind !== 'call') return false;
  return pathsOf(ev).some((p) => p.includes(path));
}

const RETURNS_FD = new Set(['open', 'openat', 'openat2', 'creat', 'dup', 'dup2', 'dup3', ...Object.keys(FD_MAKERS)]);

/** The fds a call acts on: its fd arguments (raw arg 0 for raw-only calls that take one), and the fd it returned. */
export function fdsOf(c: CallEvent): number[] {
  const out: number[] = [];
  const name = callName(c);
  if (c.args.length) {
    for (const a of c.args) {
      const v = peel(a);
      if (v && v.k === 'fd' && v.fd >= 0) out.push(v.fd);
      else if (v && v.k === 'array' && (name === 'pipe' || name === 'pipe2' || name === 'socketpair'))
        for (const it of v.items) {
          const x = peel(it);
          if (x && (x.k === 'fd' || x.k === 'int')) out.push(Number(x.k === 'fd' ? x.fd : x.v));
        }
    }
  } else if (FD_ARG0_CALLS.has(name) && c.rawArgs.length) out.push(Number(c.rawArgs[0]));
  if (c.errno === 0 && RETURNS_FD.has(name)) out.push(Number(c.retval));
  if (name === 'fcntl' && c.errno === 0 && /F_DUPFD/.test(JSON.stringify(c.args[1] ?? ''))) out.push(Number(c.retval));
  return out;
}

/** True when a call acts on fd `fd`. */
export function onFd(ev: TraceEvent, fd: number): boolean {
  return ev.kind === 'call' && fdsOf(ev).includes(fd);
}

/** A matcher for one breakpoint. */
export function breakpointMatcher(b: Breakpoint): Matcher {
  switch (b.kind) {
    case 'call':
      return (ev) => ev.kind === 'call' && callName(ev) === b.value;
    case 'path':
      return (ev) => onPath(ev, b.value);
    case 'errno': {
      const n = b.value === 'any' ? -1 : (errnoNumber(b.value) as number);
      return (ev) => ev.kind === 'call' && ev.errno !== 0 && (n < 0 || ev.errno === n);
    }
    case 'fd': {
      const fd = Number(b.value);
      return (ev) => onFd(ev, fd);
    }
  }
}

/** True for a call that failed. */
export function failed(ev: TraceEvent): boolean {
  return ev.kind === 'call' && ev.errno !== 0;
}

/** The errno of a call as `ENOENT`, or ''. */
export function errnoLabel(ev: TraceEvent): string {
  return ev.kind === 'call' && ev.errno ? errnoName(ev.errno) : '';
}
