import { describe, expect, it } from 'vitest';
import { A, type ArgValue } from '../../../src/model/index.js';
import { parseLine, readQuoted, Scanner, StraceSyntaxError } from '../../../src/import/strace/index.js';
import { fractionNs, parseSecondsNs } from '../../../src/import/strace/scan.js';

function args(text: string): ArgValue[] {
  const sc = new Scanner(text);
  return sc.parseArgs();
}

function call(line: string) {
  const r = parseLine(line);
  if (r.body.t !== 'call') throw new Error(`not a call: ${r.body.t}`);
  return { ...r, ...r.body };
}

describe('strace value grammar', () => {
  it('reads integers in every base, negative and 64-bit', () => {
    expect(args('0, -1, 0x7f92b70c6000, 0755, 000, 18446744073709551615, 9223372036854775807)')).toEqual([
      A.int(0),
      A.int(-1),
      A.int(0x7f92b70c6000, 16),
      A.int(0o755, 8),
      A.int(0, 8),
      A.raw('18446744073709551615'),
      A.int(9223372036854775807n),
    ]);
  });

  it('decodes C, octal and hex escapes to bytes, keeping valid UTF-8 as text', () => {
    expect(args('"a\\tb\\n\\"q\\"\\\\", "\\303\\251t\\303\\251", "\\x2f\\x65\\x74\\x63", "\\377\\0")')).toEqual([
      A.str('a\tb\n"q"\\'),
      A.str('été'),
      A.str('/etc'),
      A.str(new Uint8Array([0xff, 0])),
    ]);
  });

  it('marks strings cut by -s and keeps `...` arguments', () => {
    expect(args('"abc"..., ...)')).toEqual([A.str('abc', true), A.more()]);
  });

  it('reads flag sets, symbols, functions, structs, arrays, sigsets and truncation', () => {
    expect(args('O_RDONLY|O_CLOEXEC, S_IFREG|0644, NULL, makedev(0x8, 0x1), {st_mode=S_IFDIR|0755, st_size=4096, ...}, [3, 4], ~[RTMIN RT_1], [...])')).toEqual([
      A.flags('O_RDONLY', 'O_CLOEXEC'),
      A.flags('S_IFREG', '0644'),
      A.sym('NULL'),
      A.fn('makedev', [A.int(8, 16), A.int(1, 16)]),
      A.struct([['st_mode', A.flags('S_IFDIR', '0755')], ['st_size', A.int(4096)]], true),
      A.array([A.int(3), A.int(4)]),
      A.not(A.array([A.sym('RTMIN'), A.sym('RT_1')])),
      A.array([], true),
    ]);
  });

  it('reads -y/-yy fd annotations, sockets and device notes included', () => {
    expect(args('3</etc/\\303\\251t\\303\\251>, AT_FDCWD</tmp>, 4<TCP:[127.0.0.1:45678->127.0.0.1:80]>, 1</dev/pts/0<char 136:0>>, 5<UNIX-STREAM:[9620->9621]>)')).toEqual([
      A.fd(3, '/etc/été'),
      A.fd(-100, '/tmp'),
      A.fd(4, 'TCP:[127.0.0.1:45678->127.0.0.1:80]'),
      A.fd(1, '/dev/pts/0'),
      A.fd(5, 'UNIX-STREAM:[9620->9621]'),
    ]);
    expect(args('5</dev/shm/sem.x>(deleted))')).toEqual([A.fd(5, '/dev/shm/sem.x (deleted)')]);
  });

  it('reads designated array items ([NAME]=value) as named items', () => {
    expect(args('[[DEVCONF_FORWARDING]=0, [DEVCONF_HOPLIMIT]=64], [[SIGINT]={sa_handler=SIG_DFL}])')).toEqual([
      A.array([A.op('=', A.sym('[DEVCONF_FORWARDING]'), A.int(0)), A.op('=', A.sym('[DEVCONF_HOPLIMIT]'), A.int(64))]),
      A.array([A.op('=', A.sym('[SIGINT]'), A.struct([['sa_handler', A.sym('SIG_DFL')]]))]),
    ]);
  });

  it('reads capability sets written as shifted flags', () => {
    expect(args('{effective=1<<CAP_CHOWN|1<<CAP_KILL, inheritable=0})')).toEqual([
      A.struct([
        ['effective', A.flags('1<<CAP_CHOWN', '1<<CAP_KILL')],
        ['inheritable', A.int(0)],
      ]),
    ]);
  });

  it('reads -X verbose values: a number, its meaning as a comment, then the fd path', () => {
    expect(args('-100 /* AT_FDCWD */</tmp>, 0x80000 /* O_RDONLY|O_CLOEXEC */)')).toEqual([
      A.comment('AT_FDCWD', A.fd(-100, '/tmp')),
      A.comment('O_RDONLY|O_CLOEXEC', A.int(0x80000, 16)),
    ]);
  });

  it('reads comments, named arguments, => and expressions', () => {
    expect(args('0x7ffc55740c80 /* 35 vars */, child_stack=NULL, {flags=CLONE_VM} => {parent_tid=[6015]}, {rlim_cur=8192*1024}, [{WIFEXITED(s) && WEXITSTATUS(s) == 0}])')).toEqual([
      A.comment('35 vars', A.int(0x7ffc55740c80, 16)),
      A.op('=', A.sym('child_stack'), A.sym('NULL')),
      A.op('=>', A.struct([['flags', A.sym('CLONE_VM')]]), A.struct([['parent_tid', A.array([A.int(6015)])]])),
      A.struct([['rlim_cur', A.op('*', A.int(8192), A.int(1024))]]),
      A.array([A.struct([['', A.op('&&', A.fn('WIFEXITED', [A.sym('s')]), A.op('==', A.fn('WEXITSTATUS', [A.sym('s')]), A.int(0)))]])]),
    ]);
  });

  it('decodes every escape form of random bytes, wherever the string sits in its line', () => {
    let seed = 7;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) % n;
    const C: Record<number, string> = { 9: 't', 10: 'n', 13: 'r', 11: 'v', 12: 'f', 7: 'a', 8: 'b', 27: 'e', 34: '"', 92: '\\' };
    for (let round = 0; round < 2000; round++) {
      const bytes = Array.from({ length: rnd(40) }, () => (rnd(3) ? rnd(256) : 48 + rnd(10)));
      let text = '';
      for (let i = 0; i < bytes.length; i++) {
        const b = bytes[i];
        const nextDigit = i + 1 < bytes.length && bytes[i + 1] >= 48 && bytes[i + 1] <= 55;
        const form = rnd(4);
        if (b !== 34 && b !== 92 && b >= 32 && b < 127 && form < 2) text += String.fromCharCode(b);
        else if (form === 0 && C[b]) text += `\\${C[b]}`;
        else if (form === 1 && b >= 128 && b !== 0xff) text += String.fromCharCode(b);
        else if (form === 2) text += `\\x${b.toString(16).padStart(2, '0')}`;
        else text += `\\${nextDigit ? b.toString(8).padStart(3, '0') : b.toString(8)}`;
      }
      const before = 'x'.repeat(rnd(3));
      const line = `${before}"${text}"${rnd(2) ? '..., 3) = 0' : ''}`;
      const q = readQuoted(line, before.length);
      expect(q.end).toBe(before.length + text.length + 2);
      const got = typeof q.value === 'string' ? Buffer.from(q.value, q.high ? 'utf8' : 'latin1') : Buffer.from(q.value);
      expect([...got]).toEqual(bytes);
      expect(q.high).toBe(bytes.some((b) => b >= 128));
    }
  });

  it('decodes runs of zero bytes as strace prints them: \\0, or \\000 before an octal digit', () => {
    const cases: [string, number[]][] = [
      ['"\\0"', [0]],
      ['"\\0\\0\\0"', [0, 0, 0]],
      ['"\\0\\0001"', [0, 0, 49]],
      ['"\\0\\01"', [0, 1]],
      ['"\\0\\08\\09"', [0, 0, 56, 0, 57]],
      ['"a\\0\\0b\\0"', [97, 0, 0, 98, 0]],
      ['"\\0\\0\\\\0"', [0, 0, 92, 48]],
      ['"\\0\\0\\x00\\0"', [0, 0, 0, 0]],
    ];
    for (const [text, bytes] of cases) {
      for (const tail of ['', '..., 64) = 64']) {
        const q = readQuoted(text + tail, 0);
        expect(q.end, text).toBe(text.length);
        const got = typeof q.value === 'string' ? Buffer.from(q.value, 'latin1') : Buffer.from(q.value);
        expect([...got], text).toEqual(bytes);
      }
    }
    expect(() => readQuoted('"\\0\\0\\', 0)).toThrow(StraceSyntaxError);
  });

  it('reports escapes cut at the end of the line as cut, and bad ones where they are', () => {
    for (const cut of ['"ab\\', '"ab\\x', '"ab\\12', '"\\x41\\x4']) {
      try {
        readQuoted(cut, 0);
        expect.unreachable(cut);
      } catch (e) {
        expect((e as StraceSyntaxError).cut, cut).toBe(true);
      }
    }
    try {
      readQuoted('x"ab\\xzz"', 1);
      expect.unreachable();
    } catch (e) {
      expect((e as StraceSyntaxError).cut).toBe(false);
      expect((e as StraceSyntaxError).pos).toBe(4);
    }
  });

  it('reports a string without its closing quote as cut', () => {
    expect(() => readQuoted('"abc', 0)).toThrow(StraceSyntaxError);
    try {
      args('"abc');
    } catch (e) {
      expect((e as StraceSyntaxError).cut).toBe(true);
    }
  });
});

