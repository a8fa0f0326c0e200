import type { ArgValue, Int64 } from '../model/index.js';

/** Thrown on bytes that are not a valid MessagePack argument list (see docs/FORMAT.md). */
export class ArgDecodeError extends Error {}

/** Argument tags of the MessagePack encoding (docs/FORMAT.md, "Decoded arguments"). */
export const TAG = {
  hex: 1,
  oct: 2,
  strTrunc: 3,
  flags: 4,
  struct: 5,
  structTrunc: 6,
  array: 7,
  arrayTrunc: 8,
  fd: 9,
  sym: 10,
  fn: 11,
  buf: 12,
  more: 13,
  raw: 14,
  comment: 15,
  not: 16,
  op: 17,
} as const;

/** Item counts (after the tag) of the tags that take a fixed number. */
const EXACT: Record<number, number> = { [TAG.hex]: 1, [TAG.oct]: 1, [TAG.strTrunc]: 1, [TAG.sym]: 1, [TAG.buf]: 1, [TAG.more]: 0, [TAG.raw]: 1, [TAG.not]: 1, [TAG.op]: 3 };

/** Short names (flags, symbols, struct fields) repeat in every call: decode each once. */
const INTERNED = new Map<number, string>();

/** Deepest nesting of argument values accepted. */
export const MAX_ARG_DEPTH = 200;

interface Utf8Slicer {
  utf8Slice(start: number, end: number): string;
}

const NONE = -1;

/**
 * A direct decoder from the MessagePack argument encoding to ArgValue trees: no intermediate
 * values, every length checked against the end of the bytes before it is used.
 */
class ArgReader {
  pos: number;
  constructor(
    readonly b: Buffer,
    public end: number,
  ) {
    this.pos = 0;
  }

  fail(why: string): never {
    throw new ArgDecodeError(`arguments do not decode: ${why} at byte ${this.pos}`);
  }

  need(n: number): void {
    if (this.pos + n > this.end) this.fail('value runs past the end');
  }

  u8(): number {
    this.need(1);
    return this.b[this.pos++];
  }

