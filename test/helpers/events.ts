import { A, makeCall, type NewEvent } from '../../src/model/index.js';

/** A small deterministic PRNG (mulberry32) so generated traces are reproducible. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Events of every kind with varied fields, `n` of them, times increasing by 1 µs. */
export function sampleEvents(n: number, seed = 1): NewEvent[] {
  const r = rng(seed);
  const out: NewEvent[] = [];
  for (let i = 0; i < n; i++) {
    const pid = 1000 + Math.floor(r() * 3);
    const t = i * 1000;
    const k = i % 10;
    if (k === 0) out.push({ kind: 'start', pid, tid: pid, timeNs: t, parentPid: 999, isThread: false, cloneFlags: 0x1200011, isRoot: i === 0 });
    else if (k === 1) out.push({ kind: 'exec', pid, tid: pid, timeNs: t, path: '/usr/bin/ls', argv: ['ls', '-l', 'dïr ü'], env: [{ name: 'HOME', value: '/root' }], oldPid: 0 });
    else if (k === 2) out.push({ kind: 'signal', pid, tid: pid + 1, timeNs: t, signo: 17, name: 'SIGCHLD', info: A.struct([['si_signo', A.sym('SIGCHLD')], ['si_pid', A.int(pid)]]), stack: i % 4 === 2 ? ['/usr/bin/dash() [0xbcc0]'] : undefined });
    else if (k === 3) out.push({ kind: 'exit', pid, tid: pid, timeNs: t, status: 3, signal: 0, coreDumped: false, threadOnly: false, stack: i % 4 === 3 ? ['libc.so.6(_exit+0x29) [0xd4409]', 'ü'] : undefined });
    else if (k === 4) out.push({ kind: 'unparsed', pid: 0, tid: 0, source: 'log.txt', line: i, text: 'garbled ( line', reason: 'unbalanced parenthesis' });
    else
      out.push(
        makeCall({
          name: ['openat', 'read', 'write', 'mmap', 'close'][k - 5],
          pid,
          tid: pid,
          timeNs: t,
          sysno: k,
          rawArgs: [-100, 2n ** 63n - 1n, -(2n ** 63n), 0xffffffff, 0, Math.floor(r() * 1e9)],
          args: [A.fd(-100, '/home/ü/dir'), A.str(`/etc/file-${i}`), A.flags('O_RDONLY', 'O_CLOEXEC'), A.buf(0), A.int(0o644, 8), A.int(0x7fff0000, 16)],
          retval: i % 7 === 0 ? -1 : i,
          errno: i % 7 === 0 ? 2 : 0,
          durationNs: 1500,
          flags: i % 11 === 0 ? 2 : 0,
          retAnnotation: i % 2 ? '/etc/passwd' : undefined,
          stack: i % 3 === 0 ? ['/usr/lib/x86_64-linux-gnu/libc.so.6(__open64+0x1b) [0xf1d2b]', '/usr/bin/dïr() [0x66a8]'] : undefined,
          buffers: [{ argIndex: 3, out: true, data: Buffer.from(`data ${i}\n\x00\xff`, 'latin1'), fullLength: 100, truncated: true, element: -1 }],
        }),
      );
  }
  return out;
}
