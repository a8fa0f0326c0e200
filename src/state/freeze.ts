import v8 from 'node:v8';
import zlib from 'node:zlib';
import { PMap } from './pmap.js';
import type { KernelState, Proc } from './types.js';

/**
 * A keyframe kept outside the JavaScript heap: the state serialized (V8's structured clone keeps the
 * Maps) and deflated. A state of a few dozen processes is 20-30 KB of objects and 3-4 KB frozen, and
 * frozen keyframes cost the garbage collector nothing, so a long trace's keyframes no longer set the
 * size of the heap. Thawing makes fresh objects that share nothing with other states, which the
 * reducer does not mind: states are never mutated.
 */
export interface FrozenState {
  readonly seq: number;
  readonly bytes: Buffer;
}

/** Freezes a state. */
export function freezeState(s: KernelState): FrozenState {
  const plain = { ...s, procs: [...s.procs] };
  // zlib's output is a view of its 16 KB output buffer: a copy keeps only the bytes.
  return { seq: s.seq, bytes: Buffer.from(zlib.deflateRawSync(v8.serialize(plain), { level: 1 })) };
}

/** The state a freezeState() call was given (equal, not identical). */
export function thawState(f: FrozenState): KernelState {
  const plain = v8.deserialize(zlib.inflateRawSync(f.bytes)) as Omit<KernelState, 'procs'> & { procs: [number, Proc][] };
  const ed = PMap.empty<Proc>().edit();
  for (const [pid, p] of plain.procs) ed.set(pid, p);
  return { ...plain, procs: ed.done() };
}
