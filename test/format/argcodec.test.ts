import { describe, expect, it } from 'vitest';
import { Packr } from 'msgpackr';
import { ArgDecodeError, decodeArg, decodeArgs, encodeArg, encodeArgs } from '../../src/format/argcodec.js';
import { TAG as T } from '../../src/format/argdecode.js';
import { A, type ArgValue } from '../../src/model/index.js';
import { rng } from '../helpers/events.js';

function randomArg(r: () => number, depth = 0): ArgValue {
  const pick = Math.floor(r() * (depth > 3 ? 6 : 15));
  const int = () => [0, 1, -1, 127, 128, -33, 255, 65535, 65536, -70000, 2 ** 31, 2 ** 32 + 5, 2 ** 53 - 1, -(2 ** 53) + 1, 2n ** 63n - 1n, -(2n ** 63n), 2n ** 60n][Math.floor(r() * 17)];
  const text = () => ['', 'O_RDONLY', '/etc/ü', 'x'.repeat(Math.floor(r() * 300)), '\u0000\u{1F600}'][Math.floor(r() * 5)];
  switch (pick) {
    case 0:
      return A.int(int());
    case 1:
      return A.int(int(), 16);
    case 2:
      return A.str(text(), r() < 0.3);
    case 3:
      return A.str(Uint8Array.from([0xff, 0xfe, 0, 1, 2].slice(0, Math.floor(r() * 5))), r() < 0.5);
    case 4:
      return A.sym(text());
    case 5:
      return A.fd(Math.floor(r() * 1000) - 100, r() < 0.5 ? text() : undefined);
    case 6:
      return A.flags(...Array.from({ length: Math.floor(r() * 4) }, text));
    case 7:
      return A.struct(Array.from({ length: Math.floor(r() * 4) }, () => [text(), randomArg(r, depth + 1)] as [string, ArgValue]), r() < 0.3);
    case 8:
      return A.array(Array.from({ length: Math.floor(r() * 5) }, () => randomArg(r, depth + 1)), r() < 0.3);
    case 9:
      return A.fn(text(), [randomArg(r, depth + 1)]);
    case 10:
      return A.buf(Math.floor(r() * 4));
    case 11:
      return r() < 0.5 ? A.more() : A.raw(text());
    case 12:
      return A.comment(text(), r() < 0.5 ? randomArg(r, depth + 1) : undefined);
    case 13:
      return A.not(randomArg(r, depth + 1));
    default:
      return A.op('=>', randomArg(r, depth + 1), randomArg(r, depth + 1));
  }
}

const norm = (a: unknown) =>
  JSON.parse(
    JSON.stringify(a, function (this: Record<string, unknown>, k, v) {
      const raw = this[k];
      return typeof v === 'bigint' ? `${v}n` : raw instanceof Uint8Array ? [...raw] : v;
    }),
  );

/** The MessagePack form docs/FORMAT.md gives for an argument, built as plain arrays for msgpackr. */
type Wire = number | bigint | string | Uint8Array | Wire[];
function wireOf(a: ArgValue): Wire {
  switch (a.k) {
    case 'int':
      return a.base === 16 ? [T.hex, a.v] : a.base === 8 ? [T.oct, a.v] : a.v;
    case 'str':
      return a.trunc ? [T.strTrunc, a.v] : a.v;
    case 'flags':
      return [T.flags, ...a.v];
    case 'struct':
      return [a.trunc ? T.structTrunc : T.struct, ...a.fields.flatMap(([n, v]) => [n, wireOf(v)])];
    case 'array':
      return [a.trunc ? T.arrayTrunc : T.array, ...a.items.map(wireOf)];
    case 'fd':
      return a.path === undefined ? [T.fd, a.fd] : [T.fd, a.fd, a.path];
    case 'sym':
      return [T.sym, a.v];
    case 'fn':
      return [T.fn, a.name, ...a.args.map(wireOf)];
    case 'buf':
      return [T.buf, a.i];
    case 'more':
      return [T.more];
    case 'raw':
      return [T.raw, a.v];
    case 'comment':
      return a.of ? [T.comment, a.v, wireOf(a.of)] : [T.comment, a.v];
    case 'not':
      return [T.not, wireOf(a.v)];
    case 'op':
      return [T.op, a.op, wireOf(a.l), wireOf(a.r)];
  }
}

