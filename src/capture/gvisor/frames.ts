import { MESSAGE_TYPES, type MessageSpec } from './messages.js';
import { gvType } from './proto.js';
import { decodeRawSyscall, RawDecodeError } from './fastraw.js';

const RAW_SYSCALL = 6;
const handshake = gvType('Handshake');

/** Size of the fixed packet header runsc writes before each message. */
export const FRAME_HEADER_SIZE = 8;

/** A decoded monitoring packet: header fields and the payload as a plain object, or spec undefined for an unknown type. */
export interface Frame {
  type: number;
  /** Cumulative count of points the Sentry failed to send, as of this packet (wraps at 2^32). */
  dropped: number;
  spec?: MessageSpec;
  msg?: Record<string, unknown>;
}

/** Thrown for a packet too short for its header or whose payload is not valid protobuf; `offset` is inside the packet. */
export class FrameError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
    this.name = 'FrameError';
  }
}

/** The trace start as the [high, low] 32-bit halves of its ns, for decodeFrame's relative times. */
export function timeBase(startTimeNs: bigint): [number, number] {
  const u = BigInt.asUintN(64, startTimeNs);
  return [Number(u >> 32n), Number(u & 0xffffffffn)];
}

/**
 * Decodes one SOCK_SEQPACKET packet (header + payload). Unknown message types return without msg;
 * malformed packets throw FrameError. Raw syscall messages take a fast path that, given `base`, also
 * sets context.relNs (ns since the trace start).
 */
export function decodeFrame(packet: Uint8Array, base?: [number, number]): Frame {
  if (packet.length < 4) throw new FrameError(`packet of ${packet.length} bytes is shorter than its header`, 0);
  const dv = new DataView(packet.buffer, packet.byteOffset, packet.byteLength);
  const headerSize = dv.getUint16(0, true);
  const type = dv.getUint16(2, true);
  if (headerSize < FRAME_HEADER_SIZE || headerSize > packet.length) throw new FrameError(`header size ${headerSize} does not fit a ${packet.length}-byte packet`, 0);
  const dropped = dv.getUint32(4, true);
  const spec = MESSAGE_TYPES.get(type);
  if (!spec) return { type, dropped };
  try {
    if (type === RAW_SYSCALL) return { type, dropped, spec, msg: decodeRawSyscall(packet, headerSize, base) as Record<string, unknown> };
    const msg = spec.decoder.decode(packet.subarray(headerSize)) as unknown as Record<string, unknown>;
    return { type, dropped, spec, msg };
  } catch (err) {
    if (err instanceof RawDecodeError) throw new FrameError(`${spec.name} payload: ${err.message}`, err.offset);
    throw new FrameError(`${spec.name} payload: ${(err as Error).message}`, headerSize);
  }
}

/** Decodes the bare handshake runsc sends first and returns its protocol version; malformed ones throw FrameError. */
export function decodeHandshake(packet: Uint8Array): number {
  try {
    return (handshake.decode(packet) as unknown as { version: number }).version;
  } catch (err) {
    throw new FrameError(`handshake: ${(err as Error).message}`, 0);
  }
}

/** The bare handshake picotrace answers with (protocol version 1). */
export const HANDSHAKE_REPLY = Buffer.from([0x08, 0x01]);
