// Mutation strategies for the fuzz harness: each takes (bytes, rand) and returns new bytes.
import zlib from 'node:zlib';

const PREAMBLE = 20;
const CHUNK_HEADER = 48;

/** Locates chunk [offset, end) ranges by walking chunk headers from the end of the file header. */
export function chunkRanges(buf) {
  const out = [];
  if (buf.length < PREAMBLE) return out;
  let off = PREAMBLE + buf.readUInt32LE(12);
  while (off + CHUNK_HEADER <= buf.length && buf.readUInt32LE(off) === 0x4b435450) {
    const end = off + CHUNK_HEADER + buf.readUInt32LE(off + 4);
    if (end > buf.length) break;
    out.push([off, end]);
    off = end;
  }
  return out;
}

const pick = (r, arr) => arr[Math.floor(r() * arr.length)];
const int = (r, n) => Math.floor(r() * n);
const HUGE = [0xffffffff, 0x7fffffff, 0x80000000, 0x10000000, 0, 1, 0xfffffff0];

/** Mutators for .ptrace files, by name. */
export const traceMutators = {
  bitflips(b, r) {
    const o = Buffer.from(b);
    for (let i = 1 + int(r, 8); i > 0; i--) o[int(r, o.length)] ^= 1 << int(r, 8);
    return o;
  },
  truncate(b, r) {
    return b.subarray(0, int(r, b.length));
  },
  duplicateChunk(b, r) {
    const cs = chunkRanges(b);
    if (!cs.length) return b;
    const [s, e] = pick(r, cs);
    const at = pick(r, cs)[1];
    return Buffer.concat([b.subarray(0, at), b.subarray(s, e), b.subarray(at)]);
  },
  reorderChunks(b, r) {
    const cs = chunkRanges(b);
    if (cs.length < 2) return b;
    const i = int(r, cs.length - 1);
    const [a, c] = [cs[i], cs[i + 1]];
    return Buffer.concat([b.subarray(0, a[0]), b.subarray(c[0], c[1]), b.subarray(a[0], a[1]), b.subarray(c[1])]);
  },
  hugeLength(b, r) {
    const o = Buffer.from(b);
    const cs = chunkRanges(o);
    const spots = [12];
    for (const [s] of cs) spots.push(s + 4, s + 8, s + 12);
    if (o.length >= 16) spots.push(Number(o.length - 16 >= 0 ? o.length - 16 : 0));
    const at = pick(r, spots);
    if (at + 4 <= o.length) o.writeUInt32LE(pick(r, HUGE), at);
    return o;
  },
  footerAnywhere(b, r) {
    const o = Buffer.from(b);
    if (o.length < 16) return o;
    o.writeBigUInt64LE(BigInt(r() < 0.2 ? 2 ** 40 + int(r, 1000) : int(r, o.length + 100)), o.length - 16);
    return o;
  },
  hostileValidChecksum(b, r) {
    const cs = chunkRanges(b);
    if (!cs.length) return b;
    const [s, e] = pick(r, cs);
    const codec = b[s + 44];
    if (codec !== 1) return b;
    let raw;
    try {
      raw = Buffer.from(zlib.inflateRawSync(b.subarray(s + CHUNK_HEADER, e)));
    } catch {
      return b;
    }
    const mode = int(r, 4);
    if (mode === 0) for (let i = 1 + int(r, 6); i > 0; i--) raw[int(r, raw.length)] = int(r, 256);
    else if (mode === 1) raw = raw.subarray(0, int(r, raw.length));
    else if (mode === 2) {
      const at = int(r, raw.length);
      raw = Buffer.concat([raw.subarray(0, at), Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f]), raw.subarray(at)]);
    } else raw[int(r, raw.length)] = 0x80 | int(r, 128);
    const stored = zlib.deflateRawSync(raw);
    const head = Buffer.from(b.subarray(s, s + CHUNK_HEADER));
    head.writeUInt32LE(stored.length, 4);
    head.writeUInt32LE(raw.length, 8);
    head.writeUInt32LE(zlib.crc32(stored, zlib.crc32(head.subarray(0, 40))) >>> 0, 40);
    return Buffer.concat([b.subarray(0, s), head, stored, b.subarray(e)]);
  },
  garbageInsert(b, r) {
    const at = int(r, b.length);
    const junk = Buffer.alloc(1 + int(r, 200));
    for (let i = 0; i < junk.length; i++) junk[i] = int(r, 256);
    return Buffer.concat([b.subarray(0, at), junk, b.subarray(at)]);
  },
};

/** Mutators for text logs (strace, gVisor), by name. */
export const logMutators = {
  cutLines(b, r) {
    const lines = b.toString('latin1').split('\n');
    for (let i = 1 + int(r, 5); i > 0; i--) {
      const k = int(r, lines.length);
      lines[k] = lines[k].slice(0, int(r, lines[k].length + 1));
    }
    return Buffer.from(lines.join('\n'), 'latin1');
  },
  joinLines(b, r) {
    const lines = b.toString('latin1').split('\n');
    for (let i = 1 + int(r, 5); i > 0 && lines.length > 1; i--) {
      const k = int(r, lines.length - 1);
      lines.splice(k, 2, lines[k] + lines[k + 1]);
    }
    return Buffer.from(lines.join('\n'), 'latin1');
  },
  randomBytes(b, r) {
    const o = Buffer.from(b);
    for (let i = 1 + int(r, 20); i > 0; i--) o[int(r, o.length || 1)] = int(r, 256);
    return o;
  },
  hugeLine(b, r) {
    const n = r() < 0.3 ? 10 << 20 : 100_000 + int(r, 1 << 20);
    const fill = pick(r, ['"', 'a', '{', '[', '(', '\\', ' ']);
    return Buffer.concat([b, Buffer.from(`\n1234 write(1, "${fill.repeat(n)}`), b]);
  },
  deepNesting(b, r) {
    const d = 1000 + int(r, 200_000);
    const open = pick(r, ['{', '[', '(', '{a=[']);
    return Buffer.concat([b, Buffer.from(`\n1234 ioctl(3, TCGETS, ${open.repeat(d)}) = 0\n`), b]);
  },
  invalidUtf8(b, r) {
    const o = Buffer.from(b);
    for (let i = 1 + int(r, 10); i > 0; i--) o[int(r, o.length || 1)] = pick(r, [0xc0, 0xff, 0xfe, 0xed, 0x80]);
    return o;
  },
  unbalancedQuotes(b, r) {
    const s = b.toString('latin1');
    const at = int(r, s.length);
    return Buffer.from(s.slice(0, at) + pick(r, ['"', "'", '\\', '"\\']) + s.slice(at), 'latin1');
  },
  shuffleLines(b, r) {
    const lines = b.toString('latin1').split('\n');
    for (let i = lines.length - 1; i > 0; i--) {
      const j = int(r, i + 1);
      [lines[i], lines[j]] = [lines[j], lines[i]];
    }
    return Buffer.from(lines.join('\n'), 'latin1');
  },
};

/** Mutators for suppression files. */
export const textMutators = { ...logMutators };
