import { describe, expect, it } from 'vitest';
import { makeCall, type NewEvent } from '../../src/model/index.js';
import { createScrubber } from '../../src/scrub/index.js';

describe('scrub of user-space stacks (strace -k)', () => {
  it('rewrites the paths in the frames of calls, signals and exits, and leaves the rest of each frame', () => {
    const s = createScrubber({ buffers: true, env: true, paths: [{ glob: '/home/*', replacement: '~' }] });
    const frame = '/home/alice/app/libfoo.so(foo_write+0x10) [0xf8350]';
    const kept = '/usr/lib/x86_64-linux-gnu/libc.so.6(__write+0x10) [0xf8350]';
    const events: NewEvent[] = [
      makeCall({ pid: 1, name: 'write', retval: 3, stack: [frame, kept] }),
      { kind: 'signal', pid: 1, tid: 1, signo: 10, name: 'SIGUSR1', stack: [frame] },
      { kind: 'exit', pid: 1, tid: 1, status: 0, signal: 0, coreDumped: false, threadOnly: false, stack: [kept, frame] },
    ];
    const out = events.map((e) => s.event(e) as NewEvent & { stack?: string[] });
    expect(out.map((e) => e.stack)).toEqual([
      ['~/app/libfoo.so(foo_write+0x10) [0xf8350]', kept],
      ['~/app/libfoo.so(foo_write+0x10) [0xf8350]'],
      [kept, '~/app/libfoo.so(foo_write+0x10) [0xf8350]'],
    ]);
    // The input events are left as they were.
    expect((events[0] as { stack: string[] }).stack[0]).toBe(frame);
  });
});
