import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { CHUNK_HEADER_SIZE } from './layout.js';

/**
 * Chunks handed to the compressing thread and not yet written, above which flush() waits. Eight: the
 * thread takes some 30 ms to start, and an import fills four 1 MiB chunks in about that time (with
 * four, the writer waited some 12 ms for it on each large import).
 */
export const MAX_CHUNKS_IN_FLIGHT = 8;

/** Where one chunk landed in the file, as the compressing thread reports it. */
export interface ChunkPlaced {
  index: number;
  offset: number;
  storedLength: number;
}

/** A zlib call that compresses a block: the function's name and its options (none: store as is). */
export interface ZlibCall {
  fn: 'deflateRawSync' | 'gzipSync' | 'brotliCompressSync' | undefined;
  options: object;
}

/** A chunk block to compress and write: its header with every field but stored length and CRC filled in. */
export interface ChunkJob {
  raw: Uint8Array;
  head: Buffer;
  zlib: ZlibCall;
}

// Run with eval, so that it loads the same from dist/ and from the TypeScript sources under test,
// as CommonJS or as a module (a process started with --input-type=module evaluates its workers as
// modules): hence import() rather than require. It marks itself started (done[1]), then fills in
// the stored length (bytes 4..8) and the CRC (bytes 40..44, over bytes 0..40 and the block) of the
// chunk header layout.ts made, writes the chunk, and hands the block's buffer back with its report.
const COMPRESSOR = `
Promise.all([import('node:fs'), import('node:zlib'), import('node:worker_threads')]).then(([{ default: fs }, { default: zlib }, { workerData }]) => {
  const { fd, shared, port } = workerData;
  let offset = workerData.offset;
  const done = new Int32Array(shared);
  let failed = false;
  port.on('message', (job) => {
    if (failed) return;
    try {
      const stored = job.zlib.fn ? zlib[job.zlib.fn](job.raw, job.zlib.options) : Buffer.from(job.raw);
      const head = Buffer.from(job.head.buffer, job.head.byteOffset, job.head.byteLength);
      head.writeUInt32LE(stored.length, 4);
      head.writeUInt32LE(zlib.crc32(stored, zlib.crc32(head.subarray(0, 40))) >>> 0, 40);
      // Header and block in one write where the system takes it whole (no copy made to join them).
      const total = head.length + stored.length;
      let n = fs.writevSync(fd, [head, stored], offset);
      if (n < total) {
        const buf = Buffer.concat([head, stored]);
        while (n < total) n += fs.writeSync(fd, buf, n, total - n, offset + n);
      }
      // The block's buffer goes back, for the writer to fill again.
      const spare = job.raw.byteOffset === 0 ? job.raw.buffer : undefined;
      port.postMessage({ index: job.index, offset, storedLength: stored.length, spare }, spare ? [spare] : []);
      offset += total;
    } catch (err) {
      failed = true;
      port.postMessage({ error: { code: err && err.code, message: String(err && err.message || err) } });
    }
    Atomics.add(done, 0, 1);
    Atomics.notify(done, 0);
  });
  Atomics.store(done, 1, 1);
  Atomics.notify(done, 1);
});
`;

/**
 * Detaches a buffer of its own, once a process. V8 compiles typed-array code on the promise that no
 * ArrayBuffer is ever detached, and the first detach (the first block handed to the compressing
 * thread) throws away every function compiled on it: some 30 of the parser's and encoder's, in the
 * middle of an import, which the optimizing compiler then builds again (its thread took 557 ms on a
 * 34 MB log, 455 with this, on a 2-CPU machine where that thread competes with the compression).
 * Done before any of them is compiled, the promise is broken before anything relies on it.
 */
export function detachEarly(): void {
  if (detached) return;
  detached = true;
  const b = new ArrayBuffer(8);
  structuredClone(b, { transfer: [b] });
}
let detached = false;

/**
 * How long the writer waits for the compressing thread to start before it gives up with an error
 * (the thread could not be made, or its code could not run): it would otherwise wait for good.
 */
