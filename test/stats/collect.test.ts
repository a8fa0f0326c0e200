import { describe, expect, it } from 'vitest';
import { A, makeCall, type TraceEvent } from '../../src/model/index.js';
import { renderStatsText, StatsCollector, type StatsBy } from '../../src/stats/index.js';

let seq = 0;
function call(name: string, pid: number, o: Partial<Parameters<typeof makeCall>[0]> = {}): TraceEvent {
  return { ...makeCall({ name, pid, ...o }), seq: seq++ } as TraceEvent;
}

function collect(by: StatsBy, evs: TraceEvent[], top?: number, maxKeys?: number) {
  const c = new StatsCollector({ by, top, maxKeys });
  for (const e of evs) c.add(e);
  return c.result();
}

const EVENTS: TraceEvent[] = [
  { kind: 'exec', seq: seq++, pid: 10, tid: 10, path: '/usr/bin/make', argv: ['make', 'all'], env: [], oldPid: 10 },
  call('openat', 10, { args: [A.fd(-100), A.str('/etc/passwd'), A.flags('O_RDONLY')], retval: 3, durationNs: 1000 }),
  call('openat', 10, { args: [A.fd(-100), A.str('/nope'), A.flags('O_RDONLY')], retval: -1, errno: 2, durationNs: 3000 }),
  call('read', 10, { args: [A.fd(3, '/etc/passwd'), A.str('x'), A.int(1)], retval: 1, durationNs: 500 }),
  call('read', 11, { args: [A.fd(0), A.str(''), A.int(1)], retval: -1, errno: 11, durationNs: 500 }),
  call('newfstatat', 11, { args: [A.fd(5, '/srv'), A.str('data/x'), A.raw('0x1'), A.int(0)], retval: -1, errno: 2, durationNs: 10000 }),
  call('getpid', 11, { retval: 11 }),
];

describe('StatsCollector', () => {
  it('counts calls, errors, total and mean time per call, sorted by time like strace -c', () => {
    const s = collect('call', EVENTS);
    expect(s.rows.map((r) => [r.key, r.calls, r.errors, r.totalNs])).toEqual([
      ['newfstatat', 1, 1, 10000],
      ['openat', 2, 1, 4000],
      ['read', 2, 1, 1000],
      ['getpid', 1, 0, 0],
    ]);
    expect(s.rows[1].meanNs).toBe(2000);
    expect(s.rows[0].percentTime).toBeCloseTo((100 * 10000) / 15000);
    expect(s.total).toEqual({ calls: 6, errors: 3, totalNs: 15000, timedCalls: 5 });
    expect(s.timed).toBe(true);
  });

  it('sorts by count when no call has a duration', () => {
    const s = collect('call', [call('b', 1), call('a', 1), call('a', 1)]);
    expect(s.timed).toBe(false);
    expect(s.rows.map((r) => r.key)).toEqual(['a', 'b']);
    expect(renderStatsText(s)).toContain('calls    errors syscall');
  });

  it('groups per process with the command line from exec', () => {
    const s = collect('process', EVENTS);
    expect(s.rows.map((r) => [r.key, r.calls, r.errors, r.detail])).toEqual([
      ['11', 3, 2, undefined],
      ['10', 3, 1, 'make all'],
    ]);
  });

  it('groups failures per errno with the calls that produced them', () => {
    const s = collect('errno', EVENTS);
    expect(s.rows.map((r) => [r.key, r.calls, r.detail])).toEqual([
      ['ENOENT', 2, 'newfstatat 1, openat 1'],
      ['EAGAIN', 1, 'read 1'],
    ]);
  });

  it('lists paths touched with failures, joining relative paths to their directory fd', () => {
    const s = collect('path', EVENTS);
    expect(s.rows.map((r) => [r.key, r.calls, r.errors])).toEqual([
      ['/etc/passwd', 2, 0],
      ['/nope', 1, 1],
      ['/srv/data/x', 1, 1],
    ]);
    expect(s.covered).toEqual({ calls: 4, errors: 2 });
  });

  it('keeps the top N rows and says how many were left out', () => {
    const s = collect('call', EVENTS, 2);
    expect(s.rows.length).toBe(2);
    expect(s.omittedRows).toBe(2);
    expect(renderStatsText(s)).toContain('... 2 more');
  });

  it('pools keys beyond the memory limit as (other)', () => {
    const evs = Array.from({ length: 10 }, (_, i) => call(`c${i}`, 1));
    const s = collect('call', evs, undefined, 3);
    expect(s.overflowKeys).toBe(true);
    expect(s.rows.find((r) => r.key === '(other)')?.calls).toBe(7);
    expect(s.rows.reduce((n, r) => n + r.calls, 0)).toBe(10);
  });
});
