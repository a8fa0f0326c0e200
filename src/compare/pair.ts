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
  const used = new Set<number>();
  const match = new Map<Task, Task>();
  for (const x of xs) {
    const sig = taskSignature(x);
    const j = ys.findIndex((y, k) => !used.has(k) && taskSignature(y) === sig);
    if (j >= 0) {
      used.add(j);
      match.set(x, ys[j]);
    }
  }
  for (const x of xs) {
    if (match.has(x)) continue;
    const j = ys.findIndex((y, k) => !used.has(k) && y.isThread === x.isThread);
    if (j >= 0) {
      used.add(j);
      match.set(x, ys[j]);
    }
  }
  for (const x of xs) {
    const y = match.get(x);
    out.push({ a: x, b: y });
    if (y) matchSiblings(x.kids, y.kids, out);
    else for (const k of descendants(x)) out.push({ a: k });
  }
  ys.forEach((y, k) => {
    if (used.has(k)) return;
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
