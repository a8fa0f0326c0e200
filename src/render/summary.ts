import type { TraceReader } from '../format/index.js';
import type { CorruptTraceError } from '../util/errors.js';
import { errnoName } from '../model/index.js';
import type { TraceHeader } from '../model/index.js';

/** Everything `info` reports about a trace, gathered in one streaming pass. */
export interface TraceSummary {
  file: string;
  header: TraceHeader;
  events: number;
  calls: number;
  failedCalls: number;
  unfinishedCalls: number;
  unparsed: number;
  lifecycle: { start: number; exec: number; signal: number; exit: number };
  perCall: { name: string; count: number; errors: number }[];
  perErrno: { errno: string; count: number }[];
  processes: { pid: number; threads: number; argv: string[]; exit?: string }[];
  threads: number;
  timeSpanNs?: { first: number; last: number };
  chunks: number;
  fileSize: number;
  integrity: {
    footer: boolean;
    damage?: { what: string; offset: number };
    badChunks: { what: string; offset: number }[];
    recoveredEvents: number;
  };
  droppedEvents: number;
  unknownMessages: number;
  endNotes: Record<string, string>;
}

/** Reads the whole trace once (one chunk in memory at a time) and gathers the `info` summary. */
export function summarize(reader: TraceReader, onCorrupt?: (e: CorruptTraceError) => void): TraceSummary {
  const perCall = new Map<string, { count: number; errors: number }>();
  const perErrno = new Map<number, number>();
  const procs = new Map<number, { tids: Set<number>; argv: string[]; exit?: string }>();
  const bad: { what: string; offset: number }[] = [];
  let events = 0;
  let calls = 0;
  let failed = 0;
  let unfinished = 0;
  let unparsed = 0;
  const life = { start: 0, exec: 0, signal: 0, exit: 0 };
  let first: number | undefined;
  let last: number | undefined;
  const proc = (pid: number) => {
    let p = procs.get(pid);
    if (!p) procs.set(pid, (p = { tids: new Set([pid]), argv: [] }));
    return p;
  };
  for (const ev of reader.stream({
    onCorrupt: (e) => {
      bad.push({ what: e.what, offset: e.offset });
      onCorrupt?.(e);
    },
  })) {
    events++;
    if (ev.timeNs !== undefined) {
      if (first === undefined || ev.timeNs < first) first = ev.timeNs;
      if (last === undefined || ev.timeNs > last) last = ev.timeNs;
    }
    const p = proc(ev.pid);
    p.tids.add(ev.tid);
    switch (ev.kind) {
      case 'call': {
        calls++;
        let s = perCall.get(ev.name);
        if (!s) perCall.set(ev.name, (s = { count: 0, errors: 0 }));
        s.count++;
        if (ev.errno) {
          failed++;
          s.errors++;
          perErrno.set(ev.errno, (perErrno.get(ev.errno) ?? 0) + 1);
        }
        if (ev.flags & 1) unfinished++;
        break;
      }
      case 'exec':
        life.exec++;
        p.argv = ev.argv;
        break;
      case 'start':
        life.start++;
        break;
      case 'signal':
        life.signal++;
        break;
      case 'exit':
        life.exit++;
        if (!ev.threadOnly) p.exit = ev.signal ? `killed by signal ${ev.signal}` : `exited with ${ev.status}`;
        break;
      case 'unparsed':
        unparsed++;
        break;
    }
  }
  let threads = 0;
  for (const p of procs.values()) threads += p.tids.size;
  return {
    file: reader.file,
    header: reader.header,
    events,
    calls,
    failedCalls: failed,
    unfinishedCalls: unfinished,
    unparsed,
    lifecycle: life,
    perCall: [...perCall].map(([name, s]) => ({ name, ...s })).sort((a, b) => b.count - a.count || a.name.localeCompare(b.name)),
    perErrno: [...perErrno].map(([n, count]) => ({ errno: errnoName(n), count })).sort((a, b) => b.count - a.count),
    processes: [...procs].map(([pid, p]) => ({ pid, threads: p.tids.size, argv: p.argv, ...(p.exit ? { exit: p.exit } : {}) })),
    threads,
    ...(first !== undefined && last !== undefined ? { timeSpanNs: { first, last } } : {}),
    chunks: reader.chunks.length,
    fileSize: reader.integrity.fileSize,
    integrity: {
      footer: reader.integrity.footer,
      ...(reader.integrity.damage ? { damage: reader.integrity.damage } : {}),
      badChunks: bad,
      recoveredEvents: events,
    },
    droppedEvents: reader.footerInfo.droppedEvents,
    unknownMessages: reader.footerInfo.unknownMessages,
    endNotes: reader.footerInfo.endNotes,
  };
}
