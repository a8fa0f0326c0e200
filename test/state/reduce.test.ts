import { describe, expect, it } from 'vitest';
import { A, CallFlags, syscallNumber } from '../../src/model/index.js';
import { emptyState, reduce, viewProc, processTree, type KernelState } from '../../src/state/index.js';
import { Events } from './build.js';

const ENOENT = 2;
const EBADF = 9;

function fds(s: KernelState, pid: number): Record<number, string> {
  const v = viewProc(s, pid);
  const out: Record<number, string> = {};
  for (const f of v?.fds ?? []) out[f.fd] = `${f.kind}:${f.path}${f.cloexec ? ' cloexec' : ''}${f.append ? ' append' : ''}`;
  return out;
}

function openat(e: Events, pid: number, path: string, fd: number, ...flags: string[]): Events {
  return e.call(pid, 'openat', [A.fd(-100), A.str(path), A.flags(...(flags.length ? flags : ['O_RDONLY']))], fd);
}

const cases: { rule: string; build: (e: Events) => void; pid?: number; want: Record<number, string> }[] = [
  { rule: 'root process inherits stdio', build: () => undefined, want: { 0: 'inherited:', 1: 'inherited:', 2: 'inherited:' } },
  { rule: 'openat adds a file resolved against the cwd', build: (e) => openat(e, 1, 'data.txt', 3), want: { 0: 'inherited:', 1: 'inherited:', 2: 'inherited:', 3: 'file:/home/u/data.txt' } },
  { rule: 'O_CLOEXEC and O_APPEND are recorded', build: (e) => openat(e, 1, '/log', 3, 'O_WRONLY', 'O_APPEND', 'O_CLOEXEC'), want: { 0: 'inherited:', 1: 'inherited:', 2: 'inherited:', 3: 'file:/log cloexec append' } },
  { rule: 'strace -yy return annotation wins', build: (e) => e.call(1, 'openat', [A.fd(-100), A.str('x'), A.flags('O_RDONLY')], 3, { retAnnotation: '/real/x' }), want: { 0: 'inherited:', 1: 'inherited:', 2: 'inherited:', 3: 'file:/real/x' } },
  { rule: 'failed open leaves the table alone', build: (e) => e.fail(1, 'openat', [A.fd(-100), A.str('/nope'), A.flags('O_RDONLY')], ENOENT), want: { 0: 'inherited:', 1: 'inherited:', 2: 'inherited:' } },
  { rule: 'close removes', build: (e) => openat(e, 1, '/a', 3).call(1, 'close', [A.fd(3)]).call(1, 'close', [A.fd(0)]), want: { 1: 'inherited:', 2: 'inherited:' } },
  { rule: 'close with EBADF changes nothing', build: (e) => e.fail(1, 'close', [A.fd(7)], EBADF), want: { 0: 'inherited:', 1: 'inherited:', 2: 'inherited:' } },
  {
    rule: 'dup2 onto an open fd replaces it and clears cloexec',
    build: (e) => openat(e, 1, '/a', 3, 'O_RDONLY', 'O_CLOEXEC').call(1, 'dup2', [A.fd(3), A.fd(1)], 1),
    want: { 0: 'inherited:', 1: 'file:/a', 2: 'inherited:', 3: 'file:/a cloexec' },
  },
  { rule: 'dup3 with O_CLOEXEC', build: (e) => openat(e, 1, '/a', 3).call(1, 'dup3', [A.fd(3), A.int(9), A.flags('O_CLOEXEC')], 9), want: { 0: 'inherited:', 1: 'inherited:', 2: 'inherited:', 3: 'file:/a', 9: 'file:/a cloexec' } },
  { rule: 'dup takes the returned fd', build: (e) => openat(e, 1, '/a', 3).call(1, 'dup', [A.fd(3)], 4).call(1, 'close', [A.fd(0)]).call(1, 'close', [A.fd(1)]).call(1, 'close', [A.fd(2)]), want: { 3: 'file:/a', 4: 'file:/a' } },
  {
    rule: 'fcntl F_DUPFD_CLOEXEC and F_SETFD and F_SETFL',
    build: (e) =>
      openat(e, 1, '/a', 3)
        .call(1, 'fcntl', [A.fd(3), A.sym('F_DUPFD_CLOEXEC'), A.int(10)], 10)
        .call(1, 'fcntl', [A.fd(3), A.sym('F_SETFD'), A.sym('FD_CLOEXEC')])
        .call(1, 'fcntl', [A.fd(10), A.sym('F_SETFL'), A.flags('O_RDONLY', 'O_APPEND')])
        .call(1, 'close_range', [A.int(0), A.int(2), A.int(0)]),
    want: { 3: 'file:/a cloexec', 10: 'file:/a cloexec append' },
  },
  {
    rule: 'close_range with CLOSE_RANGE_CLOEXEC marks instead of closing',
    build: (e) => openat(e, 1, '/a', 3).call(1, 'close_range', [A.int(3), A.int(0xffffffff), A.flags('CLOSE_RANGE_CLOEXEC')]),
    want: { 0: 'inherited:', 1: 'inherited:', 2: 'inherited:', 3: 'file:/a cloexec' },
  },
  {
    rule: 'pipe2 and socketpair make two fds',
    build: (e) =>
      e
        .call(1, 'pipe2', [A.array([A.fd(3, 'pipe:[100]'), A.fd(4, 'pipe:[100]')]), A.flags('O_CLOEXEC')])
        .call(1, 'socketpair', [A.sym('AF_UNIX'), A.flags('SOCK_STREAM'), A.int(0), A.array([A.int(5), A.int(6)])])
        .call(1, 'close_range', [A.int(0), A.int(2), A.int(0)]),
    want: { 3: 'pipe:pipe:[100] cloexec', 4: 'pipe:pipe:[100] cloexec', 5: 'socket:socket', 6: 'socket:socket' },
  },
  {
    rule: 'socket, eventfd2, epoll_create1, memfd_create',
    build: (e) =>
      e
        .call(1, 'socket', [A.sym('AF_INET'), A.flags('SOCK_STREAM', 'SOCK_CLOEXEC'), A.sym('IPPROTO_IP')], 3)
        .call(1, 'eventfd2', [A.int(0), A.flags('EFD_NONBLOCK')], 4)
        .call(1, 'epoll_create1', [A.flags('EPOLL_CLOEXEC')], 5)
        .call(1, 'memfd_create', [A.str('jit'), A.flags('MFD_CLOEXEC')], 6)
        .call(1, 'close_range', [A.int(0), A.int(2), A.int(0)]),
    want: { 3: 'socket:socket:AF_INET cloexec', 4: 'eventfd:anon_inode:[eventfd]', 5: 'epoll:anon_inode:[epoll] cloexec', 6: 'memfd:memfd:jit cloexec' },
  },
  {
    rule: 'openat relative to a directory fd, chdir and fchdir',
    build: (e) =>
      e
        .call(1, 'openat', [A.fd(-100), A.str('/etc'), A.flags('O_RDONLY', 'O_DIRECTORY')], 3)
        .call(1, 'openat', [A.fd(3), A.str('passwd'), A.flags('O_RDONLY')], 4)
        .call(1, 'chdir', [A.str('/tmp/../var')])
        .call(1, 'openat', [A.fd(-100), A.str('log'), A.flags('O_RDONLY')], 5)
        .call(1, 'fchdir', [A.fd(3)])
        .call(1, 'openat', [A.fd(-100), A.str('hosts'), A.flags('O_RDONLY')], 6)
        .call(1, 'close_range', [A.int(0), A.int(2), A.int(0)]),
    want: { 3: 'dir:/etc', 4: 'file:/etc/passwd', 5: 'file:/var/log', 6: 'file:/etc/hosts' },
  },
  {
    rule: 'fds shown with paths are learned (inherited before the trace)',
    build: (e) => e.call(1, 'ioctl', [A.fd(7, '/dev/null'), A.sym('TCGETS'), A.int(0, 16)], 0).call(1, 'close_range', [A.int(0), A.int(2), A.int(0)]),
    want: { 7: 'inherited:/dev/null' },
  },
  {
    rule: 'raw registers only (gVisor): openat by number, dup2, close',
    build: (e) =>
      e
        .raw(1, syscallNumber('openat'), [-100, 0x7ffd0000, 0o2000000, 0], 3)
        .raw(1, syscallNumber('dup2'), [3, 1], 1)
        .raw(1, syscallNumber('close'), [0], 0)
        .raw(1, syscallNumber('close'), [2], 0),
    want: { 1: 'file:', 3: 'file: cloexec' },
  },
  { rule: 'unknown calls are harmless', build: (e) => e.call(1, 'frobnicate', [A.fd(3), A.raw('???')], 0).call(1, 'ioctl', [A.int(1), A.sym('TCGETS')], 0), want: { 0: 'inherited:', 1: 'inherited:', 2: 'inherited:' } },
];

