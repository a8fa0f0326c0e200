import fs from 'node:fs';
import zlib from 'node:zlib';
import type { NewEvent, TraceHeader } from '../model/index.js';
import { fileError } from '../util/errors.js';
import { EventBlock } from './eventblock.js';
import { encodeFooter, encodeHeader, isStorableTime } from './encode.js';
import { ChunkPipe, detachEarly, type ChunkPlaced, type ZlibCall } from './chunkpipe.js';
import { Codec, type CodecId, encodeChunkHeader, FILE_MAGIC, FOOTER_HEADER_SIZE, FOOTER_MAGIC, FORMAT_VERSION, NO_TIME, PICOTRACE_VERSION, TRAILER_MAGIC, TRAILER_SIZE } from './layout.js';

/** Running digest of one normalized stream, as stored per chunk in the index. */
export interface StreamDigest {
  stream: string;
  count: number;
  digest: Uint8Array;
}

/** Sees every event as it is written and supplies per-chunk stream digests (compare/ provides one). */
export interface ChunkAnnotator {
  readonly profile: string;
  /** One event as appended, and the sequence number the writer gave it. */
  observe(ev: NewEvent, seq: number): void;
  digests(): StreamDigest[];
}

/** Options of TraceWriter.create. */
export interface WriterOptions {
  /** Close a chunk after this many events (default 4096). */
  chunkEvents?: number;
  /** Close a chunk once its uncompressed block reaches this many bytes (default 1 MiB). */
  chunkBytes?: number;
  codec?: CodecId;
  /** zlib level or brotli quality. */
  level?: number;
  /** Write to a temporary name and rename on close (for derived files); a recording writes in place. */
  atomic?: boolean;
  annotator?: ChunkAnnotator;
  /** Compress and write chunks on another thread from the second chunk on (default true). */
  background?: boolean;
}

/** What close() stores in the footer besides the index. */
export interface FooterExtras {
  droppedEvents?: number;
  unknownMessages?: number;
  endNotes?: Record<string, string>;
  endTimeNs?: number;
}

interface ChunkEntry {
  firstSeq: number;
  count: number;
  offset: number;
  firstTimeNs: bigint;
  maxTimeNs: bigint;
  storedLength: number;
  digests: StreamDigest[];
}

/** Default chunking and compression: brotli quality 5, chosen by the codec table of bench/format.bench.mjs (smallest file at the same read speed as deflate). */
export const DEFAULT_WRITER_OPTIONS = { chunkEvents: 4096, chunkBytes: 1 << 20, codec: Codec.brotli as CodecId, level: 5, background: true };

/**
 * Streams events into a .ptrace file: chunks of compressed events, each written as soon as it is full,
 * then a footer with the chunk index on close(). A file whose writer never closed is readable up to
 * its last whole chunk. Files are created with mode 0600.
 */
export class TraceWriter {
  private fd: number;
  private offset = 0;
  private seq = 0;
  private block = new EventBlock();
  private blockCount = 0;
  private blockFirstSeq = 0;
  /** Times of the block's events (numbers until the chunk is made: exact, as they are whole). */
  private blockFirstTime: number | undefined;
  private blockMaxTime: number | undefined;
  private chunks: ChunkEntry[] = [];
  private pipe: ChunkPipe | undefined;
  private readonly placed = (p: ChunkPlaced): void => {
    const c = this.chunks[p.index];
    c.offset = p.offset;
    c.storedLength = p.storedLength;
  };
  private closed = false;
  private readonly opts: Required<Omit<WriterOptions, 'annotator'>> & { annotator?: ChunkAnnotator };
  private readonly tmpPath: string | undefined;

  private constructor(
    readonly path: string,
    header: TraceHeader,
    options: WriterOptions,
  ) {
    this.opts = { ...DEFAULT_WRITER_OPTIONS, atomic: false, ...options };
    if (this.opts.background) detachEarly();
    this.tmpPath = this.opts.atomic ? path.replace(/([^/]*)$/, `.$1.${process.pid}.tmp`) : undefined;
    const target = this.tmpPath ?? path;
    try {
      this.fd = fs.openSync(target, 'w', 0o600);
      fs.fchmodSync(this.fd, 0o600);
    } catch (err) {
      fileError(err, path);
    }
    const hdr = encodeHeader({ ...header, formatVersion: FORMAT_VERSION, writer: header.writer || PICOTRACE_VERSION });
    const pre = Buffer.alloc(20);
    FILE_MAGIC.copy(pre, 0);
    pre.writeUInt32LE(FORMAT_VERSION, 8);
    pre.writeUInt32LE(hdr.length, 12);
    pre.writeUInt32LE(zlib.crc32(hdr) >>> 0, 16);
    this.write(Buffer.concat([pre, hdr]));
  }

