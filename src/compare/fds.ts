/** What each open fd of each process refers to, rebuilt from the calls that create, copy and close fds. */
export class FdTables {
  private tables = new Map<number, Map<number, string>>();

  /** The table of process `pid` (created empty on first use). */
  of(pid: number): Map<number, string> {
    let t = this.tables.get(pid);
    if (!t) {
      t = new Map();
      this.tables.set(pid, t);
    }
    return t;
  }

  /** A new process starts with a copy of its parent's table (fork), or shares it (threads share by pid). */
  fork(parentPid: number, childPid: number): void {
    if (parentPid === childPid || this.tables.has(childPid)) return;
    const p = this.tables.get(parentPid);
    this.tables.set(childPid, p ? new Map(p) : new Map());
  }

  /** What fd `fd` of `pid` refers to: its target when opened in the trace, `fdN` for an inherited one. */
  target(pid: number, fd: number): string {
    if (fd === -100) return 'AT_FDCWD';
    return this.of(pid).get(fd) ?? `fd${fd}`;
  }

  /** Records that `fd` of `pid` now refers to `target`. */
  set(pid: number, fd: number, target: string): void {
    this.of(pid).set(fd, target);
  }

  /** Records a close. */
  close(pid: number, fd: number): void {
    this.of(pid).delete(fd);
  }

  /** Forgets a process's table when it exits. */
  drop(pid: number): void {
    this.tables.delete(pid);
  }
}
