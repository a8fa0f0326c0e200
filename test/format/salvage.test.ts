import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TraceReader, TraceWriter } from '../../src/format/index.js';
import { CHUNK_HEADER_SIZE, FORMAT_VERSION, PREAMBLE_SIZE } from '../../src/format/layout.js';
import { makeHeader } from '../../src/model/index.js';
import { CorruptTraceError, UnsupportedTraceError } from '../../src/util/errors.js';
import { tempDir } from '../helpers/cli.js';
import { sampleEvents } from '../helpers/events.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const CHUNK = 50;
const TOTAL = 420;
const full = path.join(tmp.dir, 'full.ptrace');
const w = TraceWriter.create(full, makeHeader({ backend: 'native', argv: ['x'] }), { chunkEvents: CHUNK });
for (const e of sampleEvents(TOTAL, 5)) w.append(e);
w.close();
const bytes = fs.readFileSync(full);
const good = TraceReader.open(full);
const chunkOffsets = good.chunks.map((c) => c.offset);
const chunkEnds = good.chunks.map((c) => c.offset + CHUNK_HEADER_SIZE + c.storedLength);
good.close();

function variant(name: string, data: Buffer): string {
  const f = path.join(tmp.dir, name);
  fs.writeFileSync(f, data);
  return f;
}

describe('salvage of a trace without a footer', () => {
  it.each(chunkEnds.map((end, i) => [i + 1, end]))('truncated after %i whole chunks reads exactly those', (n, end) => {
    const r = TraceReader.open(variant(`cut-${n}.ptrace`, bytes.subarray(0, end)));
    expect(r.integrity.footer).toBe(false);
    expect(r.eventCount).toBe(Math.min(TOTAL, n * CHUNK));
    expect(r.integrity.damage?.what).toMatch(/no footer/);
    expect([...r.events()].map((e) => e.seq)).toEqual([...Array(r.eventCount).keys()]);
    expect(r.verify()).toEqual([]);
  });

  it.each(chunkOffsets.map((off, i) => [i, off]))('truncated in the middle of chunk %i keeps the chunks before it', (i, off) => {
    const cut = off + CHUNK_HEADER_SIZE + 10;
    const r = TraceReader.open(variant(`mid-${i}.ptrace`, bytes.subarray(0, cut)));
    expect(r.eventCount).toBe(i * CHUNK);
    expect(r.integrity.damage).toEqual({ what: 'truncated in the middle of a chunk', offset: off });
  });

  it('truncated inside a chunk header', () => {
    const r = TraceReader.open(variant('hdr.ptrace', bytes.subarray(0, chunkOffsets[2] + 7)));
    expect(r.eventCount).toBe(2 * CHUNK);
    expect(r.integrity.damage).toEqual({ what: 'truncated in a chunk header', offset: chunkOffsets[2] });
  });

  it('truncated in the footer keeps every chunk', () => {
    const r = TraceReader.open(variant('foot.ptrace', bytes.subarray(0, bytes.length - 20)));
    expect(r.eventCount).toBe(TOTAL);
    expect(r.integrity.footer).toBe(false);
    expect(r.integrity.damage?.offset).toBe(chunkEnds[chunkEnds.length - 1]);
  });

  it('a header with no chunks reads as an empty trace', () => {
    const r = TraceReader.open(variant('empty-body.ptrace', bytes.subarray(0, chunkOffsets[0])));
    expect(r.eventCount).toBe(0);
    expect(r.integrity.damage?.what).toMatch(/no footer/);
  });
});

