/** Aligned rows of two sequences: row r pairs a[ra[r]] with b[rb[r]]; -1 marks a gap on that side. */
export interface Alignment {
  ra: Int32Array;
  rb: Int32Array;
  /** True when some stretch had too many edits for an exact diff and was aligned by unique anchors instead. */
  approximate: boolean;
}

/** Edits beyond which a stretch is aligned on unique anchors (patience) instead of exactly (Myers). */
export const MAX_EXACT_EDITS = 2000;

/** Bound on (length x edits) for one exact Myers pass, so a large, very different stretch cannot take minutes. */
const WORK_LIMIT = 50_000_000;

class Rows {
  ra = new Int32Array(256);
  rb = new Int32Array(256);
  n = 0;
  approximate = false;
  private add(i: number, j: number): void {
    if (this.n === this.ra.length) {
      const a = new Int32Array(this.n * 2);
      a.set(this.ra);
      this.ra = a;
      const b = new Int32Array(this.n * 2);
      b.set(this.rb);
      this.rb = b;
    }
    this.ra[this.n] = i;
    this.rb[this.n++] = j;
  }
  eq(i: number, j: number, n: number): void {
    for (let k = 0; k < n; k++) this.add(i + k, j + k);
  }
  del(i: number, n: number): void {
    for (let k = 0; k < n; k++) this.add(i + k, -1);
  }
  ins(j: number, n: number): void {
    for (let k = 0; k < n; k++) this.add(-1, j + k);
  }
}

function myers(a: ArrayLike<number>, b: ArrayLike<number>, a0: number, a1: number, b0: number, b1: number, maxD: number, out: Rows): boolean {
  const n = a1 - a0;
  const m = b1 - b0;
  const max = Math.min(n + m, maxD);
  const off = max + 1;
  const v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  for (let d = 0; d <= max; d++) {
    trace.push(v.slice(off - d - 1, off + d + 2));
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[off + k - 1] < v[off + k + 1]) ? v[off + k + 1] : v[off + k - 1] + 1;
      let y = x - k;
      while (x < n && y < m && a[a0 + x] === b[b0 + y]) {
        x++;
        y++;
      }
      v[off + k] = x;
      if (x >= n && y >= m) {
        backtrack(trace, d, n, m, a0, b0, out);
        return true;
      }
    }
  }
  return false;
}

function backtrack(trace: Int32Array[], dEnd: number, n: number, m: number, a0: number, b0: number, out: Rows): void {
  const steps: number[][] = [];
  let x = n;
  let y = m;
  for (let d = dEnd; d > 0; d--) {
    const vd = trace[d];
    const get = (k: number) => vd[k + d + 1];
    const k = x - y;
    const prevK = k === -d || (k !== d && get(k - 1) < get(k + 1)) ? k + 1 : k - 1;
    const prevX = get(prevK);
    const prevY = prevX - prevK;
    const midX = prevK === k + 1 ? prevX : prevX + 1;
    const midY = midX - k;
    steps.push([prevX, prevY, midX, midY, x, y]);
    x = prevX;
    y = prevY;
  }
  if (x > 0) out.eq(a0, b0, x);
  for (let s = steps.length - 1; s >= 0; s--) {
    const [px, py, mx, my, ex, ey] = steps[s];
    if (mx > px) out.del(a0 + px, 1);
    else if (my > py) out.ins(b0 + py, 1);
    if (ex > mx) out.eq(a0 + mx, b0 + my, ex - mx);
    void ey;
  }
}

function uniqueAnchors(a: ArrayLike<number>, b: ArrayLike<number>, a0: number, a1: number, b0: number, b1: number): [number, number][] {
  const ca = new Map<number, number>();
  for (let i = a0; i < a1; i++) ca.set(a[i], ca.has(a[i]) ? -1 : i);
  const cb = new Map<number, number>();
  for (let j = b0; j < b1; j++) cb.set(b[j], cb.has(b[j]) ? -1 : j);
  const pairs: [number, number][] = [];
  for (const [h, i] of ca) {
    const j = cb.get(h);
    if (i >= 0 && j !== undefined && j >= 0) pairs.push([i, j]);
  }
  pairs.sort((p, q) => p[0] - q[0]);
  const tails: number[] = [];
  const prev = new Int32Array(pairs.length).fill(-1);
  for (let p = 0; p < pairs.length; p++) {
    let lo = 0;
    let hi = tails.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (pairs[tails[mid]][1] < pairs[p][1]) lo = mid + 1;
      else hi = mid;
    }
    if (lo > 0) prev[p] = tails[lo - 1];
    tails[lo] = p;
  }
  const lis: [number, number][] = [];
  for (let p = tails.length ? tails[tails.length - 1] : -1; p >= 0; p = prev[p]) lis.push(pairs[p]);
  return lis.reverse();
}

function alignRange(a: ArrayLike<number>, b: ArrayLike<number>, a0: number, a1: number, b0: number, b1: number, out: Rows, depth: number): void {
  let pre = 0;
  while (a0 + pre < a1 && b0 + pre < b1 && a[a0 + pre] === b[b0 + pre]) pre++;
  let suf = 0;
  while (a1 - suf > a0 + pre && b1 - suf > b0 + pre && a[a1 - 1 - suf] === b[b1 - 1 - suf]) suf++;
  out.eq(a0, b0, pre);
  const s0 = a0 + pre;
  const s1 = a1 - suf;
  const t0 = b0 + pre;
  const t1 = b1 - suf;
  if (s0 === s1) out.ins(t0, t1 - t0);
  else if (t0 === t1) out.del(s0, s1 - s0);
  else if (!myers(a, b, s0, s1, t0, t1, Math.max(16, Math.min(MAX_EXACT_EDITS, Math.floor(WORK_LIMIT / (s1 - s0 + t1 - t0)))), out)) {
    out.approximate = true;
    const anchors = depth < 8 ? uniqueAnchors(a, b, s0, s1, t0, t1) : [];
    if (anchors.length === 0) {
      out.del(s0, s1 - s0);
      out.ins(t0, t1 - t0);
    } else {
      let i = s0;
      let j = t0;
      for (const [ai, bj] of anchors) {
        alignRange(a, b, i, ai, j, bj, out, depth + 1);
        out.eq(ai, bj, 1);
        i = ai + 1;
        j = bj + 1;
      }
      alignRange(a, b, i, s1, j, t1, out, depth + 1);
    }
  }
  out.eq(a1 - suf, b1 - suf, suf);
}

/**
 * Aligns two sequences of integer keys: the common prefix and suffix, then an exact shortest edit script
 * (Myers) when it needs at most MAX_EXACT_EDITS edits, else patience-style anchoring on keys unique to both.
 */
export function align(a: ArrayLike<number>, b: ArrayLike<number>): Alignment {
  const out = new Rows();
  alignRange(a, b, 0, a.length, 0, b.length, out, 0);
  return { ra: out.ra.slice(0, out.n), rb: out.rb.slice(0, out.n), approximate: out.approximate };
}
