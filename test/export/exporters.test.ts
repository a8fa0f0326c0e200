import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXPORT_FORMATS, type ExportFormat } from '../../src/export/index.js';
import { StraceParser } from '../../src/import/strace/index.js';
import { A, makeCall, type NewEvent, type TraceEvent } from '../../src/model/index.js';
import { ROOT } from '../helpers/cli.js';
import { sampleEvents, sampleHeader } from '../helpers/sample-trace.js';

function run(format: ExportFormat, evs: TraceEvent[] = [...sampleEvents()].map((e, seq) => ({ ...e, seq }) as TraceEvent)): string {
  const x = EXPORT_FORMATS[format]();
  return x.begin(sampleHeader()) + evs.map((e) => x.event(e)).join('') + x.end();
}

const K_LOG = path.join(ROOT, 'traces', 'strace', 'k-Y.log');

/** The events of a strace -k log (stacks after calls, signals and exits). */
function importedK(): NewEvent[] {
  const out: NewEvent[] = [];
  const p = new StraceParser((e) => out.push(e), {});
  fs.readFileSync(K_LOG, 'latin1')
    .trimEnd()
    .split('\n')
    .forEach((l, i) => p.line(l, i + 1));
  p.end();
  return out;
}

interface TraceEventJson {
  name: string;
  ph: string;
  cat?: string;
  ts?: number;
  dur?: number;
  pid: number;
  tid: number;
  args: Record<string, unknown>;
}

describe('perfetto exporter', () => {
  const doc = JSON.parse(run('perfetto')) as { traceEvents: TraceEventJson[]; displayTimeUnit: string };
  const slices = doc.traceEvents.filter((e) => e.ph === 'X');

  it('writes one complete slice per call, in microseconds, on the thread that made it', () => {
    const calls = [...sampleEvents()].filter((e) => e.kind === 'call');
    expect(slices.length).toBe(calls.length);
    const open = slices.find((s) => s.name === 'openat')!;
    expect(open).toMatchObject({ cat: 'syscall', pid: 101, tid: 101, dur: 9 });
    expect(open.args.call).toBe('openat(AT_FDCWD, "/home/alice/secret.txt", O_RDONLY)');
    expect(open.args.result).toBe('= 3</home/alice/secret.txt>');
    for (const s of slices) expect(typeof s.ts).toBe('number');
  });

  it('puts each captured stack in its slice\'s or instant\'s args', () => {
    const evs = importedK();
    const withStacks = evs.filter((e) => 'stack' in e && e.stack?.length);
    expect(withStacks.length).toBeGreaterThan(10);
    const k = JSON.parse(run('perfetto', evs.map((e, seq) => ({ ...e, seq }) as TraceEvent))) as { traceEvents: TraceEventJson[] };
    const stacked = k.traceEvents.filter((e) => Array.isArray(e.args?.stack));
    expect(stacked.map((e) => e.args.stack)).toEqual(withStacks.map((e) => (e as { stack: string[] }).stack));
    expect(stacked.some((e) => e.ph === 'X')).toBe(true);
  });

  it('marks failed calls with a category and the errno name', () => {
    const failed = slices.filter((s) => s.cat === 'syscall,failed');
    expect(failed.map((s) => [s.name, s.args.errno])).toEqual([['newfstatat', 'ENOENT']]);
  });

  it('names processes and threads from exec, children inheriting until they exec', () => {
    const names = doc.traceEvents.filter((e) => e.ph === 'M' && e.name === 'process_name').map((e) => [e.pid, e.args.name]);
    expect(names).toEqual([
      [100, 'sh'],
      [101, 'sh'],
      [101, 'cat'],
    ]);
    expect(doc.traceEvents.some((e) => e.ph === 'M' && e.name === 'thread_name' && e.tid === 101 && e.args.name === 'cat')).toBe(true);
  });

  it('shows lifecycle records as instant events', () => {
    const instants = doc.traceEvents.filter((e) => e.ph === 'i').map((e) => e.name);
    expect(instants).toEqual(['process start', 'exec', 'process start', 'exec', 'exit', 'SIGCHLD', 'exit']);
  });

  it('links each clone slice to the child it started with a flow arrow', () => {
    const flows = doc.traceEvents.filter((e) => e.ph === 's' || e.ph === 'f');
    const clone = slices.find((s) => s.name === 'clone')!;
    expect(flows).toEqual([
      { name: 'spawn', cat: 'process', ph: 's', id: 1, ts: clone.ts, pid: 100, tid: 100 },
      { name: 'spawn', cat: 'process', ph: 'f', bp: 'e', id: 1, ts: 5.5, pid: 101, tid: 101 },
    ]);
  });

  it('places calls without a time at the last known time and gives them no duration', () => {
    const evs = [
      { ...makeCall({ name: 'a', pid: 1, timeNs: 5000, durationNs: 1000 }), seq: 0 },
      { ...makeCall({ name: 'b', pid: 1 }), seq: 1 },
    ] as TraceEvent[];
    const d = JSON.parse(run('perfetto', evs)) as { traceEvents: TraceEventJson[] };
    expect(d.traceEvents.filter((e) => e.ph === 'X').map((e) => [e.name, e.ts, e.dur])).toEqual([
      ['a', 5, 1],
      ['b', 5, 0],
    ]);
  });
});

