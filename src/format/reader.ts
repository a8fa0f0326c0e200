import fs from 'node:fs';
import zlib from 'node:zlib';
import type { TraceEvent, TraceHeader } from '../model/index.js';
import { CorruptTraceError, fileError, UnsupportedTraceError } from '../util/errors.js';
import { checkEvent, headerFromWire, readEvent } from './eventcodec.js';
import { WireCursor, WireError } from './fastdecode.js';
import {
  CHUNK_HEADER_SIZE,
  Codec,
  decodeChunkHeader,
  FILE_MAGIC,
  FOOTER_HEADER_SIZE,
  FOOTER_MAGIC,
  FORMAT_VERSION,
  LIMITS,
  NO_TIME,
  PREAMBLE_SIZE,
  TRAILER_MAGIC,
  TRAILER_SIZE,
} from './layout.js';
import { pb } from './proto.js';
import type { StreamDigest } from './writer.js';

/** One chunk as the index (footer or salvage scan) knows it. */
export interface ChunkInfo {
  offset: number;
  firstSeq: number;
  count: number;
  /** Undefined when no event of the chunk has a time. */
  firstTimeNs?: number;
  maxTimeNs?: number;
  storedLength: number;
  digests: StreamDigest[];
}

/** Where a file stops being trustworthy, if anywhere. */
export interface Damage {
  what: string;
  offset: number;
}

/** The one-line description of a trace's damage: `FILE: what at offset N`. */
export function describeDamage(file: string, d: Damage): string {
  return `${file}: ${d.what} at offset ${d.offset}`;
}

/** What open() learned about the file's completeness. */
export interface Integrity {
  /** True when the footer was present and valid. */
  footer: boolean;
  /** First damage found while opening (a missing footer counts); undefined for an intact file. */
  damage?: Damage;
  fileSize: number;
}

/** Selects events while iterating; every given criterion must hold. */
export interface EventFilter {
  pids?: ReadonlySet<number>;
  tids?: ReadonlySet<number>;
  /** Call names; non-call events never match a name filter. */
  names?: ReadonlySet<string>;
  /** Only calls that failed (errno != 0). */
  failed?: boolean;
  kinds?: ReadonlySet<TraceEvent['kind']>;
}

/** True when `ev` passes `f`. */
export function matchesFilter(ev: TraceEvent, f: EventFilter | undefined): boolean {
  if (!f) return true;
  if (f.kinds && !f.kinds.has(ev.kind)) return false;
  if (f.pids && !f.pids.has(ev.pid)) return false;
  if (f.tids && !f.tids.has(ev.tid)) return false;
  if (f.names && (ev.kind !== 'call' || !f.names.has(ev.name))) return false;
  if (f.failed && (ev.kind !== 'call' || ev.errno === 0)) return false;
  return true;
}

/** Options of TraceReader.events(). */
export interface IterateOptions {
  /** First seq to yield (default 0). */
  from?: number;
  /** Stop before this seq (default: the end). */
  to?: number;
  filter?: EventFilter;
  /** Called for a chunk that cannot be read; iteration then skips it. Without it, the error is thrown. */
  onCorrupt?: (err: CorruptTraceError) => void;
}

/** Footer facts other than the index. */
export interface FooterInfo {
  droppedEvents: number;
  unknownMessages: number;
  digestProfile: string;
  endNotes: Record<string, string>;
  endTimeNs?: number;
}

const CACHE_CHUNKS = 4;

/**
 * Random-access, streaming reader of a .ptrace file. open() reads the header and the index (the footer,
 * or a scan of chunk headers when the footer is missing or damaged); events are read a chunk at a time.
 */
export class TraceReader {
  readonly header: TraceHeader;
  readonly chunks: ChunkInfo[];
  readonly integrity: Integrity;
  readonly footerInfo: FooterInfo;
  /** Number of readable events (those in indexed chunks). */
  readonly eventCount: number;
  /** Chunks read from disk so far (for benchmarks and bisect's O(log n) report). */
  chunksRead = 0;
  private fd: number;
  private cache = new Map<number, TraceEvent[]>();
  private runningMax: number[] = [];

