import type { ArgValue, CallBuffer, CallEvent, Int64 } from '../model/index.js';
import { decodeArgsLenient } from './argcodec.js';
import { decodeBuffer, WireCursor, WireError } from './fastdecode.js';

/** Shared empty lists for calls without raw arguments or buffers (frozen: copy before changing). */
const NO_RAW: Int64[] = Object.freeze([] as Int64[]) as Int64[];
const NO_BUFFERS: CallBuffer[] = Object.freeze([] as CallBuffer[]) as CallBuffer[];
const NO_ARGS: ArgValue[] = Object.freeze([] as ArgValue[]) as ArgValue[];

/**
 * A call read from a trace. The scalar fields are decoded at once; `args` and `buffers` are decoded
 * from the chunk's bytes on first access (they are accessors on the prototype, so a copy must name
 * them: `{ ...ev, args: ev.args, buffers: ev.buffers }`; `toJSON` includes them).
 */
export class StoredCall implements CallEvent {
  declare readonly kind: 'call';
  declare seq: number;
  declare pid: number;
  declare tid: number;
  declare timeNs: number | undefined;
  declare name: string;
  declare sysno: number;
  declare rawArgs: Int64[];
  declare retval: Int64;
  declare errno: number;
  declare durationNs: number | undefined;
  declare flags: number;
  declare retAnnotation: string | undefined;
  declare arch: string | undefined;
  declare stack: string[] | undefined;
  #buf: Buffer;
  #callStart: number;
  #callEnd: number;
  #argsStart: number;
  #argsEnd: number;
  #bufferCount: number;
  #args: ArgValue[] | undefined;
  #buffers: CallBuffer[] | undefined;

  /** Decodes the Call message at [cur.pos, end) of an event with the given envelope fields. */
  constructor(seq: number, pid: number, tid: number, timeNs: number | undefined, cur: WireCursor, end: number) {
    (this as { kind: string }).kind = 'call';
    this.seq = seq;
    this.pid = pid;
    this.tid = tid;
    this.timeNs = timeNs;
    this.name = '';
    this.sysno = -1;
    this.rawArgs = NO_RAW;
    this.retval = 0;
    this.errno = 0;
    this.durationNs = undefined;
    this.flags = 0;
    this.retAnnotation = undefined;
    this.arch = undefined;
    this.stack = undefined;
    this.#buf = cur.buf;
    this.#callStart = cur.pos;
    this.#callEnd = end;
    this.#argsStart = 0;
    this.#argsEnd = 0;
    this.#bufferCount = 0;
    this.#args = undefined;
    this.#buffers = undefined;
    const saveEnd = cur.end;
    cur.end = end;
    while (cur.pos < end) {
      const tag = cur.u32();
      switch (tag) {
        case (1 << 3) | 2:
          this.name = cur.name();
          break;
        case (2 << 3) | 0:
          this.sysno = cur.sint32();
          break;
        case (3 << 3) | 2: {
          const e = cur.span();
          const raw: Int64[] = this.rawArgs === NO_RAW ? (this.rawArgs = []) : this.rawArgs;
          while (cur.pos < e) raw.push(cur.sint64());
          if (cur.pos !== e) throw new WireError('packed field overruns');
          break;
        }
        case (3 << 3) | 0:
          if (this.rawArgs === NO_RAW) this.rawArgs = [];
          this.rawArgs.push(cur.sint64());
          break;
        case (4 << 3) | 2: {
          const e = cur.span();
          this.#argsStart = cur.pos;
          this.#argsEnd = e;
          cur.pos = e;
          break;
        }
        case (5 << 3) | 0:
          this.retval = cur.sint64();
          break;
        case (6 << 3) | 0:
          this.errno = cur.i32();
          break;
        case (7 << 3) | 0:
          this.durationNs = Number(cur.sint64());
          break;
        case (9 << 3) | 0:
          this.flags = Number(cur.varint64()) >>> 0;
          break;
        case (10 << 3) | 2:
          this.retAnnotation = cur.str() || undefined;
          break;
        case (11 << 3) | 2:
          cur.pos = cur.span();
          this.#bufferCount++;
          break;
        case (12 << 3) | 2:
          this.arch = cur.str() || undefined;
          break;
        case (13 << 3) | 2:
          (this.stack ??= []).push(cur.str());
          break;
        default:
          cur.skip(tag & 7);
      }
    }
    if (cur.pos !== end) throw new WireError('call overruns its length');
    cur.end = saveEnd;
  }

  /** Checks the Call message at [cur.pos, end) as the constructor reads it, without keeping anything. Throws WireError. */
  static check(cur: WireCursor, end: number): void {
    const saveEnd = cur.end;
    cur.end = end;
    while (cur.pos < end) {
      const tag = cur.u32();
      switch (tag) {
        case (2 << 3) | 0:
          cur.u32();
          break;
        case (3 << 3) | 2: {
          const e = cur.span();
          while (cur.pos < e) cur.varint64();
          if (cur.pos !== e) throw new WireError('packed field overruns');
          break;
        }
        default:
          cur.skip(tag & 7);
      }
    }
    if (cur.pos !== end) throw new WireError('call overruns its length');
    cur.end = saveEnd;
  }

  /** Decoded arguments (undecodable bytes give one `raw` marker value). */
  get args(): ArgValue[] {
    if (this.#args === undefined) this.#args = this.#argsEnd > this.#argsStart ? decodeArgsLenient(this.#buf.subarray(this.#argsStart, this.#argsEnd)) : NO_ARGS;
    return this.#args;
  }

  set args(v: ArgValue[]) {
    this.#args = v;
  }

  /** Data the call read or wrote (views into the chunk, not copies). */
  get buffers(): CallBuffer[] {
    if (this.#buffers === undefined) this.#buffers = this.#bufferCount ? this.decodeBuffers() : NO_BUFFERS;
    return this.#buffers;
  }

  set buffers(v: CallBuffer[]) {
    this.#buffers = v;
  }

  /** A plain object with every field, for JSON and copies. */
  toJSON(): Record<string, unknown> {
    return { ...(this as object), kind: 'call', args: this.args, buffers: this.buffers };
  }

  private decodeBuffers(): CallBuffer[] {
    const out: CallBuffer[] = [];
    const cur = new WireCursor(this.#buf, this.#callStart, this.#callEnd);
    try {
      while (cur.pos < this.#callEnd) {
        const tag = cur.u32();
        if (tag === ((11 << 3) | 2)) {
          const e = cur.span();
          out.push(decodeBuffer(cur, e));
        } else cur.skip(tag & 7);
      }
    } catch (err) {
      if (!(err instanceof WireError)) throw err;
    }
    return out;
  }
}
