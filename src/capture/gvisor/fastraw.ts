/** The fields of a raw syscall message (type 6), decoded without protobufjs: the hot path of the monitor source. */
export interface RawSyscallFields {
  context?: { timeNs?: bigint; relNs?: number; threadId?: number; threadGroupId?: number };
  exit?: { result?: number | bigint; errorno?: number | bigint };
  sysno?: number;
  arg1?: number | bigint;
  arg2?: number | bigint;
  arg3?: number | bigint;
  arg4?: number | bigint;
  arg5?: number | bigint;
  arg6?: number | bigint;
}

/** Thrown by decodeRawSyscall for bytes that are not a valid RawSyscall message. */
export class RawDecodeError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
    this.name = 'RawDecodeError';
  }
}

const TWO32 = 4294967296;

class Cursor {
  lo = 0;
  hi = 0;
  constructor(
    readonly b: Uint8Array,
    public pos: number,
    readonly end: number,
  ) {}

  varint(): void {
    const b = this.b;
    let lo = 0;
    let hi = 0;
    let shift = 0;
    for (;;) {
      if (this.pos >= this.end) throw new RawDecodeError('truncated varint', this.pos);
      const x = b[this.pos++];
      if (shift < 28) lo |= (x & 0x7f) << shift;
      else if (shift === 28) {
        lo |= (x & 0x0f) << 28;
        hi |= (x & 0x7f) >> 4;
      } else if (shift < 64) hi |= (x & 0x7f) << (shift - 32);
      if (!(x & 0x80)) break;
      shift += 7;
      if (shift >= 70) throw new RawDecodeError('varint too long', this.pos);
    }
    this.lo = lo >>> 0;
    this.hi = hi >>> 0;
  }

  unsigned(): number | bigint {
    return this.hi < 0x200000 ? this.hi * TWO32 + this.lo : (BigInt(this.hi) << 32n) | BigInt(this.lo);
  }

  signed(): number | bigint {
    if (this.hi & 0x80000000) {
      if (this.hi >= 0xffe00000) return (this.hi - TWO32) * TWO32 + this.lo;
      return BigInt.asIntN(64, (BigInt(this.hi) << 32n) | BigInt(this.lo));
    }
    return this.unsigned();
  }

  skip(wire: number): void {
    if (wire === 0) this.varint();
    else if (wire === 2) {
      this.varint();
      this.pos += this.lo;
    } else if (wire === 1) this.pos += 8;
    else if (wire === 5) this.pos += 4;
    else throw new RawDecodeError(`unsupported wire type ${wire}`, this.pos);
    if (this.pos > this.end) throw new RawDecodeError('field runs past the end', this.pos);
  }
}

/**
 * Decodes a RawSyscall payload (schema/gvisor/monitor.proto) into the same plain object protobufjs
 * would give, 64-bit values as number when safe and bigint otherwise. With `base` (the trace start as
 * [high, low] 32-bit halves of its ns), the context's time is also given relative to it in relNs.
 */
export function decodeRawSyscall(b: Uint8Array, start: number, base?: [number, number]): RawSyscallFields {
  const c = new Cursor(b, start, b.length);
  const out: RawSyscallFields = {};
  while (c.pos < c.end) {
    c.varint();
    const field = c.lo >>> 3;
    const wire = c.lo & 7;
    if ((field === 1 || field === 2) && wire === 2) {
      c.varint();
      const end = c.pos + c.lo;
      if (end > c.end) throw new RawDecodeError('nested message runs past the end', c.pos);
      const n = new Cursor(b, c.pos, end);
      if (field === 1) {
        const ctx: NonNullable<RawSyscallFields['context']> = {};
        while (n.pos < end) {
          n.varint();
          const f = n.lo >>> 3;
          const w = n.lo & 7;
          if (w !== 0) {
            n.skip(w);
            continue;
          }
          n.varint();
          if (f === 1) {
            if (base) ctx.relNs = (n.hi - base[0]) * TWO32 + (n.lo - base[1]);
            else ctx.timeNs = BigInt.asIntN(64, (BigInt(n.hi) << 32n) | BigInt(n.lo));
          } else if (f === 2) ctx.threadId = n.lo | 0;
          else if (f === 4) ctx.threadGroupId = n.lo | 0;
        }
        out.context = ctx;
      } else {
        const ex: NonNullable<RawSyscallFields['exit']> = {};
        while (n.pos < end) {
          n.varint();
          const f = n.lo >>> 3;
          const w = n.lo & 7;
          if (w !== 0) {
            n.skip(w);
            continue;
          }
          n.varint();
          if (f === 1) ex.result = n.signed();
          else if (f === 2) ex.errorno = n.signed();
        }
        out.exit = ex;
      }
      c.pos = end;
      continue;
    }
    if (wire !== 0) {
      c.skip(wire);
      continue;
    }
    c.varint();
    switch (field) {
      case 4:
        out.sysno = c.lo;
        break;
      case 5:
        out.arg1 = c.unsigned();
        break;
      case 6:
        out.arg2 = c.unsigned();
        break;
      case 7:
        out.arg3 = c.unsigned();
        break;
      case 8:
        out.arg4 = c.unsigned();
        break;
      case 9:
        out.arg5 = c.unsigned();
        break;
      case 10:
        out.arg6 = c.unsigned();
        break;
    }
  }
  return out;
}
