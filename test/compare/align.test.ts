import { describe, expect, it } from 'vitest';
import { align, collectStreams, diffStreams, MAX_EXACT_EDITS } from '../../src/compare/index.js';
import { A } from '../../src/model/index.js';
import { Ev } from './build.js';

function rows(a: number[], b: number[]): string {
  const al = align(a, b);
  return Array.from(al.ra, (i, r) => (i < 0 ? `+${b[al.rb[r]]}` : al.rb[r] < 0 ? `-${a[i]}` : `${a[i]}`)).join(' ');
}

function lcsLength(a: number[], b: number[]): number {
  const dp = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = 1; i <= a.length; i++) for (let j = 1; j <= b.length; j++) dp[i][j] = a[i - 1] === b[j - 1] ? dp[i - 1][j - 1] + 1 : Math.max(dp[i - 1][j], dp[i][j - 1]);
  return dp[a.length][b.length];
}

describe('align', () => {
  it('finds known insertions and deletions', () => {
    expect(rows([1, 2, 3, 4], [1, 2, 3, 4])).toBe('1 2 3 4');
    expect(rows([1, 2, 3, 4], [1, 2, 9, 3, 4])).toBe('1 2 +9 3 4');
    expect(rows([1, 2, 3, 4], [1, 3, 4])).toBe('1 -2 3 4');
    expect(rows([], [5, 6])).toBe('+5 +6');
    expect(rows([5, 6], [])).toBe('-5 -6');
  });

  it('is a shortest edit script on random sequences (checked against a dynamic-programming LCS)', () => {
    let seed = 42;
    const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) % 5;
    for (let t = 0; t < 200; t++) {
      const a = Array.from({ length: rnd() * 4 + rnd() }, rnd);
      const b = Array.from({ length: rnd() * 4 + rnd() }, rnd);
      const al = align(a, b);
      const ai = Array.from(al.ra).filter((x) => x >= 0);
      const bi = Array.from(al.rb).filter((x) => x >= 0);
      expect(ai).toEqual(a.map((_, i) => i));
      expect(bi).toEqual(b.map((_, i) => i));
      let eq = 0;
      for (let r = 0; r < al.ra.length; r++) if (al.ra[r] >= 0 && al.rb[r] >= 0) {
        expect(a[al.ra[r]]).toBe(b[al.rb[r]]);
        eq++;
      }
      expect(eq).toBe(lcsLength(a, b));
    }
  });

  it('falls back to unique anchors when the edits exceed the exact limit, keeping every element in order', () => {
    const n = MAX_EXACT_EDITS * 3;
    const a = Array.from({ length: n }, (_, i) => i * 2);
    const b = Array.from({ length: n }, (_, i) => (i % 2 ? i * 2 : -i - 1));
    const al = align(a, b);
    expect(al.approximate).toBe(true);
    expect(Array.from(al.ra).filter((x) => x >= 0)).toEqual(a.map((_, i) => i));
    expect(Array.from(al.rb).filter((x) => x >= 0)).toEqual(b.map((_, i) => i));
    let eq = 0;
    for (let r = 0; r < al.ra.length; r++) if (al.ra[r] >= 0 && al.rb[r] >= 0) eq++;
    expect(eq).toBe(n / 2);
  });
});

describe('classification', () => {
  function diff(a: Ev, b: Ev) {
    return diffStreams(collectStreams(a.events), collectStreams(b.events));
  }
  const base = () => new Ev().call(1, 'brk', [], { retval: 0x1000 }).openat(1, '/etc/ld.so.cache', 3).call(1, 'rseq', [], { retval: 0 }).call(1, 'write', [], { retval: 0 }).openat(1, '/etc/hosts', 3).read(1, 3, 'abc').exit(1, 0);

  it('reports nothing for equal streams', () => {
    const r = diff(base(), base());
    expect(r.equal).toBe(true);
    expect(r.divergences).toEqual([]);
  });

  it('classifies a different errno, ENOSYS where the other side succeeded', () => {
    const b = new Ev().call(1, 'brk', [], { retval: 0x2000 }).openat(1, '/etc/ld.so.cache', 3).call(1, 'rseq', [], { retval: -1, errno: 38 }).call(1, 'write', [], { retval: 0 }).openat(1, '/etc/hosts', 3).read(1, 3, 'abc').exit(1, 0);
    const r = diff(base(), b);
    expect(r.divergences).toHaveLength(1);
    expect(r.divergences[0]).toMatchObject({ kind: 'errno', name: 'rseq', enosys: true, first: true, changesOutcome: false });
    expect(r.divergences[0].a!.seq).toBe(2);
  });

  it('classifies calls on one side only, changed arguments, return values, data and outcome', () => {
    const b = new Ev().call(1, 'brk', [], { retval: 0x1000 }).call(1, 'getpid', [], { retval: 1 }).openat(1, '/etc/ld.so.preload', 3).call(1, 'rseq', [], { retval: 0 }).call(1, 'write', [], { retval: 1 }).openat(1, '/etc/hosts', 3).read(1, 3, 'abd').exit(1, 2);
    const r = diff(base(), b);
    expect(r.divergences.map((d) => d.kind)).toEqual(['args', 'only-b', 'retval', 'data', 'outcome']);
    expect(r.divergences[1].name).toBe('getpid');
    expect(r.divergences[0].first).toBe(true);
    expect(r.divergences[0].changesOutcome).toBe(true);
    expect(r.divergences[4].changesOutcome).toBe(true);
    expect(r.summary.find((s) => s.name === 'openat')!.byKind.args).toBe(1);
  });

  it('keeps a deletion a deletion', () => {
    const b = new Ev().call(1, 'brk', [], { retval: 0x1000 }).openat(1, '/etc/ld.so.cache', 3).call(1, 'write', [], { retval: 0 }).openat(1, '/etc/hosts', 3).read(1, 3, 'abc').exit(1, 0);
    const r = diff(base(), b);
    expect(r.divergences.map((d) => [d.kind, d.name])).toEqual([['only-a', 'rseq']]);
    void A;
  });
});
