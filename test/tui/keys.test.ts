import { describe, expect, it } from 'vitest';
import { KEY_BINDINGS, helpLines, parseCommand, parseFilter, parseBreakpoint, parseTime, splitScript, filterMatcher } from '../../src/tui/index.js';
import { A, makeCall } from '../../src/model/index.js';
import type { TraceEvent } from '../../src/model/index.js';

describe('key table', () => {
  it('every key runs a command the script mode knows, and no key is bound twice', () => {
    const seen = new Set<string>();
    for (const b of KEY_BINDINGS) {
      for (const k of b.keys) {
        expect(seen.has(k), `key ${k} bound twice`).toBe(false);
        seen.add(k);
      }
      if (b.command) expect(() => parseCommand(b.command as string)).not.toThrow();
      if (b.prompt) expect(() => parseCommand(`${b.prompt?.command} 1`)).not.toThrow();
      expect(b.command || b.prompt || b.action).toBeTruthy();
    }
  });

  it('the help fits an 80x24 terminal with every key on it', () => {
    const lines = helpLines(80);
    expect(lines.length).toBeLessThanOrEqual(23);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(80);
    const text = lines.join('\n');
    for (const b of KEY_BINDINGS) if (b.help) expect(text).toContain(b.help);
  });
});

describe('command parsing', () => {
  it('splits scripts on ; and newlines, keeping \\; inside a regex', () => {
    expect(splitScript('goto 1; /a\\;b ;\n state;;')).toEqual(['goto 1', '/a;b', 'state']);
  });

  it('reads times in s, ms, us, ns', () => {
    expect(parseTime('1.5')).toBe(1_500_000_000);
    expect(parseTime('+250ms')).toBe(250_000_000);
    expect(parseTime('40us')).toBe(40_000);
    expect(() => parseTime('soon')).toThrow(/seconds since the start/);
  });

  it('filters combine criteria; errno=any means failed', () => {
    const ev = (name: string, pid: number, errno = 0): TraceEvent => ({ ...makeCall({ name, pid, errno, args: [A.fd(3)] }), seq: 0 }) as TraceEvent;
    const m = filterMatcher(parseFilter('pid=1,2 class=file errno=any'));
    expect(m(ev('openat', 1, 2))).toBe(true);
    expect(m(ev('openat', 3, 2))).toBe(false);
    expect(m(ev('openat', 1, 0))).toBe(false);
    expect(m(ev('mmap', 2, 12))).toBe(false);
    expect(() => parseFilter('pid=x')).toThrow(/comma-separated numbers/);
    expect(() => parseFilter('errno=EWHAT')).toThrow(/unknown errno/);
    expect(parseBreakpoint('errno=enoent')).toEqual({ kind: 'errno', value: 'ENOENT' });
    expect(() => parseBreakpoint('call=a fd=1')).toThrow(/expected one of/);
  });
});
