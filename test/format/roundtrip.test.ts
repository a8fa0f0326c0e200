import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TraceReader, TraceWriter, Codec } from '../../src/format/index.js';
import { A, makeCall, makeHeader, type TraceEvent } from '../../src/model/index.js';
import { tempDir } from '../helpers/cli.js';
import { sampleEvents } from '../helpers/events.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

function strip(ev: TraceEvent): unknown {
  return JSON.parse(JSON.stringify(ev.kind === 'call' ? { ...ev, args: ev.args, buffers: ev.buffers } : ev, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v instanceof Uint8Array || (v && v.type === 'Buffer') ? Buffer.from(v.data ?? v).toString('hex') : v)));
}

function writeTrace(file: string, events: ReturnType<typeof sampleEvents>, opts = {}) {
  const w = TraceWriter.create(file, makeHeader({ backend: 'native', argv: ['ls', 'ü'], startTimeNs: 1764300000123456789n, env: [{ name: 'A', value: 'b' }], captureOptions: { strace: '-f' }, notes: ['n1'] }), opts);
  for (const e of events) w.append(e);
  w.close({ droppedEvents: 7, unknownMessages: 2, endNotes: { exit: '0' } });
}

describe('TraceWriter / TraceReader round trip', () => {
  it('keeps every field of every event kind, 64-bit values, unicode and bytes', () => {
    const file = path.join(tmp.dir, 'rt.ptrace');
    const events = sampleEvents(500);
    writeTrace(file, events, { chunkEvents: 64 });
    const r = TraceReader.open(file);
    expect(r.eventCount).toBe(500);
    expect(r.chunks.length).toBe(Math.ceil(500 / 64));
    expect(r.integrity.footer).toBe(true);
    expect(r.integrity.damage).toBeUndefined();
    expect(r.header.argv).toEqual(['ls', 'ü']);
    expect(r.header.startTimeNs).toBe(1764300000123456789n);
    expect(r.header.formatVersion).toBe(1);
    expect(r.header.captureOptions).toEqual({ strace: '-f' });
    expect(r.footerInfo.droppedEvents).toBe(7);
    expect(r.footerInfo.unknownMessages).toBe(2);
    expect(r.footerInfo.endNotes).toEqual({ exit: '0' });
    const back = [...r.events()];
    expect(back.length).toBe(500);
    back.forEach((ev, i) => {
      expect(ev.seq).toBe(i);
      expect(strip(ev)).toEqual(strip({ ...events[i], seq: i } as TraceEvent));
    });
    const c = back[5];
    if (c.kind !== 'call') throw new Error('expected a call');
    expect(c.rawArgs).toEqual([-100, 2n ** 63n - 1n, -(2n ** 63n), 0xffffffff, 0, expect.any(Number)]);
    expect(c.args[4]).toEqual({ k: 'int', v: 0o644, base: 8 });
    r.close();
  });

  it('keeps empty, large and binary buffers and unset optional fields', () => {
    const file = path.join(tmp.dir, 'bufs.ptrace');
    const big = Buffer.alloc(3 << 20);
    for (let i = 0; i < big.length; i++) big[i] = (i * 31) & 0xff;
    const w = TraceWriter.create(file, makeHeader({ backend: 'native' }));
    w.append(makeCall({ name: 'write', pid: 1, args: [A.fd(1), A.buf(0), A.int(big.length)], retval: big.length, buffers: [{ argIndex: 1, out: false, data: big, fullLength: 0, truncated: false, element: -1 }] }));
    w.append(
      makeCall({
        name: 'readv',
        pid: 1,
        args: [A.fd(0), A.array([A.buf(0), A.buf(1)]), A.int(2)],
        buffers: [
          { argIndex: 1, out: true, data: new Uint8Array(0), fullLength: 0, truncated: false, element: 2 },
          { argIndex: 1, out: true, data: new Uint8Array([1]), fullLength: 0, truncated: false, element: 0 },
        ],
      }),
    );
    w.append(makeCall({ name: 'sysno0', pid: 1, sysno: 0 }));
    w.close();
    const r = TraceReader.open(file);
    const [a, b, c] = [...r.events()];
    if (a.kind !== 'call' || b.kind !== 'call' || c.kind !== 'call') throw new Error('expected calls');
    expect(Buffer.from(a.buffers[0].data).equals(big)).toBe(true);
    expect(b.buffers[0].data.length).toBe(0);
    expect(b.buffers.map((x) => x.element)).toEqual([2, 0]);
    expect(a.buffers[0].element).toBe(-1);
    expect(a.timeNs).toBeUndefined();
    expect(a.durationNs).toBeUndefined();
    expect(a.sysno).toBe(-1);
    expect(c.sysno).toBe(0);
    expect(r.chunks.length).toBe(2);
  });

  it.each([
    ['none', Codec.none],
    ['deflate', Codec.deflateRaw],
    ['gzip', Codec.gzip],
    ['brotli', Codec.brotli],
  ])('reads chunks compressed with %s', (_n, codec) => {
    const file = path.join(tmp.dir, `codec-${codec}.ptrace`);
    writeTrace(file, sampleEvents(300, 3), { codec, level: 4, chunkEvents: 100 });
    const r = TraceReader.open(file);
    expect([...r.events()].length).toBe(300);
    expect(r.verify()).toEqual([]);
  });

  it('creates files with mode 0600 and an atomic writer leaves nothing until close', () => {
    const file = path.join(tmp.dir, 'atomic.ptrace');
    const w = TraceWriter.create(file, makeHeader({ backend: 'x' }), { atomic: true });
    w.append(makeCall({ name: 'getpid', pid: 1 }));
    expect(fs.existsSync(file)).toBe(false);
    w.close();
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const w2 = TraceWriter.create(path.join(tmp.dir, 'aborted.ptrace'), makeHeader({ backend: 'x' }), { atomic: true });
    w2.abort();
    expect(fs.readdirSync(tmp.dir).filter((f) => f.includes('aborted'))).toEqual([]);
  });
});

