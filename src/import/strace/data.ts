import { A, type ArgValue, type CallBuffer, type Int64 } from '../../model/index.js';

/** How a call carries data: which argument, which direction, how it is laid out, and where its full length is. */
export interface DataSpec {
  arg: number;
  out: boolean;
  /** `str`: the argument is the string; `iov`: an iovec array; `msg`: a msghdr whose msg_iov is the array. */
  shape: 'str' | 'iov' | 'msg';
  /** Full length: the return value, or the index of a length argument. */
  len: 'ret' | number;
}

const out = (arg: number, shape: DataSpec['shape'] = 'str', len: DataSpec['len'] = 'ret'): DataSpec => ({ arg, out: true, shape, len });
const inp = (arg: number, len: DataSpec['len'], shape: DataSpec['shape'] = 'str'): DataSpec => ({ arg, out: false, shape, len });

/** Calls whose data arguments become CallBuffers (read/write-style contents, not names or paths). */
export const DATA_CALLS: Readonly<Record<string, DataSpec>> = {
  read: out(1),
  pread64: out(1),
  readv: out(1, 'iov'),
  preadv: out(1, 'iov'),
  preadv2: out(1, 'iov'),
  recvfrom: out(1),
  recvmsg: out(1, 'msg'),
  getrandom: out(0),
  getxattr: out(2),
  lgetxattr: out(2),
  fgetxattr: out(2),
  write: inp(1, 2),
  pwrite64: inp(1, 2),
  writev: inp(1, 'ret', 'iov'),
  pwritev: inp(1, 'ret', 'iov'),
  pwritev2: inp(1, 'ret', 'iov'),
  sendto: inp(1, 2),
  sendmsg: inp(1, 'ret', 'msg'),
  setxattr: inp(2, 3),
  lsetxattr: inp(2, 3),
  fsetxattr: inp(2, 3),
};

function toBuffer(a: ArgValue, argIndex: number, outDir: boolean, full: Int64 | undefined, element: number, buffers: CallBuffer[]): ArgValue {
  if (a.k !== 'str') return a;
  const data = typeof a.v === 'string' ? new Uint8Array(Buffer.from(a.v, 'utf8')) : a.v;
  const fullLength = a.trunc && typeof full === 'number' && full > data.length ? full : 0;
  buffers.push({ argIndex, out: outDir, data, fullLength, truncated: !!a.trunc, element });
  return A.buf(buffers.length - 1);
}

function iovField(v: ArgValue, name: string): ArgValue | undefined {
  if (v.k !== 'struct') return undefined;
  for (const f of v.fields) if (f[0] === name) return f[1];
  return undefined;
}

function convertIov(arr: ArgValue, argIndex: number, outDir: boolean, buffers: CallBuffer[]): ArgValue {
  if (arr.k !== 'array') return arr;
  const items = arr.items.map((it, j) => {
    if (it.k !== 'struct') return it;
    const base = iovField(it, 'iov_base');
    if (!base || base.k !== 'str') return it;
    const len = iovField(it, 'iov_len');
    const full = len && len.k === 'int' ? len.v : undefined;
    return A.struct(it.fields.map(([n, v]) => [n, n === 'iov_base' ? toBuffer(v, argIndex, outDir, full, j, buffers) : v] as [string, ArgValue]), it.trunc);
  });
  return A.array(items, arr.trunc);
}

/**
 * Replaces the data argument of a read/write-style call by a `buf` reference and returns the buffers,
 * following the call's DataSpec (its DATA_CALLS entry, which callInfo() holds). Calls without one
 * are returned unchanged with no buffers.
 */
export function extractBuffers(spec: DataSpec | undefined, args: ArgValue[], retval: Int64, failed: boolean): CallBuffer[] {
  if (!spec || failed) return [];
  const a = args[spec.arg];
  if (!a) return [];
  const buffers: CallBuffer[] = [];
  if (spec.shape === 'str') {
    const lenArg = spec.len === 'ret' ? retval : args[spec.len];
    const full = typeof lenArg === 'object' ? (lenArg.k === 'int' ? lenArg.v : undefined) : lenArg;
    args[spec.arg] = toBuffer(a, spec.arg, spec.out, full, -1, buffers);
  } else if (spec.shape === 'iov') {
    args[spec.arg] = convertIov(a, spec.arg, spec.out, buffers);
  } else if (a.k === 'struct') {
    args[spec.arg] = A.struct(
      a.fields.map(([n, v]) => [n, n === 'msg_iov' ? convertIov(v, spec.arg, spec.out, buffers) : v] as [string, ArgValue]),
      a.trunc,
    );
  }
  return buffers;
}
