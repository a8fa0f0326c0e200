import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TraceReader, TraceWriter } from '../../src/format/index.js';
import { Navigator, runScript } from '../../src/tui/index.js';
import { makeCall, makeHeader, syscallNumber } from '../../src/model/index.js';
import { ROOT, runCli, tempDir } from '../helpers/cli.js';

const SH = path.join(ROOT, 'traces', 'replay', 'sh-pipeline.ptrace');
const PY = path.join(ROOT, 'traces', 'replay', 'python-threads.ptrace');
const tmp = tempDir('picotrace-tui-');
let small = '';

beforeAll(() => {
  small = path.join(tmp.dir, 'py-small.ptrace');
  const r = TraceReader.open(PY);
  const w = TraceWriter.create(small, r.header, { chunkEvents: 16 });
  for (const ev of r.events()) w.append(ev);
  w.close();
  r.close();
});
afterAll(() => tmp.cleanup());

function script(file: string, cmds: string, extra: string[] = []): { code: number; out: string[]; stderr: string } {
  const r = runCli(['replay', file, ...extra, '--script', cmds]);
  return { code: r.code, out: r.stdout.split('\n'), stderr: r.stderr };
}

/** The event line printed right after `> cmd` (the cursor position after it). */
function after(out: string[], cmd: string): string {
  const i = out.indexOf(`> ${cmd}`);
  expect(i, `command ${cmd} in output`).toBeGreaterThanOrEqual(0);
  return out[i + 1];
}