describe('strace line grammar', () => {
  it('reads seconds and fractions of any length to whole nanoseconds', () => {
    const secs = (t: string) => parseSecondsNs(t, 0, t.length);
    expect(secs('0.000037296')).toBe(37296);
    expect(secs('12.5')).toBe(12_500_000_000);
    expect(secs('7')).toBe(7_000_000_000);
    expect(secs('1.123456789987')).toBe(1_123_456_789);
    expect(secs('1795859335.341718272')).toBe(1795859335341718272 / 1);
    for (const bad of ['', '.5', '1.', '1.2x', 'x', '1..2']) expect(secs(bad), bad).toBe(-1);
    const frac = (t: string) => fractionNs(t, 0, t.length);
    expect([frac('.1'), frac('.01'), frac('.000000001'), frac('.0000000019'), frac('.999999999')]).toEqual([100_000_000, 10_000_000, 1, 1, 999_999_999]);
    expect(fractionNs('12', 2, 2)).toBe(0);
  });

  it('reads pid prefixes in both styles and every timestamp style', () => {
    expect(parseLine('[pid  6015] getpid() = 6015').pid).toBe(6015);
    const a = parseLine('6014  1795837103.213748334 getpid() = 6014');
    expect(a.pid).toBe(6014);
    expect(a.time).toEqual({ style: 'unix', sec: 1795837103, ns: 213748334 });
    expect(parseLine('03:41:22.123456 getpid() = 1').time).toEqual({ style: 'tod', sec: 3 * 3600 + 41 * 60 + 22, ns: 123456000 });
    expect(parseLine('03:41:22 getpid() = 1').time).toEqual({ style: 'tod', sec: 3 * 3600 + 41 * 60 + 22, ns: 0 });
    expect(parseLine('     0.000123 getpid() = 1').time).toEqual({ style: 'rel', sec: 0, ns: 123000 });
  });

  it('skips the instruction pointer (-i) and syscall number (-n) brackets', () => {
    expect(parseLine('[pid 12] 1700000000.000001 [00007f0a1b2c3d4e] getpid() = 12')).toMatchObject({ pid: 12, body: { t: 'call', name: 'getpid' } });
    expect(parseLine('[ 39] getpid() = 12').body).toMatchObject({ t: 'call', name: 'getpid' });
  });

  it('reads results: errno, ?, restart errnos, annotations and durations', () => {
    const e = call('openat(AT_FDCWD, "/x", O_RDONLY) = -1 ENOENT (No such file or directory) <0.000012>');
    expect(e.result).toMatchObject({ retval: -1, errnoName: 'ENOENT', durationNs: 12000 });
    expect(call('exit_group(0)                           = ?').result).toMatchObject({ unknown: true });
    expect(call('read(0, 0x7ffe, 1) = ? ERESTARTSYS (To be restarted if SA_RESTART is set)').result).toMatchObject({ unknown: true, errnoName: 'ERESTARTSYS' });
    expect(call('openat(AT_FDCWD</tmp>, "x", O_RDONLY) = 3</tmp/x> <0.000010>').result).toMatchObject({ retval: 3, annotation: '/tmp/x', durationNs: 10000 });
    expect(call('fcntl(4, F_GETFL) = 0x802 (flags O_RDWR|O_NONBLOCK)').result).toMatchObject({ retval: 0x802, annotation: '(flags O_RDWR|O_NONBLOCK)' });
    expect(call('exit_group(0) = ? <unavailable>').result).toMatchObject({ unknown: true });
  });

  it('classifies unfinished, resumed, signal and exit lines', () => {
    expect(parseLine('[pid 7] read(3,  <unfinished ...>').body).toEqual({ t: 'unfinished', name: 'read', argsText: '3, ' });
    expect(parseLine('<... read resumed>"x", 4) = 1').body).toEqual({ t: 'resumed', name: 'read', restText: '"x", 4) = 1' });
    expect(parseLine('--- SIGCHLD {si_signo=SIGCHLD, si_pid=5} ---').body).toMatchObject({ t: 'signal', name: 'SIGCHLD', info: { k: 'struct' } });
    expect(parseLine('--- stopped by SIGSTOP ---').body).toMatchObject({ t: 'signal', name: 'SIGSTOP', note: 'stopped' });
    expect(parseLine('+++ exited with 3 +++').body).toEqual({ t: 'exited', status: 3 });
    expect(parseLine('+++ killed by SIGSEGV (core dumped) +++').body).toEqual({ t: 'killed', signal: 'SIGSEGV', core: true });
    expect(parseLine('+++ superseded by execve in pid 12 +++').body).toEqual({ t: 'superseded', byPid: 12 });
  });

  it('refuses nesting and expression chains too deep to store, instead of overflowing the stack', () => {
    for (const body of ['['.repeat(100000), '~'.repeat(100000) + '1', '&'.repeat(100000) + 'x', '1 == '.repeat(50000) + '1', '1*'.repeat(100000) + '1']) {
      expect(() => parseLine(`f(${body}) = 0`)).toThrow(/too deep/);
    }
    expect(parseLine(`f(${'{a='.repeat(20)}1${'}'.repeat(20)}) = 0`).body.t).toBe('call');
  });

  it('rejects text that is not strace with a reason and column', () => {
    expect(() => parseLine('this is not strace output')).toThrow(/expected a call/);
    expect(() => parseLine('read(3, "abc", 3) = 3 trailing words')).toThrow(StraceSyntaxError);
  });
});
