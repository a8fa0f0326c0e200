import { A, makeCall, type CallEvent, type TraceEvent } from '../../src/model/index.js';

/** Builds numbered events for compare tests. */
export class Ev {
  private seq = 0;
  readonly events: TraceEvent[] = [];

  call(pid: number, name: string, args: CallEvent['args'] = [], res: Partial<CallEvent> = {}): this {
    this.events.push({ ...makeCall({ name, pid, args, ...res }), seq: this.seq++ } as TraceEvent);
    return this;
  }
  start(pid: number, parentPid: number, opts: { root?: boolean; thread?: boolean; tgid?: number } = {}): this {
    this.events.push({ kind: 'start', seq: this.seq++, pid: opts.tgid ?? pid, tid: pid, parentPid, isThread: !!opts.thread, cloneFlags: 0, isRoot: !!opts.root });
    return this;
  }
  exec(pid: number, path: string): this {
    this.events.push({ kind: 'exec', seq: this.seq++, pid, tid: pid, path, argv: [path], env: [], oldPid: pid });
    return this;
  }
  exit(pid: number, status = 0, signal = 0): this {
    this.events.push({ kind: 'exit', seq: this.seq++, pid, tid: pid, status, signal, coreDumped: false, threadOnly: false });
    return this;
  }
  openat(pid: number, path: string, fd: number): this {
    return this.call(pid, 'openat', [A.fd(-100), A.str(path), A.flags('O_RDONLY')], { retval: fd });
  }
  read(pid: number, fd: number, data: string, ret = data.length): this {
    return this.call(pid, 'read', [A.fd(fd), A.buf(0), A.int(4096)], { retval: ret, buffers: [{ argIndex: 1, out: true, data: Buffer.from(data), fullLength: 0, truncated: false, element: -1 }] });
  }
}
