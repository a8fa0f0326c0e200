import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TraceReader } from '../../src/format/index.js';
import { BIN, runCli, tempDir } from '../helpers/cli.js';
import { writeSampleTrace } from '../helpers/sample-trace.js';

function leftovers(dir: string): string[] {
  return fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'));
}

describe('picotrace export', () => {
  let dir: string;
  let cleanup: () => void;
  let small: string;
  let big: string;
  beforeAll(() => {
    ({ dir, cleanup } = tempDir());
    small = path.join(dir, 'small.ptrace');
    writeSampleTrace(small, { repeat: 5 }, { chunkEvents: 16 });
    big = path.join(dir, 'big.ptrace');
    writeSampleTrace(big, { repeat: 15000 });
  });
  afterAll(() => cleanup());

  it('writes Perfetto trace-event JSON with one X slice per call, mode 0600', () => {
    const out = path.join(dir, 'small.json');
    const r = runCli(['export', small, '--format', 'perfetto', '-o', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(fs.statSync(out).mode & 0o777).toBe(0o600);
    const doc = JSON.parse(fs.readFileSync(out, 'utf8'));
    expect(Array.isArray(doc.traceEvents)).toBe(true);
    const reader = TraceReader.open(small);
    const calls = [...reader.events()].filter((e) => e.kind === 'call');
    reader.close();
    const slices = doc.traceEvents.filter((e: { ph: string }) => e.ph === 'X');
    expect(slices.length).toBe(calls.length);
    expect(slices.map((s: { args: { seq: number } }) => s.args.seq)).toEqual(calls.map((c) => c.seq));
    for (const e of doc.traceEvents) {
      expect(['X', 'M', 'i', 's', 'f']).toContain(e.ph);
      expect(Number.isInteger(e.pid) && Number.isInteger(e.tid)).toBe(true);
      if (e.ph !== 'M') expect(typeof e.ts).toBe('number');
    }
    expect(leftovers(dir)).toEqual([]);
  });

  it('writes strace text that picotrace import reads back into the same calls', () => {
    const out = path.join(dir, 'small.strace');
    expect(runCli(['export', small, '--format', 'strace', '-o', out]).code).toBe(0);
    expect(fs.readFileSync(out, 'utf8')).toMatch(/^100 {3}1700000000\.000004 clone\(CLONE_CHILD_SETTID\|SIGCHLD\) = 101 <0\.000040>\n/);
    const back = path.join(dir, 'back.ptrace');
    const imp = runCli(['import', out, '-o', back]);
    expect(imp.code).toBe(0);
    const names = (f: string) => runCli(['stats', f, '--json']).stdout;
    expect(JSON.parse(names(back)).rows.map((r: { key: string; calls: number; errors: number }) => [r.key, r.calls, r.errors])).toEqual(
      JSON.parse(names(small)).rows.map((r: { key: string; calls: number; errors: number }) => [r.key, r.calls, r.errors]),
    );
  });

  it('writes JSON lines: the header, then every event', () => {
    const out = path.join(dir, 'small.jsonl');
    expect(runCli(['export', small, '--format', 'jsonl', '-o', out]).code).toBe(0);
    const lines = fs.readFileSync(out, 'utf8').trimEnd().split('\n');
    const reader = TraceReader.open(small);
    expect(lines.length).toBe(reader.eventCount + 1);
    reader.close();
    expect(JSON.parse(lines[0]).kind).toBe('header');
    expect(JSON.parse(lines[lines.length - 1]).kind).toBe('exit');
  });

  it('writes to stdout with -o -', () => {
    const r = runCli(['export', small, '--format', 'strace', '-o', '-']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^100 {3}1700000000\.000004 clone\(/);
    expect(r.stdout.trimEnd().split('\n').every((l) => /^\d+ +\d+\.\d{6} /.test(l))).toBe(true);
    expect(fs.existsSync(path.join(dir, '-'))).toBe(false);
  });

  it('leaves no partial file and keeps an existing output when interrupted with SIGINT', async () => {
    const out = path.join(dir, 'big.json');
    fs.writeFileSync(out, 'previous contents\n');
    const child = spawn(process.execPath, [BIN, 'export', big, '--format', 'perfetto', '-o', out], { stdio: ['ignore', 'pipe', 'pipe'] });
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
      const tmp = leftovers(dir);
      sawTemp = tmp.length > 0 && fs.statSync(path.join(dir, tmp[0])).size > 0;
    }
    expect({ sawTemp, stderr }).toEqual({ sawTemp: true, stderr: '' });
    child.kill('SIGINT');
    const { code, signal } = await exited;
    expect(signal === 'SIGINT' || code === 130).toBe(true);
    expect(stderr).toBe('');
    expect(leftovers(dir)).toEqual([]);
    expect(fs.readFileSync(out, 'utf8')).toBe('previous contents\n');
  });

  it('refuses to overwrite the input and rejects an unknown format, with one line and exit 2', () => {
    const before = fs.readFileSync(small);
    const same = runCli(['export', small, '--format', 'jsonl', '-o', small]);
    expect(same.code).toBe(2);
    expect(same.stderr).toMatch(/^picotrace: refusing to overwrite the input file .*small\.ptrace; choose another output name\n$/);
    expect(fs.readFileSync(small).equals(before)).toBe(true);
    const fmt = runCli(['export', small, '--format', 'svg', '-o', path.join(dir, 'x.svg')]);
    expect(fmt.code).toBe(2);
    expect(fmt.stderr).toBe('picotrace: --format: expected one of perfetto, strace, jsonl (got "svg")\n');
    const nodir = runCli(['export', small, '--format', 'jsonl', '-o', path.join(dir, 'no', 'such', 'dir.jsonl')]);
    expect(nodir.code).toBe(2);
    expect(nodir.stderr).toMatch(/^picotrace: .*dir\.jsonl: no such file\n$/);
    expect(leftovers(dir)).toEqual([]);
  });

  it('exports what is readable from a truncated trace, exits 3, and still writes a complete file', () => {
    const cut = path.join(dir, 'cut.ptrace');
    const whole = fs.readFileSync(small);
    fs.writeFileSync(cut, whole.subarray(0, Math.floor(whole.length * 0.7)));
    const out = path.join(dir, 'cut.json');
    const r = runCli(['export', cut, '--format', 'perfetto', '-o', out]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^picotrace: .*cut\.ptrace: .* at offset \d+ \(exported what was readable\)\n$/);
    expect(JSON.parse(fs.readFileSync(out, 'utf8')).traceEvents.length).toBeGreaterThan(0);
  });

  it('shows no progress when stderr is not a terminal', () => {
    const r = runCli(['export', big, '--format', 'strace', '-o', path.join(dir, 'big.strace')]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
  });
});
