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
  private pendingParent = new Map<number, Task>();

  /** The live task with this tid, created (as a root, or as the child a clone result named) on first sight. */
  get(tid: number, pid: number): Task {
    const t = this.live.get(tid);
    if (t) return t;
    const parent = this.pendingParent.get(tid);
    this.pendingParent.delete(tid);
    return this.create(tid, pid, parent, parent ? parent.pid === pid && tid !== pid : false);
  }

  /** Records a start event: the task is created under its parent unless already known. */
  start(tid: number, pid: number, parentPid: number, isThread: boolean, isRoot: boolean): Task {
    const known = this.live.get(tid);
    if (known) return known;
    const parent = isRoot ? undefined : (this.pendingParent.get(tid) ?? this.live.get(parentPid) ?? this.last.get(parentPid));
    this.pendingParent.delete(tid);
    return this.create(tid, pid, parent, isThread);
  }

  /** A clone-family call by `parent` returned `childTid`: the child is named now if it has not appeared yet. */
  cloned(parent: Task, childTid: number, isThread: boolean): Task {
    const known = this.live.get(childTid);
    if (known) return known;
    return this.create(childTid, isThread ? parent.pid : childTid, parent, isThread);
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

  private create(tid: number, pid: number, parent: Task | undefined, isThread: boolean): Task {
    const path = parent ? `${parent.path}.${parent.kids.length + 1}` : String(++this.roots);
    const t: Task = { tid, pid, path, ord: this.all.length, parent, kids: [], isThread, execs: [], calls: 0 };
    if (parent) parent.kids.push(t);
    this.all.push(t);
    this.live.set(tid, t);
    this.last.set(tid, t);
    return t;
  }
}
