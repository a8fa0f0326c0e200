import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LineSplitter, MAX_LINE_CHARS, SyncLineReader } from '../../src/import/index.js';
import { parseLine, StraceSyntaxError } from '../../src/import/strace/index.js';
import { forgetLineBytes } from '../../src/import/strace/quoted.js';
import { tempDir } from '../helpers/cli.js';

describe('LineSplitter', () => {
  it('joins lines split across chunks and keeps every byte (latin1)', () => {
    const got: [string, number][] = [];
    const s = new LineSplitter((t, n) => got.push([t, n]));
    s.push(Buffer.from('ab'));
    s.push(Buffer.from([0x63, 0x0a, 0xff, 0x0a, 0x0a]));
    s.push(Buffer.from('tail'));
    s.end();
    expect(got).toEqual([
      ['abc', 1],
      ['\xff', 2],
      ['', 3],
      ['tail', 4],
    ]);
  });

  it('keeps the unfinished part of a line when the caller reuses its chunk buffer', () => {
    const got: string[] = [];
    const s = new LineSplitter((t) => got.push(t));
    const chunk = Buffer.alloc(4);
    for (const part of ['ab\ncd', 'ef\xe9g', 'h\n\nij']) {
      const bytes = Buffer.from(part, 'latin1');
      for (let i = 0; i < bytes.length; i += chunk.length) {
        const n = bytes.copy(chunk, 0, i, Math.min(bytes.length, i + chunk.length));
        s.push(chunk.subarray(0, n));
        chunk.fill(0x7a);
      }
    }
    s.end();
    expect(got).toEqual(['ab', 'cdef\xe9gh', '', 'ij']);
  });

  it('cuts a line longer than the limit instead of buffering it, and goes on after it', () => {
    const got: string[] = [];
    const s = new LineSplitter((t) => got.push(t));
    const big = Buffer.alloc(1 << 20, 0x61);
    for (let i = 0; i < MAX_LINE_CHARS / big.length + 2; i++) s.push(big);
    s.push(Buffer.from('\nnext\n'));
    s.end();
    expect(got.map((l) => l.length)).toEqual([MAX_LINE_CHARS, 4]);
  });
});

describe('SyncLineReader', () => {
  let dir: string;
  let cleanup: () => void;
  beforeAll(() => ({ dir, cleanup } = tempDir()));
  afterAll(() => cleanup());

  it('reads a file line by line with line numbers, last line without newline included', () => {
    const f = path.join(dir, 'a.log');
    fs.writeFileSync(f, 'one\ntwo\nthree');
    const r = new SyncLineReader(f);
    const got: [string, number][] = [];
    let l: string | undefined;
    while ((l = r.next()) !== undefined) got.push([l, r.lineNo]);
    r.close();
    expect(got).toEqual([
      ['one', 1],
      ['two', 2],
      ['three', 3],
    ]);
  });

  it('turns a missing file or a directory into a one-line error naming it', () => {
    expect(() => new SyncLineReader(path.join(dir, 'missing.log'))).toThrow(/missing\.log: no such file/);
    expect(() => new SyncLineReader(dir)).toThrow(/is a directory/);
  });
});

describe('strace strings read from the bytes of their line', () => {
  let dir: string;
  let cleanup: () => void;
  beforeAll(() => ({ dir, cleanup } = tempDir()));
  afterAll(() => cleanup());

  // What parseLine makes of a line, or the error it throws (message, column, cut), as comparable data.
  function outcome(line: string): unknown {
    try {
      return parseLine(line);
    } catch (e) {
      if (!(e instanceof StraceSyntaxError)) throw e;
      return { error: e.message, pos: e.pos, cut: e.cut };
    }
  }

  it('parses every line read through SyncLineReader (from its bytes) as it parses the same text copied', () => {
    const lines = [
      'read(3</etc/x\\n>, "\\0\\1\\02\\003\\x4\\x4142\\t\\"\\\\é\\377", 64) = 14',
      'write(1, "ab\\1',
      'write(1, "ab\\x',
      'write(1, "a\\x4',
      'write(1, "ok\\xzz", 3) = 3',
      'write(1, "plain text", 10) = 10',
      `read(0, "${'\\0'.repeat(40)}"..., 65536) = 65536`,
      // Pids, times and results in every form the byte-level readers take or leave to the text ones.
      '1234 1795859335.341718272 read(3, "x", 1) = 1 <0.000037296>',
      '1795859335.341718272 getpid() = 7 <0.000001>',
      '1234 getpid() = 7',
      '1234  getpid()   =   7',
      '     0.000123 getpid() = 7 <0.000002>',
      '1234      0.000123 getpid() = 7',
      '1234 10:20:30.123456 getpid() = 7',
      '1234<sh> 1795859335.5 getpid() = 7<sh>',
      '[pid  1234] 1795859335.5 getpid() = 7 <5>',
      '1234 1795859335.5 [00007f0000001234] getpid() = 7',
      '1234 1795859335. getpid() = 7',
      '1234 123456789.5 getpid() = 7',
      '99999999.25 getpid() = 7',
      '12345678901234567890 getpid() = 7',
      '1234 17958593351795859335.5 getpid() = 7',
      '1234 1795859335.1234567891234 lseek(3, 0, SEEK_END) = -1 ESPIPE (Illegal seek) <0.000001>',
      '1234 openat(AT_FDCWD, "/x", O_RDONLY) = 3</x> <0.000001>',
      '1234 mmap(NULL, 8192, PROT_READ, MAP_PRIVATE, -1, 0) = 0x7f00 <0.000001>',
      '1234 getpid() = 0755',
      '1234 getpid() = 0',
      '1234 getpid() = 5 <0.000001> ',
      '1234 getpid() = -0',
      '1234 getpid() = -22 <0.000001>',
      '1234 getpid() = 12345678901234567890',
      '1234 getpid() = 123456789012345',
      '1234 exit_group(0) = ?',
      '1234 getpid() = 5 <unavailable>',
      '1234 getpid() = 5 <0.1234567891234>',
      '1234 getpid() = 5 <1234567890123.5>',
      '1234 getpid() = 5x',
      '1234 getpid() = 5 <0.5> extra',
      '1234 getpid() = 5 <0.5',
      '1234 getpid() = 5 <.5>',
      '1234 getpid() =',
      '1234 1795859335.5',
      '1234',
      'write(2, "no newline after me \\7\\10", 22) = 22',
    ];
    const f = path.join(dir, 'q.log');
    // Latin1 on disk: é stays one byte, as strace writes it.
    fs.writeFileSync(f, Buffer.from(lines.join('\n'), 'latin1'));
    // Parsed from the text: no line's bytes are registered.
    forgetLineBytes();
    const expected = lines.map((l) => outcome(Buffer.from(l, 'latin1').toString('latin1')));
    // Small buffers: lines span reads, so some come from the splitter's joined bytes.
    for (const size of [7, 16, 37, 1 << 16]) {
      const r = new SyncLineReader(f, size);
      const got: unknown[] = [];
      let l: string | undefined;
      while ((l = r.next()) !== undefined) got.push(outcome(l));
      r.close();
      expect(got, `buffer of ${size}`).toEqual(expected);
      // Read ahead first and parsed afterwards (as import does for its first lines): the same.
      const ahead = new SyncLineReader(f, size);
      const held: string[] = [];
      while ((l = ahead.next()) !== undefined) held.push(l);
      ahead.close();
      expect(held.map(outcome), `buffer of ${size}, read ahead`).toEqual(expected);
    }
  });
});
