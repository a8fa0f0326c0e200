import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GoQuoteError, GvisorLogParser, readGoQuoted } from '../../../src/import/gvisor/index.js';
import { detectFormat } from '../../../src/import/index.js';
import { TraceReader } from '../../../src/format/index.js';
import { CallFlags, type CallEvent, type NewEvent, type TraceEvent } from '../../../src/model/index.js';
import { ROOT, runCli, tempDir } from '../../helpers/cli.js';

const FIXTURE = path.join(ROOT, 'traces', 'gvisor', 'sh-cat.boot.txt');

function parse(lines: string[], opts = {}): { events: NewEvent[]; parser: GvisorLogParser } {
  const events: NewEvent[] = [];
  const parser = new GvisorLogParser((e) => events.push(e), opts);
  lines.forEach((l, i) => parser.line(l, i + 1, 'test.log'));
  parser.end();
  return { events, parser };
}
const calls = (evs: NewEvent[]) => evs.filter((e): e is Omit<CallEvent, 'seq'> => e.kind === 'call');

describe('Go-quoted strings', () => {
  it('decodes escapes, octal, \\x bytes and literal UTF-8 to the original bytes', () => {
    const q = readGoQuoted('"\\x7fELF\\x02\\n\\t\\"a\\\\\\000ȓ\\u00e9"', 0);
    expect([...q.bytes]).toEqual([0x7f, 0x45, 0x4c, 0x46, 2, 10, 9, 34, 97, 92, 0, 0xc8, 0x93, 0xc3, 0xa9]);
    expect(() => readGoQuoted('"abc', 0)).toThrow(GoQuoteError);
    expect(() => readGoQuoted('"\\q"', 0)).toThrow(/unknown escape/);
  });
});