describe('fd table rules', () => {
  it.each(cases)('$rule', ({ build, pid, want }) => {
    const e = new Events().call(1, 'getpid', [], 1);
    build(e);
    expect(fds(e.state(), pid ?? 1)).toEqual(want);
  });
});

describe('process rules', () => {
  const cloneFlags = (...f: string[]) => A.op('=', A.sym('flags'), A.flags(...f));

  it('fork copies the fd table; later changes are private', () => {
    const e = new Events().call(1, 'getpid', [], 1);
    openat(e, 1, '/a', 3);
    e.call(1, 'clone', [A.op('=', A.sym('child_stack'), A.sym('NULL')), cloneFlags('CLONE_CHILD_CLEARTID', 'CLONE_CHILD_SETTID', 'SIGCHLD')], 2);
    e.call(2, 'close', [A.fd(3)]);
    openat(e, 1, '/b', 4);
    const s = e.state();
    expect(Object.keys(fds(s, 1))).toEqual(['0', '1', '2', '3', '4']);
    expect(Object.keys(fds(s, 2))).toEqual(['0', '1', '2']);
    expect(viewProc(s, 2)?.ppid).toBe(1);
  });

  it('CLONE_FILES shares one table both ways', () => {
    const e = new Events().call(1, 'getpid', [], 1);
    e.call(1, 'clone', [cloneFlags('CLONE_VM', 'CLONE_FILES', 'SIGCHLD')], 2);
    openat(e, 2, '/from-child', 3);
    e.call(1, 'close', [A.fd(0)]);
    const s = e.state();
    expect(fds(s, 1)).toEqual(fds(s, 2));
    expect(fds(s, 1)[3]).toBe('file:/from-child');
    expect(fds(s, 1)[0]).toBeUndefined();
    expect(viewProc(s, 1)?.sharesFdsWith).toEqual([2]);
  });

  it('exec drops O_CLOEXEC fds, resets the address space and handled signals, keeps ignored ones', () => {
    const e = new Events().call(1, 'getpid', [], 1);
    openat(e, 1, '/keep', 3);
    openat(e, 1, '/drop', 4, 'O_RDONLY', 'O_CLOEXEC');
    e.call(1, 'mmap', [A.sym('NULL'), A.int(8192), A.flags('PROT_READ'), A.flags('MAP_PRIVATE', 'MAP_ANONYMOUS'), A.int(-1), A.int(0)], 0x7f0000000000);
    e.call(1, 'rt_sigaction', [A.sym('SIGINT'), A.struct([['sa_handler', A.int(0x401000, 16)], ['sa_mask', A.array([])]]), A.sym('NULL'), A.int(8)]);
    e.call(1, 'rt_sigaction', [A.sym('SIGPIPE'), A.struct([['sa_handler', A.sym('SIG_IGN')]]), A.sym('NULL'), A.int(8)]);
    const before = e.state();
    expect(viewProc(before, 1)?.signals).toEqual([
      { signo: 2, disposition: 'handler 0x401000' },
      { signo: 13, disposition: 'SIG_IGN' },
    ]);
    e.call(1, 'execve', [A.str('/bin/cat'), A.array([A.str('cat'), A.str('x')]), A.raw('0x7ffe /* 3 vars */')]);
    const s = e.state();
    const v = viewProc(s, 1);
    expect(Object.keys(fds(s, 1))).toEqual(['0', '1', '2', '3']);
    expect(v?.regions).toEqual([]);
    expect(v?.argv).toEqual(['cat', 'x']);
    expect(v?.exe).toBe('/bin/cat');
    expect(v?.signals).toEqual([{ signo: 13, disposition: 'SIG_IGN' }]);
  });

  it('a failed execve changes nothing', () => {
    const e = new Events().call(1, 'getpid', [], 1);
    openat(e, 1, '/drop', 3, 'O_RDONLY', 'O_CLOEXEC');
    e.fail(1, 'execve', [A.str('/nope'), A.array([A.str('nope')]), A.raw('0x0')], ENOENT);
    expect(fds(e.state(), 1)[3]).toBe('file:/drop cloexec');
  });

  it('vfork shares memory until the child execs', () => {
    const e = new Events().call(1, 'getpid', [], 1);
    e.call(1, 'vfork', [], 2);
    e.call(2, 'mmap', [A.sym('NULL'), A.int(4096), A.flags('PROT_READ'), A.flags('MAP_PRIVATE', 'MAP_ANONYMOUS'), A.int(-1), A.int(0)], 0x1000000);
    expect(viewProc(e.state(), 1)?.regions.length).toBe(1);
    expect(viewProc(e.state(), 1)?.sharesMemoryWith).toEqual([2]);
    e.call(2, 'execve', [A.str('/bin/true'), A.array([A.str('true')]), A.raw('0x0')]);
    e.call(2, 'mmap', [A.sym('NULL'), A.int(4096), A.flags('PROT_READ'), A.flags('MAP_PRIVATE', 'MAP_ANONYMOUS'), A.int(-1), A.int(0)], 0x2000000);
    const s = e.state();
    expect(viewProc(s, 1)?.regions.map((r) => r.start)).toEqual([0x1000000]);
    expect(viewProc(s, 2)?.regions.map((r) => r.start)).toEqual([0x2000000]);
  });

  it('thread exit vs process exit', () => {
    const e = new Events().call(1, 'getpid', [], 1);
    e.call(1, 'clone3', [A.struct([['flags', A.flags('CLONE_VM', 'CLONE_FS', 'CLONE_FILES', 'CLONE_SIGHAND', 'CLONE_THREAD', 'CLONE_SYSVSEM')]]), A.int(88)], 5);
    expect(viewProc(e.state(), 1)?.threads).toEqual([1, 5]);
    e.call(1, 'exit', [A.int(0)], 0, { tid: 5, flags: CallFlags.noReturn | CallFlags.retvalUnknown });
    let v = viewProc(e.state(), 1);
    expect(v?.threads).toEqual([1]);
    expect(v?.exit).toBeUndefined();
    e.call(1, 'exit_group', [A.int(3)], 0, { flags: CallFlags.noReturn | CallFlags.retvalUnknown });
    v = viewProc(e.state(), 1);
    expect(v?.threads).toEqual([]);
    expect(v?.exit).toEqual({ status: 3, signal: 0, seq: 3 });
    expect(v?.fds).toEqual([]);
  });

  it('the last thread exiting with exit() ends the process', () => {
    const e = new Events().call(1, 'getpid', [], 1).call(1, 'exit', [A.int(7)], 0, { flags: CallFlags.noReturn | CallFlags.retvalUnknown });
    expect(viewProc(e.state(), 1)?.exit?.status).toBe(7);
  });

  it('lifecycle events: start (root, child, thread), exec, exit by signal', () => {
    const e = new Events();
    e.add({ kind: 'start', pid: 10, tid: 10, parentPid: 0, isThread: false, cloneFlags: 0, isRoot: true });
    e.add({ kind: 'exec', pid: 10, tid: 10, path: '/bin/sh', argv: ['sh', '-c', 'x'], env: [], oldPid: 10 });
    e.add({ kind: 'start', pid: 11, tid: 11, parentPid: 10, isThread: false, cloneFlags: 0x11, isRoot: false });
    e.add({ kind: 'start', pid: 11, tid: 12, parentPid: 11, isThread: true, cloneFlags: 0x10f00, isRoot: false });
    e.add({ kind: 'exit', pid: 11, tid: 12, status: 0, signal: 0, coreDumped: false, threadOnly: true });
    let s = e.state();
    expect(viewProc(s, 11)?.threads).toEqual([11]);
    expect(viewProc(s, 11)?.argv).toEqual(['sh', '-c', 'x']);
    e.add({ kind: 'exit', pid: 11, tid: 11, status: 0, signal: 9, coreDumped: false, threadOnly: false });
    s = e.state();
    expect(viewProc(s, 11)?.exit).toMatchObject({ signal: 9 });
    expect(processTree(s).map((l) => [l.depth, l.pid])).toEqual([
      [0, 10],
      [1, 11],
    ]);
  });

  it('a process first seen mid-trace is inferred, never fatal', () => {
    const e = new Events().call(1, 'getpid', [], 1).call(99, 'read', [A.fd(0), A.str(''), A.int(1)], 0);
    expect(viewProc(e.state(), 99)?.inferred).toBe(true);
  });
});

