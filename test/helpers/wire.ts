import type { EnvVar, NewEvent, TraceHeader } from '../../src/model/index.js';
import { encodeArg } from '../../src/format/argcodec.js';
import { isStorableTime } from '../../src/format/encode.js';

// The objects protobufjs's generated encoders take for what src/format/encode.ts writes by hand,
// built as the writer built them when it used those encoders: the reference the hand-written bytes
// are checked against.

type Obj = Record<string, unknown>;

function envToWire(env: EnvVar[]): Obj[] {
  return env.map((e) => (e.valueRemoved ? { name: e.name, value: e.value, valueRemoved: true } : { name: e.name, value: e.value }));
}

/** An Event message of any kind but a call. */
export function otherToWire(ev: Exclude<NewEvent, { kind: 'call' }>): Obj {
  const o: Obj = { pid: ev.pid, tid: ev.tid };
  if (isStorableTime(ev.timeNs)) o.timeNs = Math.trunc(ev.timeNs);
  switch (ev.kind) {
    case 'start':
      o.start = { parentPid: ev.parentPid, isThread: ev.isThread, cloneFlags: ev.cloneFlags, isRoot: ev.isRoot };
      break;
    case 'exec':
      o.exec = { path: ev.path, argv: ev.argv, env: envToWire(ev.env), oldPid: ev.oldPid };
      break;
    case 'signal': {
      const sig: Obj = ev.info ? { signo: ev.signo, name: ev.name, info: encodeArg(ev.info) } : { signo: ev.signo, name: ev.name };
      if (ev.stack?.length) sig.stack = ev.stack;
      o.signal = sig;
      break;
    }
    case 'exit': {
      const x: Obj = { status: ev.status, signal: ev.signal, coreDumped: ev.coreDumped, threadOnly: ev.threadOnly };
      if (ev.stack?.length) x.stack = ev.stack;
      o.exit = x;
      break;
    }
    case 'unparsed':
      o.unparsed = { source: ev.source, line: ev.line, text: ev.text, reason: ev.reason };
      break;
  }
  return o;
}

/** A Header message. */
export function headerToWire(h: TraceHeader): Obj {
  return { ...h, env: envToWire(h.env) };
}
