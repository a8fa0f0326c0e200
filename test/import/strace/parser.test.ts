import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { StraceParser } from '../../../src/import/strace/index.js';
import { MAX_PROVISIONAL } from '../../../src/import/strace/assemble.js';
import { CallFlags, PROGRAM_OUTPUT, type CallEvent, type ExitEvent, type NewEvent, type SignalEvent, type StartEvent, type UnparsedEvent } from '../../../src/model/index.js';
import { ROOT } from '../../helpers/cli.js';

const DIR = path.join(ROOT, 'traces', 'strace');

function parseText(text: string, opts: { startTimeNs?: bigint; pid?: number } = {}): { events: NewEvent[]; parser: StraceParser } {
  const events: NewEvent[] = [];
  const parser = new StraceParser((e) => events.push(e), { startTimeNs: opts.startTimeNs, source: 'log' });
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  lines.forEach((l, i) => parser.line(l, i + 1, 'log', opts.pid));
  parser.end();
  return { events, parser };
}

function parseFile(name: string) {
  return parseText(fs.readFileSync(path.join(DIR, name), 'latin1'));
}

const calls = (evs: NewEvent[]) => evs.filter((e): e is CallEvent => e.kind === 'call');
const of = <K extends NewEvent['kind']>(evs: NewEvent[], kind: K) => evs.filter((e) => e.kind === kind) as Extract<NewEvent, { kind: K }>[];

