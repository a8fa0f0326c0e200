import type { ArgValue, CallBuffer, CallEvent, EnvVar, NewEvent, TraceEvent, TraceHeader } from '../model/index.js';
import { DATA_ARGS, ENV_ARGS } from './data-args.js';
import { shortDigest } from './digest.js';
import { homeRule, scrubbedTokens, type ScrubOptions } from './options.js';
import { compilePathRules, type PathMapper } from './paths.js';

/** Transforms a trace's header and events; pure apart from hashing, so it fits any writer or recorder. */
export interface Scrubber {
  readonly options: ScrubOptions;
  /** A scrubbed copy of the header, with `scrubbed` listing what was removed. */
  header(h: TraceHeader): TraceHeader;
  /** Free text (a note, an option value) with the path rules applied. */
  text(s: string): string;
  /** A scrubbed copy of one event (the input is not modified). */
  event<E extends NewEvent>(ev: E): E;
}

const utf8 = new TextEncoder();

function bytesOf(v: string | Uint8Array): Uint8Array {
  return typeof v === 'string' ? utf8.encode(v) : v;
}

function scrubBuffer(b: CallBuffer): CallBuffer {
  if (b.data.length === 0 && b.digest) return b;
  const fullLength = b.fullLength || b.data.length;
  return { argIndex: b.argIndex, out: b.out, data: new Uint8Array(0), fullLength, truncated: b.truncated, digest: shortDigest(b.data), element: b.element };
}

function mapArg(a: ArgValue, map: PathMapper): ArgValue {
  switch (a.k) {
    case 'str':
      if (typeof a.v === 'string') {
        const v = map(a.v);
        return v === a.v ? a : { ...a, v };
      } else {
        const text = Buffer.from(a.v).toString('latin1');
        const v = map(text);
        return v === text ? a : { ...a, v: new Uint8Array(Buffer.from(v, 'latin1')) };
      }
    case 'fd':
      if (a.path === undefined) return a;
      return { k: 'fd', fd: a.fd, path: map(a.path) };
    case 'raw':
      return { k: 'raw', v: map(a.v) };
    case 'comment':
      return a.of ? { k: 'comment', v: map(a.v), of: mapArg(a.of, map) } : { k: 'comment', v: map(a.v) };
    case 'struct':
      return { ...a, fields: a.fields.map(([n, v]) => [n, mapArg(v, map)]) };
    case 'array':
      return { ...a, items: a.items.map((v) => mapArg(v, map)) };
    case 'fn':
      return { ...a, args: a.args.map((v) => mapArg(v, map)) };
    case 'not':
      return { k: 'not', v: mapArg(a.v, map) };
    case 'op':
      return { k: 'op', op: a.op, l: mapArg(a.l, map), r: mapArg(a.r, map) };
    default:
      return a;
  }
}

function dataArg(a: ArgValue, argIndex: number, out: boolean, element: number, buffers: CallBuffer[]): ArgValue {
  switch (a.k) {
    case 'str': {
      const data = bytesOf(a.v);
      buffers.push({ argIndex, out, data: new Uint8Array(0), fullLength: data.length, truncated: a.trunc === true, digest: shortDigest(data), element });
      return { k: 'buf', i: buffers.length - 1 };
    }
    case 'struct':
      return { ...a, fields: a.fields.map(([n, v]) => [n, dataArg(v, argIndex, out, element, buffers)]) };
    case 'array':
      return { ...a, items: a.items.map((v, i) => dataArg(v, argIndex, out, element < 0 ? i : element, buffers)) };
    case 'fn':
      return { ...a, args: a.args.map((v) => dataArg(v, argIndex, out, element, buffers)) };
    case 'comment':
      return a.of ? { k: 'comment', v: a.v, of: dataArg(a.of, argIndex, out, element, buffers) } : a;
    case 'raw':
      return { k: 'raw', v: '...' };
    case 'not':
      return { k: 'not', v: dataArg(a.v, argIndex, out, element, buffers) };
    case 'op':
      return { k: 'op', op: a.op, l: dataArg(a.l, argIndex, out, element, buffers), r: dataArg(a.r, argIndex, out, element, buffers) };
    default:
      return a;
  }
}

