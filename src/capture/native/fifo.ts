import fs from 'node:fs';

/** Reads shorter than this wait a moment before the next one, so strace's many small writes are taken in batches. */
const SMALL_READ = 16 << 10;
const BATCH_WAIT_MS = 2;

/** A FIFO being drained into a callback. */
export interface FifoPump {
  /** Whether a writer has opened the FIFO yet. */
  opened(): boolean;
  /** Resolves at end of file (every writer closed); rejects on a read error or a callback's throw. */
  readonly done: Promise<void>;
}

/**
 * Opens `fifo` for reading (waiting for a writer) and passes everything read to `onData`, through one
 * reused 1 MiB buffer: `onData` must consume the bytes before returning. Memory stays constant.
 */
export function pumpFifo(fifo: string, onData: (chunk: Buffer) => void): FifoPump {
  let isOpen = false;
  const done = (async () => {
    const fh = await fs.promises.open(fifo, 'r');
    isOpen = true;
    const buf = Buffer.allocUnsafe(1 << 20);
    try {
      for (;;) {
        const { bytesRead } = await fh.read(buf, 0, buf.length, null);
        if (bytesRead === 0) return;
        onData(buf.subarray(0, bytesRead));
        if (bytesRead < SMALL_READ) await new Promise((r) => setTimeout(r, BATCH_WAIT_MS));
      }
    } finally {
      await fh.close();
    }
  })();
  return { opened: () => isOpen, done };
}

/** Completes a reader's pending open of `fifo` when no writer ever came; false when no reader was waiting. */
export function releaseFifo(fifo: string): boolean {
  try {
    fs.closeSync(fs.openSync(fifo, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK));
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENXIO') throw err;
    return false;
  }
}
