import fs from 'node:fs';
import zlib from 'node:zlib';
import { TraceReader } from '../../src/format/index.js';

const CHUNK_HEADER_SIZE = 48;

/** Every byte a trace holds in readable form: the raw file plus each chunk's inflated event block. */
export function inflatedTraceBytes(file: string): Buffer {
  const raw = fs.readFileSync(file);
  const r = TraceReader.open(file);
  const parts: Buffer[] = [raw];
  try {
    for (const c of r.chunks) {
      const stored = raw.subarray(c.offset + CHUNK_HEADER_SIZE, c.offset + CHUNK_HEADER_SIZE + c.storedLength);
      const codec = raw.readUInt8(c.offset + 44);
      parts.push(codec === 0 ? stored : codec === 1 ? zlib.inflateRawSync(stored) : codec === 2 ? zlib.brotliDecompressSync(stored) : zlib.gunzipSync(stored));
    }
  } finally {
    r.close();
  }
  return Buffer.concat(parts);
}

/** The secrets of `secrets` that occur in `bytes` (as UTF-8, or as hex, or base64, which JSON renderings use). */
export function findSecrets(bytes: Buffer, secrets: readonly string[]): string[] {
  const found: string[] = [];
  for (const s of secrets) {
    const forms = [Buffer.from(s), Buffer.from(Buffer.from(s).toString('hex')), Buffer.from(Buffer.from(s).toString('base64'))];
    if (forms.some((f) => bytes.includes(f))) found.push(s);
  }
  return found;
}