describe('argument MessagePack codec', () => {
  it('writes the bytes msgpackr writes for the same values', () => {
    const p = new Packr({ useRecords: false, variableMapSize: true });
    const r = rng(5);
    const texts = ['', 'a', 'x'.repeat(31), 'x'.repeat(32), 'é'.repeat(15), 'é'.repeat(16), 'y'.repeat(255), 'y'.repeat(256), 'z'.repeat(65535), 'z'.repeat(65536), '\ud800 lone', 'ok\udc00', '\u{1F600}'.repeat(20), 'ü'.repeat(40)];
    const nums = [0, -0, 1, 127, 128, 255, 256, 65535, 65536, 2 ** 32 - 1, 2 ** 32, -1, -32, -33, -128, -129, -32768, -32769, -(2 ** 31), -(2 ** 31) - 1, 1.5, -2.25, NaN, Infinity, 2 ** 53 - 1, -(2 ** 53 - 1), 2n ** 63n - 1n, -(2n ** 63n), 2n ** 64n - 1n, 5n];
    const cases: ArgValue[][] = [
      texts.map((t) => A.str(t)),
      texts.map((t) => A.sym(t)),
      nums.map((v) => A.int(v)),
      nums.map((v) => A.int(v, 16)),
      [A.str(new Uint8Array(255)), A.str(new Uint8Array(256)), A.str(new Uint8Array(65536), true), A.str(new Uint8Array(0))],
      [A.array(Array.from({ length: 15 }, () => A.more())), A.array(Array.from({ length: 16 }, () => A.int(1))), A.array(Array.from({ length: 70000 }, () => A.int(2)))],
      Array.from({ length: 16 }, () => A.int(3)),
    ];
    for (let i = 0; i < 2000; i++) cases.push(Array.from({ length: Math.floor(r() * 6) }, () => randomArg(r)));
    for (const args of cases) {
      if (args.length === 0) continue;
      expect(Buffer.from(encodeArgs(args)).equals(p.pack(args.map(wireOf)))).toBe(true);
      expect(Buffer.from(encodeArg(args[0])).equals(p.pack(wireOf(args[0])))).toBe(true);
    }
  });

  it('round-trips random argument trees exactly', () => {
    const r = rng(7);
    for (let i = 0; i < 3000; i++) {
      const args = Array.from({ length: Math.floor(r() * 6) }, () => randomArg(r));
      expect(norm(decodeArgs(encodeArgs(args)))).toEqual(norm(args));
    }
    const one = randomArg(r);
    expect(norm(decodeArg(encodeArg(one)))).toEqual(norm(one));
  });

  it('reads every integer width another MessagePack writer may choose', () => {
    const p = new Packr({ useRecords: false });
    for (const v of [0, 5, -5, 200, -200, 40000, -40000, 3e9, -3e9, 2 ** 40, -(2 ** 40), 2n ** 62n, -(2n ** 62n), 2n ** 64n - 1n]) {
      const got = decodeArgs(p.pack([v]))[0];
      expect(got.k).toBe('int');
      expect(got.k === 'int' && BigInt(got.v)).toBe(BigInt(v));
    }
  });

  it('rejects hostile bytes with ArgDecodeError only, never another error', () => {
    const r = rng(11);
    const good = encodeArgs([A.struct([['a', A.array([A.int(1), A.str('x'), A.fd(3, '/p')])]]), A.flags('A', 'B'), A.fn('f', [A.not(A.sym('Z'))])]);
    let rejected = 0;
    for (let i = 0; i < 20000; i++) {
      const b = Buffer.from(good);
      for (let k = 1 + Math.floor(r() * 4); k > 0; k--) b[Math.floor(r() * b.length)] = Math.floor(r() * 256);
      const cut = r() < 0.3 ? b.subarray(0, Math.floor(r() * b.length)) : b;
      try {
        decodeArgs(cut);
      } catch (err) {
        expect(err).toBeInstanceOf(ArgDecodeError);
        rejected++;
      }
    }
    expect(rejected).toBeGreaterThan(1000);
    expect(() => decodeArgs(Buffer.from([0x91, 0xdd, 0xff, 0xff, 0xff, 0xff]))).toThrow(ArgDecodeError);
    const deep = Buffer.concat([Buffer.from([0x91]), Buffer.alloc(2 * 300).map((_, i) => [0x92, 0x10][i % 2]), Buffer.from([0])]);
    expect(() => decodeArgs(deep)).toThrow(/nested too deeply/);
  });
});
