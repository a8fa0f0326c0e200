import { A, type ArgValue, type Int64 } from '../../model/index.js';
import type { ArgKind } from './argspec.js';
import { GoQuoteError, readGoQuoted, skipGoQuoted } from './goquote.js';

/** Thrown when a call's argument list cannot be split; `offset` is the column in the line. */
export class ArgSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
    this.name = 'ArgSyntaxError';
  }
}

const CLOSE: Record<string, string> = { '(': ')', '[': ']', '{': '}' };

/** Splits the argument list that starts at text[start] (just after `name(`) at top-level ", "; returns the pieces and the index of the closing parenthesis. */
export function splitArgs(text: string, start: number): { args: string[]; close: number } {
  const args: string[] = [];
  const stack: string[] = [];
  let from = start;
  let i = start;
  while (i < text.length) {
    const c = text[i];
    if (c === '"') {
      try {
        i = skipGoQuoted(text, i);
      } catch (err) {
        if (err instanceof GoQuoteError) throw new ArgSyntaxError(err.message, err.offset);
        throw err;
      }
      continue;
    }
    if (c === '(' || c === '[' || c === '{') stack.push(CLOSE[c]);
    else if (stack.length && c === stack[stack.length - 1]) stack.pop();
    else if (!stack.length && c === ')') {
      if (i > from || args.length) args.push(text.slice(from, i));
      return { args, close: i };
    } else if (!stack.length && c === ',' && text[i + 1] === ' ') {
      args.push(text.slice(from, i));
      i += 2;
      from = i;
      continue;
    }
    i++;
  }
  throw new ArgSyntaxError('argument list is not closed', text.length);
}

/** One decoded argument: its tree, its raw register value where the text shows it, and the bytes of a buffer argument. */
export interface ParsedArg {
  value: ArgValue;
  raw: Int64;
  buffer?: { data: Uint8Array; truncated: boolean };
}

function num(s: string): Int64 {
  const v = BigInt(s);
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

function int32(v: Int64): number {
  return Number(BigInt.asIntN(32, BigInt(v)));
}

function parseList(body: string): ArgValue[] {
  const items: ArgValue[] = [];
  let i = 0;
  while (i < body.length) {
    while (body[i] === ' ' || body[i] === ',') i++;
    if (i >= body.length) break;
    if (body[i] === '"') {
      const q = readGoQuoted(body, i);
      items.push(A.str(Buffer.from(q.bytes).toString('utf8')));
      i = q.end;
      continue;
    }
    let j = i;
    while (j < body.length && body[j] !== ' ' && body[j] !== ',') j++;
    const tok = body.slice(i, j);
    items.push(/^-?\d+$/.test(tok) ? A.int(Number(tok)) : A.sym(tok));
    i = j;
  }
  return items;
}

const HEX_HEAD = /^(0x[0-9a-fA-F]+)(?: (.*))?$/s;

/** Field names of gVisor's stat struct and the names strace (and so a native trace) gives them. */
const STAT_NAMES: Record<string, string> = {
  dev: 'st_dev', ino: 'st_ino', mode: 'st_mode', nlink: 'st_nlink', uid: 'st_uid', gid: 'st_gid', rdev: 'st_rdev',
  size: 'st_size', blksize: 'st_blksize', blocks: 'st_blocks', atime: 'st_atime', mtime: 'st_mtime', ctime: 'st_ctime',
};

/** A `key=value, ...` struct as a struct tree, or undefined for other struct texts; a stat struct is cut to what strace shows by default, under strace's names, octal modes as 0NNN. */
function parseStruct(body: string, stat: boolean): ArgValue | undefined {
  const fields: [string, ArgValue][] = [];
  for (const part of body.split(', ')) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(part);
    if (!m) return undefined;
    const name = stat ? (STAT_NAMES[m[1]] ?? m[1]) : m[1];
    const v = m[2];
    let value: ArgValue;
    if (/^-?\d+$/.test(v) || /^0x[0-9a-fA-F]+$/.test(v)) value = A.int(num(v));
    else if (/^[A-Z_][A-Z0-9_]*(\|[A-Za-z0-9_]+)*$/.test(v)) {
      const parts = v.split('|').map((f) => (/^0o[0-7]+$/.test(f) ? `0${f.slice(2)}` : f));
      value = parts.length > 1 ? A.flags(...parts) : A.sym(parts[0]);
    } else value = A.raw(v);
    fields.push([name, value]);
  }
  if (!stat) return A.struct(fields);
  const mode = fields.find(([n]) => n === 'st_mode')?.[1];
  const device = mode?.k === 'flags' && (mode.v.includes('S_IFCHR') || mode.v.includes('S_IFBLK'));
  return A.struct(fields.filter(([n]) => (device ? STAT_SHOWN_DEVICE : STAT_SHOWN).has(n)), true);
}

/** The stat fields strace shows without -v (a native trace has only these): mode and size, or mode and rdev for devices. */
const STAT_SHOWN = new Set(['st_mode', 'st_size']);
const STAT_SHOWN_DEVICE = new Set(['st_mode', 'st_rdev']);

/** Decodes one argument as gVisor's strace prints it, given what the syscall table says the argument is. */
export function parseArg(tok: string, kind: ArgKind): ParsedArg {
  if (tok === 'null') return { value: A.sym('NULL'), raw: 0 };
  if (tok === 'AT_FDCWD' || tok.startsWith('AT_FDCWD ')) return { value: A.fd(-100), raw: -100 };
  const hex = HEX_HEAD.exec(tok);
  if (hex) {
    const raw = num(hex[1]);
    const rest = hex[2];
    if (rest === undefined) return { value: kind === 'fd' ? A.fd(int32(raw)) : A.int(raw, 16), raw };
    if (rest === '(bad FD)') return { value: A.fd(int32(raw)), raw };
    if (rest.startsWith('"')) {
      const q = readGoQuoted(rest, 0);
      const tail = rest.slice(q.end);
      return { value: A.buf(-1), raw, buffer: { data: q.bytes, truncated: tail.startsWith('...') } };
    }
    if (rest.startsWith('[') && rest.endsWith(']')) return { value: A.array(parseList(rest.slice(1, -1))), raw };
    if (rest.startsWith('{') && rest.endsWith('}')) return { value: parseStruct(rest.slice(1, -1), kind === 'stat') ?? A.raw(rest), raw };
    if (kind === 'fd') return { value: A.fd(int32(raw), rest), raw };
    return { value: A.str(rest), raw };
  }
  if (/^0o[0-7]+$/.test(tok)) {
    const raw = parseInt(tok.slice(2), 8);
    return { value: A.int(raw, 8), raw };
  }
  if (/^-?\d+$/.test(tok)) {
    const raw = num(tok);
    return { value: kind === 'fd' ? A.fd(int32(raw)) : A.int(raw), raw };
  }
  if (/^[A-Z_][A-Z0-9_]*(\|[A-Za-z0-9_]+)+$/.test(tok)) return { value: A.flags(...tok.split('|')), raw: 0 };
  if (/^[A-Z_][A-Z0-9_]*$/.test(tok)) return { value: A.sym(tok), raw: 0 };
  return { value: A.raw(tok), raw: 0 };
}