  private constructor(readonly file: string) {
    let fd: number;
    try {
      fd = fs.openSync(file, 'r');
    } catch (err) {
      fileError(err, file);
    }
    this.fd = fd;
    try {
      const st = fs.fstatSync(fd);
      if (st.isDirectory()) {
        const e = new Error('directory') as NodeJS.ErrnoException;
        e.code = 'EISDIR';
        throw e;
      }
      const size = st.size;
      const { header, end } = this.readPreamble(size);
      this.header = header;
      const fromFooter = this.readFooter(size, end);
      if (fromFooter.ok) {
        this.chunks = fromFooter.chunks;
        this.footerInfo = fromFooter.info;
        this.integrity = { footer: true, fileSize: size };
      } else {
        const scan = this.scanChunks(end, size);
        this.chunks = scan.chunks;
        this.footerInfo = { droppedEvents: 0, unknownMessages: 0, digestProfile: '', endNotes: {} };
        this.integrity = { footer: false, fileSize: size, damage: fromFooter.damage ?? scan.damage };
        if (scan.damage && (!fromFooter.damage || scan.damage.offset < fromFooter.damage.offset)) this.integrity.damage = scan.damage;
      }
      const last = this.chunks[this.chunks.length - 1];
      this.eventCount = last ? last.firstSeq + last.count : 0;
      let m = -Infinity;
      for (const c of this.chunks) {
        if (c.maxTimeNs !== undefined && c.maxTimeNs > m) m = c.maxTimeNs;
        this.runningMax.push(m);
      }
    } catch (err) {
      fs.closeSync(fd);
      if (err instanceof CorruptTraceError || err instanceof UnsupportedTraceError) throw err;
      fileError(err, file);
    }
  }

  /** Opens a trace. Throws BadInputError (missing file, directory), CorruptTraceError or UnsupportedTraceError. */
  static open(file: string): TraceReader {
    return new TraceReader(file);
  }

  /** Releases the file descriptor. */
  close(): void {
    try {
      fs.closeSync(this.fd);
    } catch {
      /* already closed */
    }
    this.cache.clear();
  }

  /** The events of chunk `i`, verified against its checksum. Throws CorruptTraceError. */
  readChunk(i: number): TraceEvent[] {
    const hit = this.cache.get(i);
    if (hit) {
      this.cache.delete(i);
      this.cache.set(i, hit);
      return hit;
    }
    const c = this.chunks[i];
    if (!c) throw new RangeError(`chunk ${i} out of range`);
    const events = this.decodeChunk(this.loadChunk(i), c);
    this.chunksRead++;
    this.cache.set(i, events);
    if (this.cache.size > CACHE_CHUNKS) this.cache.delete(this.cache.keys().next().value as number);
    return events;
  }

