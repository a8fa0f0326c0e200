import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TraceReader } from '../../src/format/index.js';
import { BIN, runCli, tempDir } from '../helpers/cli.js';
import { SECRETS, writeSampleTrace } from '../helpers/sample-trace.js';
import { findSecrets, inflatedTraceBytes } from '../helpers/trace-bytes.js';

const ALL_SECRETS = Object.values(SECRETS);

describe('picotrace scrub', () => {
  let dir: string;
  let cleanup: () => void;
  let input: string;
  beforeAll(() => {
    ({ dir, cleanup } = tempDir());
    input = path.join(dir, 'in.ptrace');
    writeSampleTrace(input, { repeat: 3 }, { chunkEvents: 7 });
  });
  afterAll(() => cleanup());

  it('plants secrets that the unscrubbed trace really holds', () => {
    expect(findSecrets(inflatedTraceBytes(input), ALL_SECRETS)).toEqual(ALL_SECRETS);
  });

  it('removes every buffer byte, environment value and home path from the file', () => {
    const out = path.join(dir, 'out.ptrace');
    const r = runCli(['scrub', input, '-o', out, '--map-home']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const bytes = inflatedTraceBytes(out);
    expect(findSecrets(bytes, ALL_SECRETS)).toEqual([]);
    expect(bytes.includes(Buffer.from('/home/alice'))).toBe(false);
    expect(fs.statSync(out).mode & 0o777).toBe(0o600);
    const reader = TraceReader.open(out);
    try {
      expect(reader.eventCount).toBe(TraceReader.open(input).eventCount);
      expect(reader.header.scrubbed).toContain('buffers');
      expect(reader.header.scrubbed).toContain('env-values');
      expect(reader.header.env.map((e) => e.name)).toEqual(['HOME', 'API_TOKEN', 'PATH']);
      const text = [...reader.events()].map((e) => JSON.stringify(e, (_k, v) => (typeof v === 'bigint' ? String(v) : v))).join('\n');
      expect(findSecrets(Buffer.from(text), ALL_SECRETS)).toEqual([]);
    } finally {
      reader.close();
    }
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('produces a trace that info, dump, replay, stats and export read', () => {
    const out = path.join(dir, 'readable.ptrace');
    expect(runCli(['scrub', input, '-o', out]).code).toBe(0);
    const info = runCli(['info', out]);
    expect(info.code).toBe(0);
    expect(info.stdout).toMatch(/scrubbed:\s+buffers, unparsed-text, env-values/);
    expect(info.stdout).toContain('(values removed)');
    const dump = runCli(['dump', out, '--call', 'read,write']);
    expect(dump.code).toBe(0);
    expect(dump.stdout).toMatch(/read\(3<\/home\/alice\/secret.txt>, <28 bytes sha256:[0-9a-f]{16}>, 131072\) = 28/);
    expect(dump.stdout).toMatch(/write\(1<\/dev\/pts\/0>, <22 bytes sha256:[0-9a-f]{16}>, 22\) = 22/);
    const replay = runCli(['replay', out, '--script', 'goto 8; state']);
    expect(replay.code).toBe(0);
    expect(replay.stdout).toMatch(/#8 .*read\(3<\/home\/alice\/secret.txt>, <28 bytes sha256:[0-9a-f]{16}>, 131072\) = 28/);
    expect(runCli(['stats', out]).code).toBe(0);
    expect(runCli(['export', out, '--format', 'perfetto', '-o', path.join(dir, 'x.json')]).code).toBe(0);
  });

  it('gives equal digests for equal data across two traces, so diffs still tell equal from different', () => {
    const a = path.join(dir, 'a.ptrace');
    const b = path.join(dir, 'b.ptrace');
    writeSampleTrace(a, { fileData: 'same data' });
    writeSampleTrace(b, { fileData: 'other data' });
    const sa = path.join(dir, 'a.scrubbed.ptrace');
    const sb = path.join(dir, 'b.scrubbed.ptrace');
    const sc = path.join(dir, 'a2.scrubbed.ptrace');
    for (const [i, o] of [[a, sa], [b, sb], [a, sc]]) expect(runCli(['scrub', i, '-o', o]).code).toBe(0);
    const digestOfRead = (f: string) => runCli(['dump', f, '--call', 'read', '--count', '1']).stdout;
    expect(digestOfRead(sa)).toBe(digestOfRead(sc));
    expect(digestOfRead(sa)).not.toBe(digestOfRead(sb));
  });

  it('rewrites chosen path prefixes with --redact-path', () => {
    const out = path.join(dir, 'redacted.ptrace');
    expect(runCli(['scrub', input, '-o', out, '--keep-buffers', '--keep-env', '--redact-path', '/home/*/secret.txt=SECRET']).code).toBe(0);
    const dump = runCli(['dump', out, '--call', 'openat']).stdout;
    expect(dump).toContain('openat(AT_FDCWD, "SECRET", O_RDONLY) = 3<SECRET>');
    expect(runCli(['info', out]).stdout).toContain('path:/home/*/secret.txt=>SECRET');
  });

  it('leaves no partial output when interrupted with SIGINT', async () => {
    const big = path.join(dir, 'big.ptrace');
    writeSampleTrace(big, { repeat: 15000 });
    const out = path.join(dir, 'big.scrubbed.ptrace');
    const child = spawn(process.execPath, [BIN, 'scrub', big, '-o', out], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    let running = true;
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on('exit', (code, signal) => {
        running = false;
        resolve({ code, signal });
      }),
    );
    let sawTemp = false;
    for (let i = 0; i < 4000 && !sawTemp && running; i++) {
      await new Promise((r) => setTimeout(r, 5));
      sawTemp = fs.readdirSync(dir).some((f) => f.endsWith('.tmp'));
    }
    expect({ sawTemp, stderr }).toEqual({ sawTemp: true, stderr: '' });
    child.kill('SIGINT');
    const { code, signal } = await exited;
    expect(signal === 'SIGINT' || code === 130).toBe(true);
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp') || f.startsWith('big.scrubbed'))).toEqual([]);
  });

  it('refuses to overwrite the input, also through a symlink, and leaves it intact', () => {
    const before = fs.readFileSync(input);
    const same = runCli(['scrub', input, '-o', input]);
    expect(same.code).toBe(2);
    expect(same.stderr).toMatch(/^picotrace: refusing to overwrite the input file .*\n$/);
    const link = path.join(dir, 'link.ptrace');
    fs.symlinkSync(input, link);
    expect(runCli(['scrub', link, '-o', input]).code).toBe(2);
    expect(runCli(['scrub', input, '-o', link]).code).toBe(2);
    expect(fs.readFileSync(input).equals(before)).toBe(true);
  });

  it('rejects options that would scrub nothing, and bad globs, with one line and exit 2', () => {
    const r = runCli(['scrub', input, '-o', path.join(dir, 'n.ptrace'), '--keep-buffers', '--keep-env']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('picotrace: nothing to scrub: --keep-buffers and --keep-env given without --redact-path or --map-home\n');
    const g = runCli(['scrub', input, '-o', path.join(dir, 'n.ptrace'), '--redact-path', 'home/*']);
    expect(g.code).toBe(2);
    expect(g.stderr.split('\n').length).toBe(2);
    expect(fs.existsSync(path.join(dir, 'n.ptrace'))).toBe(false);
  });

  it('reports a corrupt or missing input with one line and leaves no output', () => {
    const bad = path.join(dir, 'bad.ptrace');
    fs.writeFileSync(bad, 'not a trace at all');
    const out = path.join(dir, 'bad-out.ptrace');
    const r = runCli(['scrub', bad, '-o', out]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^picotrace: .*bad\.ptrace: not a picotrace trace \(bad magic\) at offset 0\n$/);
    const m = runCli(['scrub', path.join(dir, 'missing.ptrace'), '-o', out]);
    expect(m.code).toBe(2);
    expect(fs.existsSync(out)).toBe(false);
  });

  it('scrubs what is intact in a truncated trace and exits 3', () => {
    const cut = path.join(dir, 'cut.ptrace');
    const whole = fs.readFileSync(input);
    fs.writeFileSync(cut, whole.subarray(0, Math.floor(whole.length * 0.6)));
    const out = path.join(dir, 'cut-out.ptrace');
    const r = runCli(['scrub', cut, '-o', out]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/at offset \d+ \(scrubbed what was readable\)/);
    const reader = TraceReader.open(out);
    expect(reader.integrity.footer).toBe(true);
    expect(reader.eventCount).toBeGreaterThan(0);
    reader.close();
  });
});