describe('checksums', () => {
  it('a flipped byte in a chunk fails that chunk only; the others stay readable', () => {
    const data = Buffer.from(bytes);
    const target = chunkOffsets[3] + CHUNK_HEADER_SIZE + 5;
    data[target] ^= 0x40;
    const r = TraceReader.open(variant('flip.ptrace', data));
    expect(r.integrity.footer).toBe(true);
    const bad = r.verify();
    expect(bad.length).toBe(1);
    expect(bad[0].offset).toBe(chunkOffsets[3]);
    expect(bad[0].message).toMatch(/chunk checksum mismatch at offset/);
    expect(() => r.event(3 * CHUNK + 1)).toThrow(CorruptTraceError);
    expect(r.event(4 * CHUNK).seq).toBe(4 * CHUNK);
    const skipped: number[] = [];
    const seqs = [...r.events({ onCorrupt: (e) => skipped.push(e.offset) })].map((e) => e.seq);
    expect(skipped).toEqual([chunkOffsets[3]]);
    expect(seqs.length).toBe(TOTAL - CHUNK);
    const once: number[] = [];
    expect([...r.events({ once: true, onCorrupt: (e) => once.push(e.offset) })].map((e) => e.seq)).toEqual(seqs);
    expect(once).toEqual(skipped);
  });

  it('a flipped byte in a chunk header is caught', () => {
    const data = Buffer.from(bytes);
    data[chunkOffsets[1] + 26] ^= 1;
    const r = TraceReader.open(variant('fliphdr.ptrace', data));
    expect(r.verify().map((e) => e.offset)).toEqual([chunkOffsets[1]]);
  });

  it('a flipped byte in the footer falls back to scanning the chunks', () => {
    const data = Buffer.from(bytes);
    data[bytes.length - 30] ^= 0xff;
    const r = TraceReader.open(variant('flipfoot.ptrace', data));
    expect(r.integrity.footer).toBe(false);
    expect(r.integrity.damage?.what).toMatch(/footer/);
    expect(r.eventCount).toBe(TOTAL);
  });

  it('a flipped byte in the file header is refused with its offset', () => {
    const data = Buffer.from(bytes);
    data[PREAMBLE_SIZE + 2] ^= 0x10;
    expect(() => TraceReader.open(variant('fliphead.ptrace', data))).toThrow(/file header checksum mismatch at offset 20/);
  });
});

describe('refusals', () => {
  it('refuses a newer format version with a message that says so', () => {
    const data = Buffer.from(bytes);
    data.writeUInt32LE(FORMAT_VERSION + 1, 8);
    const f = variant('newer.ptrace', data);
    expect(() => TraceReader.open(f)).toThrow(UnsupportedTraceError);
    expect(() => TraceReader.open(f)).toThrow(/format version 2 is newer than this picotrace reads/);
  });

  it('refuses an empty file, a non-trace and a truncated header', () => {
    expect(() => TraceReader.open(variant('empty.ptrace', Buffer.alloc(0)))).toThrow(/empty file.*at offset 0/);
    expect(() => TraceReader.open(variant('text.ptrace', Buffer.from('execve("/bin/ls", ["ls"], 0x7ffd /* 20 vars */) = 0\n')))).toThrow(/not a picotrace trace \(bad magic\) at offset 0/);
    expect(() => TraceReader.open(variant('short.ptrace', bytes.subarray(0, 12)))).toThrow(/truncated in the file header at offset 12/);
    expect(() => TraceReader.open(variant('short2.ptrace', bytes.subarray(0, PREAMBLE_SIZE + 3)))).toThrow(/truncated in the file header/);
  });

  it('refuses a header length beyond the limit before allocating', () => {
    const data = Buffer.from(bytes);
    data.writeUInt32LE(0xfffffff0, 12);
    expect(() => TraceReader.open(variant('hugehdr.ptrace', data))).toThrow(/exceeds the limit/);
  });

  it('stops at a chunk header with impossible lengths', () => {
    const data = Buffer.from(bytes.subarray(0, chunkEnds[2]));
    data.writeUInt32LE(0x7fffffff, chunkOffsets[1] + 4);
    const r = TraceReader.open(variant('hugechunk.ptrace', data));
    expect(r.eventCount).toBe(CHUNK);
    expect(r.integrity.damage).toEqual({ what: 'chunk header has impossible lengths', offset: chunkOffsets[1] });
  });
});
