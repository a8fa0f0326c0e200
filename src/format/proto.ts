import path from 'node:path';
import { PACKAGE_ROOT } from '../util/root.js';
import protobuf from './protobuf.js';

type LongBitsLike = { lo: number; hi: number };
const util = protobuf.util as unknown as {
  LongBits: {
    new (lo: number, hi: number): LongBitsLike;
    from(value: unknown): LongBitsLike;
    fromNumber(value: number): LongBitsLike;
    prototype: { toNumber(this: LongBitsLike, unsigned?: boolean): number | bigint };
  };
};

const LongBits = util.LongBits;
const originalFrom = LongBits.from;
LongBits.from = function from(value: unknown): LongBitsLike {
  if (typeof value === 'bigint') {
    const u = BigInt.asUintN(64, value);
    return new LongBits(Number(u & 0xffffffffn) >>> 0, Number(u >> 32n) >>> 0);
  }
  return originalFrom(value);
};
LongBits.prototype.toNumber = function toNumber(this: LongBitsLike, unsigned?: boolean): number | bigint {
  const hi = this.hi >>> 0;
  const lo = this.lo >>> 0;
  if (!unsigned && hi >>> 31) {
    if (hi >= 0xffe00000) {
      const nlo = (~lo + 1) >>> 0;
      let nhi = ~hi >>> 0;
      if (!nlo) nhi = (nhi + 1) >>> 0;
      return -(nlo + nhi * 4294967296);
    }
    return BigInt.asIntN(64, (BigInt(hi) << 32n) | BigInt(lo));
  }
  if (hi < 0x200000) return lo + hi * 4294967296;
  return (BigInt(hi) << 32n) | BigInt(lo);
};

(protobuf.util as unknown as { Long: unknown }).Long = undefined;
protobuf.configure();

const schemaPath = path.join(PACKAGE_ROOT, 'schema', 'trace.proto');
const root = protobuf.loadSync(schemaPath);

/** The protobufjs message types of schema/trace.proto. 64-bit fields decode to number when safe, bigint otherwise. */
export const pb = {
  Header: root.lookupType('picotrace.v1.Header'),
  Event: root.lookupType('picotrace.v1.Event'),
  Footer: root.lookupType('picotrace.v1.Footer'),
  ProcessStart: root.lookupType('picotrace.v1.ProcessStart'),
  Exec: root.lookupType('picotrace.v1.Exec'),
  Signal: root.lookupType('picotrace.v1.Signal'),
  Exit: root.lookupType('picotrace.v1.Exit'),
  Unparsed: root.lookupType('picotrace.v1.Unparsed'),
};

/** Path of the schema file, for messages that point readers at it. */
export const SCHEMA_PATH = schemaPath;
