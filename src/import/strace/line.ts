import type { ArgValue } from '../../model/index.js';
import { fractionDigitsNs, fractionNs, Scanner, type CallResult } from './scan.js';
import { lineAt, lineBuf, lineText, StraceSyntaxError } from './quoted.js';
import { callInfo, callInfoAt, type CallInfo } from './names.js';

/** A line's timestamp as strace printed it: wall clock (-ttt), time of day (-t/-tt) or relative (-r). */
export interface LineTime {
  style: 'unix' | 'tod' | 'rel';
  sec: number;
  ns: number;
}

/** What one strace line says, before pairing and process tracking. */
export type LineBody =
  | { t: 'call'; name: string; info: CallInfo; args: ArgValue[]; result: CallResult }
  | { t: 'unfinished'; name: string; argsText: string }
  | { t: 'resumed'; name: string; restText: string }
  | { t: 'signal'; name: string; info?: ArgValue; note?: string }
  | { t: 'exited'; status: number }
  | { t: 'killed'; signal: string; core: boolean }
  | { t: 'superseded'; byPid: number }
  | { t: 'message'; text: string; attachedPid?: number };

/** One parsed line: optional pid prefix and time, then the body. */
export interface LineRecord {
  pid?: number;
  time?: LineTime;
  body: LineBody;
}

/** How strace ends the line of a call that another process's line interrupts. */
export const UNFINISHED = ' <unfinished ...>';

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/**
 * The position after the `<comm>` that -Y (--decode-pids=comm) prints after a pid, whose `<` is at
 * `p` (strace escapes a `>` in the name as \76, so the first `>` ends it); `p` when there is none.
 */
function skipComm(s: string, p: number): number {
  const close = s.indexOf('>', p + 1);
  return close < 0 || close - p > 200 ? p : close + 1;
}

/**
 * The prefix of the usual line from its registered bytes: `PID ` and/or `SECONDS.FRACTION ` (what
 * record's `-f --absolute-timestamps=unix,ns` and `-f -ttt`/`-r` logs print), read as bytes, which
 * is faster than charCodeAt. Returns the position after it, or -1 for any other form (spaces first,
 * `[pid N]`, `<comm>`, time of day), which parsePrefix then reads from the text. The newline after
 * the line's bytes stops every loop at its end.
 */
function bytesPrefix(rec: { pid?: number; time?: LineTime }): number {
  const b = lineBuf;
  const o = lineAt;
  let i = 0;
  let c = b[o];
  if (c < 48 || c > 57) return -1;
  let v = 0;
  do {
    v = v * 10 + c - 48;
    c = b[o + ++i];
  } while (c >= 48 && c <= 57 && i < 16);
  let pid: number | undefined;
  if (c === 32) {
    pid = v;
    do c = b[o + ++i];
    while (c === 32);
    if (c < 48 || c > 57) {
      rec.pid = pid;
      return i;
    }
    const start = i;
    v = 0;
    do {
      v = v * 10 + c - 48;
      c = b[o + ++i];
    } while (c >= 48 && c <= 57 && i - start < 16);
  }
  if (c !== 46) return -1;
  let frac = 0;
  let digits = 0;
  c = b[o + ++i];
  while (c >= 48 && c <= 57) {
    if (digits < 9) frac = frac * 10 + c - 48;
    digits++;
    c = b[o + ++i];
  }
  if (digits === 0 || c !== 32) return -1;
  do c = b[o + ++i];
  while (c === 32);
  if (pid !== undefined) rec.pid = pid;
  rec.time = { style: v >= 1e8 ? 'unix' : 'rel', sec: v, ns: fractionDigitsNs(frac, digits) };
  return i;
}

