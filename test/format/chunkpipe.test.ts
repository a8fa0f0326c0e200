import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { Codec, TraceReader, TraceWriter } from '../../src/format/index.js';
import { makeHeader } from '../../src/model/index.js';
import { BadInputError } from '../../src/util/errors.js';
import { ROOT, tempDir } from '../helpers/cli.js';
import { sampleEvents } from '../helpers/events.js';

const tmp = tempDir('picotrace-chunkpipe-');
afterAll(() => tmp.cleanup());

const header = () => makeHeader({ backend: 'native', argv: ['x'], startTimeNs: 1764300000000000000n });

function write(file: string, background: boolean, codec: number, n = 3000): void {
  const w = TraceWriter.create(file, header(), { chunkEvents: 50, background, codec: codec as 0 | 1 | 2 | 3, level: codec === Codec.brotli ? 5 : 6 });
  const events = sampleEvents(n);
  events.forEach((e, i) => {
    w.append(e);
    if (i % 777 === 0) w.flush();
  });
  w.close({ endNotes: { k: 'v' } });
}

describe('chunks compressed on another thread', () => {
  it.each([
    ['brotli', Codec.brotli],
    ['deflate', Codec.deflateRaw],
    ['gzip', Codec.gzip],
    ['none', Codec.none],
  ])('%s: the file is byte for byte the one written on the main thread', (_name, codec) => {
    const a = path.join(tmp.dir, `fg-${codec}.ptrace`);
    const b = path.join(tmp.dir, `bg-${codec}.ptrace`);
    write(a, false, codec);
    write(b, true, codec);
    expect(fs.readFileSync(b).equals(fs.readFileSync(a))).toBe(true);
    const r = TraceReader.open(b);
    expect(r.integrity.footer).toBe(true);
    expect(r.chunks.length).toBeGreaterThan(60);
    expect(r.verify()).toEqual([]);
    expect([...r.events()].length).toBe(3000);
    r.close();
  });

  it('fills the block buffers the thread gives back again, rather than a new one for every chunk', () => {
    // A fresh buffer's pages are each faulted in on first touch: on a VM, that cost more than the
    // encoding that filled them (a fifth of the main thread's page faults on a 34 MB import).
    const file = path.join(tmp.dir, 'reuse.ptrace');
    const spy = vi.spyOn(Buffer, 'allocUnsafe');
    try {
      write(file, true, Codec.brotli);
      const blocks = spy.mock.calls.filter(([size]) => size >= 1 << 16).length;
      const r = TraceReader.open(file);
      expect(r.chunks.length).toBeGreaterThan(60);
      expect(blocks).toBeLessThan(r.chunks.length / 2);
      expect(r.verify()).toEqual([]);
      r.close();
    } finally {
      spy.mockRestore();
    }
  });

  it('the thread starts in a process that evaluates its workers as modules (node --input-type=module)', () => {
    // Its code used to be CommonJS only: such a worker died at once and the writer waited for it for good.
    const dist = path.join(ROOT, 'dist');
    const file = path.join(tmp.dir, 'esm-worker.ptrace');
    const code = `
      const { TraceWriter } = await import(${JSON.stringify(`${dist}/format/index.js`)});
      const { makeHeader, makeCall } = await import(${JSON.stringify(`${dist}/model/index.js`)});
      const w = TraceWriter.create(${JSON.stringify(file)}, makeHeader({ backend: 'native', argv: ['x'], startTimeNs: 1n }), { chunkEvents: 50 });
      for (let i = 0; i < 3000; i++) w.append(makeCall({ name: 'read', pid: 1, tid: 1, timeNs: i * 1000, retval: i }));
      w.close();`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8', timeout: 30_000 });
    expect(r.signal, 'the writer waited for a compressing thread that never started').toBeNull();
    expect(r.status, r.stderr).toBe(0);
    const t = TraceReader.open(file);
    expect(t.chunks.length).toBe(60);
    expect(t.verify()).toEqual([]);
    t.close();
  });

  it('a write that fails on the other thread surfaces as one file error, and the chunks before it stay readable', () => {
    const mnt = path.join(tmp.dir, 'small');
    fs.mkdirSync(mnt);
    const m = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mnt], { encoding: 'utf8' });
    if (m.status !== 0) throw new Error(`this test needs root to mount a 64 KiB tmpfs: ${m.stderr.trim()}`);
    try {
      const file = path.join(mnt, 'full.ptrace');
      const w = TraceWriter.create(file, header(), { chunkEvents: 50, codec: Codec.none });
      let thrown: unknown;
      try {
        for (const e of sampleEvents(20000)) w.append(e);
        w.close();
      } catch (err) {
        thrown = err;
        w.abort();
      }
      expect(thrown).toBeInstanceOf(BadInputError);
      expect((thrown as Error).message).toBe(`${file}: no space left on device`);
      const r = TraceReader.open(file);
      expect(r.integrity.footer).toBe(false);
      expect(r.eventCount).toBeGreaterThan(0);
      expect(r.eventCount % 50).toBe(0);
      expect(r.verify()).toEqual([]);
      r.close();
    } finally {
      execFileSync('umount', ['-l', mnt]);
    }
  });
});
