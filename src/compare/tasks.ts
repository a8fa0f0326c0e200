/** One task (process or thread) of a trace, named by its position in the task tree. */
export interface Task {
  tid: number;
  pid: number;
  /** "1" for the first root, "1.2" for the second task created by task 1, and so on. */
  path: string;
  /** Order of appearance in the trace, from 0. */
  ord: number;
  parent?: Task;
  kids: Task[];
  isThread: boolean;
  /** Programs exec'd by this task, in order. */
  execs: string[];
  exit?: { status: number; signal: number };
  calls: number;
}

/**
 * Names tasks as they appear: a child is numbered by the order in which its parent created it, which
 * does not depend on scheduling, so the same program gives the same names in every run.
 */
export class TaskTracker {
  readonly all: Task[] = [];
  private live = new Map<number, Task>();
  private last = new Map<number, Task>();
  private roots = 0;
  private pendingStart = new Map<number, { parentPid: number; isThread: boolean; isRoot: boolean }>();
  /** Tasks created since the last drain (the normalizer copies fd tables for new processes). */
  created: Task[] = [];

  /**
   * The live task with this tid, created on first sight: under the parent its start event named, or as a root.
   * A clone result seen first names the child instead (it is more reliable than a recorder's parent guess).
   */
  get(tid: number, pid: number): Task {
    const t = this.live.get(tid);
    if (t) return t;
    const st = this.pendingStart.get(tid);
    this.pendingStart.delete(tid);
    let parent: Task | undefined;
    if (st && !st.isRoot) parent = this.live.get(st.parentPid) ?? this.last.get(st.parentPid) ?? (this.pendingStart.has(st.parentPid) ? this.get(st.parentPid, st.parentPid) : undefined);
    return this.create(tid, pid, parent, st ? st.isThread : false);
  }

  /** Records a start event; the task is named when it first acts or when its parent's clone returns. */
  start(tid: number, parentPid: number, isThread: boolean, isRoot: boolean): void {
    if (this.live.has(tid)) return;
    this.pendingStart.set(tid, { parentPid, isThread, isRoot });
  }

  /** A clone-family call by `parent` returned `childTid`: the child is named now if it has not appeared yet. */
  cloned(parent: Task, childTid: number, isThread: boolean): Task {
    const known = this.live.get(childTid);
    if (known) {
      if (known.parent !== parent && known !== parent) this.reparent(known, parent);
      return known;
    }
    const st = this.pendingStart.get(childTid);
    this.pendingStart.delete(childTid);
    const thread = isThread || !!st?.isThread;
    return this.create(childTid, thread ? parent.pid : childTid, parent, thread);
  }

  /** The task path for a pid or tid seen in an argument or result (the latest task with that id), or undefined. */
  pathOf(id: number): string | undefined {
    return (this.live.get(id) ?? this.last.get(id))?.path;
  }

  /** The task ended: later events with its tid belong to a new task. */
  ended(t: Task, status: number, signal: number): void {
    t.exit = { status, signal };
    if (this.live.get(t.tid) === t) this.live.delete(t.tid);
  }

  /** Makes a task known under a path found elsewhere (the digest index), so a scan starting mid-trace names tasks as the full scan did. */
  adopt(tid: number, pid: number, path: string, isThread: boolean): Task {
    const t: Task = { tid, pid, path, ord: this.all.length, kids: [], isThread, execs: [], calls: 0 };
    this.all.push(t);
    this.live.set(tid, t);
    this.last.set(tid, t);
    return t;
  }

  /** Moves a task named under the wrong parent (a recorder's guess) to the parent whose clone returned it, renumbering both subtrees. */
  private reparent(t: Task, parent: Task): void {
    const old = t.parent;
    if (old) old.kids.splice(old.kids.indexOf(t), 1);
    else this.roots--;
    t.parent = parent;
    parent.kids.push(t);
    if (old) renumber(old);
    renumber(parent);
  }

  private create(tid: number, pid: number, parent: Task | undefined, isThread: boolean): Task {
    const path = parent ? `${parent.path}.${parent.kids.length + 1}` : String(++this.roots);
    const t: Task = { tid, pid, path, ord: this.all.length, parent, kids: [], isThread, execs: [], calls: 0 };
    if (parent) parent.kids.push(t);
    this.all.push(t);
    this.created.push(t);
    this.live.set(tid, t);
    this.last.set(tid, t);
    return t;
  }
}

function renumber(t: Task): void {
  t.kids.forEach((k, i) => {
    k.path = `${t.path}.${i + 1}`;
    renumber(k);
  });
}
