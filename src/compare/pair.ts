import type { Task } from './tasks.js';

/** Two tasks matched across traces; one side is undefined for a task only one trace has. */
export interface TaskPair {
  a?: Task;
  b?: Task;
}

/** What pairing compares: programs exec'd, and thread or process. */
export function taskSignature(t: Task): string {
  return `${t.isThread ? 'T' : 'P'}:${t.execs.join('\u0000')}`;
}

function matchSiblings(xs: readonly Task[], ys: readonly Task[], out: TaskPair[]): void {
  const used = new Uint8Array(ys.length);
  const match = new Map<Task, Task>();
  const bySig = new Map<string, number[]>();
  ys.forEach((y, k) => {
    const sig = taskSignature(y);
    const q = bySig.get(sig);
    if (q) q.push(k);
    else bySig.set(sig, [k]);
  });
  for (const x of xs) {
    const k = bySig.get(taskSignature(x))?.shift();
    if (k !== undefined) {
      used[k] = 1;
      match.set(x, ys[k]);
    }
  }
  const rest = [[] as number[], [] as number[]];
  ys.forEach((y, k) => {
    if (!used[k]) rest[y.isThread ? 1 : 0].push(k);
  });
  for (const x of xs) {
    if (match.has(x)) continue;
    const k = rest[x.isThread ? 1 : 0].shift();
    if (k !== undefined) {
      used[k] = 1;
      match.set(x, ys[k]);
    }
  }
  for (const x of xs) {
    const y = match.get(x);
    out.push({ a: x, b: y });
    if (y) matchSiblings(x.kids, y.kids, out);
    else for (const k of descendants(x)) out.push({ a: k });
  }
  ys.forEach((y, k) => {
    if (used[k]) return;
    out.push({ b: y });
    for (const d of descendants(y)) out.push({ b: d });
  });
}

function descendants(t: Task): Task[] {
  const out: Task[] = [];
  for (const k of t.kids) out.push(k, ...descendants(k));
  return out;
}

/**
 * Pairs the tasks of two traces by the shape of the task tree: roots with roots, then each pair's children,
 * first those that exec'd the same programs (in creation order), then the rest by creation order.
 */
export function pairTasks(a: readonly Task[], b: readonly Task[]): TaskPair[] {
  const out: TaskPair[] = [];
  matchSiblings(
    a.filter((t) => !t.parent),
    b.filter((t) => !t.parent),
    out,
  );
  return out;
}