function envArg(a: ArgValue, map: PathMapper): ArgValue {
  if (a.k === 'array') return { ...a, items: a.items.map((v) => envArg(v, map)) };
  if (a.k === 'str') {
    const s = typeof a.v === 'string' ? a.v : Buffer.from(a.v).toString('latin1');
    const eq = s.indexOf('=');
    return { k: 'str', v: eq < 0 ? s : s.slice(0, eq + 1) };
  }
  return mapArg(a, map);
}

function scrubEnv(env: EnvVar[], o: ScrubOptions, map: PathMapper): EnvVar[] {
  if (o.env) return env.map((e) => (e.valueRemoved ? e : { name: e.name, value: '', valueRemoved: true }));
  return env.map((e) => (e.valueRemoved ? e : { name: e.name, value: map(e.value) }));
}

function scrubCall<C extends Omit<CallEvent, 'seq'>>(c: C, o: ScrubOptions, map: PathMapper): C {
  const buffers = o.buffers ? c.buffers.map(scrubBuffer) : c.buffers.slice();
  const data = o.buffers ? DATA_ARGS[c.name] : undefined;
  const envAt = o.env ? ENV_ARGS[c.name] : undefined;
  const args = c.args.map((a, i) => {
    if (data) for (const d of data) if (d.index === i) return dataArg(a, i, d.out, -1, buffers);
    if (envAt === i) return envArg(a, map);
    return mapArg(a, map);
  });
  const out: Omit<CallEvent, 'seq'> & { seq?: number } = {
    kind: 'call',
    pid: c.pid,
    tid: c.tid,
    name: c.name,
    sysno: c.sysno,
    rawArgs: c.rawArgs,
    args,
    retval: c.retval,
    errno: c.errno,
    flags: c.flags,
    buffers,
  };
  const seq = (c as { seq?: number }).seq;
  if (seq !== undefined) out.seq = seq;
  if (c.timeNs !== undefined) out.timeNs = c.timeNs;
  if (c.durationNs !== undefined) out.durationNs = c.durationNs;
  if (c.retAnnotation !== undefined) out.retAnnotation = map(c.retAnnotation);
  if (c.arch !== undefined) out.arch = c.arch;
  if (c.stack !== undefined) out.stack = c.stack.map(map);
  return out as unknown as C;
}

/** Builds the scrub transform for `options`. */
export function createScrubber(options: ScrubOptions): Scrubber {
  let map = compilePathRules(options.paths);
  return {
    options,
    text: (t) => map(t),
    header(h) {
      const home = options.homeFromEnv ? homeRule(h.env.find((e) => e.name === 'HOME' && !e.valueRemoved)?.value) : undefined;
      if (home) map = compilePathRules([home, ...options.paths]);
      const scrubbed = [...h.scrubbed];
      for (const t of scrubbedTokens(options)) if (!scrubbed.includes(t)) scrubbed.push(t);
      const captureOptions: Record<string, string> = {};
      for (const [k, v] of Object.entries(h.captureOptions)) captureOptions[k] = map(v);
      return { ...h, argv: h.argv.map(map), cwd: map(h.cwd), env: scrubEnv(h.env, options, map), captureOptions, notes: h.notes.map(map), scrubbed };
    },
    event(ev) {
      const e = ev as TraceEvent;
      switch (e.kind) {
        case 'call':
          return scrubCall(e, options, map) as typeof ev;
        case 'exec':
          return { ...e, path: map(e.path), argv: e.argv.map(map), env: scrubEnv(e.env, options, map) } as typeof ev;
        case 'signal': {
          const sig = e.info ? { ...e, info: mapArg(e.info, map) } : { ...e };
          if (sig.stack) sig.stack = sig.stack.map(map);
          return sig as typeof ev;
        }
        case 'exit':
          return (e.stack ? { ...e, stack: e.stack.map(map) } : { ...e }) as typeof ev;
        case 'unparsed': {
          if (!options.buffers) return { ...e, text: map(e.text) } as typeof ev;
          const bytes = utf8.encode(e.text);
          const text = `<${bytes.length} bytes sha256:${Buffer.from(shortDigest(bytes)).toString('hex').slice(0, 16)}>`;
          return { ...e, text } as typeof ev;
        }
        default:
          return { ...e } as typeof ev;
      }
    },
  };
}
