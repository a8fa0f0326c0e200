import fs from 'node:fs';
import path from 'node:path';
import protobuf from '../../src/format/protobuf.js';
import { describe, expect, it } from 'vitest';
import { EventBlock } from '../../src/format/eventblock.js';
import { encodeArgs } from '../../src/format/argcodec.js';
import { isStorableTime } from '../../src/format/encode.js';
import { pb } from '../../src/format/proto.js';
import { TraceReader } from '../../src/format/index.js';
import { StraceParser } from '../../src/import/index.js';
import { A, makeCall, type CallEvent, type NewEvent } from '../../src/model/index.js';
import { realTraceFiles, ROOT } from '../helpers/cli.js';
import { sampleEvents } from '../helpers/events.js';
import { otherToWire } from '../helpers/wire.js';

type Obj = Record<string, unknown>;

/** A call as the generated encoder takes it: schema field names, only the fields that are set. */
function callToWire(c: Omit<CallEvent, 'seq'>): Obj {
  const o: Obj = { name: c.name };
  if (c.sysno >= 0) o.sysno = c.sysno;
  if (c.rawArgs.length) o.rawArgs = c.rawArgs;
  if (c.args.length) o.args = encodeArgs(c.args);
  if (c.retval !== 0) o.retval = c.retval;
  if (c.errno) o.errno = c.errno;
  if (isStorableTime(c.durationNs)) o.durationNs = Math.trunc(c.durationNs);
  if (c.flags) o.flags = c.flags;
  if (c.retAnnotation) o.retAnnotation = c.retAnnotation;
  if (c.buffers.length)
    o.buffers = c.buffers.map((b) => {
      const w: Obj = { argIndex: b.argIndex, data: b.data };
      if (b.out) w.out = true;
      if (b.fullLength) w.fullLength = b.fullLength;
      if (b.truncated) w.truncated = true;
      if (b.digest) w.digest = b.digest;
      if (b.element !== -1) w.element = b.element;
      return w;
    });
  if (c.arch) o.arch = c.arch;
  if (c.stack?.length) o.stack = c.stack;
  return o;
}

/** The block protobufjs's generated encoder makes of the same events. */
function reference(events: NewEvent[]): Uint8Array {
  const w = protobuf.Writer.create();
  for (const ev of events) {
    if (ev.kind !== 'call') {
      pb.Event.encodeDelimited(otherToWire(ev) as unknown as protobuf.Message, w);
      continue;
    }
    const o: Obj = { pid: ev.pid, tid: ev.tid, call: callToWire(ev) };
    if (isStorableTime(ev.timeNs)) o.timeNs = Math.trunc(ev.timeNs);
    pb.Event.encodeDelimited(o as unknown as protobuf.Message, w);
  }
  return w.finish();
}

function block(events: NewEvent[]): Uint8Array {
  const b = new EventBlock();
  for (const ev of events) b.add(ev);
  expect(b.length).toBeGreaterThan(0);
  return b.take();
}

