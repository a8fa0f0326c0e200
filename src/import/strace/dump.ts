import type { CallBuffer } from '../../model/index.js';

/**
 * The hex dumps strace prints after a call with `-e read=SET` / `-e write=SET` (`-r`/`-w` in older
 * versions): the whole data the call read or wrote, 16 bytes a line, where its string argument shows
 * only the first `-s` bytes. An iovec call's dump is split by ` * N bytes in buffer K` lines.
 *
 *     | 00000  7f 45 4c 46 02 01 01 03  00 00 00 00 00 00 00 00  .ELF............ |
 *     * 33 bytes in buffer 1
 */

/** How each line of a dump starts. */
export const DUMP_LINE = ' | ';
export const DUMP_BUFFER = ' * ';

const BUFFER_HEAD = /^ \* (\d+) bytes in buffer (\d+)$/;

/** The buffer number of a ` * N bytes in buffer K` line, with its size; undefined when the line is not one. */
export function dumpBufferHead(text: string): { size: number; element: number } | undefined {
  const m = BUFFER_HEAD.exec(text);
  return m ? { size: Number(m[1]), element: Number(m[2]) } : undefined;
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

/**
 * Collects the bytes of one buffer's dump, line by line, and then puts them into the call's buffer
 * in place of the prefix its string argument gave.
 */
export class DumpCollector {
  private bytes: Uint8Array;
  private length = 0;

  /**
   * `size`: the length of the whole dump (the ` * N bytes` of an iovec, or the call's return value),
   * -1 when not known.
   */
  constructor(
    readonly target: CallBuffer,
    readonly size: number,
  ) {
    this.bytes = new Uint8Array(Math.max(16, Math.min(size, 1 << 24)));
  }

  /**
   * Reads one ` | OFFSET  xx xx ...  text |` line. Returns a reason when it is not such a line or does
   * not continue the dump where the previous line ended (its offset), else undefined.
   */
  line(text: string): string | undefined {
    let p = DUMP_LINE.length;
    let offset = 0;
    const offStart = p;
    for (let d: number; (d = hexValue(text.charCodeAt(p))) >= 0; p++) offset = offset * 16 + d;
    if (p === offStart || text.charCodeAt(p) !== 32 || text.charCodeAt(p + 1) !== 32) return 'not a hex dump line';
    if (offset !== this.length) return `hex dump line at offset ${offset}, expected ${this.length}`;
    // Sixteen bytes at most, `xx ` each, two spaces after the eighth; spaces pad a short last line.
    const hexStart = p + 2;
    let n = 0;
    for (; n < 16; n++) {
      const at = hexStart + 3 * n + (n >= 8 ? 1 : 0);
      const hi = hexValue(text.charCodeAt(at));
      const lo = hexValue(text.charCodeAt(at + 1));
      if (hi < 0 || lo < 0) break;
      this.push(hi * 16 + lo);
    }
    if (n === 0) return 'hex dump line without bytes';
    return undefined;
  }

  private push(b: number): void {
    if (this.length === this.bytes.length) {
      const next = new Uint8Array(this.bytes.length * 2);
      next.set(this.bytes);
      this.bytes = next;
    }
    this.bytes[this.length++] = b;
  }

  /**
   * Puts the dumped bytes into the buffer when they hold more than it did. A dump of the size it
   * announced is the whole data: the buffer is then no longer cut (an iovec's length, taken as its
   * full length before, may be more than the call used).
   */
  finish(): void {
    const b = this.target;
    if (this.length < b.data.length || (this.length === b.data.length && !b.truncated)) return;
    b.data = this.bytes.slice(0, this.length);
    if (this.length === this.size || !b.fullLength || b.fullLength <= this.length) {
      b.fullLength = 0;
      b.truncated = false;
    }
  }
}