  /** Creates (truncates) `file` and writes the header. Throws BadInputError on file-system errors. */
  static create(file: string, header: TraceHeader, options: WriterOptions = {}): TraceWriter {
    return new TraceWriter(file, header, options);
  }

  /** Number of events appended so far (the next event's seq). */
  get count(): number {
    return this.seq;
  }

  /** Bytes written to the file so far (chunks still being compressed on the other thread not counted). */
  get bytesWritten(): number {
    return this.pipe ? this.pipe.end : this.offset;
  }

  /** Appends one event, assigning it the next sequence number, which is returned. */
  append(ev: NewEvent): number {
    const seq = this.seq++;
    if (this.blockCount === 0) this.blockFirstSeq = seq;
    this.block.add(ev);
    if (isStorableTime(ev.timeNs)) {
      const t = Math.trunc(ev.timeNs);
      this.blockFirstTime ??= t;
      if (this.blockMaxTime === undefined || t > this.blockMaxTime) this.blockMaxTime = t;
    }
    this.blockCount++;
    // The sequence number apart: a copy of every event with it cost a fifth of a recording's parse and write.
    if (this.opts.annotator) this.opts.annotator.observe(ev, seq);
    if (this.blockCount >= this.opts.chunkEvents || this.block.length >= this.opts.chunkBytes) this.flush();
    return seq;
  }

  /**
   * Closes the events appended so far as a chunk (a no-op when there are none). With `background` on,
   * chunks are compressed and written on the compressing thread, except the last, made by close(): a
   * trace's only chunk is not worth starting a thread for, and the last of many is compressed here
   * at the same time as the thread's.
   */
  flush(): void {
    this.makeChunk(false);
  }

  private makeChunk(last: boolean): void {
    if (this.blockCount === 0) return;
    const raw = this.block.take(this.pipe?.spare());
    const entry: ChunkEntry = {
      firstSeq: this.blockFirstSeq,
      count: this.blockCount,
      offset: -1,
      firstTimeNs: this.blockFirstTime === undefined ? NO_TIME : BigInt(this.blockFirstTime),
      maxTimeNs: this.blockMaxTime === undefined ? NO_TIME : BigInt(this.blockMaxTime),
      storedLength: 0,
      digests: this.opts.annotator ? this.opts.annotator.digests() : [],
    };
    const head = encodeChunkHeader({ storedLength: 0, rawLength: raw.length, count: entry.count, firstSeq: entry.firstSeq, firstTimeNs: entry.firstTimeNs, maxTimeNs: entry.maxTimeNs, crc: 0, codec: this.opts.codec });
    if (!this.pipe && this.opts.background && !last) this.pipe = new ChunkPipe(this.fd, this.offset);
    if (this.pipe && !last) {
      const job = { raw, head, zlib: zlibCall(this.opts.codec, this.opts.level, raw.length) };
      this.chunks.push(entry);
      try {
        this.pipe.submit(job, this.chunks.length - 1, this.placed);
      } catch (err) {
        this.chunks.pop();
        fileError(err, this.path);
      }
    } else {
      // The last chunk (from close) is compressed here while the other thread finishes what it has,
      // and written after it.
      const stored = compress(raw, this.opts.codec, this.opts.level);
      this.settle();
      head.writeUInt32LE(stored.length, 4);
      const crc = zlib.crc32(stored, zlib.crc32(head.subarray(0, 40)));
      head.writeUInt32LE(crc >>> 0, 40);
      entry.offset = this.offset;
      entry.storedLength = stored.length;
      this.write(Buffer.concat([head, stored]));
      this.chunks.push(entry);
    }
    this.blockCount = 0;
    this.blockFirstTime = undefined;
    this.blockMaxTime = undefined;
  }