describe('gVisor strace log parser', () => {
  const lines = [
    'I1128 02:15:28.580311   13052 strace.go:570] [   1:   1] sh E openat(AT_FDCWD /srv/x, 0x7f2e25c6b0b1 /etc/ld.so.cache, O_RDONLY|O_CLOEXEC, 0o0)',
    'I1128 02:15:28.580400   13052 strace.go:570] [   1:   2] sh E read(0x4 pipe:[1], 0x7ffa83d5f000, 0x20)',
    'I1128 02:15:28.580501   13052 strace.go:608] [   1:   1] sh X openat(AT_FDCWD /srv/x, 0x7f2e25c6b0b1 /etc/ld.so.cache, O_RDONLY|O_CLOEXEC, 0o0) = 3 (0x3) (177.612µs)',
    'I1128 02:15:28.621779   13052 strace.go:605] [   1:   2] sh X read(0x4 pipe:[1], 0x7ffa83d5f000 "vm\\n", 0x20) = 3 (0x3) (22.982µs)',
    'I1128 02:15:28.621858   13052 strace.go:567] [   1:   1] sh E write(0x1 host:[2], 0x7ffa83d5f000 "vm\\n", 0x3)',
    'I1128 02:15:28.621900   13052 strace.go:605] [   1:   1] sh X write(0x1 host:[2], ..., 0x3) = 3 (0x3) (1.5µs)',
    'I1128 02:15:28.586074   13052 strace.go:608] [   1:   1] sh X newfstatat(AT_FDCWD /srv/x, 0x558805833970 /usr/local/bin/cat, 0x7fbbd9076440, 0x0) = 0 (0x0) errno=2 (no such file or directory) (29.164µs)',
    'I1128 02:15:28.623122   13052 strace.go:608] [   1:   1] sh X wait4(0xffffffff, 0x7fbbd90763cc, 0x0, 0x0) = 0 (0x0) errno=512 (to be restarted if SA_RESTART is set) (29.418653ms)',
    'I1128 02:15:28.623200   13052 strace.go:608] [   1:   1] sh X read(0x3 /big, 0x7ffa83d5f000 "abc"..., 0x1000) = 4096 (0x1000) (3ms)',
    'I1128 02:15:28.623300   13052 main.go:99] not a strace line, skipped',
    'I1128 02:15:28.623400   13052 strace.go:608] [   1:   1] sh X read(0x3 /big, 0x7ffa83d5f000 "unterminated, 0x1000) = 1 (0x1) (3ms)',
    'I1128 02:15:28.624000   13052 strace.go:561] [   1:   1] sh E exit_group(0x3)',
  ];

  it('pairs E and X records per thread, even interleaved with other threads', () => {
    const { events } = parse(lines);
    const cs = calls(events);
    expect(cs.map((c) => c.name)).toEqual(['openat', 'read', 'write', 'newfstatat', 'wait4', 'read', 'exit_group']);
    const open = cs[0];
    expect(open).toMatchObject({ pid: 1, tid: 1, retval: 3, errno: 0, durationNs: 177612 });
    expect(open.args[0]).toEqual({ k: 'fd', fd: -100 });
    expect(open.args[1]).toEqual({ k: 'str', v: '/etc/ld.so.cache' });
    expect(open.args[2]).toEqual({ k: 'flags', v: ['O_RDONLY', 'O_CLOEXEC'] });
    expect(open.timeNs).toBe(0);
    expect(cs[1]).toMatchObject({ pid: 1, tid: 2 });
  });

  it('keeps read buffers from X and write buffers from E, with fd paths', () => {
    const cs = calls(parse(lines).events);
    const read = cs[1];
    expect(read.args[0]).toEqual({ k: 'fd', fd: 4, path: 'pipe:[1]' });
    expect(read.buffers).toHaveLength(1);
    expect(Buffer.from(read.buffers[0].data).toString()).toBe('vm\n');
    expect(read.buffers[0].out).toBe(true);
    const write = cs[2];
    expect(Buffer.from(write.buffers[0].data).toString()).toBe('vm\n');
    expect(write.buffers[0].out).toBe(false);
    expect(cs[5].buffers[0].truncated).toBe(true);
  });

  it('normalizes errno=N to the native -1/errno convention and marks restarts as interrupted', () => {
    const cs = calls(parse(lines).events);
    expect(cs[3]).toMatchObject({ retval: -1, errno: 2 });
    expect(cs[4]).toMatchObject({ retval: -1, errno: 512 });
    expect(cs[4].flags & CallFlags.interrupted).toBeTruthy();
    expect(cs[6].flags & CallFlags.noReturn).toBeTruthy();
  });

  it("decodes stat structs as strace shows them (mode and size under strace's names)", () => {
    const { events } = parse([
      '[   1:   1] sh X newfstatat(0x3 /etc/ld.so.cache, 0x7f880c889c99 , 0x7f37cf10c940 {dev=14, ino=107, mode=S_IFREG|0o644, nlink=1, uid=0, gid=0, rdev=0, size=34547, blksize=4096, blocks=68, atime=2026-11-28 03:27:02.149532609 +0000 UTC, mtime=2026-10-16 23:04:04 +0000 UTC, ctime=2026-10-16 23:04:04 +0000 UTC}, 0x1000) = 0 (0x0) (5µs)',
      '[   1:   1] sh X newfstatat(AT_FDCWD /, 0x7f880c889c99 /dev/null, 0x7f37cf10c940 {dev=5, ino=4, mode=S_IFCHR|0o666, nlink=1, uid=0, gid=0, rdev=259, size=0, blksize=4096, blocks=0, atime=x, mtime=x, ctime=x}, 0x0) = 0 (0x0) (5µs)',
    ]);
    const cs = calls(events);
    expect(cs[0].args[0]).toEqual({ k: 'fd', fd: 3, path: '/etc/ld.so.cache' });
    expect(cs[0].args[1]).toEqual({ k: 'str', v: '' });
    expect(cs[0].args[2]).toEqual({ k: 'struct', fields: [['st_mode', { k: 'flags', v: ['S_IFREG', '0644'] }], ['st_size', { k: 'int', v: 34547 }]], trunc: true });
    expect(cs[1].args[2]).toEqual({ k: 'struct', fields: [['st_mode', { k: 'flags', v: ['S_IFCHR', '0666'] }], ['st_rdev', { k: 'int', v: 259 }]], trunc: true });
  });

  it('keeps a malformed record as an unparsed event with its line number and skips other glog lines', () => {
    const { events, parser } = parse(lines);
    const bad = events.filter((e) => e.kind === 'unparsed');
    expect(bad).toHaveLength(1);
    expect(bad[0]).toMatchObject({ line: 11, source: 'test.log' });
    expect(parser.stats.samples[0]).toMatch(/^test\.log:11: unterminated quoted string/);
  });

  it('derives process starts, execs and exits from a whole boot log', () => {
    const { events, parser } = parse(fs.readFileSync(FIXTURE, 'utf8').split('\n'));
    expect(parser.stats.unparsed).toBe(0);
    const starts = events.filter((e) => e.kind === 'start');
    expect(starts[0]).toMatchObject({ isRoot: true, pid: 1 });
    expect(starts.length).toBe(5);
    const execs = events.filter((e): e is Extract<NewEvent, { kind: 'exec' }> => e.kind === 'exec');
    expect(execs.map((e) => e.argv.join(' '))).toEqual(['cat /etc/hostname', 'wc -c', 'cat /nonexistent']);
    expect(execs.every((e) => e.env.every((v) => v.valueRemoved))).toBe(true);
    const execve = calls(events).find((c) => c.name === 'execve')!;
    expect(execve.args[2]).toMatchObject({ k: 'comment' });
    const failed = calls(events).find((c) => c.name === 'openat' && c.args[1]?.k === 'str' && c.args[1].v === '/nonexistent');
    expect(failed).toMatchObject({ retval: -1, errno: 2 });
    expect(calls(events).some((c) => c.name === 'rseq' && c.errno === 38)).toBe(true);
  });

  it('is auto-detected, whole or pasted without the glog prefix', () => {
    const whole = fs.readFileSync(FIXTURE, 'utf8').split('\n').slice(0, 64);
    expect(detectFormat(whole)?.name).toBe('gvisor');
    expect(detectFormat(lines.slice(0, 8).map((l) => l.replace(/^.*strace\.go:\d+\] /, '')))?.name).toBe('gvisor');
  });
});