  u16(): number {
    this.need(2);
    const v = this.b.readUInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  u32(): number {
    this.need(4);
    const v = this.b.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  /** The array length when the next item is an array header, else NONE (position unchanged). */
  arrayHeader(): number {
    const t = this.b[this.pos];
    if (t >= 0x90 && t <= 0x9f) {
      this.pos++;
      return t & 0x0f;
    }
    if (t === 0xdc) {
      this.pos++;
      return this.u16();
    }
    if (t === 0xdd) {
      this.pos++;
      return this.u32();
    }
    return NONE;
  }

  /** Reads an integer item (any MessagePack integer width, or a float64 holding an integer). */
  int(): Int64 {
    const t = this.u8();
    if (t <= 0x7f) return t;
    if (t >= 0xe0) return t - 256;
    const b = this.b;
    let v: Int64;
    switch (t) {
      case 0xcc:
        return this.u8();
      case 0xcd:
        return this.u16();
      case 0xce:
        return this.u32();
      case 0xcf: {
        this.need(8);
        const hi = b.readUInt32BE(this.pos);
        const lo = b.readUInt32BE(this.pos + 4);
        this.pos += 8;
        v = hi < 0x200000 ? hi * 4294967296 + lo : (BigInt(hi) << 32n) | BigInt(lo);
        return v;
      }
      case 0xd0:
        this.need(1);
        return b.readInt8(this.pos++);
      case 0xd1:
        this.need(2);
        v = b.readInt16BE(this.pos);
        this.pos += 2;
        return v;
      case 0xd2:
        this.need(4);
        v = b.readInt32BE(this.pos);
        this.pos += 4;
        return v;
      case 0xd3: {
        this.need(8);
        const big = b.readBigInt64BE(this.pos);
        this.pos += 8;
        return big >= -9007199254740992n && big <= 9007199254740992n ? Number(big) : big;
      }
      case 0xcb: {
        this.need(8);
        const f = b.readDoubleBE(this.pos);
        this.pos += 8;
        if (!Number.isInteger(f)) this.fail('a non-integer number');
        return f;
      }
      case 0xca: {
        this.need(4);
        const f = b.readFloatBE(this.pos);
        this.pos += 4;
        if (!Number.isInteger(f)) this.fail('a non-integer number');
        return f;
      }
      default:
        this.pos--;
        return this.fail('expected an integer');
    }
  }

  /** Length of a str item at the cursor (consuming its header), or NONE when the next item is not a str. */
  strHeader(): number {
    const t = this.b[this.pos];
    if (t >= 0xa0 && t <= 0xbf) {
      this.pos++;
      return t & 0x1f;
    }
    if (t === 0xd9) {
      this.pos++;
      return this.u8();
    }
    if (t === 0xda) {
      this.pos++;
      return this.u16();
    }
    if (t === 0xdb) {
      this.pos++;
      return this.u32();
    }
    return NONE;
  }

  binHeader(): number {
    const t = this.b[this.pos];
    if (t === 0xc4) {
      this.pos++;
      return this.u8();
    }
    if (t === 0xc5) {
      this.pos++;
      return this.u16();
    }
    if (t === 0xc6) {
      this.pos++;
      return this.u32();
    }
    return NONE;
  }

  strBody(len: number): string {
    this.need(len);
    const s = (this.b as unknown as Utf8Slicer).utf8Slice(this.pos, this.pos + len);
    this.pos += len;
    return s;
  }

  binBody(len: number): Uint8Array {
    this.need(len);
    const v = Buffer.from(this.b.subarray(this.pos, this.pos + len));
    this.pos += len;
    return v;
  }

  /** Reads a str item. */
  str(): string {
    if (this.pos >= this.end) this.fail('value runs past the end');
    const len = this.strHeader();
    if (len === NONE) this.fail('expected a string');
    return len <= 24 ? this.shortStr(len) : this.strBody(len);
  }

  private shortStr(len: number): string {
    this.need(len);
    const b = this.b;
    const p = this.pos;
    let h = 0x811c9dc5 ^ len;
    let high = 0;
    for (let i = p; i < p + len; i++) {
      h = Math.imul(h ^ b[i], 0x01000193);
      high |= b[i];
    }
    if (high & 0x80) return this.strBody(len);
    const hit = INTERNED.get(h);
    if (hit !== undefined && hit.length === len) {
      let same = true;
      for (let i = 0; i < len; i++)
        if (hit.charCodeAt(i) !== b[p + i]) {
          same = false;
          break;
        }
      if (same) {
        this.pos += len;
        return hit;
      }
    }
    const s = this.strBody(len);
    if (INTERNED.size < 16384) INTERNED.set(h, s);
    return s;
  }

  /** Reads a str (as a string) or a bin (as bytes) item. */
  strOrBytes(): string | Uint8Array {
    if (this.pos >= this.end) this.fail('value runs past the end');
    let len = this.strHeader();
    if (len !== NONE) return this.strBody(len);
    len = this.binHeader();
    if (len !== NONE) return this.binBody(len);
    return this.fail('expected a string');
  }

  /** Reads one argument value. */
  value(depth: number): ArgValue {
    if (depth > MAX_ARG_DEPTH) this.fail('arguments nested too deeply');
    if (this.pos >= this.end) this.fail('value runs past the end');
    let len = this.strHeader();
    if (len !== NONE) return { k: 'str', v: this.strBody(len) };
    len = this.binHeader();
    if (len !== NONE) return { k: 'str', v: this.binBody(len) };
    len = this.arrayHeader();
    if (len === NONE) return { k: 'int', v: this.int() };
    if (len === 0) this.fail('an empty tagged value');
    return this.tagged(len, depth);
  }

  private values(n: number, depth: number): ArgValue[] {
    if (n > this.end - this.pos) this.fail('more items than bytes');
    const out: ArgValue[] = new Array(n);
    for (let i = 0; i < n; i++) out[i] = this.value(depth + 1);
    return out;
  }

  private tagged(len: number, depth: number): ArgValue {
    const tag = this.int();
    const rest = len - 1;
    const exactly = EXACT[tag as number];
    if (exactly !== undefined && rest !== exactly) this.fail(`tag ${tag} with ${rest} items`);
    switch (tag) {
      case TAG.hex:
        return { k: 'int', v: this.int(), base: 16 };
      case TAG.oct:
        return { k: 'int', v: this.int(), base: 8 };
      case TAG.strTrunc:
        return { k: 'str', v: this.strOrBytes(), trunc: true };
      case TAG.flags: {
        if (rest > this.end - this.pos) this.fail('more items than bytes');
        const v: string[] = new Array(rest);
        for (let i = 0; i < rest; i++) v[i] = this.str();
        return { k: 'flags', v };
      }
      case TAG.struct:
      case TAG.structTrunc: {
        if (rest % 2) this.fail('a struct with an odd number of items');
        if (rest > this.end - this.pos) this.fail('more items than bytes');
        const fields: [string, ArgValue][] = new Array(rest / 2);
        for (let i = 0; i < rest / 2; i++) fields[i] = [this.str(), this.value(depth + 1)];
        return tag === TAG.structTrunc ? { k: 'struct', fields, trunc: true } : { k: 'struct', fields };
      }
      case TAG.array:
        return { k: 'array', items: this.values(rest, depth) };
      case TAG.arrayTrunc:
        return { k: 'array', items: this.values(rest, depth), trunc: true };
      case TAG.fd: {
        if (rest !== 1 && rest !== 2) this.fail(`tag ${tag} with ${rest} items`);
        const fd = this.int();
        if (typeof fd !== 'number') this.fail('an fd out of range');
        return rest === 2 ? { k: 'fd', fd, path: this.str() } : { k: 'fd', fd };
      }
      case TAG.sym:
        return { k: 'sym', v: this.str() };
      case TAG.fn: {
        if (rest < 1) this.fail('a function form without a name');
        const name = this.str();
        return { k: 'fn', name, args: this.values(rest - 1, depth) };
      }
      case TAG.buf: {
        const i = this.int();
        if (typeof i !== 'number' || i < 0) this.fail('a bad buffer index');
        return { k: 'buf', i };
      }
      case TAG.more:
        return { k: 'more' };
      case TAG.raw:
        return { k: 'raw', v: this.str() };
      case TAG.comment: {
        if (rest !== 1 && rest !== 2) this.fail(`tag ${tag} with ${rest} items`);
        const v = this.str();
        return rest === 2 ? { k: 'comment', v, of: this.value(depth + 1) } : { k: 'comment', v };
      }
      case TAG.not:
        return { k: 'not', v: this.value(depth + 1) };
      case TAG.op: {
        const op = this.str();
        return { k: 'op', op, l: this.value(depth + 1), r: this.value(depth + 1) };
      }
      default:
        return this.fail(`unknown argument tag ${tag}`);
    }
  }
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Decodes an argument list (a MessagePack array of argument values); throws ArgDecodeError. */
export function readArgList(bytes: Uint8Array): ArgValue[] {
  const r = new ArgReader(asBuffer(bytes), bytes.length);
  if (bytes.length === 0) return [];
  const n = r.arrayHeader();
  if (n === NONE) r.fail('the argument list is not an array');
  const out: ArgValue[] = new Array(n);
  if (n > bytes.length) r.fail('more items than bytes');
  for (let i = 0; i < n; i++) out[i] = r.value(1);
  if (r.pos !== bytes.length) r.fail('trailing bytes');
  return out;
}

/** Decodes one argument value; throws ArgDecodeError. */
export function readArg(bytes: Uint8Array): ArgValue {
  const r = new ArgReader(asBuffer(bytes), bytes.length);
  const v = r.value(0);
  if (r.pos !== bytes.length) r.fail('trailing bytes');
  return v;
}