describe('EventBlock writes the bytes the generated encoder writes', () => {
  it('for every event of the real traces in traces/', () => {
    const files = realTraceFiles();
    expect(files.length).toBeGreaterThanOrEqual(5);
    let events = 0;
    for (const f of files) {
      const r = TraceReader.open(f);
      const all: NewEvent[] = [...r.events()];
      r.close();
      expect(Buffer.from(block(all)).equals(Buffer.from(reference(all))), f).toBe(true);
      events += all.length;
    }
    expect(events).toBeGreaterThan(3000);
  });

  it('for every event parsed from the strace logs in traces/strace/', () => {
    const dir = path.join(ROOT, 'traces', 'strace');
    const logs = fs.readdirSync(dir).filter((f) => f.endsWith('.log'));
    expect(logs.length).toBeGreaterThan(10);
    const all: NewEvent[] = [];
    for (const f of logs) {
      const p = new StraceParser((ev) => all.push(ev), { source: f });
      fs.readFileSync(path.join(dir, f), 'latin1')
        .split('\n')
        .forEach((l, i) => p.line(l, i + 1, f));
      p.end();
    }
    expect(all.filter((e) => e.kind === 'call').length).toBeGreaterThan(200);
    expect(Buffer.from(block(all)).equals(Buffer.from(reference(all)))).toBe(true);
  });

  it('for generated events of every kind', () => {
    const all = sampleEvents(3000, 7);
    expect(Buffer.from(block(all)).equals(Buffer.from(reference(all)))).toBe(true);
  });

  it('at the edges of the encodings', () => {
    const big = new Uint8Array(200_000).map((_, i) => i * 7);
    const calls: NewEvent[] = [
      makeCall({ pid: 0, tid: 0, name: '', retval: 0 }),
      makeCall({ pid: -5, tid: -2147483648, timeNs: -1, name: 'x'.repeat(42), sysno: 0, retval: -1, errno: 2 }),
      makeCall({ pid: 2147483647, tid: 1, timeNs: 2 ** 62, name: 'é'.repeat(43), sysno: 2147483647, retval: 2n ** 63n - 1n, durationNs: 2 ** 53 - 1, flags: 0xffffffff }),
      makeCall({ pid: 1, tid: 1, timeNs: 2 ** 62 + 2 ** 40, name: 'y', sysno: -1, retval: -(2n ** 63n), durationNs: -(2 ** 40), retAnnotation: 'ü/'.repeat(100), arch: 'x86_64' }),
      makeCall({ pid: 1, tid: 1, name: 'raw', rawArgs: [0, -1, 1, 2 ** 53 - 1, -(2 ** 53 - 1), 2n ** 64n - 1n, -(2n ** 63n), 127, 128, 2 ** 31, -(2 ** 31), 2 ** 32, 5, 6, 7, 8, 9, 10, 11, 12], retval: 3 }),
      makeCall({
        pid: 3,
        tid: 4,
        name: 'read',
        args: [A.fd(3, '/etc/passwd'), A.buf(0), A.int(200_000)],
        retval: 200_000,
        buffers: [
          { argIndex: 1, out: true, data: big, fullLength: 2 ** 40, truncated: true, digest: new Uint8Array(16).fill(9), element: -3 },
          { argIndex: 0, out: false, data: new Uint8Array(0), fullLength: 0, truncated: false, element: -1 },
          { argIndex: 300, out: false, data: big.subarray(0, 127), fullLength: 128, truncated: false, element: 70000 },
          { argIndex: 1, out: false, data: big.subarray(0, 3), fullLength: 0, truncated: false, element: 0 },
        ],
      }),
      makeCall({ pid: 1, tid: 1, name: 'write', buffers: [{ argIndex: 1, out: false, data: big.subarray(0, 16_300), fullLength: 0, truncated: false, element: -1 }] }),
      // Argument lists whose MessagePack length takes one, two and three varint bytes, the
      // boundaries included; names and annotations of 127 and 128 ASCII chars.
      ...[1, 100, 123, 124, 125, 200, 16_370, 16_400, 70_000].map((n) => makeCall({ pid: 7, tid: 7, name: 'open', args: [A.str('p'.repeat(n)), A.int(0)], retval: 3 })),
      makeCall({ pid: 7, tid: 7, name: 'n'.repeat(127), retAnnotation: 'a'.repeat(128), retval: 0 }),
      makeCall({ pid: 7, tid: 7, name: 'n'.repeat(128), retAnnotation: 'a'.repeat(127), retval: 0 }),
      makeCall({ pid: 1, tid: 1, name: 'close', args: [A.fd(3)], retval: 0 }),
      makeCall({ pid: 1, tid: 1, name: 'write', retval: 3, stack: ['/usr/lib/x86_64-linux-gnu/libc.so.6(__write+0x10) [0xf8350]', '', '/usr/bin/dash() [0x13652]', 'é'.repeat(200)] }),
    ];
    for (const ev of calls) expect(Buffer.from(block([ev])).equals(Buffer.from(reference([ev]))), JSON.stringify(ev, (_k, v) => (typeof v === 'bigint' ? String(v) : v instanceof Uint8Array ? v.length : v))).toBe(true);
    expect(Buffer.from(block(calls)).equals(Buffer.from(reference(calls)))).toBe(true);
  });

  it('when an argument list outgrows the block buffer while it is written', () => {
    const calls = [makeCall({ pid: 1, tid: 1, name: 'a', args: [A.int(1)], retval: 0 }), makeCall({ pid: 1, tid: 1, name: 'b', args: [A.str('q'.repeat(300_000), true)], retval: 0 })];
    expect(Buffer.from(block(calls)).equals(Buffer.from(reference(calls)))).toBe(true);
  });

  it('is empty again after take()', () => {
    const b = new EventBlock();
    b.add(makeCall({ pid: 1, tid: 1, name: 'getpid', retval: 1 }));
    const first = b.take();
    expect(b.length).toBe(0);
    b.add(makeCall({ pid: 1, tid: 1, name: 'getpid', retval: 1 }));
    expect(Buffer.from(b.take()).equals(Buffer.from(first))).toBe(true);
  });
});
