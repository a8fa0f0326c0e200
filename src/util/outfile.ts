import fs from 'node:fs';
import path from 'node:path';
import { fileError, UsageError } from './errors.js';
import { onInterrupt } from './interrupt.js';

const FLUSH_BYTES = 1 << 18;

/** Throws UsageError when `output` is the same file as one of `inputs` (same path, or same inode through a link). */
export function refuseInputOverwrite(output: string, inputs: readonly string[]): void {
  const out = path.resolve(output);
  let outStat: fs.Stats | undefined;
  try {
    outStat = fs.statSync(out);
  } catch {
    outStat = undefined;
  }
  for (const input of inputs) {
    const inp = path.resolve(input);
    let same = inp === out;
    if (!same && outStat) {
      try {
        const s = fs.statSync(inp);
        same = s.dev === outStat.dev && s.ino === outStat.ino;
      } catch {
        same = false;
      }
    }
    if (same) throw new UsageError(`refusing to overwrite the input file ${input}; choose another output name`);
  }
}

/**
 * A hidden temporary name next to `target` (same directory, so the final rename is atomic). The random
 * part comes from Web Crypto's global, which loads node:crypto (some 3 ms) only when a name is made.
 */
export function tempSibling(target: string): string {
  const dir = path.dirname(target);
  return path.join(dir, `.${path.basename(target)}.${process.pid}.${Buffer.from(globalThis.crypto.getRandomValues(new Uint8Array(4))).toString('hex')}.tmp`);
}

/**
 * A text or binary output file written safely: bytes go to a temporary sibling created with mode 0600,
 * which commit() renames over the target once everything is written; abort(), an error thrown through
 * write(), or an interrupting signal (SIGINT, SIGTERM, SIGHUP) removes it, so the target is either the
 * complete new file or untouched. Writes are buffered and awaited, so signals are handled while writing.
 */
export class SafeOutputFile {
  private fd: number;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private written = 0;
  private done = false;
  private closed = false;
  private committed = false;
  private readonly unregister: () => void;

  private constructor(
    readonly target: string,
    readonly tempPath: string,
  ) {
    try {
      this.fd = fs.openSync(tempPath, 'wx', 0o600);
      fs.fchmodSync(this.fd, 0o600);
    } catch (err) {
      fileError(err, target);
    }
    this.unregister = onInterrupt(() => this.abort());
  }

  /** Creates the temporary file for `target`, after refusing a target that is one of `inputs`. Throws BadInputError or UsageError. */
  static create(target: string, opts: { inputs?: readonly string[] } = {}): SafeOutputFile {
    refuseInputOverwrite(target, opts.inputs ?? []);
    try {
      if (fs.statSync(target).isDirectory()) throw new UsageError(`${target}: is a directory; give an output file name`);
    } catch (err) {
      if (err instanceof UsageError) throw err;
    }
    return new SafeOutputFile(target, tempSibling(target));
  }

  /** Bytes accepted so far (buffered or written). */
  get bytesWritten(): number {
    return this.written + this.pendingBytes;
  }

  /** Appends text (UTF-8) or bytes; resolves once buffered data is on its way to the disk. Throws BadInputError on write errors (the temporary is removed). */
  async write(data: string | Uint8Array): Promise<void> {
    if (this.done) throw new Error('write after commit or abort');
    const b = typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    this.pending.push(b);
    this.pendingBytes += b.length;
    if (this.pendingBytes >= FLUSH_BYTES) await this.flush();
  }

  /** Writes what is buffered, syncs, closes and renames the temporary over the target. */
  async commit(): Promise<void> {
    if (this.done) return;
    await this.flush();
    try {
      await new Promise<void>((resolve) => fs.fsync(this.fd, () => resolve()));
      this.done = true;
      this.closed = true;
      fs.closeSync(this.fd);
      fs.renameSync(this.tempPath, this.target);
      this.committed = true;
    } catch (err) {
      this.abort();
      fileError(err, this.target);
    }
    this.unregister();
  }

  /** Closes and removes the temporary file; the target is left as it was. Safe to call more than once. */
  abort(): void {
    this.done = true;
    if (this.committed) return;
    if (!this.closed) {
      this.closed = true;
      try {
        fs.closeSync(this.fd);
      } catch {
        /* already closed */
      }
    }
    fs.rmSync(this.tempPath, { force: true });
    this.unregister?.();
  }

  private async flush(): Promise<void> {
    if (this.pendingBytes === 0) return;
    const buf = Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    try {
      let off = 0;
      while (off < buf.length) {
        const n = await new Promise<number>((resolve, reject) => fs.write(this.fd, buf, off, buf.length - off, null, (e, w) => (e ? reject(e) : resolve(w))));
        off += n;
      }
      this.written += buf.length;
    } catch (err) {
      this.abort();
      fileError(err, this.target);
    }
  }
}

/**
 * Writes a small output file in one go, safely: refuses a target that is one of `inputs`, writes a
 * temporary sibling with mode 0600 and renames it over the target, removing it on error. Throws
 * UsageError or BadInputError.
 */
export function writeFileSafely(target: string, data: string | Uint8Array, opts: { inputs?: readonly string[] } = {}): void {
  refuseInputOverwrite(target, opts.inputs ?? []);
  const tmp = tempSibling(target);
  try {
    const fd = fs.openSync(tmp, 'wx', 0o600);
    try {
      fs.writeFileSync(fd, data);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, target);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    fileError(err, target);
  }
}