describe('strace exporter', () => {
  const lines = run('strace').trimEnd().split('\n');

  it('writes strace -f -ttt -T lines: tid, epoch seconds, call, result, duration', () => {
    expect(lines[0]).toBe('100   1700000000.000004 clone(CLONE_CHILD_SETTID|SIGCHLD) = 101 <0.000040>');
    expect(lines).toContain('101   1700000000.000010 newfstatat(AT_FDCWD, "/home/alice/.config", 0x7ffd0000, 0) = -1 ENOENT (No such file or directory) <0.000003>');
    expect(lines).toContain('101   1700000000.000013 read(3</home/alice/secret.txt>, "TOPSECRET-file-contents-4f1d", 131072) = 28 <0.000005>');
    expect(lines).toContain('101   1700000000.000020 exit_group(0) = ?');
  });

  it('writes exits and signals as strace does, and no lines for starts and execs', () => {
    expect(lines).toContain('101   1700000000.000022 +++ exited with 0 +++');
    expect(lines.some((l) => /^100 +\d+\.\d{6} --- SIGCHLD \{si_signo=SIGCHLD, si_pid=101\} ---$/.test(l))).toBe(true);
    const calls = [...sampleEvents()].filter((e) => e.kind === 'call').length;
    expect(lines.length).toBe(calls + 2 + 1);
  });

  it('prints expressions and unnamed struct members as strace does, so strace parsers read them back', () => {
    const ev = {
      ...makeCall({
        name: 'wait4',
        pid: 7,
        timeNs: 0,
        args: [A.int(-1), A.array([A.struct([['', A.op('&&', A.fn('WIFEXITED', [A.sym('s')]), A.op('==', A.fn('WEXITSTATUS', [A.sym('s')]), A.int(0)))]])]), A.struct([['rlim_cur', A.op('*', A.int(8192), A.int(1024))]])],
        retval: 8,
      }),
      seq: 0,
    } as TraceEvent;
    expect(run('strace', [ev])).toBe('7     1700000000.000000 wait4(-1, [{WIFEXITED(s) && WEXITSTATUS(s) == 0}], {rlim_cur=8192*1024}) = 8\n');
  });

  it('prints stacks (strace -k) after their events, so that importing the export gives them back', () => {
    const log = fs.readFileSync(K_LOG, 'latin1');
    const imported = importedK();
    const text = run('strace', imported.map((e, seq) => ({ ...e, seq }) as TraceEvent));
    expect(text.split('\n').filter((l) => l.startsWith(' > '))).toEqual(log.split('\n').filter((l) => l.startsWith(' > ')));
    const back: NewEvent[] = [];
    const q = new StraceParser((e) => back.push(e), {});
    text.trimEnd().split('\n').forEach((l, i) => q.line(l, i + 1));
    q.end();
    expect(q.stats.unparsed).toBe(0);
    const stacks = (evs: NewEvent[]) => evs.filter((e) => e.kind === 'call' || e.kind === 'signal' || (e.kind === 'exit' && !e.threadOnly)).map((e) => ('stack' in e ? e.stack : undefined));
    expect(stacks(back)).toEqual(stacks(imported));
  });

  it('prints unfinished calls as strace does at the end of a trace', () => {
    const out = run('strace', [{ ...makeCall({ name: 'read', pid: 7, timeNs: 0, args: [A.fd(0)], flags: 1 }), seq: 0 } as TraceEvent]);
    expect(out).toBe('7     1700000000.000000 read(0 <unfinished ...>) = ?\n');
  });
});

describe('jsonl exporter', () => {
  it('writes the header, then one JSON object per event', () => {
    const lines = run('jsonl').trimEnd().split('\n');
    const objs = lines.map((l) => JSON.parse(l));
    expect(objs[0]).toMatchObject({ kind: 'header', backend: 'native', startTimeNs: '1700000000000000000' });
    expect(objs.length).toBe([...sampleEvents()].length + 1);
    expect(objs.slice(1).map((o) => o.seq)).toEqual(objs.slice(1).map((_o, i) => i));
  });
});
