import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { A, makeCall, type CallEvent, type ExecEvent, type TraceEvent } from '../../src/model/index.js';
import { compilePathRules, createScrubber, HOME_RULES, homeRule, parsePathRule } from '../../src/scrub/index.js';
import { SECRETS, sampleEvents, sampleHeader } from '../helpers/sample-trace.js';

const FULL = { buffers: true, env: true, paths: [...HOME_RULES] };

function sha16(s: string | Uint8Array): string {
  return crypto.createHash('sha256').update(s).digest().subarray(0, 16).toString('hex');
}

function scrubAll(o = FULL): TraceEvent[] {
  const s = createScrubber(o);
  return [...sampleEvents()].map((ev, seq) => s.event({ ...ev, seq } as TraceEvent));
}

function calls(evs: TraceEvent[], name: string): CallEvent[] {
  return evs.filter((e): e is CallEvent => e.kind === 'call' && e.name === name);
}

describe('scrub transform', () => {
  it('replaces buffer contents by length and a 16-byte SHA-256 digest', () => {
    const [read] = calls(scrubAll(), 'read');
    const b = read.buffers[0];
    expect(b.data.length).toBe(0);
    expect(b.fullLength).toBe(SECRETS.fileData.length);
    expect(Buffer.from(b.digest!).toString('hex')).toBe(sha16(SECRETS.fileData));
  });

  it('turns data strings of write and writev into digested buffers, per iovec element', () => {
    const evs = scrubAll();
    const [write] = calls(evs, 'write');
    expect(write.args[1]).toEqual({ k: 'buf', i: 0 });
    expect(write.buffers[0]).toMatchObject({ argIndex: 1, out: false, fullLength: SECRETS.writeData.length, element: -1 });
    expect(Buffer.from(write.buffers[0].digest!).toString('hex')).toBe(sha16(SECRETS.writeData));
    const [writev] = calls(evs, 'writev');
    expect(writev.buffers.map((b) => b.element)).toEqual([0, 1]);
    expect(writev.args[1]).toEqual(
      A.array([A.struct([['iov_base', A.buf(0)], ['iov_len', A.int(SECRETS.iovData.length)]]), A.struct([['iov_base', A.buf(1)], ['iov_len', A.int(1)]])]),
    );
  });

  it('keeps lengths, counts and pointers of data calls, and leaves non-data strings alone', () => {
    const s = createScrubber({ buffers: true, env: false, paths: [] });
    const c = s.event({ ...makeCall({ name: 'openat', pid: 1, args: [A.fd(-100), A.str('/etc/passwd'), A.flags('O_RDONLY')] }), seq: 0 } as CallEvent);
    expect(c.args[1]).toEqual(A.str('/etc/passwd'));
    const w = s.event({ ...makeCall({ name: 'write', pid: 1, args: [A.fd(1), A.str('x', true), A.int(5)] }), seq: 1 } as CallEvent);
    expect(w.args[2]).toEqual(A.int(5));
    expect(w.buffers[0].truncated).toBe(true);
  });

  it('gives equal data equal digests and different data different ones', () => {
    const s = createScrubber(FULL);
    const mk = (d: string) => s.event({ ...makeCall({ name: 'write', pid: 1, args: [A.fd(1), A.str(d), A.int(d.length)] }), seq: 0 } as CallEvent).buffers[0].digest;
    expect(mk('same')).toEqual(mk('same'));
    expect(mk('same')).not.toEqual(mk('diff'));
  });

  it('removes environment values in the header, exec events and execve envp, keeping names', () => {
    const s = createScrubber(FULL);
    const h = s.header(sampleHeader());
    expect(h.env.map((e) => e.name)).toEqual(['HOME', 'API_TOKEN', 'PATH']);
    expect(h.env.every((e) => e.value === '' && e.valueRemoved)).toBe(true);
    const evs = scrubAll();
    const exec = evs.find((e): e is ExecEvent => e.kind === 'exec')!;
    expect(exec.env).toEqual([
      { name: 'HOME', value: '', valueRemoved: true },
      { name: 'API_TOKEN', value: '', valueRemoved: true },
    ]);
    const [execve] = calls(evs, 'execve');
    expect(execve.args[2]).toEqual(A.array([A.str('HOME='), A.str('API_TOKEN=')]));
  });

  it('lists what was removed in header.scrubbed, without duplicates when scrubbed twice', () => {
    const s = createScrubber(FULL);
    const once = s.header(sampleHeader());
    expect(once.scrubbed).toEqual(['buffers', 'unparsed-text', 'env-values', 'path:/home/*=>~', 'path:/root=>~']);
    expect(s.header(once).scrubbed).toEqual(once.scrubbed);
  });

  it('rewrites home paths everywhere paths appear', () => {
    const s = createScrubber(FULL);
    const h = s.header(sampleHeader());
    expect(h.cwd).toBe('~/project');
    expect(h.argv).toEqual(['/bin/sh', '-c', 'cat ~/secret.txt']);
    expect(h.captureOptions.output).toBe('~/traces/run.ptrace');
    const evs = scrubAll();
    const [open] = calls(evs, 'openat');
    expect(open.args[1]).toEqual(A.str('~/secret.txt'));
    expect(open.retAnnotation).toBe('~/secret.txt');
    const [read] = calls(evs, 'read');
    expect(read.args[0]).toEqual(A.fd(3, '~/secret.txt'));
    const execs = evs.filter((e): e is ExecEvent => e.kind === 'exec');
    expect(execs[1].argv).toEqual(['cat', '~/secret.txt']);
    const text = JSON.stringify(evs, (_k, v) => (typeof v === 'bigint' ? String(v) : v instanceof Uint8Array ? Buffer.from(v).toString('latin1') : v));
    expect(text).not.toContain('/home/alice');
  });

  it('rewrites paths stored as bytes (names that are not UTF-8), keeping the other bytes', () => {
    const s = createScrubber(FULL);
    const name = new Uint8Array([...Buffer.from('/home/alice/'), 0xff, 0xfe]);
    const c = s.event({ ...makeCall({ name: 'openat', pid: 1, args: [A.fd(-100), A.str(name)] }), seq: 0 } as CallEvent);
    expect(c.args[1]).toEqual(A.str(new Uint8Array([...Buffer.from('~/'), 0xff, 0xfe])));
  });

  it('rewrites paths inside PATH-like values and options when environment values are kept', () => {
    const s = createScrubber({ buffers: true, env: false, paths: [...HOME_RULES] });
    const h = s.header(sampleHeader());
    expect(h.env.find((e) => e.name === 'PATH')!.value).toBe('~/bin:/usr/bin');
    expect(h.env.find((e) => e.name === 'API_TOKEN')!.value).toBe(SECRETS.envValue);
  });

  it('maps the recorded HOME to ~ when it is not under /home', () => {
    const s = createScrubber({ buffers: true, env: true, paths: [...HOME_RULES], homeFromEnv: true });
    const h = s.header(sampleHeader({ home: '/var/lib/builder' }));
    expect(h.cwd).toBe('~/project');
    expect(h.scrubbed).toContain('path:$HOME=>~');
    const open = s.event({ ...makeCall({ name: 'openat', pid: 1, args: [A.fd(-100), A.str('/var/lib/builder/x')] }), seq: 0 } as CallEvent);
    expect(open.args[1]).toEqual(A.str('~/x'));
    expect([homeRule('/'), homeRule('relative'), homeRule('/a/*'), homeRule(undefined)]).toEqual([undefined, undefined, undefined, undefined]);
    expect(homeRule('/srv/u/')).toEqual({ glob: '/srv/u', replacement: '~' });
  });

  it('keeps buffers with --keep-buffers', () => {
    const evs = scrubAll({ buffers: false, env: true, paths: [] });
    const [read] = calls(evs, 'read');
    expect(Buffer.from(read.buffers[0].data).toString()).toBe(SECRETS.fileData);
    expect(calls(evs, 'write')[0].args[1]).toEqual(A.str(SECRETS.writeData));
  });

  it('replaces unparsed log text, which may hold data, by its length and digest', () => {
    const u = scrubAll().find((e) => e.kind === 'unparsed')!;
    expect(u.kind === 'unparsed' && u.text).toMatch(/^<\d+ bytes sha256:[0-9a-f]{16}>$/);
  });

  it('does not modify its input event', () => {
    const ev = { ...makeCall({ name: 'write', pid: 1, args: [A.fd(1, '/home/alice/x'), A.str('data'), A.int(4)] }), seq: 0 } as CallEvent;
    const before = JSON.stringify(ev);
    createScrubber(FULL).event(ev);
    expect(JSON.stringify(ev)).toBe(before);
  });
});