/** Reads the `[pid N]` or `N ` prefix, the timestamp and `-i`/`-n` brackets; returns the position of the body. */
function parsePrefix(s: string, rec: { pid?: number; time?: LineTime }): number {
  if (s === lineText) {
    const q = bytesPrefix(rec);
    if (q >= 0) return s.charCodeAt(q) === 91 ? brackets(s, q) : q;
  }
  let p = 0;
  const n = s.length;
  while (p < n && s.charCodeAt(p) === 32) p++;
  if (s.charCodeAt(p) === 91 && s.startsWith('[pid', p)) {
    p += 4;
    while (s.charCodeAt(p) === 32) p++;
    let v = 0;
    const ds = p;
    while (isDigit(s.charCodeAt(p))) v = v * 10 + s.charCodeAt(p++) - 48;
    if (p > ds && s.charCodeAt(p) === 60) p = skipComm(s, p);
    if (p === ds || s.charCodeAt(p) !== 93) throw new StraceSyntaxError('bad [pid N] prefix', p, p >= n);
    rec.pid = v;
    p++;
    while (s.charCodeAt(p) === 32) p++;
  }
  for (let round = 0; round < 2; round++) {
    if (!isDigit(s.charCodeAt(p))) break;
    let q = p;
    let v = 0;
    while (isDigit(s.charCodeAt(q))) v = v * 10 + s.charCodeAt(q++) - 48;
    let c = s.charCodeAt(q);
    if (c === 60 && rec.pid === undefined && rec.time === undefined) {
      // -Y (--decode-pids=comm): `1234<sh> `.
      const e = skipComm(s, q);
      if (e === q) break;
      q = e;
      c = s.charCodeAt(q);
    }
    if (c === 32 && rec.pid === undefined && rec.time === undefined) {
      rec.pid = v;
      p = q;
    } else if (c === 58) {
      const m = /^(\d+):(\d\d):(\d\d)(?:\.(\d+))?/.exec(s.slice(p, p + 32));
      if (!m) break;
      rec.time = { style: 'tod', sec: Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]), ns: m[4] ? fractionNs(m[4], -1, m[4].length) : 0 };
      p += m[0].length;
    } else if (c === 46) {
      let e = q + 1;
      while (isDigit(s.charCodeAt(e))) e++;
      rec.time = { style: v >= 1e8 ? 'unix' : 'rel', sec: v, ns: e > q + 1 ? fractionNs(s, q, e) : 0 };
      p = e;
    } else break;
    while (s.charCodeAt(p) === 32) p++;
  }
  return brackets(s, p);
}

/** Skips the `[...]` brackets of -i (instruction pointer) and -n (syscall number) at `p`. */
function brackets(s: string, p: number): number {
  while (s.charCodeAt(p) === 91) {
    const close = s.indexOf('] ', p);
    if (close < 0 || !/^[ 0-9a-fA-F?]+$/.test(s.slice(p + 1, close))) break;
    p = close + 2;
    while (s.charCodeAt(p) === 32) p++;
  }
  return p;
}

/** Parses one strace output line (no trailing newline). Throws StraceSyntaxError when it does not parse. */
export function parseLine(s: string): LineRecord {
  const rec: { pid?: number; time?: LineTime } = {};
  const p = parsePrefix(s, rec);
  try {
    return { pid: rec.pid, time: rec.time, body: parseBody(s, p) };
  } catch (err) {
    // ` <unfinished ..`: the marker the line's end cut.
    if (err instanceof StraceSyntaxError && !err.cut && endsInUnfinished(s)) throw new StraceSyntaxError(err.message, s.length, true);
    throw err;
  }
}

/** parseLine, or undefined for a line that does not parse. */
export function tryParseLine(s: string): LineRecord | undefined {
  try {
    return parseLine(s);
  } catch (err) {
    if (err instanceof StraceSyntaxError) return undefined;
    throw err;
  }
}

/** Whether `s` ends with the start of UNFINISHED (` <` at least) but not all of it. */
function endsInUnfinished(s: string): boolean {
  for (let k = UNFINISHED.length - 1; k >= 2; k--) if (s.endsWith(UNFINISHED.slice(0, k))) return true;
  return false;
}