export const START_TIMEOUT_MS = 60_000;

/**
 * Compresses and writes a trace file's chunks on another thread, in the order they are submitted,
 * while the writer goes on encoding events. Every wait is synchronous (Atomics), so TraceWriter keeps
 * its synchronous interface; at most MAX_CHUNKS_IN_FLIGHT blocks are held at once.
 */
export class ChunkPipe {
  /** Chunks the thread has finished with (written or failed), counted in shared memory so waits can be synchronous; then 1 once the thread has started. */
  private readonly done = new Int32Array(new SharedArrayBuffer(8));
  private readonly createdAt = Date.now();
  private readonly port: MessagePort;
  private readonly worker: Worker;
  private submitted = 0;
  private error: (Error & { code?: string }) | undefined;
  /** Block buffers the thread is done with, for the writer's next blocks. */
  private readonly spares: Buffer<ArrayBuffer>[] = [];
  /** End of the last chunk written (where the next write goes once the pipe is idle). */
  end: number;

  constructor(fd: number, offset: number) {
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    this.end = offset;
    this.worker = new Worker(COMPRESSOR, { eval: true, workerData: { fd, offset, shared: this.done.buffer, port: port2 }, transferList: [port2] });
    this.worker.unref();
  }

  /** Hands one block over; waits while too many are in flight. Throws what a previous write failed with. */
  submit(job: ChunkJob, index: number, placed: (p: ChunkPlaced) => void): void {
    this.check(placed);
    while (this.submitted - Atomics.load(this.done, 0) >= MAX_CHUNKS_IN_FLIGHT) {
      Atomics.wait(this.done, 0, Atomics.load(this.done, 0), 1000);
      this.check(placed);
      this.checkStarted();
    }
    // The block's buffer moves to the other thread as it is (no copy) when the block starts it.
    const raw = job.raw.byteOffset === 0 && !(job.raw.buffer instanceof SharedArrayBuffer) ? job.raw : job.raw.slice();
    this.port.postMessage({ ...job, raw, index }, [raw.buffer as ArrayBuffer]);
    this.submitted++;
  }

  /** Waits until every submitted chunk is written and reported. Throws what a write failed with. */
  drain(placed: (p: ChunkPlaced) => void): void {
    while (Atomics.load(this.done, 0) < this.submitted) {
      Atomics.wait(this.done, 0, Atomics.load(this.done, 0), 1000);
      this.check(placed);
      this.checkStarted();
    }
    this.check(placed);
  }

  /** A block buffer the thread has given back, if there is one. */
  spare(): Buffer<ArrayBuffer> | undefined {
    return this.spares.pop();
  }

  /** Stops the thread (after drain, or to give up on what is in flight). */
  stop(): void {
    this.port.close();
    void this.worker.terminate();
  }

  private checkStarted(): void {
    if (Atomics.load(this.done, 1) === 0 && Date.now() - this.createdAt > START_TIMEOUT_MS)
      throw (this.error = new Error(`the thread that compresses chunks did not start within ${START_TIMEOUT_MS / 1000} s`));
  }

  private check(placed: (p: ChunkPlaced) => void): void {
    for (let m = receiveMessageOnPort(this.port); m; m = receiveMessageOnPort(this.port)) {
      const msg = m.message as (ChunkPlaced & { spare?: ArrayBuffer }) | { error: { code?: string; message: string } };
      if ('error' in msg) {
        this.error ??= Object.assign(new Error(msg.error.message), { code: msg.error.code });
        continue;
      }
      this.end = msg.offset + CHUNK_HEADER_SIZE + msg.storedLength;
      // Two at most: the writer takes one a chunk, and more would only hold memory.
      if (msg.spare && this.spares.length < 2) this.spares.push(Buffer.from(msg.spare));
      placed({ index: msg.index, offset: msg.offset, storedLength: msg.storedLength });
    }
    if (this.error) throw this.error;
  }
}
