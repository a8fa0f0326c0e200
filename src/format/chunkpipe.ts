import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';

/** Chunks handed to the compressing thread and not yet written, above which flush() waits. */
export const MAX_CHUNKS_IN_FLIGHT = 4;

/** Where one chunk landed in the file, as the compressing thread reports it. */
export interface ChunkPlaced {
  index: number;
  offset: number;
  storedLength: number;
}

/** A chunk block to compress and write, with the header fields the writer knows. */
export interface ChunkJob {
  raw: Uint8Array;
  rawLength: number;
  count: number;
  firstSeq: number;
  firstTimeNs: bigint;
  maxTimeNs: bigint;
  codec: number;
  level: number;
}

const SUBMITTED = 0;
const DONE = 1;
const FAILED = 2;

// CommonJS run with eval, so it loads the same from dist/ and from the TypeScript sources under test.
// It keeps the chunk layout of layout.ts (48-byte header, CRC-32 over header[0..40] and the block).
const COMPRESSOR = `
const fs = require('node:fs');
const zlib = require('node:zlib');
const { workerData } = require('node:worker_threads');
const { fd, shared, port, magic } = workerData;
let offset = workerData.offset;
const ctl = new Int32Array(shared);
let failed = false;
function compress(raw, codec, level) {
  switch (codec) {
    case 0: return Buffer.from(raw);
    case 1: return zlib.deflateRawSync(raw, { level });
    case 2: return zlib.brotliCompressSync(raw, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: level, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: raw.length } });
    case 3: return zlib.gzipSync(raw, { level });
    default: throw new Error('unknown codec ' + codec);
  }
}
port.on('message', (job) => {
  if (failed) return;
  try {
    const stored = compress(job.raw, job.codec, job.level);
    const head = Buffer.alloc(48);
    head.writeUInt32LE(magic, 0);
    head.writeUInt32LE(stored.length, 4);
    head.writeUInt32LE(job.rawLength, 8);
    head.writeUInt32LE(job.count, 12);
    head.writeBigUInt64LE(BigInt(job.firstSeq), 16);
    head.writeBigInt64LE(job.firstTimeNs, 24);
    head.writeBigInt64LE(job.maxTimeNs, 32);
    head.writeUInt8(job.codec, 44);
    head.writeUInt32LE(zlib.crc32(stored, zlib.crc32(head.subarray(0, 40))) >>> 0, 40);
    const buf = Buffer.concat([head, stored]);
    let done = 0;
    while (done < buf.length) done += fs.writeSync(fd, buf, done, buf.length - done, offset + done);
    port.postMessage({ index: job.index, offset, storedLength: stored.length });
    offset += buf.length;
  } catch (err) {
    failed = true;
    port.postMessage({ error: { code: err && err.code, message: String(err && err.message || err) } });
    Atomics.store(ctl, ${FAILED}, 1);
  }
  Atomics.add(ctl, ${DONE}, 1);
  Atomics.notify(ctl, ${DONE});
});
`;

/**
 * Compresses and writes a trace file's chunks on another thread, in the order they are submitted,
 * while the writer goes on encoding events. Every wait is synchronous (Atomics), so TraceWriter keeps
 * its synchronous interface; at most MAX_CHUNKS_IN_FLIGHT blocks are held at once.
 */
export class ChunkPipe {
  private readonly ctl = new Int32Array(new SharedArrayBuffer(12));
  private readonly port: MessagePort;
  private readonly worker: Worker;
  private submitted = 0;
  private error: (Error & { code?: string }) | undefined;
  /** End of the last chunk written (where the next write goes once the pipe is idle). */
  end: number;

  constructor(fd: number, offset: number, magic: number) {
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    this.end = offset;
    this.worker = new Worker(COMPRESSOR, { eval: true, workerData: { fd, offset, shared: this.ctl.buffer, port: port2, magic }, transferList: [port2] });
    this.worker.unref();
  }

  /** Hands one block over; waits while too many are in flight. Throws what a previous write failed with. */
  submit(job: ChunkJob, index: number, placed: (p: ChunkPlaced) => void): void {
    this.check(placed);
    while (this.submitted - Atomics.load(this.ctl, DONE) >= MAX_CHUNKS_IN_FLIGHT) {
      Atomics.wait(this.ctl, DONE, Atomics.load(this.ctl, DONE), 1000);
      this.check(placed);
    }
    const raw = job.raw.byteOffset === 0 && job.raw.byteLength === job.raw.buffer.byteLength ? job.raw : job.raw.slice();
    this.port.postMessage({ ...job, raw, index }, [raw.buffer as ArrayBuffer]);
    this.submitted++;
  }

  /** Waits until every submitted chunk is written and reported. Throws what a write failed with. */
  drain(placed: (p: ChunkPlaced) => void): void {
    while (Atomics.load(this.ctl, DONE) < this.submitted) {
      Atomics.wait(this.ctl, DONE, Atomics.load(this.ctl, DONE), 1000);
      this.check(placed);
    }
    this.check(placed);
  }

  /** Stops the thread (after drain, or to give up on what is in flight). */
  stop(): void {
    this.port.close();
    void this.worker.terminate();
  }

  private check(placed: (p: ChunkPlaced) => void): void {
    for (let m = receiveMessageOnPort(this.port); m; m = receiveMessageOnPort(this.port)) {
      const msg = m.message as ChunkPlaced | { error: { code?: string; message: string } };
      if ('error' in msg) {
        this.error ??= Object.assign(new Error(msg.error.message), { code: msg.error.code });
        continue;
      }
      this.end = msg.offset + 48 + msg.storedLength;
      placed(msg);
    }
    if (this.error) throw this.error;
  }
}