describe('path rules', () => {
  it('match at component boundaries only', () => {
    const map = compilePathRules(HOME_RULES);
    expect(map('/home/alice')).toBe('~');
    expect(map('/home/alice/.bashrc')).toBe('~/.bashrc');
    expect(map('/homework/x')).toBe('/homework/x');
    expect(map('/rootfs/etc')).toBe('/rootfs/etc');
    expect(map('/root/.ssh/id_rsa')).toBe('~/.ssh/id_rsa');
    expect(map('/srv/home/alice')).toBe('/srv/home/alice');
  });

  it('match where a path starts inside a value', () => {
    const map = compilePathRules(HOME_RULES);
    expect(map('PATH=/home/alice/bin:/home/bob/bin:/usr/bin')).toBe('PATH=~/bin:~/bin:/usr/bin');
    expect(map('--config=/home/alice/c.toml')).toBe('--config=~/c.toml');
    expect(map('cat /home/alice/a "/home/alice/b"')).toBe('cat ~/a "~/b"');
  });

  it('parse GLOB and GLOB=REPLACEMENT, with ** spanning components', () => {
    expect(parsePathRule('/srv/customers/*')).toEqual({ glob: '/srv/customers/*', replacement: '<redacted>' });
    expect(parsePathRule('/data/=DATA')).toEqual({ glob: '/data', replacement: 'DATA' });
    expect(parsePathRule('relative/*')).toBeUndefined();
    const map = compilePathRules([parsePathRule('/srv/customers/*')!, parsePathRule('/data=DATA')!, parsePathRule('/opt/**/keys')!]);
    expect(map('/srv/customers/acme/db.sqlite')).toBe('<redacted>/db.sqlite');
    expect(map('/data/x')).toBe('DATA/x');
    expect(map('/database')).toBe('/database');
    expect(map('/opt/app/v1/keys/k.pem')).toBe('<redacted>/k.pem');
  });
});
