import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TraceReader, TraceWriter } from '../../src/format/index.js';
import { CHUNK_HEADER_SIZE } from '../../src/format/layout.js';
import { A, makeCall, makeHeader } from '../../src/model/index.js';
import { runCli, tempDir } from '../helpers/cli.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const file = path.join(tmp.dir, 'small.ptrace');
const w = TraceWriter.create(file, makeHeader({ backend: 'native', argv: ['cat', '/etc/hostname'], cwd: '/root', startTimeNs: 1764300000000000000n }), { chunkEvents: 4 });
w.append({ kind: 'start', pid: 10, tid: 10, timeNs: 0, parentPid: 1, isThread: false, cloneFlags: 0, isRoot: true });
w.append({ kind: 'exec', pid: 10, tid: 10, timeNs: 10, path: '/usr/bin/cat', argv: ['cat', '/etc/hostname'], env: [], oldPid: 0 });
w.append(makeCall({ name: 'openat', pid: 10, timeNs: 1000, durationNs: 5000, args: [A.fd(-100), A.str('/etc/hostname'), A.flags('O_RDONLY')], retval: 3, retAnnotation: '/etc/hostname' }));
w.append(makeCall({ name: 'read', pid: 10, timeNs: 2000, args: [A.fd(3, '/etc/hostname'), A.buf(0), A.int(131072)], retval: 3, buffers: [{ argIndex: 1, out: true, data: Buffer.from('vm\n'), fullLength: 0, truncated: false, element: -1 }] }));
w.append(makeCall({ name: 'openat', pid: 10, tid: 11, timeNs: 3000, args: [A.fd(-100), A.str('/nope'), A.flags('O_RDONLY')], retval: -1, errno: 2 }));
w.append(makeCall({ name: 'write', pid: 10, timeNs: 4000, args: [A.fd(1, '/dev/pts/0'), A.buf(0), A.int(3)], retval: 3, buffers: [{ argIndex: 1, out: false, data: Buffer.from('vm\n'), fullLength: 0, truncated: false, element: -1 }] }));
w.append(makeCall({ name: 'exit_group', pid: 10, timeNs: 5000, args: [A.int(0)], flags: 4 | 8 }));
w.append({ kind: 'exit', pid: 10, tid: 10, timeNs: 6000, status: 0, signal: 0, coreDumped: false, threadOnly: false });
w.close();
const bytes = fs.readFileSync(file);
const secondChunk = TraceReader.open(file).chunks[1].offset;

function variant(name: string, data: Buffer): string {
  const f = path.join(tmp.dir, name);
  fs.writeFileSync(f, data);
  return f;
}