  /** Waits for the compressing thread to write every chunk handed to it, then takes the file back. */
  private settle(): void {
    const pipe = this.pipe;
    if (!pipe) return;
    this.pipe = undefined;
    try {
      pipe.drain(this.placed);
    } catch (err) {
      fileError(err, this.path);
    } finally {
      pipe.stop();
      this.offset = pipe.end;
    }
  }

  /** Flushes, writes the footer and trailer, closes the file (and renames it into place when atomic). */
  close(extras: FooterExtras = {}): void {
    if (this.closed) return;
    this.makeChunk(true);
    this.settle();
    const footer = encodeFooter({
      chunks: this.chunks.map((c) => ({
        firstSeq: c.firstSeq,
        count: c.count,
        offset: c.offset,
        firstTimeNs: c.firstTimeNs === NO_TIME ? undefined : c.firstTimeNs,
        maxTimeNs: c.maxTimeNs === NO_TIME ? undefined : c.maxTimeNs,
        storedLength: c.storedLength,
        digests: c.digests,
      })),
      eventCount: this.seq,
      droppedEvents: extras.droppedEvents ?? 0,
      unknownMessages: extras.unknownMessages ?? 0,
      digestProfile: this.opts.annotator?.profile ?? '',
      endNotes: extras.endNotes ?? {},
      endTimeNs: extras.endTimeNs ?? 0,
    });
    const fh = Buffer.alloc(FOOTER_HEADER_SIZE);
    fh.writeUInt32LE(FOOTER_MAGIC, 0);
    fh.writeUInt32LE(footer.length, 4);
    fh.writeUInt32LE(zlib.crc32(footer) >>> 0, 8);
    const trailer = Buffer.alloc(TRAILER_SIZE);
    trailer.writeBigUInt64LE(BigInt(this.offset), 0);
    TRAILER_MAGIC.copy(trailer, 8);
    this.write(Buffer.concat([fh, footer, trailer]));
    this.closed = true;
    try {
      fs.fsyncSync(this.fd);
    } catch {
      /* fsync is best effort on pipes and odd file systems */
    }
    fs.closeSync(this.fd);
    if (this.tmpPath) {
      try {
        fs.renameSync(this.tmpPath, this.path);
      } catch (err) {
        fs.rmSync(this.tmpPath, { force: true });
        fileError(err, this.path);
      }
    }
  }

  /** Closes without a footer; an atomic writer removes its temporary file, a recording keeps what it wrote. */
  abort(): void {
    if (this.closed) return;
    this.closed = true;
    // The compressing thread finishes its chunks first, even when the file is to be removed: it
    // writes by descriptor, and the number could be another file's once this one is closed.
    try {
      if (this.pipe) this.settle();
    } catch {
      /* what could not be written is lost; what was written stays */
    }
    this.pipe?.stop();
    this.pipe = undefined;
    try {
      fs.closeSync(this.fd);
    } catch {
      /* already closed */
    }
    if (this.tmpPath) fs.rmSync(this.tmpPath, { force: true });
  }

  private write(buf: Buffer): void {
    let done = 0;
    try {
      while (done < buf.length) done += fs.writeSync(this.fd, buf, done, buf.length - done, this.offset + done);
    } catch (err) {
      fileError(err, this.path);
    }
    this.offset += buf.length;
  }
}

/** The zlib call that compresses a block of `size` bytes with the given codec and level. */
export function zlibCall(codec: number, level: number, size: number): ZlibCall {
  switch (codec) {
    case Codec.none:
      return { fn: undefined, options: {} };
    case Codec.deflateRaw:
      return { fn: 'deflateRawSync', options: { level } };
    case Codec.gzip:
      return { fn: 'gzipSync', options: { level } };
    case Codec.brotli:
      return { fn: 'brotliCompressSync', options: { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: level, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: size } } };
    default:
      throw new Error(`unknown codec ${codec}`);
  }
}

/** Compresses one chunk block with the given codec. */
export function compress(raw: Uint8Array, codec: number, level: number): Buffer {
  const call = zlibCall(codec, level, raw.length);
  return call.fn ? (zlib[call.fn] as (b: Uint8Array, o: object) => Buffer)(raw, call.options) : Buffer.from(raw);
}
