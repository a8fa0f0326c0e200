import { describe, expect, it } from 'vitest';
import { collectStreams, diffStreams, divergenceFacts, formatSuppressions, globToRegExp, parseSuppressions, SuppressionSet } from '../../src/compare/index.js';
import { BadInputError } from '../../src/util/errors.js';
import { Ev } from './build.js';

describe('suppressions', () => {
  it('parses rules, comments and quoted values', () => {
    const rules = parseSuppressions('# accepted\n\ncall=rseq errno=ENOSYS  # glibc probes it\npath="/tmp/a b/*" kind=only-a,only-b\nprocess=**/python3* note="slow"\n', 'x.supp');
    expect(rules).toEqual([
      { line: 3, call: 'rseq', errno: 'ENOSYS' },
      { line: 4, path: '/tmp/a b/*', kind: ['only-a', 'only-b'] },
      { line: 5, process: '**/python3*', note: 'slow' },
    ]);
  });

  it.each([
    ['call=rseq bogus=1', 'x.supp:1: unknown key "bogus"'],
    ['call=rseq\nerrno=enosys', 'x.supp:2: errno: expected an errno name'],
    ['kind=sideways', 'x.supp:1: kind: expected one of'],
    ['call=a call=b', 'x.supp:1: key "call" given twice'],
    ['just words', 'x.supp:1: expected key=value'],
    ['note=alone', 'x.supp:1: a rule needs at least one of'],
  ])('rejects %j with the line', (text, msg) => {
    try {
      parseSuppressions(text, 'x.supp');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(BadInputError);
      expect((e as Error).message).toContain(msg);
    }
  });

  it('globs: * stays within a path component, ** crosses them, escapes are literal', () => {
    expect(globToRegExp('/proc/*/maps').test('/proc/self/maps')).toBe(true);
    expect(globToRegExp('/proc/*').test('/proc/self/maps')).toBe(false);
    expect(globToRegExp('/proc/**').test('/proc/self/maps')).toBe(true);
    expect(globToRegExp('a\\*b').test('a*b')).toBe(true);
    expect(globToRegExp('a\\*b').test('axb')).toBe(false);
  });

  const a = () => new Ev().exec(1, '/usr/bin/app').call(1, 'rseq', [], { retval: 0 }).openat(1, '/etc/x', 3).call(1, 'getrandom', [], { retval: 8 }).exit(1, 0);
  const b = () => new Ev().exec(1, '/usr/bin/app').call(1, 'rseq', [], { retval: -1, errno: 38 }).openat(1, '/etc/y', 3).call(1, 'getrandom', [], { retval: -1, errno: 4 }).exit(1, 0);

  it('hiding the first divergence makes the next one first', () => {
    const A = collectStreams(a().events);
    const B = collectStreams(b().events);
    const plain = diffStreams(A, B);
    expect(plain.divergences[0]).toMatchObject({ name: 'rseq', first: true });
    const supp = new SuppressionSet(parseSuppressions('call=rseq errno=ENOSYS\n', 's'));
    const r = diffStreams(A, B, { suppressions: supp });
    expect(r.suppressed).toBe(1);
    expect(r.divergences[0]).toMatchObject({ name: 'openat', kind: 'args', first: true });
    expect(supp.hits.get(1)).toBe(1);
  });

  it('round trip: a written suppressions file hides every current difference and only those', () => {
    const A = collectStreams(a().events);
    const B = collectStreams(b().events);
    const r = diffStreams(A, B);
    const text = formatSuppressions(r.divergences.map((d) => divergenceFacts(d, r.pairs[d.pair])), ['from a test']);
    const rules = parseSuppressions(text, 'written');
    expect(rules.length).toBe(r.divergences.length);
    expect(diffStreams(A, B, { suppressions: new SuppressionSet(rules) }).equal).toBe(true);
    const c = new Ev().exec(1, '/usr/bin/app').call(1, 'rseq', [], { retval: -1, errno: 38 }).openat(1, '/etc/y', 3).call(1, 'getrandom', [], { retval: -1, errno: 4 }).call(1, 'mkdir', [], { retval: -1, errno: 13 }).exit(1, 0);
    const again = diffStreams(A, collectStreams(c.events), { suppressions: new SuppressionSet(rules) });
    expect(again.divergences.map((d) => d.name)).toEqual(['mkdir']);
  });

  it('matches by process program and path glob', () => {
    const A = collectStreams(a().events);
    const B = collectStreams(b().events);
    expect(diffStreams(A, B, { suppressions: new SuppressionSet(parseSuppressions('process=/usr/bin/*\n', 's')) }).equal).toBe(true);
    expect(diffStreams(A, B, { suppressions: new SuppressionSet(parseSuppressions('process=/opt/*\n', 's')) }).equal).toBe(false);
    const r = diffStreams(A, B, { suppressions: new SuppressionSet(parseSuppressions('path=/etc/*\n', 's')) });
    expect(r.divergences.map((d) => d.name)).toEqual(['rseq', 'getrandom']);
  });
});