  /** Index of the chunk holding event `seq`, or -1. */
  chunkOf(seq: number): number {
    let lo = 0;
    let hi = this.chunks.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const c = this.chunks[mid];
      if (seq < c.firstSeq) hi = mid - 1;
      else if (seq >= c.firstSeq + c.count) lo = mid + 1;
      else return mid;
    }
    return -1;
  }

  /** Event number `seq`: one index lookup, at most one chunk read. Throws RangeError when out of range. */
  event(seq: number): TraceEvent {
    const i = this.chunkOf(seq);
    if (i < 0) throw new RangeError(`event ${seq} is out of range (the trace has ${this.eventCount} events)`);
    return this.readChunk(i)[seq - this.chunks[i].firstSeq];
  }

  /** The seq of the first event whose time is at or after `tNs` (relative ns), or eventCount when none is. */
  seekTime(tNs: number): number {
    let lo = 0;
    let hi = this.chunks.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.runningMax[mid] >= tNs) hi = mid;
      else lo = mid + 1;
    }
    if (lo >= this.chunks.length) return this.eventCount;
    for (const ev of this.readChunk(lo)) if (ev.timeNs !== undefined && ev.timeNs >= tNs) return ev.seq;
    return this.eventCount;
  }

  /** Iterates events in order from `from`, holding one chunk at a time. */
  *events(opts: IterateOptions = {}): Generator<TraceEvent> {
    for (const { c, data: evs, start, end } of this.chunksFor(opts, (i) => this.readChunk(i)))
      for (let j = start; j < end; j++) if (matchesFilter(evs[j], opts.filter)) yield evs[j];
  }

  /**
   * Iterates events in order like events(), for long sequential passes: each chunk is read for this
   * iteration only (the chunk cache is neither used nor disturbed) and its events are decoded one at a
   * time, so an event is garbage as soon as the caller drops it. A chunk is checked whole before its
   * first event is yielded: a damaged chunk is skipped (onCorrupt) or thrown exactly as by events().
   */
  *stream(opts: IterateOptions = {}): Generator<TraceEvent> {
    const load = (i: number): Buffer => {
      const raw = this.loadChunk(i);
      this.checkEvents(raw, this.chunks[i]);
      this.chunksRead++;
      return raw;
    };
    for (const { c, data: raw, start, end } of this.chunksFor(opts, load)) {
      const cur = new WireCursor(raw, 0, raw.length);
      for (let j = 0; j < start; j++) cur.pos = cur.span();
      for (let j = start; j < end; j++) {
        const ev = readEvent(cur, c.firstSeq + j);
        if (matchesFilter(ev, opts.filter)) yield ev;
      }
    }
  }

  /** The chunks holding events [from, to) of `opts`, each loaded by `load`, with the range of its events wanted; a chunk `load` finds corrupt goes to onCorrupt (or is thrown). */
  private *chunksFor<T>(opts: IterateOptions, load: (i: number) => T): Generator<{ c: ChunkInfo; data: T; start: number; end: number }> {
    const from = Math.max(0, opts.from ?? 0);
    const to = Math.min(this.eventCount, opts.to ?? this.eventCount);
    if (from >= to) return;
    for (let i = this.chunkOf(from); i >= 0 && i < this.chunks.length; i++) {
      const c = this.chunks[i];
      if (c.firstSeq >= to) return;
      let data: T;
      try {
        data = load(i);
      } catch (err) {
        if (opts.onCorrupt && err instanceof CorruptTraceError) {
          opts.onCorrupt(err);
          continue;
        }
        throw err;
      }
      yield { c, data, start: Math.max(0, from - c.firstSeq), end: Math.min(c.count, to - c.firstSeq) };
    }
  }

  /** Reads every chunk and returns the ones that fail their checksum or do not decode. */
  verify(onChunk?: (i: number) => void): CorruptTraceError[] {
    const bad: CorruptTraceError[] = [];
    for (let i = 0; i < this.chunks.length; i++) {
      try {
        this.checkEvents(this.loadChunk(i), this.chunks[i]);
        this.chunksRead++;
      } catch (err) {
        if (err instanceof CorruptTraceError) bad.push(err);
        else throw err;
      }
      onChunk?.(i);
    }
    return bad;
  }

  private corrupt(what: string, offset: number): CorruptTraceError {
    return new CorruptTraceError(this.file, what, offset);
  }

  private scratch = Buffer.alloc(0);

  private readScratch(offset: number, length: number): Buffer {
    if (this.scratch.length < length) this.scratch = Buffer.allocUnsafe(Math.max(length, this.scratch.length * 2, 1 << 16));
    const buf = this.scratch.subarray(0, length);
    let got = 0;
    while (got < length) {
      const n = fs.readSync(this.fd, buf, got, length - got, offset + got);
      if (n === 0) throw this.corrupt('truncated chunk', offset + got);
      got += n;
    }
    return buf;
  }

  private readAt(offset: number, length: number, whatIfShort: string): Buffer {
    const buf = Buffer.allocUnsafe(length);
    let got = 0;
    while (got < length) {
      const n = fs.readSync(this.fd, buf, got, length - got, offset + got);
      if (n === 0) throw this.corrupt(whatIfShort, offset + got);
      got += n;
    }
    return buf;
  }

  private readPreamble(size: number): { header: TraceHeader; end: number } {
    if (size === 0) throw this.corrupt('empty file, not a trace', 0);
    const pre = this.readAt(0, Math.min(size, PREAMBLE_SIZE), 'truncated');
    const magicLen = Math.min(pre.length, FILE_MAGIC.length);
    if (!pre.subarray(0, magicLen).equals(FILE_MAGIC.subarray(0, magicLen))) throw this.corrupt('not a picotrace trace (bad magic)', 0);
    if (size < PREAMBLE_SIZE) throw this.corrupt('truncated in the file header', size);
    const version = pre.readUInt32LE(8);
    if (version > FORMAT_VERSION)
      throw new UnsupportedTraceError(this.file, `trace format version ${version} is newer than this picotrace reads (up to ${FORMAT_VERSION}); upgrade picotrace to read it`);
    if (version === 0) throw this.corrupt('invalid format version 0', 8);
    const len = pre.readUInt32LE(12);
    if (len > LIMITS.headerBytes) throw this.corrupt(`header length ${len} exceeds the limit of ${LIMITS.headerBytes} bytes`, 12);
    if (PREAMBLE_SIZE + len > size) throw this.corrupt('truncated in the file header', size);
    const body = this.readAt(PREAMBLE_SIZE, len, 'truncated in the file header');
    if ((zlib.crc32(body) >>> 0) !== pre.readUInt32LE(16)) throw this.corrupt('file header checksum mismatch', PREAMBLE_SIZE);
    let header: TraceHeader;
    try {
      header = headerFromWire(pb.Header.decode(body) as unknown as Record<string, unknown>);
    } catch {
      throw this.corrupt('file header does not decode', PREAMBLE_SIZE);
    }
    return { header, end: PREAMBLE_SIZE + len };
  }

  private readFooter(size: number, dataStart: number): { ok: true; chunks: ChunkInfo[]; info: FooterInfo } | { ok: false; damage?: Damage } {
    if (size < dataStart + TRAILER_SIZE) return { ok: false };
    const trailer = this.readAt(size - TRAILER_SIZE, TRAILER_SIZE, 'truncated trailer');
    if (!trailer.subarray(8).equals(TRAILER_MAGIC)) return { ok: false };
    const footOff = Number(trailer.readBigUInt64LE(0));
    const trailerAt = size - TRAILER_SIZE;
    if (footOff < dataStart || footOff + FOOTER_HEADER_SIZE > trailerAt) return { ok: false, damage: { what: 'trailer points outside the file', offset: trailerAt } };
    const fh = this.readAt(footOff, FOOTER_HEADER_SIZE, 'truncated footer');
    const len = fh.readUInt32LE(4);
    if (fh.readUInt32LE(0) !== FOOTER_MAGIC || len > LIMITS.footerBytes || footOff + FOOTER_HEADER_SIZE + len !== trailerAt)
      return { ok: false, damage: { what: 'bad footer header', offset: footOff } };
    const body = this.readAt(footOff + FOOTER_HEADER_SIZE, len, 'truncated footer');
    if ((zlib.crc32(body) >>> 0) !== fh.readUInt32LE(8)) return { ok: false, damage: { what: 'footer checksum mismatch', offset: footOff } };
    let f: Record<string, unknown>;
    try {
      f = pb.Footer.decode(body) as unknown as Record<string, unknown>;
    } catch {
      return { ok: false, damage: { what: 'footer does not decode', offset: footOff } };
    }
    const chunks: ChunkInfo[] = [];
    let expectSeq = 0;
    let expectOff = dataStart;
    for (const raw of f.chunks as Record<string, unknown>[]) {
      const c: ChunkInfo = {
        offset: Number(raw.offset),
        firstSeq: Number(raw.firstSeq),
        count: raw.count as number,
        storedLength: raw.storedLength as number,
        digests: ((raw.digests as Record<string, unknown>[]) ?? []).map((d) => ({ stream: d.stream as string, count: Number(d.count), digest: d.digest as Uint8Array })),
      };
      if (Object.hasOwn(raw, 'firstTimeNs')) c.firstTimeNs = Number(raw.firstTimeNs);
      if (Object.hasOwn(raw, 'maxTimeNs')) c.maxTimeNs = Number(raw.maxTimeNs);
      if (c.offset !== expectOff || c.firstSeq !== expectSeq || c.count > LIMITS.chunkEvents || c.storedLength > LIMITS.chunkStoredBytes)
        return { ok: false, damage: { what: 'footer index does not match the chunks', offset: footOff } };
      expectSeq += c.count;
      expectOff += CHUNK_HEADER_SIZE + c.storedLength;
      chunks.push(c);
    }
    if (expectOff !== footOff || Number(f.eventCount) !== expectSeq) return { ok: false, damage: { what: 'footer index does not match the chunks', offset: footOff } };
    const info: FooterInfo = {
      droppedEvents: Number(f.droppedEvents),
      unknownMessages: Number(f.unknownMessages),
      digestProfile: f.digestProfile as string,
      endNotes: { ...((f.endNotes as Record<string, string>) ?? {}) },
    };
    if (f.endTimeNs) info.endTimeNs = Number(f.endTimeNs);
    return { ok: true, chunks, info };
  }

  private scanChunks(start: number, size: number): { chunks: ChunkInfo[]; damage?: Damage } {
    const chunks: ChunkInfo[] = [];
    let off = start;
    let seq = 0;
    while (off < size) {
      if (size - off < CHUNK_HEADER_SIZE) {
        if (size - off >= 4 && this.readAt(off, 4, 'truncated').readUInt32LE(0) === FOOTER_MAGIC) return { chunks, damage: { what: 'truncated in the footer', offset: off } };
        return { chunks, damage: { what: 'truncated in a chunk header', offset: off } };
      }
      const hb = this.readAt(off, CHUNK_HEADER_SIZE, 'truncated in a chunk header');
      const h = decodeChunkHeader(hb);
      if (!h) {
        if (hb.readUInt32LE(0) === FOOTER_MAGIC) {
          const cut = off + FOOTER_HEADER_SIZE + hb.readUInt32LE(4) + TRAILER_SIZE > size;
          return { chunks, damage: { what: cut ? 'truncated in the footer' : 'damaged footer', offset: off } };
        }
        return { chunks, damage: { what: 'bad chunk header', offset: off } };
      }
      if (h.storedLength > LIMITS.chunkStoredBytes || h.rawLength > LIMITS.chunkRawBytes || h.count > LIMITS.chunkEvents || h.count === 0)
        return { chunks, damage: { what: 'chunk header has impossible lengths', offset: off } };
      if (h.firstSeq !== seq) return { chunks, damage: { what: `chunk out of sequence (starts at event ${h.firstSeq}, expected ${seq})`, offset: off } };
      if (off + CHUNK_HEADER_SIZE + h.storedLength > size) return { chunks, damage: { what: 'truncated in the middle of a chunk', offset: off } };
      const stored = this.readAt(off + CHUNK_HEADER_SIZE, h.storedLength, 'truncated in the middle of a chunk');
      if ((zlib.crc32(stored, zlib.crc32(hb.subarray(0, 40))) >>> 0) !== h.crc) return { chunks, damage: { what: 'chunk checksum mismatch', offset: off } };
      const c: ChunkInfo = { offset: off, firstSeq: h.firstSeq, count: h.count, storedLength: h.storedLength, digests: [] };
      if (h.firstTimeNs !== NO_TIME) c.firstTimeNs = Number(h.firstTimeNs);
      if (h.maxTimeNs !== NO_TIME) c.maxTimeNs = Number(h.maxTimeNs);
      chunks.push(c);
      seq += h.count;
      off += CHUNK_HEADER_SIZE + h.storedLength;
    }
    return { chunks, damage: { what: 'no footer (the recording did not finish); readable up to the last whole chunk', offset: size } };
  }

  /** Reads chunk `i` from disk, checks it against the index and its checksum, and returns its decompressed event block. */
  private loadChunk(i: number): Buffer {
    const c = this.chunks[i];
    const buf = this.readScratch(c.offset, CHUNK_HEADER_SIZE + c.storedLength);
    const h = decodeChunkHeader(buf);
    if (!h) throw this.corrupt('bad chunk header', c.offset);
    if (h.storedLength !== c.storedLength || h.count !== c.count || h.firstSeq !== c.firstSeq) throw this.corrupt('chunk header does not match the index', c.offset);
    if (h.rawLength > LIMITS.chunkRawBytes) throw this.corrupt('chunk header has impossible lengths', c.offset);
    const stored = buf.subarray(CHUNK_HEADER_SIZE);
    if ((zlib.crc32(stored, zlib.crc32(buf.subarray(0, 40))) >>> 0) !== h.crc) throw this.corrupt('chunk checksum mismatch', c.offset);
    let raw: Buffer;
    try {
      raw = decompress(stored, h.codec, h.rawLength);
    } catch {
      throw this.corrupt('chunk does not decompress', c.offset);
    }
    if (raw.length !== h.rawLength) throw this.corrupt('chunk decompresses to the wrong length', c.offset);
    return raw;
  }

  /** Decodes the events of a chunk's block into `out`, or only checks that they decode (building no calls) without it. Throws CorruptTraceError. */
  private decodeEvents(raw: Buffer, c: ChunkInfo, out?: TraceEvent[]): void {
    const cur = new WireCursor(raw, 0, raw.length);
    try {
      if (out) for (let i = 0; i < c.count; i++) out[i] = readEvent(cur, c.firstSeq + i);
      else for (let i = 0; i < c.count; i++) checkEvent(cur, c.firstSeq + i);
    } catch (err) {
      if (err instanceof WireError || err instanceof RangeError || err instanceof Error) throw this.corrupt('chunk events do not decode', c.offset);
      throw err;
    }
    if (cur.pos !== raw.length) throw this.corrupt('chunk has trailing bytes', c.offset);
  }

  private decodeChunk(raw: Buffer, c: ChunkInfo): TraceEvent[] {
    const out: TraceEvent[] = new Array(c.count);
    this.decodeEvents(raw, c, out);
    return out;
  }

  /** Checks that a chunk's block decodes, keeping nothing. Throws CorruptTraceError. */
  private checkEvents(raw: Buffer, c: ChunkInfo): void {
    this.decodeEvents(raw, c);
  }
}

function decompress(stored: Buffer, codec: number, rawLength: number): Buffer {
  const maxOutputLength = Math.max(1, rawLength);
  const chunkSize = Math.max(64, rawLength + 1);
  switch (codec) {
    case Codec.none:
      return Buffer.from(stored);
    case Codec.deflateRaw:
      return zlib.inflateRawSync(stored, { maxOutputLength, chunkSize });
    case Codec.gzip:
      return zlib.gunzipSync(stored, { maxOutputLength, chunkSize });
    case Codec.brotli:
      return zlib.brotliDecompressSync(stored, { maxOutputLength, chunkSize });
    default:
      throw new Error(`unknown codec ${codec}`);
  }
}