describe('StraceParser on real strace logs', () => {
  for (const name of ['stderr-default.log', 'ttt-T-yy.log', 'tt-xx.log', 'r.log', 't-nopid.log', 'threads.log', 'signals.log', 'sockets.log', 'X-verbose.log']) {
    it(`parses every line of ${name}`, () => {
      const { parser, events } = parseFile(name);
      expect(parser.stats.unparsed).toBe(0);
      expect(parser.stats.calls).toBeGreaterThan(50);
      expect(calls(events).every((c) => c.name.length > 0 && (c.sysno >= 0 || c.name === 'restart_syscall'))).toBe(true);
    });
  }

  it('gives the same calls for the same command whether strace wrote to stderr or a file with -ttt -T -yy', () => {
    const a = calls(parseFile('stderr-default.log').events).map((c) => c.name);
    const b = calls(parseFile('ttt-T-yy.log').events).map((c) => c.name);
    expect(a.length).toBe(b.length);
    expect([...a].sort()).toEqual([...b].sort());
  });

  it('builds the process tree of a fork and exec pipeline', () => {
    const { events } = parseFile('ttt-T-yy.log');
    const starts = of(events, 'start') as StartEvent[];
    expect(starts.length).toBe(3);
    expect(starts[0].isRoot).toBe(true);
    for (const s of starts.slice(1)) expect(s.parentPid).toBe(starts[0].pid);
    for (const s of starts.slice(1)) expect(s.cloneFlags).toBe(0x200000 + 0x1000000 + 17);
    expect(of(events, 'exec').map((e) => e.argv[0])).toEqual(['sh', 'ls', 'wc']);
    expect(of(events, 'exit').every((e) => (e as ExitEvent).status === 0)).toBe(true);
  });

  it('gives the root of an strace -f log written to stderr the pid it gets once there is a second process', () => {
    // The first 60 lines have no pid; `[pid 17329]` names the root at line 63.
    const named = parseFile('stderr-default.log').events;
    const starts = of(named, 'start');
    expect(starts.map((e) => [e.pid, e.parentPid, e.isRoot])).toEqual([
      [17329, 0, true],
      [17330, 17329, false],
      [17331, 17329, false],
    ]);
    expect(named.some((e) => e.pid === 0 || e.tid === 0)).toBe(false);
    expect(of(named, 'exec')[0]).toMatchObject({ pid: 17329, oldPid: 17329, argv: ['sh', '-c', 'ls / | wc -l'] });
    // The same events in the same order as when the root is left as 0.
    const text = fs.readFileSync(path.join(DIR, 'stderr-default.log'), 'latin1');
    const events: NewEvent[] = [];
    const p = new StraceParser((e) => events.push(e), { source: 'log', nameRoot: false });
    text.trimEnd().split('\n').forEach((l, i) => p.line(l, i + 1));
    p.end();
    const zero = (n: number) => (n === 17329 ? 0 : n);
    const renamed = named.map((e) => ({ ...e, pid: zero(e.pid), tid: zero(e.tid), ...(e.kind === 'start' ? { parentPid: zero(e.parentPid) } : {}), ...(e.kind === 'exec' ? { oldPid: zero(e.oldPid) } : {}) }));
    expect(renamed).toEqual(events);
  });

  it('leaves the root as 0 when no line names it, or when too many events come first, losing none', () => {
    const alone = parseFile('t-nopid.log');
    expect(alone.events.length).toBe(alone.parser.stats.events);
    expect(alone.events.every((e) => e.pid === 0)).toBe(true);
    const head = Array.from({ length: MAX_PROVISIONAL + 10 }, () => 'getpid() = 7');
    const long = parseText([...head, 'clone(child_stack=NULL, flags=SIGCHLD) = 8', '[pid 8] getpid() = 8', '[pid 7] exit_group(0) = ?'].join('\n'));
    expect(long.events.length).toBe(MAX_PROVISIONAL + 15);
    expect(calls(long.events).at(-1)).toMatchObject({ pid: 0, name: 'exit_group' });
    expect(of(long.events, 'start').map((e) => [e.pid, e.parentPid])).toEqual([
      [0, 0],
      [8, 0],
    ]);
  });

  it('turns -yy annotations into fds with paths, and times and durations into ns', () => {
    const { events } = parseFile('ttt-T-yy.log');
    const open = calls(events).find((c) => c.name === 'openat' && c.errno === 0)!;
    expect(open.args[0]).toMatchObject({ k: 'fd', fd: -100 });
    expect(open.retAnnotation).toMatch(/^\//);
    expect(open.durationNs).toBeGreaterThan(0);
    const first = events.find((e) => e.kind === 'call')!;
    expect(first.timeNs).toBe(0);
    expect(calls(events).at(-1)!.timeNs).toBeGreaterThan(0);
  });

  it('pairs unfinished and resumed calls across threads and finds each thread`s process', () => {
    const { events } = parseFile('threads.log');
    const starts = of(events, 'start');
    const threads = starts.filter((s) => s.isThread);
    expect(threads.length).toBe(3);
    for (const t of threads) expect(t.pid).toBe(starts[0].pid);
    for (const t of threads) expect(Number(t.cloneFlags) & 0x10000 && Number(t.cloneFlags) & 0x400).toBeTruthy();
    const clones = calls(events).filter((c) => c.name === 'clone3');
    expect(clones.length).toBe(3);
    for (const c of clones) expect(threads.map((t) => t.tid)).toContain(c.retval);
    const futex = calls(events).filter((c) => c.name === 'futex');
    expect(futex.length).toBeGreaterThan(0);
    expect(calls(events).some((c) => c.flags & CallFlags.unfinished)).toBe(false);
    const threadExits = of(events, 'exit').filter((e) => e.threadOnly);
    expect(threadExits.length).toBe(3);
  });

  it('hands an execve by a non-leader thread over to the process leader (superseded)', () => {
    const { events, parser } = parseFile('thread-exec.log');
    expect(parser.stats.unparsed).toBe(0);
    const root = of(events, 'start')[0];
    const thread = of(events, 'start').find((s) => s.isThread)!;
    expect(of(events, 'exec').map((e) => [e.pid, e.path])).toEqual([
      [root.pid, '/usr/bin/python3'],
      [root.pid, '/bin/true'],
    ]);
    expect(of(events, 'exit').find((e) => e.threadOnly)).toMatchObject({ pid: root.pid, tid: thread.tid });
    const execs = calls(events).filter((c) => c.name === 'execve');
    expect(execs.at(-1)).toMatchObject({ pid: root.pid, retval: 0, flags: 0 });
  });

  it('reads relative (-r) and time-of-day (-t) stamps as increasing times', () => {
    for (const name of ['r.log', 't-nopid.log', 'tt-xx.log']) {
      const times = calls(parseFile(name).events).map((c) => c.timeNs!);
      expect(times.every((t) => typeof t === 'number')).toBe(true);
      expect(times.at(-1)!).toBeGreaterThanOrEqual(times[0]);
    }
  });

  it('decodes -xx hex strings into the same bytes as plain strings', () => {
    const { events } = parseFile('tt-xx.log');
    const exec = of(events, 'exec')[0];
    expect(exec.path).toBe('/usr/bin/sh');
    const write = calls(events).find((c) => c.name === 'write')!;
    expect(Buffer.from(write.buffers[0].data).toString()).toBe('hi\n');
  });

  it('records signals, stops, kills and the exit status', () => {
    const { events } = parseFile('signals.log');
    const sigs = of(events, 'signal') as SignalEvent[];
    expect(sigs.map((s) => s.name)).toEqual(expect.arrayContaining(['SIGSTOP', 'SIGCONT', 'SIGTERM', 'SIGSEGV', 'SIGCHLD']));
    const exits = of(events, 'exit') as ExitEvent[];
    expect(exits.map((e) => e.signal).filter(Boolean).sort()).toEqual([11, 15]);
    const root = of(events, 'start')[0];
    expect(exits.find((e) => e.pid === root.pid)!.status).toBe(3);
    const suspend = calls(events).find((c) => c.name === 'rt_sigsuspend')!;
    expect(suspend.errno).toBe(514);
    expect(suspend.flags & CallFlags.interrupted).toBeTruthy();
  });

  it('keeps socket fds and send/recv data as buffers', () => {
    const { events } = parseFile('sockets.log');
    const sp = calls(events).find((c) => c.name === 'socketpair')!;
    expect(JSON.stringify(sp.args[3])).toContain('UNIX-STREAM');
    const send = calls(events).find((c) => c.name === 'sendto' && c.buffers.length)!;
    expect([...send.buffers[0].data]).toEqual([...Buffer.from('ping\x00\xff', 'latin1')]);
    expect(send.buffers[0].out).toBe(false);
    expect(send.args[1]).toEqual({ k: 'buf', i: 0 });
    const recv = calls(events).find((c) => c.name === 'recvfrom' && c.buffers.length)!;
    expect(recv.buffers[0].out).toBe(true);
  });
});

describe('StraceParser on strace -k stacks and -Y process names', () => {
  const text = fs.readFileSync(path.join(DIR, 'k-Y.log'), 'latin1');
  const frames = (evs: NewEvent[]) => evs.flatMap((e) => ('stack' in e && e.stack ? e.stack : []));

  it('attaches every frame to the call, signal or exit before it, in order', () => {
    const { events, parser } = parseText(text);
    expect(parser.stats.unparsed).toBe(0);
    const lines = text.split('\n');
    const frameLines = lines.filter((l) => l.startsWith(' > ')).map((l) => l.slice(3));
    expect(frameLines.length).toBeGreaterThan(100);
    expect(frames(events)).toEqual(frameLines);
    // Each event's stack is the run of frame lines right after the line that completed it.
    const write = calls(events).find((c) => c.name === 'write' && c.pid === of(events, 'exec').find((x) => x.path === '/usr/bin/cat')!.pid)!;
    const at = lines.findIndex((l) => /<cat> .* write\(1, "/.test(l) && / = 3$/.test(l));
    const run = [];
    for (let i = at + 1; lines[i]?.startsWith(' > '); i++) run.push(lines[i].slice(3));
    expect(write.stack).toEqual(run);
    expect(write.stack!.some((f) => f.includes('libc.so.6('))).toBe(true);
    const usr1 = of(events, 'signal').find((e) => e.name === 'SIGUSR1')!;
    expect(usr1.stack?.length).toBeGreaterThan(0);
    // strace prints exit_group's stack after `+++ exited +++`; a kill has none.
    const exits = of(events, 'exit');
    expect(exits.filter((e) => e.stack?.length).map((e) => e.status)).toEqual([0, 0]);
    expect(exits.find((e) => e.signal === 10)!.stack).toBeUndefined();
    // The calls resumed after <unfinished ...> get the frames printed after their resumption.
    const wait4 = calls(events).filter((c) => c.name === 'wait4' && c.retval !== -1);
    expect(wait4.length).toBe(2);
    for (const w of wait4) expect(w.stack?.length).toBeGreaterThan(0);
  });

  it('gives the same events as the log without its stacks and process names', () => {
    const plain = text
      .split('\n')
      .filter((l) => !l.startsWith(' > '))
      .map((l) => l.replace(/^(\d+)<[^>]*>/, '$1'))
      .join('\n');
    const a = parseText(text).events.map((e) => ({ ...e, stack: undefined }));
    const b = parseText(plain).events;
    // Pids printed in arguments keep their names (kill(24114<sh>, ...)) in both.
    expect(a).toEqual(b);
    expect(of(b, 'start').length).toBe(3);
  });

  it('reads [pid N<comm>] prefixes, and keeps a frame with nothing before it as unparsed', () => {
    const { events, parser } = parseText(
      [' > /usr/bin/x() [0x1]', '[pid 7<a b\\76c>] getpid() = 7<a b\\76c>', ' > /usr/lib/libc.so.6(getpid+0x7) [0xd54e7]', '[pid 8<sh>] +++ exited with 0 +++'].join('\n'),
    );
    expect(parser.stats.unparsed).toBe(1);
    const u = of(events, 'unparsed')[0];
    expect([u.line, u.reason]).toEqual([1, 'stack frame (strace -k) without a call, signal or exit before it']);
    const c = calls(events)[0];
    expect([c.pid, c.name, c.retAnnotation, c.stack]).toEqual([7, 'getpid', 'a b>c', ['/usr/lib/libc.so.6(getpid+0x7) [0xd54e7]']]);
    expect(of(events, 'exit')[0].pid).toBe(8);
  });
});

describe('StraceParser on strace -e read= / -e write= hex dumps', () => {
  it('takes the whole data of each buffer and iovec from the dump, where the string gave 32 bytes', () => {
    const { events, parser } = parseFile('dumps.log');
    expect(parser.stats.unparsed).toBe(0);
    const [writev, write, readv] = calls(events);
    const bytes = (c: CallEvent) => c.buffers.map((b) => [Buffer.from(b.data).toString('latin1'), b.element, b.truncated, b.fullLength]);
    expect(bytes(writev)).toEqual([
      ['abc', 0, false, 0],
      ['defghijklmnopqrstuvwxyz0123456789', 1, false, 0],
    ]);
    const all = Buffer.from(Array.from({ length: 200 }, (_, i) => i));
    expect(write.buffers.length).toBe(1);
    expect(Buffer.from(write.buffers[0].data).equals(all)).toBe(true);
    expect([write.buffers[0].truncated, write.buffers[0].fullLength]).toEqual([false, 0]);
    // readv's second iovec had room for 300 bytes and got 195: the dump says so.
    expect(bytes(readv)).toEqual([
      [all.subarray(0, 5).toString('latin1'), 0, false, 0],
      [all.subarray(5).toString('latin1'), 1, false, 0],
    ]);
  });

  it('keeps dump lines it cannot place as unparsed, with why', () => {
    const { events, parser } = parseText(
      [
        ' | 00000  61 62 63                                          abc              |',
        '1 close(3) = 0',
        ' | 00000  61 62 63                                          abc              |',
        '1 write(1, "abcdefghijklmnopqrstuvwxyz012345"..., 40) = 40',
        ' | 00000  61 62 63 64 65 66 67 68  69 6a 6b 6c 6d 6e 6f 70  abcdefghijklmnop |',
        ' | 00020  71 72                                             qr               |',
        ' * many bytes in buffer 0',
      ].join('\n'),
    );
    expect(of(events, 'unparsed').map((u) => [u.line, u.reason])).toEqual([
      [1, 'hex dump (strace -e read=, -e write=) without a call before it'],
      [3, 'hex dump of a buffer the call has no data for (close)'],
      [6, 'hex dump line at offset 32, expected 16'],
      [7, 'not a " * N bytes in buffer K" line'],
    ]);
    expect(parser.stats.unparsed).toBe(4);
    // The part of the dump that was in order is not used: it holds less than the string did.
    const w = calls(events).find((c) => c.name === 'write')!;
    expect(Buffer.from(w.buffers[0].data).toString()).toBe('abcdefghijklmnopqrstuvwxyz012345');
    expect(w.buffers[0].truncated).toBe(true);
  });
});

describe('StraceParser on strace -c / -C summary tables', () => {
  for (const [name, calls0] of [
    ['summary-C.log', true],
    ['summary-c-U.log', false],
  ] as const) {
    it(`keeps the table of ${name} as a note, not as unparsed lines`, () => {
      const text = fs.readFileSync(path.join(DIR, name), 'latin1');
      const { events, parser } = parseText(text);
      expect(parser.stats.unparsed).toBe(0);
      const lines = text.trimEnd().split('\n');
      const head = lines.findIndex((l) => /^(% time|syscall) /.test(l));
      expect(head).toBeGreaterThanOrEqual(0);
      expect(parser.endNotes().straceSummary).toBe(lines.slice(head).join('\n'));
      expect(parser.endNotes().straceSummary).toMatch(/\ntotal +\d+|\n100\.00 .* total$/);
      expect(calls(events).length > 0).toBe(calls0);
    });
  }

  it('gives no note for a log without a table, and does not take calls for table rows', () => {
    const { parser } = parseFile('ttt-T-yy.log');
    expect(parser.endNotes()).toEqual({});
    const t = parseText(['% time     seconds  usecs/call     calls    errors syscall', '------ ----', '1 getpid() = 1', '1 +++ exited with 0 +++'].join('\n'));
    expect(calls(t.events).map((c) => c.name)).toEqual(['getpid']);
    expect(of(t.events, 'exit').length).toBe(1);
  });
});

describe('StraceParser on hand-made edge cases', () => {
  it('keeps every data buffer intact while later lines are parsed (strings with and without escapes, several per call)', () => {
    const octal = (b: number[]) => b.map((x) => `\\${x.toString(8).padStart(3, '0')}`).join('');
    const lines: string[] = [];
    const want: number[][][] = [];
    for (let i = 0; i < 3000; i++) {
      const a = Array.from({ length: 150 }, (_, j) => (i * 31 + j * 7) & 255);
      const b = Array.from({ length: 3 + (i % 5) }, (_, j) => 97 + ((i + j) % 26));
      lines.push(`1 writev(3, [{iov_base="${octal(a)}", iov_len=${a.length}}, {iov_base="${String.fromCharCode(...b)}", iov_len=${b.length}}], 2) = ${a.length + b.length}`);
      want.push([a, b]);
    }
    const { events, parser } = parseText(lines.join('\n'));
    expect(parser.stats.unparsed).toBe(0);
    const got = calls(events).map((c) => c.buffers.map((b) => [...b.data]));
    expect(got).toEqual(want);
  });

  it('parses every line of edge.log into typed values', () => {
    const { events, parser } = parseFile('edge.log');
    expect(parser.stats.unparsed).toBe(0);
    const cs = calls(events);
    const read = cs.find((c) => c.name === 'read' && c.buffers.length)!;
    expect(read.buffers[0]).toMatchObject({ argIndex: 1, out: true, truncated: true, fullLength: 4096, element: -1 });
    expect([...read.buffers[0].data.slice(0, 4)]).toEqual([0x7f, 0x45, 0x4c, 0x46]);
    const writev = cs.find((c) => c.name === 'writev')!;
    expect(writev.buffers.map((b) => [Buffer.from(b.data).toString(), b.element])).toEqual([['err', 0], ['\n', 1]]);
    const sendmsg = cs.find((c) => c.name === 'sendmsg')!;
    expect(Buffer.from(sendmsg.buffers[0].data).toString()).toBe('ping');
    const write = cs.find((c) => c.name === 'write')!;
    expect(write.buffers[0]).toMatchObject({ fullLength: 100, truncated: true });
    const nano = cs.find((c) => c.name === 'clock_nanosleep')!;
    expect(nano).toMatchObject({ errno: 516, durationNs: 200000000 });
    const futex = cs.find((c) => c.name === 'futex')!;
    expect(futex.flags & CallFlags.unfinished).toBeTruthy();
    const killed = of(events, 'exit').at(-1)!;
    expect(killed).toMatchObject({ signal: 11, coreDumped: true });
    const chmod = cs.find((c) => c.name === 'chmod')!;
    expect(chmod).toMatchObject({ errno: 1, retval: -1 });
    expect(chmod.args[1]).toEqual({ k: 'int', v: 0o755, base: 8 });
    const wait = cs.find((c) => c.name === 'wait4')!;
    expect(wait).toMatchObject({ retval: 1001, durationNs: 1000600000 });
  });

  it('keeps damaged lines as unparsed events with line numbers and rejoins wrapped ones', () => {
    const { events, parser } = parseFile('damaged.log');
    const kept = of(events, 'unparsed') as UnparsedEvent[];
    // `write(1, "hi\n", 3hi` then `) = 3`: the program's output, printed inside the call's line.
    const output = kept.filter((u) => u.reason === PROGRAM_OUTPUT);
    expect(output.map((u) => [u.line, u.text])).toEqual([[4, 'hi\n']]);
    expect(parser.stats.output).toBe(1);
    const bad = kept.filter((u) => u.reason !== PROGRAM_OUTPUT);
    expect(bad.map((u) => u.line)).toEqual([6, 7]);
    expect(bad[0].text).toBe('this is not strace output at all');
    expect(bad[1].reason).toMatch(/cut/);
    expect(parser.stats.unparsed).toBe(2);
    const cs = calls(events);
    expect(cs.map((c) => c.name)).toEqual(['openat', 'read', 'write', 'close', 'close', 'read', 'getpid', 'mmap', 'exit_group', 'getuid', 'getgid']);
    expect(Buffer.from(cs[1].buffers[0].data).toString()).toBe('hello world, this line was wrapped by a terminal at eighty columns');
    expect(cs[7].retval).toBe(0x7f92b70c6000);
    expect(cs[5].args[0]).toEqual({ k: 'more' });
    expect(cs[2].args[2]).toEqual({ k: 'int', v: 3 });
  });

  it('rejoins lines a terminal wrapped inside a duration, a comment or three times over', () => {
    const lines = [
      '11790 17:43:16.858153 execve("/usr/bin/sh", ["sh", "-c", "true"], 0x7ffd6ef7ba40 /* 35 va',
      'rs */) = 0 <0.000182>',
      '11790 17:43:16.859881 rt_sigaction(SIGCHLD, {sa_handler=0x55b6e27a7dc0, sa_mask=',
      '~[RTMIN RT_1], sa_flags=SA_RESTORER, sa_restorer=0x7f8b6ee80050}, NULL, 8) = 0 <',
      '0.000008>',
      '11790 17:43:16.859922 geteuid()         = 0 <0.0000',
      '07>',
    ];
    const { events, parser } = parseText(lines.join('\n'));
    expect(parser.stats.unparsed).toBe(0);
    const cs = calls(events);
    expect(cs.map((c) => [c.name, c.durationNs])).toEqual([
      ['execve', 182000],
      ['rt_sigaction', 8000],
      ['geteuid', 7000],
    ]);
    expect(cs[1].args[1]).toMatchObject({ k: 'struct' });
  });

  it('rejoins lines a terminal wrapped inside a value, the unfinished marker or the rest of a resumed call', () => {
    const lines = [
      '11790 17:43:16.859336 mmap(NULL, 12288, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x',
      '7f8b6ee41000 <0.000011>',
      '11790 17:43:16.864934 openat(AT_FDCWD, "/usr/lib/locale/C.UTF-8/LC_ADDRESS", O_RDONLY|O_CLOEXEC) = -',
      '1 ENOENT (No such file or directory) <0.000011>',
      '11790 17:43:16.861381 wait4(-1,  <unfinished ..',
      '.>',
      '11791 17:43:16.867335 +++ exited with 0 +++',
      '11790 17:43:16.867392 <... wait4 resumed>[{WIFEXITED(s) && WEXITSTATUS(s) == 0}]',
      ', 0, NULL) = 11791 <0.005999>',
      '11790 17:43:16.868065 newfstatat(AT_FDCWD, "/root/bin/cat",  <unfinished ...>',
      '11790 17:43:16.868334 <... newfstatat resumed>0x7ffc818ec2b0, 0) = -1 ENOENT (No',
      ' such file or directory) <0.000256>',
    ];
    const { events, parser } = parseText(lines.join('\n'));
    expect(parser.stats.unparsed).toBe(0);
    expect(calls(events).map((c) => [c.name, c.retval, c.errno, c.flags & CallFlags.unfinished])).toEqual([
      ['mmap', 0x7f8b6ee41000, 0, 0],
      ['openat', -1, 2, 0],
      ['wait4', 11791, 0, 0],
      ['newfstatat', -1, 2, 0],
    ]);
  });

  it('does not take a line of its own for the rest of a resumed call whose rest is damaged', () => {
    const { events, parser } = parseText(['5 read(3,  <unfinished ...>', '5 <... read resumed>"ab", 2', '5 close(3) = 0 <0.000010>'].join('\n'));
    expect(calls(events).map((c) => c.name)).toEqual(['close']);
    expect(parser.stats.unparsed).toBe(1);
    expect((of(events, 'unparsed') as UnparsedEvent[])[0]).toMatchObject({ line: 1, reason: expect.stringMatching(/^resumed call: /) });
  });

  it('rejoins a line a terminal wrapped just after its result, when the log has durations and the line has none', () => {
    const lines = [
      '11790 17:43:16.858900 brk(NULL)         = 0x55b71de32000 <0.000008>',
      '11790 17:43:16.858929 mmap(NULL, 34547, PROT_READ, MAP_PRIVATE, 3, 0) = 0x7f8b6f',
      '026000 <0.000011>',
      '11790 17:43:16.858930 access("/etc/ld.so.preload", R_OK) = -1 ENOE',
      'NT (No such file or directory) <0.000066>',
      '11790 17:43:16.858931 close(3)          = 0',
      ' <0.000009>',
      '11790 17:43:16.858932 getpid()          = 11790 <0.000005>',
      '42',
    ];
    const { events, parser } = parseText(lines.join('\n'));
    const cs = calls(events);
    expect(cs.map((c) => [c.name, c.retval, c.errno, c.durationNs])).toEqual([
      ['brk', 0x55b71de32000, 0, 8000],
      ['mmap', 0x7f8b6f026000, 0, 11000],
      ['access', -1, 2, 66000],
      ['close', 0, 0, 9000],
      ['getpid', 11790, 0, 5000],
    ]);
    // A line of its own after a whole call (a program's output) stays unparsed.
    expect((of(events, 'unparsed') as UnparsedEvent[]).map((u) => u.text)).toEqual(['42']);
    expect(parser.stats.unparsed).toBe(1);
    // Without durations in the log nothing tells a wrapped result from a whole one.
    const plain = parseText(['mmap(NULL, 34547, PROT_READ, MAP_PRIVATE, 3, 0) = 0x7f8b6f', '026000'].join('\n'));
    expect(calls(plain.events)[0].retval).toBe(0x7f8b6f);
    expect(plain.parser.stats.unparsed).toBe(1);
  });

  it('rejoins narrow wraps: inside an fd annotation, `<unfinished`, `...` or `/*`, after a pid and time, and after a resumed result', () => {
    const lines = [
      '17336 1795837640.636378 mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0 <unf',
      'inished ...>',
      '4979  1795887302.466364028 mmap(NULL, 27028, PROT_READ, MAP_SHARED, 3</u',
      'sr/lib/x86_64-linux-gnu/gconv/gconv-modules.cache>, 0) = 0x7f68db5fa000 ',
      '<0.000054631>',
      '4979  1795887302.484327935 read(3</usr/lib/python3.11/encodings/__pycache__/alia',
      'ses.cpython-311.pyc>, "\\247\\r\\r\\n\\0\\0\\0\\0\\244\\214\\17h"..',
      '., 12648) = 12647 <0.000157043>',
      '4979  1795887302.206317 execve("/usr/bin/python3", ["/usr/bin/python3", "mtexec.py"], 0x7ffeab7cbe18 /',
      '* 35 vars */) = 0 <0.000300>',
      '4979  1795887302.457242783 ',
      'newfstatat(3</etc/ld.so.cache>, "", {st_mode=S_IFREG|0644, st_size=34547, ...}, AT_EMPTY_PATH) = 0 ',
      '<0.000055122>',
      '17336 1795837640.636665 <... mmap resumed>) = 0x7ff130a81000',
      ' <0.000278>',
      '17336 1795837640.637236 read(3</usr/lib/x86_64-linux-gnu/libc.so.6>, "\\177ELF"..., 832) = 83',
      '2 <0.000039>',
    ];
    const { events, parser } = parseText(lines.join('\n'));
    expect(of(events, 'unparsed').map((u) => (u as UnparsedEvent).text)).toEqual([]);
    expect(parser.stats.unparsed).toBe(0);
    expect(calls(events).map((c) => [c.name, c.retval, c.durationNs, c.flags & CallFlags.unfinished])).toEqual([
      ['mmap', 0x7f68db5fa000, 54631, 0],
      ['read', 12647, 157043, 0],
      ['execve', 0, 300000, 0],
      ['newfstatat', 0, 55122, 0],
      ['mmap', 0x7ff130a81000, 278000, 0],
      ['read', 832, 39000, 0],
    ]);
    const mmap = calls(events)[0];
    expect(mmap.args[4]).toMatchObject({ k: 'fd', path: '/usr/lib/x86_64-linux-gnu/gconv/gconv-modules.cache' });
  });

  it('keeps output that begins like an fd annotation apart from a call that writes it (strace on a terminal)', () => {
    const { events, parser } = parseText(['5 write(1</dev/pts/0<char 136:0>>, "</div>\\n", 7</div>', ')  = 7', '5 exit_group(0) = ?'].join('\n'));
    expect(parser.stats.unparsed).toBe(0);
    expect(calls(events).map((c) => [c.name, c.retval])).toEqual([
      ['write', 7],
      ['exit_group', 0],
    ]);
    expect((of(events, 'unparsed') as UnparsedEvent[]).map((u) => [u.reason, u.text])).toEqual([[PROGRAM_OUTPUT, '</div>\n']]);
  });

  it('rejoins the rest of a result that no line of its own looks like in a log without durations, and nothing else', () => {
    const lines = [
      '17347 newfstatat(AT_FDCWD, "/usr/local/bin/wc", 0x7ffe66fa9fc0, 0) = -1 ENOE',
      'NT (No such file or directory)',
      '17387 openat(AT_FDCWD</tmp>, "/etc/ld.so.cache", O_RDONLY|O_CLOEXEC) = 3',
      '</etc/ld.so.cache>',
      '17347 access("/etc/ld.so.preload", R_OK) = -1 ENOENT',
      '(No such file or directory)',
      '17347 write(1, "x\\n", 2) = 2',
      '(Program output)',
      '17347 getpid() = 17347',
      'OK (all done)',
      '17347 dup(1) = 3',
      '<html>',
    ];
    const { events } = parseText(lines.join('\n'));
    expect(calls(events).map((c) => [c.name, c.retval, c.errno, c.retAnnotation])).toEqual([
      ['newfstatat', -1, 2, undefined],
      ['openat', 3, 0, '/etc/ld.so.cache'],
      ['access', -1, 2, undefined],
      ['write', 2, 0, undefined],
      ['getpid', 17347, 0, undefined],
      ['dup', 3, 0, undefined],
    ]);
    // An errno's text only after a call that failed; an errno-like rest or an annotation only where it reads as one.
    expect((of(events, 'unparsed') as UnparsedEvent[]).map((u) => u.text)).toEqual(['(Program output)', 'OK (all done)', '<html>']);
    // Digits alone (a number's end) are not a pid whose space a wrap took, nor the start of a call's name.
    const bare = parseText(['26417 wait4(-1, NULL, WNOHANG, NULL) = 2642', '0', 'wait4(-1, 0x7ffe046d81ec, WNOHANG, NULL) = -1 ECHILD (No child processes)'].join('\n'));
    expect(calls(bare.events).map((c) => [c.pid, c.name, c.retval])).toEqual([
      [26417, 'wait4', 2642],
      [26417, 'wait4', -1],
    ]);
    expect((of(bare.events, 'unparsed') as UnparsedEvent[]).map((u) => u.text)).toEqual(['0']);
  });

  it("keeps the program's output printed inside call lines apart from the calls (strace on a terminal)", () => {
    const { events, parser } = parseFile('terminal.log');
    expect(parser.stats.unparsed).toBe(0);
    const kept = of(events, 'unparsed') as UnparsedEvent[];
    expect(kept.every((u) => u.reason === PROGRAM_OUTPUT)).toBe(true);
    const writes = calls(events).filter((c) => c.name === 'write');
    // Every count is what the write returned, and is the length of the data.
    for (const w of writes) {
      expect(w.args[2]).toEqual({ k: 'int', v: w.retval });
      expect(w.buffers[0].data.length).toBe(w.retval);
    }
    // Each piece of output is what its write wrote, in the writing process, at the call's line.
    const pieces = kept.map((u) => [u.line, u.pid, u.text]);
    const wrote = writes.filter((w) => Buffer.from(w.buffers[0].data).toString() !== '\n').map((w) => Buffer.from(w.buffers[0].data).toString());
    expect(pieces.map((p) => p[2])).toEqual(wrote);
    expect(pieces.map((p) => p[2])).toEqual(['one\n', 'two\n', '42\n', 'no newline', '1\n2\n3\n', '7 errs? no: out\n']);
    expect(pieces.map((p) => p[0])).toEqual([2, 4, 6, 8, 17, 32]);
    const seq = writes.find((w) => w.retval === 6)!;
    expect(kept[4].pid).toBe(seq.pid);
    expect(seq.pid).not.toBe(writes[0].pid);
    // Nothing else changed: the same log with the output taken out parses to the same calls.
    const clean = fs
      .readFileSync(path.join(ROOT, 'traces', 'strace', 'terminal.log'), 'latin1')
      .replace(/^(.*, \d+?)(one|two|42|no newline|1|7 errs\? no: out)$\n(?:2\n3\n)?(?=\))/gm, (_m, head: string) => head)
      .replace('10no newline)', '10)');
    const again = calls(parseText(clean).events);
    expect(again.map((c) => [c.name, c.args, c.retval])).toEqual(calls(events).map((c) => [c.name, c.args, c.retval]));
  });

  it("reads a terminal log of several processes: output landing in another call's line, then <unfinished ...>", () => {
    const { events, parser } = parseFile('terminal-f.log');
    const writes = calls(events).filter((c) => c.name === 'write');
    // Every write is paired with its own result, whatever output landed inside its line.
    for (const w of writes) {
      expect(w.flags & CallFlags.unfinished).toBe(0);
      expect(w.args[2]).toEqual({ k: 'int', v: w.retval });
      expect(w.buffers[0].data.length).toBe(w.retval);
    }
    expect(writes.map((w) => Buffer.from(w.buffers[0].data).toString()).sort()).toEqual(['1\n2\n', '1\n2\n', 'line 1\n', 'line 2\n', 'line 3\n', 'main\n']);
    // Output printed on lines of its own stays unparsed (it cannot be told from a damaged line).
    const bad = (of(events, 'unparsed') as UnparsedEvent[]).filter((u) => u.reason !== PROGRAM_OUTPUT);
    expect(bad.map((u) => u.text)).toEqual(['line 1', 'line 3']);
    expect(parser.stats.unparsed).toBe(2);
  });

  it('does not take damaged lines or hex values for calls with output after them', () => {
    const { events, parser } = parseText(['ioctl(3, 0x5401, WEIRD{a}) = 0', 'foo(1, 0x7fzz) = 0', 'bar(12ab, 3) = 0'].join('\n'));
    expect(parser.stats.output).toBe(0);
    expect((of(events, 'unparsed') as UnparsedEvent[]).map((u) => u.line)).toEqual([1]);
    expect(calls(events).map((c) => [c.name, c.args.length])).toEqual([
      ['foo', 2],
      ['bar', 2],
    ]);
  });

  it('gives up on output when a line of strace comes first, and reads both lines as before', () => {
    const { events, parser } = parseText(['5 write(1, "x\\n", 2x', '6 read(0, "", 1) = 0', '5 +++ exited with 0 +++'].join('\n'));
    expect(parser.stats.output).toBe(0);
    expect((of(events, 'unparsed') as UnparsedEvent[]).map((u) => u.line)).toEqual([1]);
    expect(calls(events).map((c) => [c.pid, c.name, c.retval])).toEqual([[6, 'read', 0]]);
  });

  it('joins strace -ff files by the pid given with each line', () => {
    const { events } = parseText('execve("/bin/true", ["true"], 0x1 /* 1 vars */) = 0\nexit_group(0) = ?\n+++ exited with 0 +++\n', { pid: 42 });
    expect(events.every((e) => e.pid === 42)).toBe(true);
  });

  it('takes a rest printed without its `<... resumed>` header (strace -z, -Z) as the one unfinished call\'s', () => {
    const z = ['21786 close(2) = 0', '21787 write(1, "25\\n", 3 <unfinished ...>', ')                                       = 3', '21786 +++ exited with 0 +++'];
    const a = parseText(z.join('\n'));
    expect(a.parser.stats.unparsed).toBe(0);
    const w = calls(a.events).find((c) => c.name === 'write')!;
    expect([w.tid, w.retval, w.flags, w.buffers.length]).toEqual([21787, 3, 0, 1]);
    // With two calls unfinished, whose rest it is cannot be told: kept as unparsed.
    const b = parseText(['21786 read(0,  <unfinished ...>', ...z.slice(1)].join('\n'));
    expect(b.parser.stats.unparsed).toBe(1);
    expect(of(b.events, 'unparsed')[0].line).toBe(3);
  });

  it('emits a call left unfinished at the end of the log', () => {
    const { events } = parseText('[pid 9] read(0,  <unfinished ...>\n');
    const c = calls(events)[0];
    expect(c.flags & CallFlags.unfinished).toBeTruthy();
    expect(c.args[0]).toEqual({ k: 'int', v: 0 });
  });

  it('keeps time-of-day stamps increasing across midnight', () => {
    const { events } = parseText('1 23:59:59.900000 getpid() = 1\n1 00:00:00.100000 getpid() = 1\n', { startTimeNs: BigInt(86399.9e9) });
    expect(calls(events).map((c) => c.timeNs)).toEqual([0, 200000000]);
  });

  it('makes times relative to the given start', () => {
    const { events } = parseText('1 1700000000.500000 getpid() = 1\n', { startTimeNs: 1700000000000000000n });
    expect(calls(events)[0].timeNs).toBe(500000000);
  });
});
