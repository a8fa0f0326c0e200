import { describe, expect, it } from 'vitest';
import protobuf from '../../src/format/protobuf.js';
import { Bytes } from '../../src/format/bytes.js';
import { encodeFooter, encodeHeader, writeOtherEvent, type FooterWire } from '../../src/format/encode.js';
import { pb } from '../../src/format/proto.js';
import { TraceReader } from '../../src/format/index.js';
import { A, makeHeader, type NewEvent, type TraceHeader } from '../../src/model/index.js';
import { realTraceFiles } from '../helpers/cli.js';
import { headerToWire, otherToWire } from '../helpers/wire.js';

// The hand-written encoders of src/format/encode.ts against protobufjs's generated ones (built from
// schema/trace.proto), byte for byte. EventBlock's test checks the events of whole real traces.

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

function referenceHeader(h: TraceHeader): string {
  return hex(pb.Header.encode(headerToWire(h) as unknown as protobuf.Message).finish());
}

function referenceFooter(f: FooterWire): string {
  return hex(pb.Footer.encode(f as unknown as protobuf.Message).finish());
}

function referenceEvent(ev: Exclude<NewEvent, { kind: 'call' }>): string {
  return hex(pb.Event.encodeDelimited(otherToWire(ev) as unknown as protobuf.Message).finish());
}

function handEvent(ev: Exclude<NewEvent, { kind: 'call' }>): string {
  const w = new Bytes();
  writeOtherEvent(w, ev);
  return hex(w.buf.subarray(0, w.pos));
}

describe('hand-written encoders write the bytes of the generated ones', () => {
  it("for the header and footer of every real trace in traces/", () => {
    const files = realTraceFiles();
    expect(files.length).toBeGreaterThanOrEqual(5);
    for (const f of files) {
      const r = TraceReader.open(f);
      try {
        expect(hex(encodeHeader(r.header)), f).toBe(referenceHeader(r.header));
        const chunks = r.chunks.map((c) => ({
          firstSeq: c.firstSeq,
          count: c.count,
          offset: c.offset,
          ...(c.firstTimeNs === undefined ? {} : { firstTimeNs: BigInt(c.firstTimeNs) }),
          ...(c.maxTimeNs === undefined ? {} : { maxTimeNs: BigInt(c.maxTimeNs) }),
          storedLength: c.storedLength,
          digests: c.digests ?? [],
        }));
        const footer: FooterWire = { chunks, eventCount: r.eventCount, droppedEvents: 0, unknownMessages: 0, digestProfile: '', endNotes: { exitStatus: '0' }, endTimeNs: 5 };
        expect(hex(encodeFooter(footer)), f).toBe(referenceFooter(footer));
      } finally {
        r.close();
      }
    }
  });

  it('for headers at the edges: empty, negative and huge times, removed values, non-ASCII, empty map keys', () => {
    const headers: TraceHeader[] = [
      makeHeader({ backend: '' }),
      makeHeader({ backend: 'native', startTimeNs: 0n }),
      makeHeader({ backend: 'native', startTimeNs: -5n, argv: ['', 'é'.repeat(200)], cwd: '/', env: [{ name: 'A', value: '' }, { name: '', value: 'x', valueRemoved: true }, { name: 'B', value: 'ü'.repeat(100) }] }),
      makeHeader({
        backend: 'gvisor',
        startTimeNs: 2n ** 63n - 1n,
        hostKernel: 'Linux 6.1',
        runtimeName: 'runsc',
        runtimeVersion: 'release-20250101',
        captureOptions: { '': '', cpu: '0', long: 'v'.repeat(300) },
        notes: ['strace 6.1', ''],
        hostname: 'h',
        scrubbed: ['env', 'buffers'],
        writer: 'picotrace 0.1.0',
        formatVersion: 4294967295,
      }),
    ];
    for (const h of headers) expect(hex(encodeHeader(h))).toBe(referenceHeader(h));
  });

  it('for footers at the edges: no chunks, zero and absent times, offsets past 4 GiB, digests', () => {
    const footers: FooterWire[] = [
      { chunks: [], eventCount: 0, droppedEvents: 0, unknownMessages: 0, digestProfile: '', endNotes: {}, endTimeNs: 0 },
      {
        chunks: [
          { firstSeq: 0, count: 0, offset: 0, storedLength: 0, digests: [] },
          { firstSeq: 0, count: 1, offset: 20, firstTimeNs: 0n, maxTimeNs: 0n, storedLength: 1, digests: [{ stream: '', count: 0, digest: new Uint8Array(0) }] },
          { firstSeq: 2 ** 40, count: 1 << 20, offset: 2 ** 33 + 7, firstTimeNs: -(2n ** 62n), maxTimeNs: 2n ** 62n, storedLength: 2 ** 31, digests: [{ stream: 'pid 1/é', count: 2 ** 45, digest: new Uint8Array(32).fill(255) }] },
        ],
        eventCount: 2 ** 53 - 1,
        droppedEvents: 7,
        unknownMessages: 2 ** 32,
        digestProfile: 'default',
        endNotes: { '': '', exitStatus: '137', straceLines: '12' },
        endTimeNs: -1,
      },
    ];
    for (const f of footers) expect(hex(encodeFooter(f))).toBe(referenceFooter(f));
  });

  it('for events at the edges of their fields', () => {
    const events: Exclude<NewEvent, { kind: 'call' }>[] = [
      { kind: 'start', pid: 0, tid: 0, parentPid: 0, isThread: false, cloneFlags: 0, isRoot: false },
      { kind: 'start', pid: -1, tid: 2147483647, timeNs: 0, parentPid: -2147483648, isThread: true, cloneFlags: 2n ** 64n - 1n, isRoot: true },
      { kind: 'start', pid: 5, tid: 5, timeNs: 2 ** 62 + 1, parentPid: 4, isThread: false, cloneFlags: 0x3d0f00, isRoot: false },
      { kind: 'exec', pid: 9, tid: 9, timeNs: -3, path: '', argv: [], env: [], oldPid: 0 },
      { kind: 'exec', pid: 9, tid: 9, timeNs: 12.7, path: '/bin/é', argv: ['a', '', 'b'.repeat(200)], env: [{ name: 'X', value: '1' }, { name: 'SECRET', value: '', valueRemoved: true }], oldPid: 10 },
      { kind: 'signal', pid: 3, tid: 4, signo: 0, name: '' },
      { kind: 'signal', pid: 3, tid: 4, timeNs: 1, signo: 11, name: 'SIGSEGV', info: A.struct([['si_signo', A.sym('SIGSEGV')], ['si_addr', A.int(0, 16)]]), stack: ['f()', ''] },
      { kind: 'signal', pid: 3, tid: 4, signo: 64, name: 'SIGRTMAX', stack: [] },
      { kind: 'exit', pid: 3, tid: 3, status: 0, signal: 0, coreDumped: false, threadOnly: false },
      { kind: 'exit', pid: 3, tid: 3, timeNs: 5, status: -1, signal: 9, coreDumped: true, threadOnly: true, stack: ['x'.repeat(130)] },
      { kind: 'unparsed', pid: 0, tid: 0, source: '', line: 0, text: '', reason: '' },
      { kind: 'unparsed', pid: 0, tid: 0, source: 'a.log', line: 2 ** 40, text: 't'.repeat(20_000), reason: 'ü' },
    ];
    for (const ev of events) expect(handEvent(ev), JSON.stringify(ev, (_k, v) => (typeof v === 'bigint' ? String(v) : v))).toBe(referenceEvent(ev));
  });
});
