import { TraceWriter, type WriterOptions } from '../../src/format/index.js';
import { A, makeCall, makeHeader, type NewEvent, type TraceHeader } from '../../src/model/index.js';

/** Secrets planted in sample traces; none may survive a scrub. */
export const SECRETS = {
  fileData: 'TOPSECRET-file-contents-4f1d',
  writeData: 'TOPSECRET-written-7a2c',
  iovData: 'TOPSECRET-iovec-9e3b',
  envValue: 'TOPSECRET-env-value-c81e',
  unparsed: 'TOPSECRET-unparsed-55aa',
};

/** Options of sampleEvents. */
export interface SampleOptions {
  /** The home directory used in paths. */
  home?: string;
  /** Repeat the workload this many times (default 1). */
  repeat?: number;
  /** Replace the first stat's errno to make a divergence (for diff tests). */
  statErrno?: number;
  /** Data read from the secret file (default SECRETS.fileData). */
  fileData?: string;
}

/** The header of a sample trace, with an environment holding a secret value. */
export function sampleHeader(o: SampleOptions = {}): TraceHeader {
  const home = o.home ?? '/home/alice';
  return makeHeader({
    backend: 'native',
    argv: ['/bin/sh', '-c', `cat ${home}/secret.txt`],
    cwd: `${home}/project`,
    env: [
      { name: 'HOME', value: home },
      { name: 'API_TOKEN', value: SECRETS.envValue },
      { name: 'PATH', value: `${home}/bin:/usr/bin` },
    ],
    startTimeNs: 1_700_000_000_000_000_000n,
    captureOptions: { output: `${home}/traces/run.ptrace`, bufferSize: '4096' },
    hostKernel: '6.1.0',
    runtimeName: 'linux',
    hostname: 'buildbox',
    writer: 'test',
  });
}

/** A realistic event stream: a shell forks cat, which opens, reads and writes a secret file, with a failure, a signal and exits. */
export function* sampleEvents(o: SampleOptions = {}): Generator<NewEvent> {
  const home = o.home ?? '/home/alice';
  const data = Buffer.from(o.fileData ?? SECRETS.fileData);
  let t = 1000;
  const step = (d = 1500) => (t += d);
  yield { kind: 'start', pid: 100, tid: 100, timeNs: 0, parentPid: 1, isThread: false, cloneFlags: 0, isRoot: true };
  yield {
    kind: 'exec',
    pid: 100,
    tid: 100,
    timeNs: step(),
    path: '/bin/sh',
    argv: ['/bin/sh', '-c', `cat ${home}/secret.txt`],
    env: [
      { name: 'HOME', value: home },
      { name: 'API_TOKEN', value: SECRETS.envValue },
    ],
    oldPid: 100,
  };
  for (let r = 0; r < (o.repeat ?? 1); r++) {
    const child = 101 + 2 * r;
    yield makeCall({ name: 'clone', pid: 100, timeNs: step(), args: [A.flags('CLONE_CHILD_SETTID', 'SIGCHLD')], retval: child, durationNs: 40000 });
    yield { kind: 'start', pid: child, tid: child, timeNs: step(), parentPid: 100, isThread: false, cloneFlags: 17, isRoot: false };
    yield makeCall({
      name: 'execve',
      pid: child,
      timeNs: step(),
      args: [A.str('/bin/cat'), A.array([A.str('cat'), A.str(`${home}/secret.txt`)]), A.array([A.str(`HOME=${home}`), A.str(`API_TOKEN=${SECRETS.envValue}`)])],
      durationNs: 250000,
    });
    yield { kind: 'exec', pid: child, tid: child, timeNs: step(), path: '/bin/cat', argv: ['cat', `${home}/secret.txt`], env: [{ name: 'API_TOKEN', value: SECRETS.envValue }], oldPid: child };
    yield makeCall({ name: 'newfstatat', pid: child, timeNs: step(), args: [A.fd(-100), A.str(`${home}/.config`), A.raw('0x7ffd0000'), A.flags('0')], retval: -1, errno: o.statErrno ?? 2, durationNs: 3000 });
    yield makeCall({ name: 'openat', pid: child, timeNs: step(), args: [A.fd(-100), A.str(`${home}/secret.txt`), A.flags('O_RDONLY')], retval: 3, retAnnotation: `${home}/secret.txt`, durationNs: 9000 });
    yield makeCall({
      name: 'read',
      pid: child,
      timeNs: step(),
      args: [A.fd(3, `${home}/secret.txt`), A.buf(0), A.int(131072)],
      retval: data.length,
      buffers: [{ argIndex: 1, out: true, data: new Uint8Array(data), fullLength: 0, truncated: false, element: -1 }],
      durationNs: 5000,
    });
    yield makeCall({ name: 'write', pid: child, timeNs: step(), args: [A.fd(1, '/dev/pts/0'), A.str(SECRETS.writeData), A.int(SECRETS.writeData.length)], retval: SECRETS.writeData.length, durationNs: 7000 });
    yield makeCall({
      name: 'writev',
      pid: child,
      timeNs: step(),
      args: [A.fd(2), A.array([A.struct([['iov_base', A.str(SECRETS.iovData)], ['iov_len', A.int(SECRETS.iovData.length)]]), A.struct([['iov_base', A.str('\n')], ['iov_len', A.int(1)]])]), A.int(2)],
      retval: SECRETS.iovData.length + 1,
      durationNs: 6000,
    });
    yield makeCall({ name: 'read', pid: child, timeNs: step(), args: [A.fd(3, `${home}/secret.txt`), A.str(''), A.int(131072)], retval: 0, durationNs: 2000 });
    yield makeCall({ name: 'close', pid: child, timeNs: step(), args: [A.fd(3, `${home}/secret.txt`)], durationNs: 1000 });
    yield makeCall({ name: 'exit_group', pid: child, timeNs: step(), args: [A.int(0)], flags: 4 | 8 });
    yield { kind: 'exit', pid: child, tid: child, timeNs: step(), status: 0, signal: 0, coreDumped: false, threadOnly: false };
    yield { kind: 'signal', pid: 100, tid: 100, timeNs: step(), signo: 17, name: 'SIGCHLD', info: A.struct([['si_signo', A.sym('SIGCHLD')], ['si_pid', A.int(child)]]) };
    yield makeCall({ name: 'wait4', pid: 100, timeNs: step(), args: [A.int(-1), A.raw('[{WIFEXITED(s) && WEXITSTATUS(s) == 0}]'), A.int(0), A.sym('NULL')], retval: child, durationNs: 400000 });
  }
  yield { kind: 'unparsed', pid: 100, tid: 100, timeNs: step(), source: 'strace.log', line: 42, text: `write(1, "${SECRETS.unparsed}", 23 <garbled`, reason: 'cannot parse' };
  yield makeCall({ name: 'exit_group', pid: 100, timeNs: step(), args: [A.int(0)], flags: 4 | 8 });
  yield { kind: 'exit', pid: 100, tid: 100, timeNs: step(), status: 0, signal: 0, coreDumped: false, threadOnly: false };
}

/** Writes a sample trace to `file` and returns the number of events. */
export function writeSampleTrace(file: string, o: SampleOptions = {}, w: WriterOptions = {}): number {
  const writer = TraceWriter.create(file, sampleHeader(o), w);
  for (const ev of sampleEvents(o)) writer.append(ev);
  const n = writer.count;
  writer.close();
  return n;
}
