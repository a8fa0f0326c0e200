import { describe, expect, it } from 'vitest';
import { collectStreams, diffStreams, Normalizer, RULES, PROFILE_NAMES, type NormItem } from '../../src/compare/index.js';
import { A, CallFlags } from '../../src/model/index.js';
import { Ev } from './build.js';

function items(e: Ev, profile: 'strict' | 'loose' = 'strict'): NormItem[] {
  const n = new Normalizer(profile, { text: true });
  return e.events.map((ev) => n.push(ev)).filter((x): x is NormItem => !!x);
}

describe('normalization rules', () => {
  it('lists every rule with a description in at least one profile', () => {
    expect(RULES.length).toBeGreaterThan(10);
    for (const r of RULES) {
      expect(r.description.length).toBeGreaterThan(10);
      expect(r.profiles.every((p) => PROFILE_NAMES.includes(p))).toBe(true);
    }
    expect(new Set(RULES.map((r) => r.name)).size).toBe(RULES.length);
  });

  it('tasks-to-ordinals: pids become tree positions independent of their numbers', () => {
    const a = items(new Ev().start(100, 0, { root: true }).call(100, 'getpid', [], { retval: 100 }).call(100, 'clone', [], { retval: 101 }).call(101, 'getppid', [], { retval: 100 }).call(100, 'wait4', [A.int(101)], { retval: 101 }));
    const b = items(new Ev().start(7, 0, { root: true }).call(7, 'getpid', [], { retval: 7 }).call(7, 'clone', [], { retval: 9 }).call(9, 'getppid', [], { retval: 7 }).call(7, 'wait4', [A.int(9)], { retval: 9 }));
    expect(a.map((x) => x.task.path)).toEqual(['1', '1', '1.1', '1']);
    expect(a.map((x) => x.full)).toEqual(b.map((x) => x.full));
    expect(a[3].idText).toBe('wait4(task:1.1)');
  });

  it('set-aside-vdso: clock_gettime and friends are not part of any stream', () => {
    const n = new Normalizer();
    const e = new Ev().call(1, 'clock_gettime').call(1, 'gettimeofday').call(1, 'getcpu').call(1, 'time').call(1, 'read', [A.fd(0)], { flags: CallFlags.vdso }).call(1, 'getuid');
    const got = e.events.map((ev) => n.push(ev)).filter(Boolean);
    expect(got).toHaveLength(1);
    expect(n.setAside.count).toBe(5);
    expect(n.setAside.byName.get('clock_gettime')).toBe(1);
  });

  it('drop-times: times and durations do not change a key', () => {
    const a = items(new Ev().call(1, 'getuid', [], { timeNs: 5, durationNs: 10 }));
    const b = items(new Ev().call(1, 'getuid', [], { timeNs: 99999, durationNs: 1 }));
    expect(a[0].full).toBe(b[0].full);
  });

  it('fds-to-targets: fd arguments become the path they were opened for', () => {
    const a = items(new Ev().openat(1, '/etc/hosts', 3).read(1, 3, 'x'));
    const b = items(new Ev().openat(1, '/etc/hosts', 7).read(1, 7, 'x'));
    expect(a[1].idText).toBe('read(/etc/hosts)');
    expect(a.map((x) => x.full)).toEqual(b.map((x) => x.full));
    const c = items(new Ev().openat(1, '/etc/passwd', 3).read(1, 3, 'x'));
    expect(c[1].id).not.toBe(a[1].id);
  });

  it('fds-to-targets: dup, pipe and close are followed; inherited fds keep their number', () => {
    const e = new Ev()
      .openat(1, '/a', 3)
      .call(1, 'dup', [A.fd(3)], { retval: 4 })
      .call(1, 'close', [A.fd(3)])
      .call(1, 'pipe2', [A.array([A.int(5), A.int(6)]), A.int(0)])
      .call(1, 'write', [A.fd(6), A.str('hi'), A.int(2)], { retval: 2 })
      .call(1, 'read', [A.fd(4)], { retval: 0 })
      .call(1, 'write', [A.fd(1)], { retval: 1 });
    const got = items(e).map((x) => x.idText);
    expect(got.slice(4)).toEqual(['write(pipe:1)', 'read(/a)', 'write(fd1)']);
  });

  it('fds-to-targets: raw arguments (no decoded args) use the same tables', () => {
    const decoded = items(new Ev().openat(1, '/x', 3).call(1, 'fstat', [A.fd(3), A.raw('0x7ffd')]));
    const raw = items(new Ev().openat(1, '/x', 3).call(1, 'fstat', [], { rawArgs: [3, 0x7ffd] }));
    expect(raw[1].idText).toBe(decoded[1].idText);
  });

  it('drop-fd-results and drop-addresses: new fd numbers and mmap addresses do not matter', () => {
    const a = items(new Ev().call(1, 'mmap', [A.int(0, 16)], { retval: 0x7f0000001000 }).call(1, 'socket', [], { retval: 3 }));
    const b = items(new Ev().call(1, 'mmap', [A.int(0, 16)], { retval: 0x7f9999999000 }).call(1, 'socket', [], { retval: 5 }));
    expect(a.map((x) => x.full)).toEqual(b.map((x) => x.full));
  });

  it('errno-by-name and retval-semantic: errno and byte counts are compared', () => {
    const ok = items(new Ev().call(1, 'rseq', [], { retval: 0 }))[0];
    const nosys = items(new Ev().call(1, 'rseq', [], { retval: -1, errno: 38 }))[0];
    expect(ok.id).toBe(nosys.id);
    expect(ok.res).not.toBe(nosys.res);
    const r1 = items(new Ev().call(1, 'write', [A.fd(1)], { retval: 5 }))[0];
    const r2 = items(new Ev().call(1, 'write', [A.fd(1)], { retval: 4 }))[0];
    expect(r1.res).not.toBe(r2.res);
  });

  it('retval-success-only (loose): successful values are ignored, errnos kept', () => {
    const r1 = items(new Ev().call(1, 'write', [A.fd(1)], { retval: 5 }), 'loose')[0];
    const r2 = items(new Ev().call(1, 'write', [A.fd(1)], { retval: 4 }), 'loose')[0];
    const r3 = items(new Ev().call(1, 'write', [A.fd(1)], { retval: -1, errno: 9 }), 'loose')[0];
    expect(r1.full).toBe(r2.full);
    expect(r1.full).not.toBe(r3.full);
  });

  it('unfinished-as-unknown: exit_group compares by name only', () => {
    const a = items(new Ev().call(1, 'exit_group', [A.int(0)], { flags: CallFlags.noReturn | CallFlags.retvalUnknown }))[0];
    const b = items(new Ev().call(1, 'exit_group', [A.int(0)], { flags: CallFlags.noReturn | CallFlags.retvalUnknown, retval: 12 }))[0];
    expect(a.full).toBe(b.full);
  });

  it('data-prefix (strict) and ignore-data (loose): data read compares by length and first bytes', () => {
    const a = new Ev().openat(1, '/f', 3).read(1, 3, 'hello');
    const b = new Ev().openat(1, '/f', 3).read(1, 3, 'jello');
    expect(items(a)[1].data).not.toBe(items(b)[1].data);
    expect(items(a)[1].res).toBe(items(b)[1].res);
    expect(items(a, 'loose')[1].data).toBe(0);
    const long1 = new Ev().read(1, 0, `${'x'.repeat(32)}AAAA`);
    const long2 = new Ev().read(1, 0, `${'x'.repeat(32)}BBBB`);
    expect(items(long1)[0].data).toBe(items(long2)[0].data);
  });

  it('struct-semantic and drop-inode-device: stat keeps mode and size, drops inode and device', () => {
    const st = (ino: number, size: number) => A.struct([['st_dev', A.fn('makedev', [A.int(8), A.int(1)])], ['st_ino', A.int(ino)], ['st_mode', A.flags('S_IFREG', '0644')], ['st_size', A.int(size)]]);
    const a = items(new Ev().call(1, 'newfstatat', [A.fd(-100), A.str('/f'), st(11, 5), A.int(0)]))[0];
    const b = items(new Ev().call(1, 'newfstatat', [A.fd(-100), A.str('/f'), st(99, 5), A.int(0)]))[0];
    const c = items(new Ev().call(1, 'newfstatat', [A.fd(-100), A.str('/f'), st(11, 6), A.int(0)]))[0];
    expect(a.data).toBe(b.data);
    expect(a.data).not.toBe(c.data);
  });

  it('data-when-both: a side without data does not diverge; ignore-random-data: getrandom is never compared', () => {
    const withData = new Ev().openat(1, '/f', 3).read(1, 3, 'hello');
    const without = new Ev().openat(1, '/f', 3).call(1, 'read', [], { rawArgs: [3, 0x1000, 4096], retval: 5 });
    expect(diffStreams(collectStreams(withData.events), collectStreams(without.events)).equal).toBe(true);
    const other = new Ev().openat(1, '/f', 3).read(1, 3, 'jello');
    expect(diffStreams(collectStreams(withData.events), collectStreams(other.events)).divergences.map((d) => d.kind)).toEqual(['data']);
    const r1 = items(new Ev().call(1, 'getrandom', [A.buf(0)], { retval: 8, buffers: [{ argIndex: 0, out: true, data: Buffer.from('12345678'), fullLength: 0, truncated: false, element: -1 }] }))[0];
    const r2 = items(new Ev().call(1, 'getrandom', [A.buf(0)], { retval: 8, buffers: [{ argIndex: 0, out: true, data: Buffer.from('abcdefgh'), fullLength: 0, truncated: false, element: -1 }] }))[0];
    expect(r1.data).toBe(0);
    expect(r2.data).toBe(0);
  });

  it('paths-when-both: a call whose path one trace lacks is compared without paths on both sides', () => {
    const decoded = new Ev().call(1, 'access', [A.str('/etc/ld.so.preload'), A.int(4)], { retval: -1, errno: 2 }).call(1, 'rseq', [], { retval: 0 });
    const raw = new Ev().call(1, 'access', [], { rawArgs: [0x7f00, 4], retval: -1, errno: 2 }).call(1, 'rseq', [], { retval: -1, errno: 38 });
    const r = diffStreams(collectStreams(decoded.events), collectStreams(raw.events));
    expect(r.pathless).toEqual(['access']);
    expect(r.divergences.map((d) => [d.kind, d.name])).toEqual([['errno', 'rseq']]);
  });

  it('lifecycle-events: exec, signal and exit are stream items; exit is an outcome', () => {
    const got = items(new Ev().exec(1, '/bin/true').exit(1, 3));
    expect(got.map((x) => x.name)).toEqual(['exec', 'exit']);
    expect(got[1].outcome).toBe(true);
    const other = items(new Ev().exec(1, '/bin/true').exit(1, 0));
    expect(other[1].full).not.toBe(got[1].full);
  });

  it('collectStreams keeps one stream per task', () => {
    const s = collectStreams(new Ev().start(1, 0, { root: true }).call(1, 'getuid').start(2, 1).call(2, 'getuid').call(1, 'getgid').events);
    expect(s.tasks.map((t) => t.path)).toEqual(['1', '1.1']);
    expect(Array.from(s.streams.get(s.tasks[0])!.seqs)).toEqual([1, 4]);
  });
});