describe('picotrace replay --script', () => {
  it('goto, next-error, state: prints the position and what the state pane shows', () => {
    const r = script(SH, 'goto 120; next-error; state');
    expect(r.code, r.stderr).toBe(0);
    expect(after(r.out, 'goto 120')).toMatch(/^#120 /);
    expect(after(r.out, 'next-error')).toMatch(/^#\d+ .* = -1 E[A-Z]+ \(/);
    const st = r.out.slice(r.out.indexOf('> state') + 1);
    expect(st[0]).toMatch(/^state after #\d+$/);
    expect(st.join('\n')).toMatch(/fds \(\d+\)/);
    expect(st.join('\n')).toMatch(/memory \(\d+ regions\)/);
    expect(st.join('\n')).toContain('processes:');
  });

  it('detail shows every argument, raw and decoded, errno name and meaning, and buffers as hex and text', () => {
    const r = script(SH, 'next-call read; detail; next-error; detail');
    expect(r.code, r.stderr).toBe(0);
    const text = r.out.join('\n');
    expect(text).toMatch(/arg0 {2}3<\/usr\/lib\/x86_64-linux-gnu\/libc\.so\.6>/);
    expect(text).toMatch(/buffer arg1 out, 832 bytes/);
    expect(text).toMatch(/0000 {2}7f 45 4c 46 .* {2}\.ELF/);
    expect(text).toMatch(/errno ENOENT \(2\): No such file or directory/);
  });

  it('detail shows the user-space stack of a call, signal or exit imported from strace -k', () => {
    const trace = path.join(tmp.dir, 'k.ptrace');
    expect(runCli(['import', path.join(ROOT, 'traces', 'strace', 'k-Y.log'), '-o', trace]).code).toBe(0);
    const r = script(trace, 'next-call kill; detail; next; detail');
    expect(r.code, r.stderr).toBe(0);
    const text = r.out.join('\n');
    expect(text).toMatch(/stack \(\d+ frames, innermost first\):\n {2}> \/usr\/lib\/x86_64-linux-gnu\/libc\.so\.6\(kill\+0x7\) \[0x[0-9a-f]+\]\n {2}> \/usr\/bin\/dash\(\) \[0x/);
    // The signal that kill sent is the next event, with the stack strace printed after it.
    expect(text).toMatch(/signal 10 SIGUSR1\nstack \(\d+ frames, innermost first\):/);
    // A search also looks at the frames: cat's write is the first event cat's code is on the stack of
    // (its execve's stack is the loader's).
    const s = script(trace, 'search /usr/bin/cat\\(');
    expect(s.code, s.stderr).toBe(0);
    expect(after(s.out, 'search /usr/bin/cat\\(')).toMatch(/^#\d+ \d+ \+[\d.]+ write\(1, "vm\\n", 3\) = 3/);
  });

  it('steps forward and back, within a thread, and across chunk boundaries', () => {
    const r = script(small, 'goto 40; next 20; prev 5; last; prev; first; next-call clone3; next-thread; prev-thread');
    expect(r.code, r.stderr).toBe(0);
    expect(after(r.out, 'next 20')).toMatch(/^#60 /);
    expect(after(r.out, 'prev 5')).toMatch(/^#55 /);
    const lastLine = after(r.out, 'last');
    const lastSeq = Number(/^#(\d+)/.exec(lastLine)?.[1]);
    expect(after(r.out, 'prev')).toMatch(new RegExp(`^#${lastSeq - 1} `));
    expect(after(r.out, 'first')).toMatch(/^#0 /);
    const clone = after(r.out, 'next-call clone3');
    const pid = /^#\d+ (\d+)/.exec(clone)?.[1];
    const nt = after(r.out, 'next-thread');
    expect(nt).toMatch(new RegExp(`^#\\d+ ${pid} `));
    expect(after(r.out, 'prev-thread')).toBe(clone);
  });

  it('filters by class, errno, pid; search with n/N; paths and fds', () => {
    const r = script(small, 'filter class=file errno=ENOENT; list 4; filter; search hostname; n; N; next-path /etc/hostname; next-fd 9; prev-fd 9');
    expect(r.code, r.stderr).toBe(0);
    const i = r.out.indexOf('> list 4');
    const rows = r.out.slice(i + 1, i + 5);
    expect(rows).toHaveLength(4);
    for (const row of rows) expect(row).toMatch(/= -1 ENOENT/);
    const s1 = after(r.out, 'search hostname');
    const s2 = after(r.out, 'n');
    expect(Number(/^#(\d+)/.exec(s2)?.[1])).toBeGreaterThan(Number(/^#(\d+)/.exec(s1)?.[1]));
    expect(after(r.out, 'N')).toBe(s1);
    expect(s1).toMatch(/openat\(AT_FDCWD<[^>]*>, "\/etc\/hostname"/);
    expect(after(r.out, 'next-path /etc/hostname')).toMatch(/^#\d+ .*\/etc\/hostname/);
    expect(after(r.out, 'next-fd 9')).toMatch(/dup2\(4<pipe:\[\d+\]>, 9\)/);
  });

  it('breakpoints with continue and reverse-continue; --break and --filter on the command line', () => {
    const r = script(small, 'continue; continue; reverse-continue; clear-breaks; continue', ['--break', 'call=mremap', '--break', 'errno=ENOENT', '--filter', 'pid=0']);
    expect(r.code).toBe(0);
    expect(r.out[0]).toBe('> continue');
    const r2 = script(small, 'continue; continue; reverse-continue; clear-breaks; continue', ['--break', 'call=dup2', '--break', 'fd=9']);
    expect(r2.code, r2.stderr).toBe(0);
    const c1 = r2.out[1];
    const c2 = r2.out[3];
    expect(c1).toMatch(/dup2\(/);
    expect(Number(/^#(\d+)/.exec(c2)?.[1])).toBeGreaterThan(Number(/^#(\d+)/.exec(c1)?.[1]));
    expect(after(r2.out, 'reverse-continue')).toBe(c1);
    expect(r2.out).toContain('! no breakpoints set');
  });

  it('--goto starts there; goto-time goes by time', () => {
    const r = script(SH, 'status; goto-time 1000s', ['--goto', '77']);
    expect(r.code, r.stderr).toBe(0);
    expect(after(r.out, 'status')).toMatch(/^#77\/\d+ /);
    expect(r.out).toContain('! no event at or after that time');
  });

  it('bad input gets one line and exit 2', () => {
    for (const [args, msg] of [
      [['--script', 'goto 1; bogus'], /--script: command 2 \("bogus"\): unknown command/],
      [['--script', '/['], /invalid regular expression/],
      [['--script', 'filter class=nope'], /unknown class "nope"/],
      [['--script', 'next-fd x'], /expected an fd number/],
      [['--goto', '99999', '--script', 'state'], /--goto: event 99999 is out of range/],
      [['--break', 'colour=red', '--script', 'state'], /break: unknown key "colour"/],
    ] as [string[], RegExp][]) {
      const r = runCli(['replay', SH, ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(msg);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).not.toMatch(/at .*\.js:\d+/);
    }
    const r = runCli(['replay', SH], { stdio: ['ignore', 'pipe', 'pipe'] });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/needs a terminal.*--script/);
    const missing = runCli(['replay', path.join(tmp.dir, 'nope.ptrace'), '--script', 'state']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no such file/);
  });

  it('a damaged chunk is skipped: navigation and state still work, one line on stderr, exit 3', () => {
    const copy = path.join(tmp.dir, 'damaged.ptrace');
    const r = TraceReader.open(SH);
    const w = TraceWriter.create(copy, r.header, { chunkEvents: 64 });
    for (const ev of r.events()) w.append(ev);
    w.close();
    r.close();
    const c = TraceReader.open(copy).chunks[3];
    const fd = fs.openSync(copy, 'r+');
    fs.writeSync(fd, Buffer.from([0xde, 0xad, 0xbe, 0xef]), 0, 4, c.offset + c.storedLength);
    fs.closeSync(fd);
    const res = script(copy, 'goto 200; prev 10; last; state; search ENOENT');
    expect(res.code).toBe(3);
    expect(res.stderr.trim().split('\n')).toHaveLength(1);
    expect(res.stderr).toMatch(/checksum mismatch at offset \d+.*skipped/);
    expect(after(res.out, 'goto 200')).toBe('event 200 is in a damaged chunk; at #256');
    expect(res.out[res.out.indexOf('> goto 200') + 2]).toMatch(/^#256 /);
    expect(after(res.out, 'prev 10')).toMatch(/^#182 /);
    expect(res.out.join('\n')).toMatch(/state after #528/);
  });

  it('a trace with raw registers only (as gVisor monitors record): fds, mmaps and fd search from raw values', () => {
    const file = path.join(tmp.dir, 'raw.ptrace');
    const w = TraceWriter.create(file, makeHeader({ backend: 'gvisor', cwd: '/app' }));
    const call = (name: string, rawArgs: number[], retval: number) => w.append(makeCall({ name, sysno: syscallNumber(name), pid: 7, rawArgs, retval }));
    w.append({ kind: 'start', pid: 7, tid: 7, parentPid: 0, isThread: false, cloneFlags: 0, isRoot: true });
    call('openat', [-100, 0x7ffd1000, 0o2000000, 0], 3);
    call('read', [3, 0x7ffd2000, 4096], 100);
    call('mmap', [0, 8192, 3, 0x22, -1, 0], 0x7f0000000000);
    call('dup2', [3, 1], 1);
    call('close', [3], 0);
    w.close();
    const r = script(file, 'next-fd 3; next-fd 3; state; last; state');
    expect(r.code, r.stderr).toBe(0);
    expect(after(r.out, 'next-fd 3')).toMatch(/^#1 7 .*openat\(/);
    const text = r.out.join('\n');
    expect(text).toMatch(/ {4}3 ?\S* +file +\?  cloexec/);
    expect(text).toMatch(/0x7f0000000000-0x7f0000002000 rw-p \[anon\]/);
    const last = r.out.slice(r.out.lastIndexOf('> state'));
    expect(last.join('\n')).toMatch(/ {4}1 \S+ +file/);
    expect(last.join('\n')).not.toMatch(/ {4}3 /);
  });

  it('the navigation core runs in-process with the same results as the CLI', () => {
    const r = TraceReader.open(SH);
    const nav = new Navigator(r);
    const lines: string[] = [];
    runScript(nav, 'goto 120; next-error', (l) => lines.push(l));
    r.close();
    const cli = script(SH, 'goto 120; next-error');
    expect(lines).toEqual(cli.out.filter(Boolean));
  });
});
