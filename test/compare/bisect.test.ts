import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bisectTraces, collectStreams, DigestAnnotator, diffStreams } from '../../src/compare/index.js';
import { TraceReader, TraceWriter } from '../../src/format/index.js';
import { A, makeCall, makeHeader, type NewEvent } from '../../src/model/index.js';
import { tempDir } from '../helpers/cli.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

function rng(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
}

/** A workload of `n` calls over two processes; `plant` changes the call at that position of process 1's stream. */
function workload(n: number, plant: { at: number; how: 'errno' | 'insert' | 'delete' } | undefined, pidBase: number): NewEvent[] {
  const out: NewEvent[] = [{ kind: 'start', pid: pidBase, tid: pidBase, parentPid: 0, isThread: false, cloneFlags: 0, isRoot: true }];
  out.push(makeCall({ name: 'clone', pid: pidBase, retval: pidBase + 1 }));
  out.push({ kind: 'start', pid: pidBase + 1, tid: pidBase + 1, parentPid: pidBase, isThread: false, cloneFlags: 0, isRoot: false });
  let k = 1;
  const names = ['read', 'write', 'getuid', 'fstat', 'lseek', 'openat', 'close'];
  for (let i = 0; i < n; i++) {
    const child = i % 3 === 2;
    const pid = child ? pidBase + 1 : pidBase;
    const name = names[i % names.length];
    const idx = child ? -1 : k++;
    if (!child && plant && idx === plant.at) {
      if (plant.how === 'delete') continue;
      if (plant.how === 'insert') out.push(makeCall({ name: 'mkdir', pid, args: [A.str('/planted')], retval: 0 }));
      if (plant.how === 'errno') {
        out.push(makeCall({ name, pid, args: name === 'openat' ? [A.fd(-100), A.str(`/f${i % 11}`)] : [A.fd(1)], retval: -1, errno: 38 }));
        continue;
      }
    }
    out.push(makeCall({ name, pid, args: name === 'openat' ? [A.fd(-100), A.str(`/f${i % 11}`)] : [A.fd(1)], retval: name === 'openat' ? 3 : i % 5 }));
  }
  out.push({ kind: 'exit', pid: pidBase + 1, tid: pidBase + 1, status: 0, signal: 0, coreDumped: false, threadOnly: false });
  out.push({ kind: 'exit', pid: pidBase, tid: pidBase, status: 0, signal: 0, coreDumped: false, threadOnly: false });
  return out;
}

function write(name: string, events: NewEvent[], digests = true, chunkEvents = 256): string {
  const file = path.join(tmp.dir, name);
  const w = TraceWriter.create(file, makeHeader({ backend: 'test' }), { chunkEvents, annotator: digests ? new DigestAnnotator('strict') : undefined });
  for (const ev of events) w.append(ev);
  w.close();
  return file;
}

function firstByDiff(fa: string, fb: string): (number | undefined)[] {
  const ra = TraceReader.open(fa);
  const rb = TraceReader.open(fb);
  const r = diffStreams(collectStreams(ra.events()), collectStreams(rb.events()));
  ra.close();
  rb.close();
  return r.pairs.map((p) => {
    const d = r.divergences.find((x) => x.pair === p.index && x.first);
    return d ? (d.a?.index ?? d.b?.index) : undefined;
  });
}

describe('bisect', () => {
  it('finds nothing in equal traces without reading any chunk', () => {
    const a = TraceReader.open(write('eq-a.ptrace', workload(5000, undefined, 100)));
    const b = TraceReader.open(write('eq-b.ptrace', workload(5000, undefined, 900)));
    const r = bisectTraces(a, b);
    expect(r.method).toBe('digests');
    expect(r.pairs.map((p) => p.index)).toEqual([undefined, undefined]);
    expect(a.chunksRead + b.chunksRead).toBe(0);
  });

  it('agrees with a full diff on divergences planted at random positions, reading few chunks', () => {
    const r = rng(7);
    for (let t = 0; t < 12; t++) {
      const n = 3000 + Math.floor(r() * 6000);
      const at = 1 + Math.floor(r() * (n * 0.66 - 2));
      const how = (['errno', 'insert', 'delete'] as const)[t % 3];
      const fa = write(`r${t}-a.ptrace`, workload(n, undefined, 100));
      const fb = write(`r${t}-b.ptrace`, workload(n, { at, how }, 4000));
      const ra = TraceReader.open(fa);
      const rb = TraceReader.open(fb);
      const res = bisectTraces(ra, rb);
      expect(res.method).toBe('digests');
      const expected = firstByDiff(fa, fb);
      expect(res.pairs.map((p) => p.index)).toEqual(expected);
      expect(res.pairs[0].index).toBe(at);
      expect(ra.chunksRead + rb.chunksRead).toBeLessThanOrEqual(8);
      const evA = ra.event(res.pairs[0].seqA!);
      const evB = rb.event(res.pairs[0].seqB!);
      if (how === 'errno') expect(evB.kind === 'call' && evB.errno).toBe(38);
      if (how === 'insert') expect(evB.kind === 'call' && evB.name).toBe('mkdir');
      expect(evA.kind).toBe('call');
      ra.close();
      rb.close();
    }
  });

  it('finds a divergence in a late process when pids were reused by earlier ones', () => {
    const cycles = (plantCycle: number) => {
      const out: NewEvent[] = [];
      for (let c = 0; c < 6; c++) {
        for (const ev of workload(1500, c === plantCycle ? { at: 700, how: 'errno' } : undefined, 100)) out.push(ev);
      }
      return out;
    };
    const fa = write('reuse-a.ptrace', cycles(-1));
    const fb = write('reuse-b.ptrace', cycles(4));
    const ra = TraceReader.open(fa);
    const rb = TraceReader.open(fb);
    const res = bisectTraces(ra, rb);
    expect(res.method).toBe('digests');
    const hit = res.pairs.filter((p) => p.index !== undefined);
    expect(hit.map((p) => [p.a!.path, p.index])).toEqual([['5', 700]]);
    expect(firstByDiff(fa, fb).filter((x) => x !== undefined)).toEqual([700]);
    expect(ra.chunksRead + rb.chunksRead).toBeLessThanOrEqual(6);
  });

  it('falls back to a scan, and says why, when a trace has no digests', () => {
    const fa = write('nd-a.ptrace', workload(2000, undefined, 100), false);
    const fb = write('nd-b.ptrace', workload(2000, { at: 777, how: 'errno' }, 100));
    const res = bisectTraces(TraceReader.open(fa), TraceReader.open(fb));
    expect(res.method).toBe('scan');
    expect(res.reason).toContain('trace A has no stream digests');
    expect(res.pairs[0].index).toBe(777);
    const other = bisectTraces(TraceReader.open(fb), TraceReader.open(fb), 'loose');
    expect(other.method).toBe('scan');
    expect(other.reason).toContain('another profile');
  });
});