describe('TraceReader random access', () => {
  const file = path.join(tmp.dir, 'seek.ptrace');
  const events = sampleEvents(5000, 9);
  writeTrace(file, events, { chunkEvents: 128 });

  it('reads event N with one chunk read', () => {
    const r = TraceReader.open(file);
    for (const n of [0, 127, 128, 2500, 4999]) {
      const before = r.chunksRead;
      expect(r.event(n).seq).toBe(n);
      expect(r.chunksRead - before).toBeLessThanOrEqual(1);
    }
    expect(() => r.event(5000)).toThrow(RangeError);
  });

  it('finds the first event at or after a time', () => {
    const r = TraceReader.open(file);
    expect(r.seekTime(0)).toBe(0);
    expect(r.seekTime(2_500_000)).toBe(2500);
    expect(r.seekTime(2_500_001)).toBe(2501);
    expect(r.seekTime(1e12)).toBe(5000);
  });

  it('iterates with filters and ranges', () => {
    const r = TraceReader.open(file);
    const failed = [...r.events({ filter: { failed: true } })];
    expect(failed.length).toBe(events.filter((e) => e.kind === 'call' && e.errno).length);
    const names = [...r.events({ filter: { names: new Set(['read']) }, from: 100, to: 1000 })];
    expect(names.every((e) => e.kind === 'call' && e.name === 'read' && e.seq >= 100 && e.seq < 1000)).toBe(true);
    expect(names.length).toBe(90);
    const pid = [...r.events({ filter: { pids: new Set([1001]) } })];
    expect(pid.length).toBe(events.filter((e) => e.pid === 1001).length);
  });

  it('streams the same events as it iterates, without touching the chunk cache', () => {
    const r = TraceReader.open(file);
    const plain = (evs: Iterable<TraceEvent>) => [...evs].map((e) => (e.kind === 'call' ? { ...e, args: e.args, buffers: e.buffers } : e));
    for (const opts of [{}, { from: 100, to: 1000 }, { from: 127, to: 129 }, { from: 4990 }, { filter: { failed: true } }, { filter: { names: new Set(['read']) }, from: 100, to: 1000 }])
      expect(plain(r.stream(opts)), JSON.stringify(opts)).toEqual(plain(r.events(opts)));
    r.event(2500);
    const before = r.chunksRead;
    for (const ev of r.stream({ from: 0, to: 300 })) expect(ev.seq).toBeLessThan(300);
    expect(r.chunksRead - before).toBe(3);
    r.event(2500);
    expect(r.chunksRead - before).toBe(3);
  });
});