describe('memory rules', () => {
  const mmap = (e: Events, addr: number, len: number, fd = -1, prot = ['PROT_READ'], flags = fd < 0 ? ['MAP_PRIVATE', 'MAP_ANONYMOUS'] : ['MAP_PRIVATE', 'MAP_DENYWRITE'], off = 0) =>
    e.call(1, 'mmap', [A.sym('NULL'), A.int(len), A.flags(...prot), A.flags(...flags), fd < 0 ? A.int(-1) : A.fd(fd), A.int(off, 16)], addr);
  const regions = (s: KernelState) => viewProc(s, 1)?.regions.map((r) => `${r.start.toString(16)}-${r.end.toString(16)} ${r.prot} ${r.path}@${r.offset.toString(16)}`);

  it('file-backed mmap takes the path of the fd; munmap splits', () => {
    const e = new Events().call(1, 'getpid', [], 1);
    openat(e, 1, '/lib/libc.so.6', 3);
    mmap(e, 0x10000, 0x5000, 3, ['PROT_READ', 'PROT_EXEC']);
    e.call(1, 'munmap', [A.int(0x11000, 16), A.int(0x1000)]);
    expect(regions(e.state())).toEqual(['10000-11000 5 /lib/libc.so.6@0', '12000-15000 5 /lib/libc.so.6@2000']);
  });

  it('mprotect splits a region in three', () => {
    const e = new Events().call(1, 'getpid', [], 1);
    mmap(e, 0x10000, 0x3000);
    e.call(1, 'mprotect', [A.int(0x11000, 16), A.int(0x1000), A.flags('PROT_READ', 'PROT_WRITE')]);
    expect(regions(e.state())).toEqual(['10000-11000 1 [anon]@0', '11000-12000 3 [anon]@1000', '12000-13000 1 [anon]@2000']);
  });

  it('MAP_FIXED over an existing mapping replaces that part', () => {
    const e = new Events().call(1, 'getpid', [], 1);
    openat(e, 1, '/lib/ld.so', 3);
    mmap(e, 0x10000, 0x4000, 3);
    e.call(1, 'mmap', [A.int(0x11000, 16), A.int(0x1000), A.flags('PROT_READ', 'PROT_WRITE'), A.flags('MAP_PRIVATE', 'MAP_FIXED', 'MAP_ANONYMOUS'), A.int(-1), A.int(0)], 0x11000);
    expect(regions(e.state())).toEqual(['10000-11000 1 /lib/ld.so@0', '11000-12000 3 [anon]@0', '12000-14000 1 /lib/ld.so@2000']);
  });

  it('mremap moves a region (MREMAP_MAYMOVE) and grows in place', () => {
    const e = new Events().call(1, 'getpid', [], 1);
    mmap(e, 0x10000, 0x2000, -1, ['PROT_READ', 'PROT_WRITE']);
    e.call(1, 'mremap', [A.int(0x10000, 16), A.int(0x2000), A.int(0x8000), A.flags('MREMAP_MAYMOVE')], 0x40000);
    expect(regions(e.state())).toEqual(['40000-48000 3 [anon]@0']);
    e.call(1, 'mremap', [A.int(0x40000, 16), A.int(0x8000), A.int(0x9000), A.int(0)], 0x40000);
    expect(regions(e.state())).toEqual(['40000-49000 3 [anon]@0']);
  });

  it('brk grows and shrinks [heap]', () => {
    const e = new Events().call(1, 'getpid', [], 1);
    e.call(1, 'brk', [A.sym('NULL')], 0x555000);
    e.call(1, 'brk', [A.int(0x576000, 16)], 0x576000);
    expect(regions(e.state())).toEqual(['555000-576000 3 [heap]@0']);
    e.call(1, 'brk', [A.int(0x560000, 16)], 0x560000);
    expect(regions(e.state())).toEqual(['555000-560000 3 [heap]@0']);
  });

  it('raw-register mmap (gVisor) records the region', () => {
    const e = new Events().call(1, 'getpid', [], 1);
    e.raw(1, syscallNumber('mmap'), [0, 8192, 3, 0x22, -1, 0], 0x7f0000000000);
    expect(regions(e.state())).toEqual(['7f0000000000-7f0000002000 3 [anon]@0']);
  });
});

describe('purity', () => {
  it('reduce never changes its input and shares what did not change', () => {
    const e = new Events().call(1, 'getpid', [], 1);
    openat(e, 1, '/a', 3);
    const s1 = e.state();
    const before = JSON.stringify([...s1.fdTables.values()].map((t) => [...t]));
    const s2 = reduce(s1, { ...e.list[1], seq: 2 } as never);
    expect(JSON.stringify([...s1.fdTables.values()].map((t) => [...t]))).toBe(before);
    const s3 = reduce(s2, { kind: 'signal', seq: 3, pid: 1, tid: 1, signo: 2, name: 'SIGINT' });
    expect(s3.procs).toBe(s2.procs);
    expect(s3.seq).toBe(4);
    expect(emptyState().seq).toBe(0);
  });
});