describe('picotrace import of gVisor logs', () => {
  let tmp: { dir: string; cleanup: () => void };
  beforeAll(() => (tmp = tempDir()));
  afterAll(() => tmp.cleanup());

  it('imports a runsc boot log without --format', () => {
    const out = path.join(tmp.dir, 'boot.ptrace');
    const r = runCli(['import', '-o', out, FIXTURE]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('(gvisor)');
    const rd = TraceReader.open(out);
    try {
      expect(rd.header.backend).toBe('import:gvisor');
      const evs: TraceEvent[] = [...rd.events()];
      expect(evs.filter((e) => e.kind === 'call').length).toBeGreaterThan(150);
    } finally {
      rd.close();
    }
  });

  it('with --strict stops at a malformed record with file and line', () => {
    const bad = path.join(tmp.dir, 'bad.log');
    fs.writeFileSync(bad, `${lines().join('\n')}\n`);
    const r = runCli(['import', '--format', 'gvisor', '--strict', '-o', path.join(tmp.dir, 'bad.ptrace'), bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad\.log:3/);
  });

  function lines(): string[] {
    return [
      '[   1:   1] sh E openat(AT_FDCWD /, 0x7f2e25c6b0b1 /etc/ld.so.cache, O_RDONLY|O_CLOEXEC, 0o0)',
      '[   1:   1] sh X openat(AT_FDCWD /, 0x7f2e25c6b0b1 /etc/ld.so.cache, O_RDONLY|O_CLOEXEC, 0o0) = 3 (0x3) (177.612µs)',
      '[   1:   1] sh X read(0x3 /x, 0x7f "abc, 0x10) = 3 (0x3) (1µs)',
    ];
  }
});
