import { describe, expect, it } from 'vitest';
import { collectStreams, diffStreams } from '../../src/compare/index.js';
import { makeHeader, type TraceEvent } from '../../src/model/index.js';
import { diffToJson, renderDiffMarkdown, renderDiffText, type DiffView } from '../../src/render/index.js';
import { Ev } from '../compare/build.js';

function setup() {
  const a = new Ev().exec(1, '/bin/app').call(1, 'brk', [], { retval: 0x1000 }).call(1, 'rseq', [], { retval: 0 }).call(1, 'getuid', [], { retval: 0 }).exit(1, 0);
  const b = new Ev().exec(1, '/bin/app').call(1, 'brk', [], { retval: 0x2000 }).call(1, 'rseq', [], { retval: -1, errno: 38 }).call(1, 'getuid', [], { retval: 0 }).exit(1, 0);
  const r = diffStreams(collectStreams(a.events), collectStreams(b.events));
  const bySeq = (evs: TraceEvent[]) => (s: number) => evs[s];
  const view: DiffView = { fileA: 'a.ptrace', fileB: 'b.ptrace', headerA: makeHeader({ backend: 'native', argv: ['/bin/app'] }), headerB: makeHeader({ backend: 'gvisor', argv: ['/bin/app'] }), eventA: bySeq(a.events), eventB: bySeq(b.events), context: 1, all: false };
  return { r, view };
}

describe('diff renderers', () => {
  it('text: headline, the divergence with one aligned call of context each side, red and green only with color', () => {
    const { r, view } = setup();
    const plain = renderDiffText(r, view, false);
    expect(plain).toContain('profile strict; 1 divergence in 1 of 1 process pair');
    expect(plain).toMatch(/\[1\] process 1 \/bin\/app \(pid 1 \| 1\): first divergence/);
    expect(plain).toMatch(/rseq: 0 in A, ENOSYS in B \(different errno, not implemented in one\) at A #2 \/ B #2/);
    const lines = plain.split('\n');
    const i = lines.findIndex((l) => l.startsWith('  - a:2'));
    expect(lines[i - 1]).toMatch(/^ {4}a:1 +b:1 +brk\(\) = 4096$/);
    expect(lines[i + 1]).toMatch(/^ {2}\+ +b:2 +rseq\(\) = -1 ENOSYS/);
    expect(lines[i + 2]).toMatch(/^ {4}a:3 +b:3 +getuid\(\) = 0$/);
    expect(plain).not.toMatch(/\x1b\[/);
    const colored = renderDiffText(r, view, true);
    expect(colored).toContain('\x1b[31m  - a:2');
    expect(colored).toContain('\x1b[32m  +');
  });

  it('markdown: a diff block per first divergence and a per-call table', () => {
    const { r, view } = setup();
    const md = renderDiffMarkdown(r, view);
    expect(md).toContain('- **A**: `a.ptrace` — `native /bin/app`');
    expect(md).toContain('```diff\n  brk() = 4096\n- rseq() = 0\n+ rseq() = -1 ENOSYS (Function not implemented)\n  getuid() = 0\n```');
    expect(md).toMatch(/\| call \| total \| different errno \|\n\|---\|---:\|---:\|\n\| `rseq` \| 1 \| 1 \|/);
  });

  it('json: the result with lines from both sides', () => {
    const { r, view } = setup();
    const j = diffToJson(r, view) as { equal: boolean; divergences: { kind: string; a: { line: string }; b: { line: string }; enosys: boolean }[] };
    expect(j.equal).toBe(false);
    expect(j.divergences[0]).toMatchObject({ kind: 'errno', enosys: true, a: { line: 'rseq() = 0' }, b: { line: 'rseq() = -1 ENOSYS (Function not implemented)' } });
  });
});
