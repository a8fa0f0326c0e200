import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TraceReader, TraceWriter } from '../../src/format/index.js';
import type { TraceEvent } from '../../src/model/index.js';
import { emptyState, freezeState, reduce, snapshot, thawState, StateIndex, viewProc, type KernelState } from '../../src/state/index.js';
import { ROOT, runCli, tempDir } from '../helpers/cli.js';
import { rng } from '../helpers/events.js';

const tmp = tempDir('picotrace-state-');
afterAll(() => tmp.cleanup());

/** Copies a trace into small chunks so that keyframes and reads cross chunk boundaries. */
function rechunk(src: string, dst: string, chunkEvents: number): void {
  const r = TraceReader.open(src);
  const w = TraceWriter.create(dst, r.header, { chunkEvents });
  for (const ev of r.events()) w.append(ev);
  w.close();
  r.close();
}

function fromScratch(events: TraceEvent[], n: number, cwd: string): KernelState {
  let s = emptyState(cwd);
  for (let i = 0; i < n; i++) s = reduce(s, events[i]);
  return s;
}

function checkEquivalence(file: string, seed: number): number {
  const r = TraceReader.open(file);
  const all = [...r.events()];
  const idx = new StateIndex(r, { interval: 16, maxKeyframes: 4, denseInterval: 8, maxDense: 4, cwd: r.header.cwd });
  const rand = rng(seed);
  let checked = 0;
  for (let k = 0; k < 60; k++) {
    if (k % 7 === 3) idx.advance(1 + Math.floor(rand() * 200));
    const n = k === 0 ? all.length : Math.floor(rand() * (all.length + 1));
    expect(snapshot(idx.stateBefore(n)), `state before #${n} of ${file}`).toEqual(snapshot(fromScratch(all, n, r.header.cwd)));
    checked++;
  }
  while (!idx.complete) idx.advance(100);
  expect(idx.keyframeCount().sparse).toBeLessThanOrEqual(5);
  expect(idx.keyframeInterval).toBeGreaterThan(16);
  for (const n of [all.length, Math.floor(all.length / 2), 1]) expect(snapshot(idx.stateBefore(n))).toEqual(snapshot(fromScratch(all, n, r.header.cwd)));
  r.close();
  return checked;
}

describe('keyframes are an optimization, never a change', () => {
  for (const name of ['sh-pipeline', 'python-threads']) {
    it(`state before N equals a fold from 0 for random N on the recorded ${name} trace`, () => {
      const file = path.join(tmp.dir, `${name}.ptrace`);
      rechunk(path.join(ROOT, 'traces', 'replay', `${name}.ptrace`), file, 37);
      expect(checkEquivalence(file, name.length * 7919)).toBe(60);
    });
  }

  it('holds on a trace recorded now with picotrace record', () => {
    const file = path.join(tmp.dir, 'live.ptrace');
    const rec = runCli(['record', '-o', file, '--', '/bin/sh', '-c', 'exec 3</etc/hostname; cd /; ls -d /tmp /nonexistent 2>/dev/null | cat >/dev/null; exec 3<&-'], { stdio: ['ignore', 'ignore', 'pipe'] });
    expect(rec.code, rec.stderr).toBeLessThanOrEqual(2);
    const small = path.join(tmp.dir, 'live-small.ptrace');
    rechunk(file, small, 29);
    expect(checkEquivalence(small, 42)).toBe(60);
  });
});

describe('frozen keyframes', () => {
  it('thaw to the state that was frozen, in the same order, and fold on from there the same way', () => {
    const r = TraceReader.open(path.join(ROOT, 'traces', 'replay', 'python-threads.ptrace'));
    const all = [...r.events()];
    r.close();
    let s = emptyState(r.header.cwd);
    let compared = 0;
    for (let i = 0; i < all.length; i++) {
      if (i % 50 === 0 || i === all.length - 1) {
        const f = freezeState(s);
        const t = thawState(f);
        expect(f.seq).toBe(s.seq);
        expect(t).toEqual(s);
        expect([...t.procs.keys()]).toEqual([...s.procs.keys()]);
        expect(snapshot(t)).toEqual(snapshot(s));
        const next = all.slice(i, i + 50);
        expect(snapshot(next.reduce(reduce, t))).toEqual(snapshot(next.reduce(reduce, s)));
        // A frozen state is bytes, a fraction of the size of its objects.
        expect(f.bytes.length).toBeLessThan(Math.max(512, JSON.stringify(snapshot(s)).length));
        compared++;
      }
      s = reduce(s, all[i]);
    }
    expect(compared).toBeGreaterThan(10);
    expect(s.procs.size).toBeGreaterThan(0);
  });
});

describe('state on real traces', () => {
  it('sh pipeline: the writer child has the pipe on fd 1, the shell did cd /etc, ls exited with 2', () => {
    const r = TraceReader.open(path.join(ROOT, 'traces', 'replay', 'sh-pipeline.ptrace'));
    const all = [...r.events()];
    const dupIdx = all.findIndex((e) => e.kind === 'call' && e.name === 'dup2' && e.args[0]?.k === 'fd' && (e.args[0].path ?? '').startsWith('pipe:') && Number(e.retval) === 1);
    expect(dupIdx).toBeGreaterThan(0);
    const idx = new StateIndex(r, { cwd: r.header.cwd });
    const child = viewProc(idx.stateAfter(dupIdx), all[dupIdx].pid);
    expect(child?.fds.find((f) => f.fd === 1)).toMatchObject({ kind: 'pipe' });
    const end = idx.stateBefore(r.eventCount);
    const root = viewProc(end, all[0].pid);
    expect(root?.cwd).toBe('/etc');
    expect(root?.exit?.status).toBe(0);
    const ls = [...end.procs.values()].find((p) => p.exe.endsWith('/ls'));
    expect(ls?.exit?.status).toBe(2);
    r.close();
  });

  it('python threads: a thread comes and goes, the mremap moved region is where mremap returned', () => {
    const r = TraceReader.open(path.join(ROOT, 'traces', 'replay', 'python-threads.ptrace'));
    const all = [...r.events()];
    const idx = new StateIndex(r, { cwd: r.header.cwd });
    const clone = all.findIndex((e) => e.kind === 'call' && e.name === 'clone3');
    const pid = all[0].pid;
    expect(viewProc(idx.stateAfter(clone), pid)?.threads.length).toBe(2);
    const mremap = all.findIndex((e) => e.kind === 'call' && e.name === 'mremap');
    const ev = all[mremap];
    const to = ev.kind === 'call' ? Number(ev.retval) : 0;
    const regions = viewProc(idx.stateAfter(mremap), pid)?.regions ?? [];
    expect(regions.find((x) => x.start === to)?.end).toBe(to + (1 << 20));
    expect(viewProc(idx.stateAfter(mremap), pid)?.threads).toEqual([pid]);
    expect(viewProc(idx.stateAfter(mremap), pid)?.fds.find((f) => f.fd === 9)).toMatchObject({ kind: 'pipe', cloexec: false });
    r.close();
  });
});
