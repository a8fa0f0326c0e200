import type { CallEvent } from '../model/index.js';
import { argBits, argFdPath, argInt, hasBits, retNum } from './accessors.js';
import type { Draft } from './draft.js';
import { MAP_ANONYMOUS, MAP_FLAGS, MAP_SHARED, MREMAP_FLAGS, PROT_FLAGS } from './tables.js';
import type { MemMap, Proc, Region } from './types.js';

/** Page size the rules round lengths to. */
export const PAGE = 4096;

function pageUp(n: number): number {
  return Math.ceil(n / PAGE) * PAGE;
}

/** Regions with [s, e) removed (regions straddling an edge are split). */
export function punch(regions: readonly Region[], s: number, e: number): Region[] {
  const out: Region[] = [];
  for (const r of regions) {
    if (r.end <= s || r.start >= e) {
      out.push(r);
      continue;
    }
    if (r.start < s) out.push({ ...r, end: s });
    if (r.end > e) out.push({ ...r, start: e, offset: r.offset + (e - r.start) });
  }
  return out;
}

/** Regions with `r` mapped over whatever was there, kept sorted by start. */
export function mapRegion(regions: readonly Region[], r: Region): Region[] {
  const out = punch(regions, r.start, r.end);
  let i = out.length;
  while (i > 0 && out[i - 1].start > r.start) i--;
  out.splice(i, 0, r);
  return out;
}

/** Regions with the protection of [s, e) set to `prot`. */
export function reprotect(regions: readonly Region[], s: number, e: number, prot: number): Region[] {
  const out: Region[] = [];
  for (const r of regions) {
    if (r.end <= s || r.start >= e) {
      out.push(r);
      continue;
    }
    if (r.start < s) out.push({ ...r, end: s });
    const a = Math.max(r.start, s);
    const b = Math.min(r.end, e);
    out.push({ ...r, start: a, end: b, offset: r.offset + (a - r.start), prot });
    if (r.end > e) out.push({ ...r, start: e, offset: r.offset + (e - r.start) });
  }
  return out;
}

function setMm(d: Draft, p: Proc, m: MemMap): void {
  d.setMm(p.mm, m);
}

/** A memory handler: applies one successful call to the address space of `p`. */
export type MemHandler = (d: Draft, p: Proc, ev: CallEvent) => void;

/** The memory rules, by call name. */
export const MEM_HANDLERS: Readonly<Record<string, MemHandler>> = {
  mmap: (d, p, ev) => {
    const start = retNum(ev);
    const len = pageUp(argInt(ev, 1) ?? 0);
    if (len <= 0 || start < 0) return;
    const prot = argBits(ev, 2, PROT_FLAGS);
    const flags = argBits(ev, 3, MAP_FLAGS);
    const fd = argInt(ev, 4) ?? -1;
    let where = '[anon]';
    if (!hasBits(flags, MAP_ANONYMOUS) && fd >= 0) where = d.fdTable(p.fdTable).get(fd)?.path || argFdPath(ev, 4) || `fd ${fd}`;
    const mm = d.mm(p.mm);
    const shared = (flags & 3) === MAP_SHARED || (flags & 3) === 3;
    setMm(d, p, { ...mm, regions: mapRegion(mm.regions, { start, end: start + len, prot, shared, path: where, offset: hasBits(flags, MAP_ANONYMOUS) ? 0 : (argInt(ev, 5) ?? 0) }) });
  },
  munmap: (d, p, ev) => {
    const s = argInt(ev, 0);
    const len = pageUp(argInt(ev, 1) ?? 0);
    if (s === undefined || len <= 0) return;
    const mm = d.mm(p.mm);
    setMm(d, p, { ...mm, regions: punch(mm.regions, s, s + len) });
  },
  mprotect: (d, p, ev) => {
    const s = argInt(ev, 0);
    const len = pageUp(argInt(ev, 1) ?? 0);
    if (s === undefined || len <= 0) return;
    const mm = d.mm(p.mm);
    setMm(d, p, { ...mm, regions: reprotect(mm.regions, s, s + len, argBits(ev, 2, PROT_FLAGS)) });
  },
  mremap: (d, p, ev) => {
    const old = argInt(ev, 0);
    const oldLen = pageUp(argInt(ev, 1) ?? 0);
    const newLen = pageUp(argInt(ev, 2) ?? 0);
    const flags = argBits(ev, 3, MREMAP_FLAGS);
    const to = retNum(ev);
    if (old === undefined || newLen <= 0) return;
    const mm = d.mm(p.mm);
    const src = mm.regions.find((r) => r.start <= old && r.end > old);
    const base: Region = src
      ? { ...src, start: to, end: to + newLen, offset: src.offset + (old - src.start) }
      : { start: to, end: to + newLen, prot: 0, shared: false, path: '[anon]', offset: 0 };
    const kept = hasBits(flags, MREMAP_FLAGS.MREMAP_DONTUNMAP) ? mm.regions : punch(mm.regions, old, old + Math.max(oldLen, to === old ? newLen : oldLen));
    setMm(d, p, { ...mm, regions: mapRegion(kept, base) });
  },
  brk: (d, p, ev) => {
    const now = retNum(ev);
    if (now <= 0) return;
    const mm = d.mm(p.mm);
    const start = mm.brkStart ?? now;
    const prevEnd = mm.brkEnd ?? start;
    let regions = punch(mm.regions, start, Math.max(prevEnd, now));
    if (now > start) regions = mapRegion(regions, { start, end: now, prot: 3, shared: false, path: '[heap]', offset: 0 });
    setMm(d, p, { regions, brkStart: start, brkEnd: now });
  },
};
