import type { ArgValue, CallEvent, Int64, TraceEvent } from '../../src/model/index.js';
import { makeCall } from '../../src/model/index.js';
import { emptyState, reduce, type KernelState } from '../../src/state/index.js';

/** Builds numbered events for reducer tests. */
export class Events {
  list: TraceEvent[] = [];

  call(pid: number, name: string, args: ArgValue[], retval: Int64 = 0, extra: Partial<CallEvent> = {}): this {
    this.list.push({ ...makeCall({ name, pid, args, retval, ...extra }), seq: this.list.length } as CallEvent);
    return this;
  }

  fail(pid: number, name: string, args: ArgValue[], errno: number): this {
    return this.call(pid, name, args, -1, { errno });
  }

  raw(pid: number, sysno: number, rawArgs: Int64[], retval: Int64 = 0, extra: Partial<CallEvent> = {}): this {
    this.list.push({ ...makeCall({ name: '', sysno, pid, rawArgs, retval, ...extra }), seq: this.list.length } as CallEvent);
    return this;
  }

  add(ev: Omit<TraceEvent, 'seq'>): this {
    this.list.push({ ...ev, seq: this.list.length } as TraceEvent);
    return this;
  }

  state(cwd = '/home/u'): KernelState {
    let s = emptyState(cwd);
    for (const ev of this.list) s = reduce(s, ev);
    return s;
  }
}
