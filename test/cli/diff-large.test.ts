import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectStreams, diffStreams } from '../../src/compare/index.js';
import { TraceReader, TraceWriter } from '../../src/format/index.js';
import { A, makeCall, makeHeader } from '../../src/model/index.js';
import { runCli, tempDir } from '../helpers/cli.js';

/** Two traces large enough (over 200k events together) that diff normalizes them in two workers at once. */
function write(file: string, n: number, plant: Set<number>): void {
  const w = TraceWriter.create(file, makeHeader({ backend: 'test' }));
  w.append({ kind: 'start', pid: 10, tid: 10, parentPid: 0, isThread: false, cloneFlags: 0, isRoot: true });
  for (let i = 0; i < n; i++) {
    const name = ['openat', 'read', 'close', 'getuid'][i % 4];
    const args = name === 'openat' ? [A.fd(-100), A.str(`/data/f${i % 97}`)] : name === 'getuid' ? [] : [A.fd(3)];
    w.append(makeCall({ name, pid: 10, args, retval: plant.has(i) ? -1 : name === 'openat' ? 3 : 0, errno: plant.has(i) ? 38 : 0 }));
  }
  w.append({ kind: 'exit', pid: 10, tid: 10, status: 0, signal: 0, coreDumped: false, threadOnly: false });
  w.close();
}

describe('diff of large traces (normalized in worker threads)', () => {
  let dir: string;
  let cleanup: () => void;
  let a: string;
  let b: string;
  beforeAll(() => {
    ({ dir, cleanup } = tempDir());
    a = path.join(dir, 'a.ptrace');
    b = path.join(dir, 'b.ptrace');
    write(a, 110_000, new Set());
    write(b, 110_000, new Set([20_001, 70_003, 109_999]));
  });
  afterAll(() => cleanup());

  it('reports what an in-process diff finds', () => {
    const r = runCli(['diff', '--format', 'json', '--all', a, b]);
    expect(r.code, r.stderr).toBe(1);
    const got = (JSON.parse(r.stdout) as { divergences: { kind: string; name: string; a: { seq: number } }[] }).divergences.map((d) => [d.kind, d.name, d.a.seq]);
    const ra = TraceReader.open(a);
    const rb = TraceReader.open(b);
    const want = diffStreams(collectStreams(ra.events()), collectStreams(rb.events())).divergences.map((d) => [d.kind, d.name, d.a!.seq]);
    ra.close();
    rb.close();
    expect(got).toEqual(want);
    expect(got.map(([, , seq]) => seq)).toEqual([20_002, 70_004, 110_000]);
  });
});
