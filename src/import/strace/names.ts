import { syscallNumber } from '../../model/index.js';
import { DATA_CALLS, type DataSpec } from './data.js';

const CLONE_CALLS = new Set(['clone', 'clone3', 'fork', 'vfork']);
const EXEC_CALLS = new Set(['execve', 'execveat']);
const NO_RETURN = new Set(['exit', 'exit_group']);

/** Distinct call names remembered; a damaged log full of made-up names does not grow the table past it. */
const MAX_NAMES = 4096;

/** What the strace importer needs to know of a call name, worked out once per distinct name. */
export interface CallInfo {
  /** The name as a string of its own, not a slice of the line it was read from. */
  name: string;
  sysno: number;
  /** How the call carries data (read/write-style), if it does. */
  data: DataSpec | undefined;
  /** Index of the top-level argument whose string is data, kept as raw bytes; -1 for none. */
  bytesArg: number;
  clone: boolean;
  exec: boolean;
  noReturn: boolean;
}

const known = new Map<string, CallInfo>();

/** Names met lately, by a hash of their length and end chars: most lines find their name here. */
const recent: (CallInfo | undefined)[] = new Array(256).fill(undefined);

function slot(s: string, p: number, q: number): number {
  return ((q - p) * 31 + s.charCodeAt(p) * 7 + s.charCodeAt(q - 1)) & 255;
}

/** The CallInfo of the name that is s[p, q), without cutting it out of the line when it was met lately. */
export function callInfoAt(s: string, p: number, q: number): CallInfo {
  const k = slot(s, p, q);
  const hit = recent[k];
  if (hit !== undefined && hit.name.length === q - p && s.startsWith(hit.name, p)) return hit;
  const info = callInfo(s.slice(p, q));
  recent[k] = info;
  return info;
}

/** The CallInfo of a call name: one map lookup for a name seen before, instead of one per table. */
export function callInfo(name: string): CallInfo {
  const k = name.length ? slot(name, 0, name.length) : 0;
  const last = recent[k];
  if (last !== undefined && last.name === name) return last;
  const hit = known.get(name);
  if (hit) return hit;
  const own = Buffer.from(name, 'latin1').toString('latin1');
  const data = Object.hasOwn(DATA_CALLS, own) ? DATA_CALLS[own] : undefined;
  const info: CallInfo = {
    name: own,
    sysno: syscallNumber(own),
    data,
    bytesArg: data && data.shape === 'str' ? data.arg : -1,
    clone: CLONE_CALLS.has(own),
    exec: EXEC_CALLS.has(own),
    noReturn: NO_RETURN.has(own),
  };
  if (known.size < MAX_NAMES) known.set(own, info);
  return info;
}