function parseBody(s: string, p: number): LineBody {
  const c = s.charCodeAt(p);
  if (c === 60 && s.startsWith('<... ', p)) {
    const end = s.indexOf(' resumed>', p + 5);
    if (end < 0) throw new StraceSyntaxError('bad "<... resumed>"', p, true);
    return { t: 'resumed', name: s.slice(p + 5, end), restText: s.slice(end + 9) };
  }
  if (c === 45 && s.startsWith('--- ', p)) return parseSignal(s, p + 4);
  if (c === 43 && s.startsWith('+++ ', p)) return parseExit(s, p + 4);
  if (c === 115 && s.startsWith('strace: ', p)) {
    const text = s.slice(p + 8);
    const m = /^Process (\d+) attached/.exec(text);
    return m ? { t: 'message', text, attachedPid: Number(m[1]) } : { t: 'message', text };
  }
  let q = p;
  while (q < s.length) {
    const ch = s.charCodeAt(q);
    if (ch === 40) break;
    if (!((ch >= 97 && ch <= 122) || (ch >= 65 && ch <= 90) || isDigit(ch) || ch === 95 || ch === 63)) break;
    q++;
  }
  // No call's name begins with a digit (`0wait4(` is a number's end and a call).
  if (q === p || s.charCodeAt(q) !== 40 || isDigit(c)) throw new StraceSyntaxError('expected a call, signal or exit', p, q >= s.length);
  const info = callInfoAt(s, p, q);
  const name = info.name;
  if (s.endsWith(UNFINISHED)) return { t: 'unfinished', name, argsText: s.slice(q + 1, s.length - UNFINISHED.length) };
  const sc = new Scanner(s);
  sc.pos = q + 1;
  sc.bytesArg = info.bytesArg;
  const args = sc.parseArgs();
  const result = sc.parseResult();
  return { t: 'call', name, info, args, result };
}

/** Parses a paired call: `name(` + the unfinished part + the resumed part. */
export function parseJoined(name: string, argsText: string, restText: string): { args: ArgValue[]; result: CallResult } {
  const sc = new Scanner(argsText + restText);
  sc.bytesArg = callInfo(name).bytesArg;
  const args = sc.parseArgs();
  const result = sc.parseResult();
  return { args, result };
}

function parseSignal(s: string, p: number): LineBody {
  const end = s.lastIndexOf(' ---');
  if (end < p) throw new StraceSyntaxError('unterminated signal line', s.length, true);
  const inner = s.slice(p, end);
  const m = /^(SIG[A-Z0-9_+]+|stopped by (SIG[A-Z0-9_+]+))(?: (.*))?$/.exec(inner);
  if (!m) throw new StraceSyntaxError('bad signal line', p, false);
  if (m[2]) return { t: 'signal', name: m[2], note: 'stopped' };
  let info: ArgValue | undefined;
  if (m[3]) {
    const sc = new Scanner(m[3]);
    info = sc.parseValue();
  }
  return { t: 'signal', name: m[1], info };
}

function parseExit(s: string, p: number): LineBody {
  const inner = s.slice(p).replace(/ \+\+\+\s*$/, '');
  if (inner.length === s.length - p) throw new StraceSyntaxError('unterminated "+++" line', s.length, true);
  let m = /^exited with (-?\d+)$/.exec(inner);
  if (m) return { t: 'exited', status: Number(m[1]) };
  m = /^killed by (SIG[A-Z0-9_+]+|\d+)( \(core dumped\))?$/.exec(inner);
  if (m) return { t: 'killed', signal: m[1], core: !!m[2] };
  m = /^superseded by execve in pid (\d+)$/.exec(inner);
  if (m) return { t: 'superseded', byPid: Number(m[1]) };
  throw new StraceSyntaxError('bad "+++" line', p, false);
}