describe('picotrace info', () => {
  it('reports header, counts, errno, processes and integrity', () => {
    const r = runCli(['info', file]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('run:        native cat /etc/hostname');
    expect(r.stdout).toMatch(/events:\s+8 \(5 calls, 1 failed/);
    expect(r.stdout).toMatch(/processes:\s+1 \(2 threads\)/);
    expect(r.stdout).toMatch(/\n\s+2\s+1\s+openat\n/);
    expect(r.stdout).toMatch(/\n\s+1\s+ENOENT\n/);
    expect(r.stdout).toContain('integrity:  ok');
    expect(r.stdout).toMatch(/chunks:\s+2/);
    expect(r.stderr).toBe('');
  });

  it('prints JSON with --json', () => {
    const r = runCli(['info', '--json', file]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.calls).toBe(5);
    expect(j.perErrno).toEqual([{ errno: 'ENOENT', count: 1 }]);
    expect(j.header.startTimeNs).toBe('1764300000000000000');
    expect(j.integrity.footer).toBe(true);
  });

  it('says how many events were recovered and where the damage starts', () => {
    const f = variant('cut.ptrace', bytes.subarray(0, bytes.length - 40));
    const r = runCli(['info', f]);
    expect(r.code).toBe(3);
    expect(r.stdout).toContain('integrity:  DAMAGED: 8 events recovered');
    expect(r.stderr).toMatch(/^picotrace: .*cut\.ptrace: truncated in the footer at offset \d+\n$/);
  });
});

describe('picotrace dump', () => {
  it('prints strace-like lines', () => {
    const r = runCli(['dump', file]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(8);
    expect(lines[2]).toBe('10 03:20:00.000001 openat(AT_FDCWD, "/etc/hostname", O_RDONLY) = 3</etc/hostname>');
    expect(lines[3]).toBe('10 03:20:00.000002 read(3</etc/hostname>, "vm\\n", 131072) = 3');
    expect(lines[4]).toBe('10/11 03:20:00.000003 openat(AT_FDCWD, "/nope", O_RDONLY) = -1 ENOENT (No such file or directory)');
    expect(lines[6]).toBe('10 03:20:00.000005 exit_group(0) = ?');
    expect(lines[7]).toBe('10 03:20:00.000006 +++ exited with 0 +++');
  });

  it('filters by range, pid, tid, call and failure', () => {
    expect(runCli(['dump', file, '--from', '3', '--count', '2']).stdout.trimEnd().split('\n').map((l) => l.split(' ')[2].split('(')[0])).toEqual(['read', 'openat']);
    expect(runCli(['dump', file, '--failed']).stdout).toMatch(/^10\/11 .*ENOENT.*\n$/);
    expect(runCli(['dump', file, '--tid', '11']).stdout.trimEnd().split('\n')).toHaveLength(1);
    expect(runCli(['dump', file, '--call', 'read,write']).stdout.trimEnd().split('\n')).toHaveLength(2);
    expect(runCli(['dump', file, '--pid', '99']).stdout).toBe('');
  });

  it('prints JSON lines with --json', () => {
    const r = runCli(['dump', file, '--json', '--call', 'read']);
    const j = JSON.parse(r.stdout.trim());
    expect(j).toMatchObject({ seq: 3, name: 'read', retval: 3, pid: 10 });
    expect(j.buffers[0].data).toBe(Buffer.from('vm\n').toString('hex'));
    expect(j.args[0]).toEqual({ k: 'fd', fd: 3, path: '/etc/hostname' });
  });

  it('prints what is intact from a damaged chunk trace and exits 3', () => {
    const data = Buffer.from(bytes);
    data[20 + (data.readUInt32LE(12)) + CHUNK_HEADER_SIZE + 3] ^= 0x55;
    const f = variant('flip.ptrace', data);
    const r = runCli(['dump', f]);
    expect(r.code).toBe(3);
    expect(r.stdout.trimEnd().split('\n')).toHaveLength(4);
    expect(r.stderr).toMatch(/^picotrace: .*flip\.ptrace: chunk checksum mismatch at offset \d+ \(chunk skipped\)\n$/);
  });
});

describe('bad input gets one line and an exit code, never a stack trace', () => {
  const cases: [string, () => string, number, RegExp][] = [
    ['a missing file', () => path.join(tmp.dir, 'missing.ptrace'), 2, /missing\.ptrace: no such file$/],
    ['a directory', () => tmp.dir, 2, /: is a directory, not a file$/],
    ['an empty file', () => variant('empty.ptrace', Buffer.alloc(0)), 3, /empty\.ptrace: empty file, not a trace at offset 0$/],
    ['a file that is not a trace', () => variant('notrace.ptrace', Buffer.from('hello world, this is text\n')), 3, /not a picotrace trace \(bad magic\) at offset 0$/],
    ['truncated in the header', () => variant('hdr.ptrace', bytes.subarray(0, 30)), 3, /truncated in the file header at offset \d+$/],
    ['truncated mid-chunk', () => variant('mid.ptrace', bytes.subarray(0, secondChunk + CHUNK_HEADER_SIZE + 4)), 3, /truncated in the middle of a chunk at offset \d+$/],
    ['truncated in the footer', () => variant('foot.ptrace', bytes.subarray(0, bytes.length - 10)), 3, /(footer|no footer).* at offset \d+$/],
    [
      'a newer format version',
      () => {
        const d = Buffer.from(bytes);
        d.writeUInt32LE(9, 8);
        return variant('v9.ptrace', d);
      },
      3,
      /format version 9 is newer than this picotrace reads \(up to 1\); upgrade picotrace to read it$/,
    ],
  ];
  it.each(cases)('%s', (_name, make, code, msg) => {
    const f = make();
    for (const cmd of ['info', 'dump']) {
      const r = runCli([cmd, f]);
      expect(r.code, `${cmd}: ${r.stderr}`).toBe(code);
      const lines = r.stderr.trimEnd().split('\n');
      expect(lines.length).toBe(1);
      expect(lines[0]).toMatch(/^picotrace: /);
      expect(lines[0]).toMatch(msg);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('usage errors exit 2 with one line', () => {
    for (const args of [['dump'], ['dump', file, '--from', 'abc'], ['dump', file, '--pid', 'x'], ['info', file, '--bogus'], ['nosuchcommand']]) {
      const r = runCli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trimEnd().split('\n').filter((l) => l.startsWith('picotrace:')).length).toBe(1);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });
});
