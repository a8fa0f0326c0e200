/** Byte layout of a .ptrace file (docs/FORMAT.md is the prose version of this file). */

/** The picotrace release; stored as Header.writer in every trace written without one. */
export const PICOTRACE_VERSION = '0.1.0';

/** The newest format version this code reads and the one it writes. */
export const FORMAT_VERSION = 1;

/** First 8 bytes of every trace: 0x89 "PTRC" CR LF 0x1a, so text-mode transfers and `file` notice it. */
export const FILE_MAGIC = Buffer.from([0x89, 0x50, 0x54, 0x52, 0x43, 0x0d, 0x0a, 0x1a]);
/** magic(8) + u32 format version + u32 header length + u32 header crc32. */
export const PREAMBLE_SIZE = 20;

/** Every chunk starts with this tag. */
export const CHUNK_MAGIC = 0x4b435450; // "PTCK" little-endian
/** Size of the fixed chunk header that precedes each compressed block. */
export const CHUNK_HEADER_SIZE = 48;
/** Footer tag, followed by u32 length, u32 crc32 and the Footer message. */
export const FOOTER_MAGIC = 0x54465450; // "PTFT"
export const FOOTER_HEADER_SIZE = 12;
/** The last 16 bytes: u64 footer offset + "PTRCEND\n". */
export const TRAILER_MAGIC = Buffer.from('PTRCEND\n', 'latin1');
export const TRAILER_SIZE = 16;

/** Compression of a chunk's event block. */
export const Codec = { none: 0, deflateRaw: 1, brotli: 2, gzip: 3 } as const;
export type CodecId = (typeof Codec)[keyof typeof Codec];

/** Sentinel stored in a chunk header's time fields when no event of the chunk has a time. */
export const NO_TIME = -(2n ** 63n);

/** Limits checked before anything read from a file is allocated. */
export const LIMITS = {
  headerBytes: 64 << 20,
  chunkStoredBytes: 64 << 20,
  chunkRawBytes: 256 << 20,
  chunkEvents: 1 << 20,
  footerBytes: 256 << 20,
};

/** The fixed fields of a chunk header. */
export interface ChunkHeader {
  storedLength: number;
  rawLength: number;
  count: number;
  firstSeq: number;
  firstTimeNs: bigint;
  maxTimeNs: bigint;
  crc: number;
  codec: number;
}

/** Serializes a chunk header; the crc field covers bytes 0..40 of the header and the stored block. */
export function encodeChunkHeader(h: ChunkHeader): Buffer {
  const b = Buffer.alloc(CHUNK_HEADER_SIZE);
  b.writeUInt32LE(CHUNK_MAGIC, 0);
  b.writeUInt32LE(h.storedLength, 4);
  b.writeUInt32LE(h.rawLength, 8);
  b.writeUInt32LE(h.count, 12);
  b.writeBigUInt64LE(BigInt(h.firstSeq), 16);
  b.writeBigInt64LE(h.firstTimeNs, 24);
  b.writeBigInt64LE(h.maxTimeNs, 32);
  b.writeUInt32LE(h.crc >>> 0, 40);
  b.writeUInt8(h.codec, 44);
  return b;
}

/** Parses a chunk header; returns undefined when the magic is wrong. */
export function decodeChunkHeader(b: Buffer): ChunkHeader | undefined {
  if (b.length < CHUNK_HEADER_SIZE || b.readUInt32LE(0) !== CHUNK_MAGIC) return undefined;
  return {
    storedLength: b.readUInt32LE(4),
    rawLength: b.readUInt32LE(8),
    count: b.readUInt32LE(12),
    firstSeq: Number(b.readBigUInt64LE(16)),
    firstTimeNs: b.readBigInt64LE(24),
    maxTimeNs: b.readBigInt64LE(32),
    crc: b.readUInt32LE(40),
    codec: b.readUInt8(44),
  };
}
