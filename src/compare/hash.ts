/** 32-bit FNV-1a of a string's UTF-16 code units, as a signed int (cheap, stable across runs). */
export function hashString(s: string, seed = 0x811c9dc5): number {
  let h = seed | 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h | 0;
}

/** 32-bit FNV-1a of at most `limit` bytes, mixed with the byte count. */
export function hashBytes(b: Uint8Array, limit = b.length, seed = 0x811c9dc5): number {
  let h = seed | 0;
  const n = Math.min(limit, b.length);
  for (let i = 0; i < n; i++) {
    h ^= b[i];
    h = Math.imul(h, 0x01000193);
  }
  return h | 0;
}

/** Mixes one 32-bit value into a 32-bit hash (murmur3 finalizer style). */
export function mix(h: number, v: number): number {
  let k = Math.imul(v | 0, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  let x = (h ^ k) | 0;
  x = (x << 13) | (x >>> 19);
  return (Math.imul(x, 5) + 0xe6546b64) | 0;
}

/** A 64-bit running digest kept as two independent 32-bit lanes; equal prefixes give equal digests. */
export class RunningDigest {
  private a = 0x6a09e667 | 0;
  private b = 0x3c6ef372 | 0;

  /** Folds one item hash into the digest. */
  push(v: number): void {
    this.a = mix(this.a, v);
    this.b = mix(this.b ^ 0x5bd1e995, (v * 31 + 7) | 0);
  }

  /** The digest as 8 bytes (little-endian lanes). */
  bytes(): Uint8Array {
    const out = new Uint8Array(8);
    const dv = new DataView(out.buffer);
    dv.setInt32(0, this.a, true);
    dv.setInt32(4, this.b, true);
    return out;
  }

  /** The digest as a 16-digit hex string. */
  hex(): string {
    return Buffer.from(this.bytes()).toString('hex');
  }
}
