import { describe, expect, it } from 'vitest';
import { collectStreams, diffStreams, pairTasks } from '../../src/compare/index.js';
import { A } from '../../src/model/index.js';
import { Ev } from './build.js';

function forkTwo(order: 'ab' | 'ba', pids: [number, number, number]): Ev {
  const [p, c1, c2] = pids;
  const e = new Ev().start(p, 0, { root: true }).exec(p, '/bin/sh');
  e.call(p, 'clone', [], { retval: c1 }).start(c1, p);
  e.call(p, 'clone', [], { retval: c2 }).start(c2, p);
  const runA = () => e.exec(c1, '/bin/ls').call(c1, 'getdents64', [], { retval: 0 }).exit(c1, 0);
  const runB = () => e.exec(c2, '/bin/cat').call(c2, 'read', [], { retval: 0 }).exit(c2, 0);
  if (order === 'ab') {
    runA();
    runB();
  } else {
    runB();
    runA();
  }
  return e.exit(p, 0);
}

describe('process pairing', () => {
  it('pairs children by creation order and program, whatever order they ran in', () => {
    const a = collectStreams(forkTwo('ab', [100, 101, 102]).events);
    const b = collectStreams(forkTwo('ba', [500, 730, 612]).events);
    const pairs = pairTasks(a.tasks, b.tasks);
    expect(pairs.map((p) => [p.a?.path, p.b?.path])).toEqual([
      ['1', '1'],
      ['1.1', '1.1'],
      ['1.2', '1.2'],
    ]);
    expect(pairs[1].a!.execs).toEqual(['/bin/ls']);
    expect(pairs[1].b!.execs).toEqual(['/bin/ls']);
    expect(diffStreams(a, b).equal).toBe(true);
  });

  it('pairs children that exec the same program even when created in a different order', () => {
    const a = new Ev().start(1, 0, { root: true }).call(1, 'clone', [], { retval: 2 }).exec(2, '/bin/ls').exit(2).call(1, 'clone', [], { retval: 3 }).exec(3, '/bin/cat').exit(3).exit(1);
    const b = new Ev().start(1, 0, { root: true }).call(1, 'clone', [], { retval: 2 }).exec(2, '/bin/cat').exit(2).call(1, 'clone', [], { retval: 3 }).exec(3, '/bin/ls').exit(3).exit(1);
    const pairs = pairTasks(collectStreams(a.events).tasks, collectStreams(b.events).tasks);
    expect(pairs.map((p) => [p.a?.execs[0] ?? 'root', p.b?.execs[0] ?? 'root'])).toEqual([
      ['root', 'root'],
      ['/bin/ls', '/bin/ls'],
      ['/bin/cat', '/bin/cat'],
    ]);
  });

  it('trusts the parent whose clone returned a child over a start event that named another parent', () => {
    const e = new Ev().start(1, 0, { root: true }).call(1, 'clone', [], { retval: 2 }).start(2, 1).call(1, 'clone', [], { retval: 3 }).start(3, 1);
    e.start(5, 2).call(5, 'getuid').call(2, 'clone', [], { retval: 4 }).start(4, 2).call(4, 'getgid').call(3, 'clone', [], { retval: 5 });
    const s = collectStreams(e.events);
    const byTid = new Map(s.tasks.map((t) => [t.tid, t.path]));
    expect(byTid.get(4)).toBe('1.1.1');
    expect(byTid.get(5)).toBe('1.2.1');
  });

  it('a clone3 whose flags struct has CLONE_THREAD makes a thread, whichever of clone result and start event comes first', () => {
    const flags = A.op('=>', A.struct([['flags', A.flags('CLONE_VM', 'CLONE_THREAD')]]), A.struct([['parent_tid', A.array([A.int(2)])]]));
    const first = collectStreams(new Ev().start(1, 0, { root: true }).call(1, 'clone3', [flags, A.int(88)], { retval: 2 }).start(2, 1, { thread: true, tgid: 1 }).call(2, 'getuid').events);
    const second = collectStreams(new Ev().start(1, 0, { root: true }).start(2, 1, { thread: true, tgid: 1 }).call(2, 'getuid').call(1, 'clone3', [flags, A.int(88)], { retval: 2 }).events);
    expect(first.tasks.map((t) => [t.path, t.isThread])).toEqual([['1', false], ['1.1', true]]);
    expect(second.tasks.map((t) => [t.path, t.isThread])).toEqual([['1', false], ['1.1', true]]);
  });

  it('reports a process that only one trace has', () => {
    const a = new Ev().start(1, 0, { root: true }).call(1, 'clone', [], { retval: 2 }).exec(2, '/bin/ls').exit(2).exit(1);
    const b = new Ev().start(1, 0, { root: true }).exit(1);
    const r = diffStreams(collectStreams(a.events), collectStreams(b.events));
    expect(r.divergences.map((d) => d.kind)).toContain('process-only-a');
  });
});
