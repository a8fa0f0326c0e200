import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TraceReader } from '../../src/format/index.js';
import { PROGRAM_OUTPUT } from '../../src/model/index.js';
import type { TraceEvent } from '../../src/model/index.js';
import { ROOT, runCli, tempDir } from '../helpers/cli.js';

const LOGS = path.join(ROOT, 'traces', 'strace');

/** A trace's events as JSON lines (bigints as text), to compare two imports event by event. */
function eventsJson(file: string): string[] {
  return readAll(file).events.map((e) => JSON.stringify(e, (_k, v) => (typeof v === 'bigint' ? String(v) : v)));
}

function readAll(file: string): { header: TraceReader['header']; events: TraceEvent[] } {
  const r = TraceReader.open(file);
  try {
    return { header: r.header, events: [...r.events()] };
  } finally {
    r.close();
  }
}

describe('picotrace import', () => {
  let dir: string;
  let cleanup: () => void;
  beforeAll(() => ({ dir, cleanup } = tempDir()));
  afterAll(() => cleanup());

  it('imports a strace log into a trace with the import backend, argv and start time', () => {
    const out = path.join(dir, 'a.ptrace');
    const r = runCli(['import', path.join(LOGS, 'ttt-T-yy.log'), '-o', out]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/imported 553 lines \(strace\) into \d+ events .*; 0 unparsed/);
    const { header, events } = readAll(out);
    expect(header.backend).toBe('import:strace');
    expect(header.argv).toEqual(['sh', '-c', 'ls / | wc -l']);
    expect(header.startTimeNs).toBeGreaterThan(1700000000n * 1000000000n);
    expect(events.filter((e) => e.kind === 'call').length).toBe(349);
    expect(fs.statSync(out).mode & 0o777).toBe(0o600);
    const dump = runCli(['dump', out, '--call', 'execve']);
    expect(dump.stdout).toMatch(/execve\("\/usr\/bin\/sh", \["sh", "-c", "ls \/ \| wc -l"\]/);
  });

  it('keeps strace -k stacks, which dump prints after each event as strace does (or not, with --no-stack)', () => {
    const log = path.join(LOGS, 'k-Y.log');
    const out = path.join(dir, 'k.ptrace');
    const r = runCli(['import', log, '-o', out]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/; 0 unparsed/);
    const text = fs.readFileSync(log, 'latin1');
    const frames = text.split('\n').filter((l) => l.startsWith(' > '));
    const dump = runCli(['dump', out]);
    expect(dump.code).toBe(0);
    const lines = dump.stdout.trimEnd().split('\n');
    expect(lines.filter((l) => l.startsWith(' > '))).toEqual(frames);
    // The frames of cat's write follow its line, before the next event.
    const w = lines.findIndex((l) => l.includes('write(1, "vm\\n", 3) = 3'));
    expect(w).toBeGreaterThan(0);
    expect(lines[w + 1]).toMatch(/^ > .*libc\.so\.6\(__write\+0x/);
    const bare = runCli(['dump', '--no-stack', out]);
    expect(bare.stdout.split('\n').filter((l) => l.startsWith(' > '))).toEqual([]);
    expect(bare.stdout.split('\n').length).toBe(lines.length - frames.length + 1);
    const json = runCli(['dump', '--json', '--call', 'write', out]).stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(json.every((o) => Array.isArray(o.stack) && o.stack.length > 0)).toBe(true);
  });

  it('keeps strace\'s -c summary table with the trace, shown by info, also when it is the whole log', () => {
    for (const name of ['summary-C.log', 'summary-c-U.log']) {
      const out = path.join(dir, `${name}.ptrace`);
      const r = runCli(['import', path.join(LOGS, name), '-o', out]);
      expect(r.code).toBe(0);
      expect(r.stderr).toMatch(/; 0 unparsed\n.*summary table is kept with the trace/);
      const info = runCli(['info', out]).stdout;
      expect(info).toMatch(/straceSummary:\n {12}(% time|syscall) /);
      expect(info).toMatch(/\n {12}(100\.00 .*)?total/);
    }
  });

  it('takes off what a paste put before every line: a mail reply\'s "> ", a tab, indentation (stack frames and wrapped lines too)', () => {
    const plain = fs.readFileSync(path.join(LOGS, 'k-Y.log'), 'latin1');
    const base = path.join(dir, 'k-plain.ptrace');
    expect(runCli(['import', path.join(LOGS, 'k-Y.log'), '-o', base]).code).toBe(0);
    const want = eventsJson(base);
    // A line wrapped at 100 columns as well, and empty lines before and after (quoted: a bare ">").
    const lines = plain.trimEnd().split('\n');
    expect(lines[2]).toMatch(/rt_sigaction\(SIGCHLD, \{.{100}/);
    const wrapped = ['', lines[0], lines[1], lines[2].slice(0, 100), lines[2].slice(100), ...lines.slice(3), ''];
    for (const [name, pre] of [
      ['quoted', '> '],
      ['quoted-twice', '>> '],
      ['tab', '\t'],
      ['indented', '    '],
    ] as const) {
      const log = path.join(dir, `k-${name}.log`);
      fs.writeFileSync(log, wrapped.map((l) => (l === '' && pre.startsWith('>') ? '>' : pre + l)).join('\n') + '\n');
      const out = path.join(dir, `k-${name}.ptrace`);
      const r = runCli(['import', log, '-o', out]);
      expect(r.code, `${name}: ${r.stderr}`).toBe(0);
      expect(r.stderr, name).toMatch(/; 0 unparsed/);
      const got = eventsJson(out);
      expect(got, name).toEqual(want);
    }
  });

  it("takes off the spaces a terminal's copy pads every line with, and those after an unfinished call", () => {
    // Stack frames (-k), hex dumps (-x, -e write=), a plain -f log and one from stderr without pids.
    for (const name of ['k-Y', 'dumps', 'ttt-T-yy', 'stderr-default']) {
      const plain = fs.readFileSync(path.join(LOGS, `${name}.log`), 'latin1');
      const base = path.join(dir, `${name}-plain.ptrace`);
      expect(runCli(['import', path.join(LOGS, `${name}.log`), '-o', base]).code).toBe(0);
      // Padded to 200 columns as a terminal's copy pads them, or with a tab each.
      for (const [how, pad] of [
        ['width', (l: string) => l.padEnd(200)],
        ['tab', (l: string) => `${l}\t`],
      ] as const) {
        const log = path.join(dir, `${name}-${how}.log`);
        fs.writeFileSync(log, plain.replace(/\n$/, '').split('\n').map(pad).join('\n') + '\n', 'latin1');
        const out = path.join(dir, `${name}-${how}.ptrace`);
        const r = runCli(['import', log, '-o', out]);
        expect(r.code, `${name} ${how}: ${r.stderr}`).toBe(0);
        expect(readAll(out).header.argv, `${name} ${how}`).toEqual(readAll(base).header.argv);
        expect(eventsJson(out), `${name} ${how}`).toEqual(eventsJson(base));
      }
    }
    // Only the unfinished calls padded (the other lines are not, so the file is not taken as padded).
    const plain = fs.readFileSync(path.join(LOGS, 'ttt-T-yy.log'), 'latin1');
    expect(plain).toMatch(/ <unfinished \.\.\.>\n/);
    const log = path.join(dir, 'unfinished-padded.log');
    fs.writeFileSync(log, plain.replace(/ <unfinished \.\.\.>\n/g, ' <unfinished ...>   \n'), 'latin1');
    const out = path.join(dir, 'unfinished-padded.ptrace');
    const base = path.join(dir, 'ttt-T-yy-plain.ptrace');
    const r = runCli(['import', log, '-o', out]);
    expect(r.stderr).toMatch(/; 0 unparsed/);
    expect(eventsJson(out)).toEqual(eventsJson(base));
  });

  it('reads the no-break spaces a mail or chat client makes of spaces as spaces', () => {
    const plain = fs.readFileSync(path.join(LOGS, 'ttt-T-yy.log'), 'latin1');
    const base = path.join(dir, 'nbsp-plain.ptrace');
    expect(runCli(['import', path.join(LOGS, 'ttt-T-yy.log'), '-o', base]).code).toBe(0);
    const nbsp = '\xc2\xa0';
    // Runs of spaces as "&nbsp; " (strace aligns results with them), or every space.
    for (const [how, text] of [
      ['runs', plain.replace(/  /g, `${nbsp} `)],
      ['all', plain.replace(/ /g, nbsp)],
    ] as const) {
      const log = path.join(dir, `nbsp-${how}.log`);
      fs.writeFileSync(log, text, 'latin1');
      const out = path.join(dir, `nbsp-${how}.ptrace`);
      const r = runCli(['import', log, '-o', out]);
      expect(r.code, `${how}: ${r.stderr}`).toBe(0);
      expect(r.stderr).toMatch(/; 0 unparsed/);
      expect(readAll(out).header.argv).toEqual(['sh', '-c', 'ls / | wc -l']);
      expect(eventsJson(out), how).toEqual(eventsJson(base));
    }
  });

  it('imports a log folded to 60, 72, 80 or 100 columns, or wrapped by words at 72, to the events of the original', () => {
    const byColumns = (w: number) => (l: string) => Array.from({ length: Math.max(1, Math.ceil(l.length / w)) }, (_, i) => l.slice(i * w, (i + 1) * w));
    // A mail client's wrap: at the last space before the limit, which stays at the end of the line.
    const byWords = (w: number) => (l: string) => {
      const out: string[] = [];
      let rest = l;
      while (rest.length > w) {
        const k = rest.lastIndexOf(' ', w - 1) > 0 ? rest.lastIndexOf(' ', w - 1) + 1 : w;
        out.push(rest.slice(0, k));
        rest = rest.slice(k);
      }
      return [...out, rest];
    };
    // A -ttt -T -yy log of a pipeline, and a -k -Y one (stack frames, wrapped too).
    for (const [name, folds] of [
      ['ttt-T-yy.log', [['60 columns', byColumns(60)], ['72 columns', byColumns(72)], ['100 columns', byColumns(100)], ['words at 72', byWords(72)]]],
      ['k-Y.log', [['60 columns', byColumns(60)], ['72 columns', byColumns(72)], ['80 columns', byColumns(80)], ['words at 72', byWords(72)]]],
    ] as const) {
      const base = path.join(dir, 'fold-base.ptrace');
      expect(runCli(['import', path.join(LOGS, name), '-o', base]).code).toBe(0);
      const want = eventsJson(base);
      const lines = fs.readFileSync(path.join(LOGS, name), 'latin1').trimEnd().split('\n');
      for (const [fold, split] of folds) {
        const label = `${name}, ${fold}`;
        const folded = lines.flatMap(split);
        expect(folded.length, label).toBeGreaterThan(lines.length);
        const log = path.join(dir, 'folded.log');
        fs.writeFileSync(log, `${folded.join('\n')}\n`, 'latin1');
        const out = path.join(dir, 'folded.ptrace');
        const r = runCli(['import', log, '-o', out]);
        expect(r.code, `${label}: ${r.stderr}`).toBe(0);
        expect(r.stderr, label).toMatch(/\(strace\) into \d+ events in .*; 0 unparsed/);
        expect(eventsJson(out), label).toEqual(want);
      }
    }
  });

  it('reads the header (argv, start time) from a first line a terminal wrapped', () => {
    const lines = fs.readFileSync(path.join(LOGS, 'ttt-T-yy.log'), 'latin1').trimEnd().split('\n');
    expect(lines[0]).toMatch(/execve\(.{80}/);
    const log = path.join(dir, 'wrapped-first.log');
    fs.writeFileSync(log, [lines[0].slice(0, 60), lines[0].slice(60, 120), lines[0].slice(120), ...lines.slice(1)].join('\n') + '\n');
    const out = path.join(dir, 'wrapped-first.ptrace');
    const r = runCli(['import', log, '-o', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/; 0 unparsed/);
    const base = path.join(dir, 'unwrapped-first.ptrace');
    expect(runCli(['import', path.join(LOGS, 'ttt-T-yy.log'), '-o', base]).code).toBe(0);
    expect(readAll(out).header.argv).toEqual(['sh', '-c', 'ls / | wc -l']);
    expect(readAll(out).header.startTimeNs).toBe(readAll(base).header.startTimeNs);
  });

  it('reads the log from stdin with -', () => {
    const out = path.join(dir, 'stdin.ptrace');
    const r = runCli(['import', '-', '-o', out], { input: fs.readFileSync(path.join(LOGS, 'tt-xx.log')) });
    expect(r.code).toBe(0);
    expect(readAll(out).header.notes.join(' ')).toMatch(/stdin/);
    expect(readAll(out).events.some((e) => e.kind === 'exec' && e.path === '/usr/bin/cat')).toBe(true);
  });

  it('merges strace -ff per-process files by time, taking each pid from the file name', () => {
    const ff = fs.readdirSync(path.join(LOGS, 'ff')).map((f) => path.join(LOGS, 'ff', f));
    const pids = ff.map((f) => Number(/\.(\d+)$/.exec(f)![1])).sort();
    const out = path.join(dir, 'ff.ptrace');
    const r = runCli(['import', ...ff.reverse(), '-o', out]);
    expect(r.code).toBe(0);
    const { events } = readAll(out);
    expect([...new Set(events.map((e) => e.pid))].sort()).toEqual(pids);
    const starts = events.filter((e) => e.kind === 'start');
    expect(starts[0]).toMatchObject({ isRoot: true, pid: pids[0] });
    const times = events.map((e) => e.timeNs ?? 0);
    expect(times.every((t, i) => i === 0 || t >= times[i - 1] || events[i].kind !== 'call')).toBe(true);
  });

  it('takes the lowest pid as the root of -ff files without times, whatever order they are given in', () => {
    const ff = fs.readdirSync(path.join(LOGS, 'ff-notime')).map((f) => path.join(LOGS, 'ff-notime', f));
    const pids = ff.map((f) => Number(/\.(\d+)$/.exec(f)![1])).sort();
    const out = path.join(dir, 'ff-notime.ptrace');
    expect(runCli(['import', ...[...ff].sort().reverse(), '-o', out]).code).toBe(0);
    const starts = readAll(out).events.filter((e) => e.kind === 'start');
    expect(starts.map((s) => (s.kind === 'start' ? [s.pid, s.isRoot ? 0 : s.parentPid] : []))).toEqual([[pids[0], 0], [pids[1], pids[0]], [pids[2], pids[0]]]);
  });

  it('keeps damaged lines as unparsed events and lists them on stderr', () => {
    const out = path.join(dir, 'damaged.ptrace');
    const r = runCli(['import', path.join(LOGS, 'damaged.log'), '-o', out]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/; 2 unparsed/);
    expect(r.stderr).toMatch(/damaged\.log:6: expected a call/);
    expect(r.stderr).toMatch(/damaged\.log:7: line ends too early/);
    expect(r.stderr).toMatch(/^picotrace: {3}1 piece\(s\) of the program's own output, printed inside call lines, are kept apart/m);
    const un = readAll(out).events.filter((e) => e.kind === 'unparsed');
    // Line 4 is `write(1, "hi\n", 3hi`: the program's output, kept apart but not counted as unparsed.
    expect(un.map((e) => (e.kind === 'unparsed' ? [e.line, e.reason === PROGRAM_OUTPUT] : []))).toEqual([
      [4, true],
      [6, false],
      [7, false],
    ]);
  });

  it('fails at the first bad line with --strict, naming file and line, and writes nothing', () => {
    const out = path.join(dir, 'strict.ptrace');
    const r = runCli(['import', '--strict', path.join(LOGS, 'damaged.log'), '-o', out]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^picotrace: .*damaged\.log:6: expected a call, signal or exit/);
    expect(fs.existsSync(out)).toBe(false);
    // The program's output inside call lines (line 4 above, all through terminal.log) is no bad line.
    const t = runCli(['import', '--strict', path.join(LOGS, 'terminal.log'), '-o', out]);
    expect([t.code, t.stderr]).toEqual([0, expect.stringMatching(/; 0 unparsed\n.* 6 piece\(s\) of the program's own output/)]);
    // dump shows each piece quoted on one line, after the write that printed it.
    const d = runCli(['dump', out]).stdout.split('\n');
    const at = d.findIndex((l) => l.endsWith('write(1, "1\\n2\\n3\\n", 6) = 6'));
    expect(d[at + 1]).toMatch(/^\d+ - >>> program output "1\\n2\\n3\\n" \(.*terminal\.log:17\)$/);
    expect(d.filter((l) => l.includes('>>> program output'))).toHaveLength(6);
  });

  it('refuses input that is not a known log format, an unknown --format, a missing file and a missing -o', () => {
    const junk = path.join(dir, 'junk.txt');
    fs.writeFileSync(junk, 'hello\nworld\n');
    const out = path.join(dir, 'x.ptrace');
    const a = runCli(['import', junk, '-o', out]);
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/junk\.txt: cannot tell the log format/);
    const b = runCli(['import', '--format', 'bogus', junk, '-o', out]);
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/--format/);
    const c = runCli(['import', path.join(dir, 'nope.log'), '-o', out]);
    expect(c.code).toBe(2);
    expect(c.stderr).toMatch(/nope\.log: no such file/);
    const e = runCli(['import', '-', '-o', out], { input: '' });
    expect(e.code).toBe(2);
    expect(e.stderr).toMatch(/^picotrace: stdin: the log is empty\n$/);
    const d = runCli(['import', junk]);
    expect(d.code).toBe(2);
    expect(d.stderr).toMatch(/-o FILE is required/);
    for (const x of [a, b, c, d]) expect(x.stderr).not.toMatch(/\n\s+at /);
  });

  it('refuses a compressed log, with or without --format, and names the command that prints its text', () => {
    const text = fs.readFileSync(path.join(LOGS, 'ttt-T-yy.log'));
    const gz = path.join(dir, 'strace.log.gz');
    fs.writeFileSync(gz, zlib.gzipSync(text));
    const out = path.join(dir, 'packed.ptrace');
    for (const args of [[gz], ['--format', 'strace', gz]]) {
      const r = runCli(['import', ...args, '-o', out]);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(`picotrace: ${gz}: is gzip-compressed; import reads the log's text: zcat ${gz} | picotrace import - -o TRACE\n`);
      expect(fs.existsSync(out)).toBe(false);
    }
    const piped = runCli(['import', '-', '-o', out], { input: zlib.gzipSync(text) });
    expect(piped.code).toBe(2);
    expect(piped.stderr).toMatch(/^picotrace: stdin: is gzip-compressed; .*zcat \| picotrace import - -o TRACE\n$/);
    // The other compressors, by the bytes their files begin with.
    const heads: [string, Buffer][] = [
      ['xz', Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 0x00, 0x04])],
      ['zstd', Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x24, 0x10])],
      ['bzip2', Buffer.from('BZh91AY&SY\x8a\x02', 'latin1')],
    ];
    for (const [name, head] of heads) {
      const f = path.join(dir, `strace.log.${name}`);
      fs.writeFileSync(f, Buffer.concat([head, Buffer.alloc(64, 0x91)]));
      const r = runCli(['import', f, '-o', out]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`: is ${name}-compressed; import reads the log's text: \\w+cat `));
    }
    // A log a Windows editor saved as UTF-16 (with its byte order mark, as iconv writes it too).
    const u16 = path.join(dir, 'strace-utf16.log');
    fs.writeFileSync(u16, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text.toString('latin1'), 'utf16le')]));
    const w = runCli(['import', u16, '-o', out]);
    expect(w.code).toBe(2);
    expect(w.stderr).toBe(`picotrace: ${u16}: is UTF-16 text; import reads the log's text: iconv -f UTF-16 -t UTF-8 ${u16} | picotrace import - -o TRACE\n`);
    // A log whose first call begins like bzip2's magic is still a log.
    const bz = path.join(dir, 'bzh.log');
    fs.writeFileSync(bz, 'BZh(1) = 0\ngetpid() = 5\n');
    expect(runCli(['import', '--format', 'strace', bz, '-o', out]).code).toBe(0);
  });

  it('reads a log saved with a UTF-8 byte order mark and CRLF line ends as the same log without them', () => {
    const plain = path.join(LOGS, 'ttt-T-yy.log');
    const bom = path.join(dir, 'bom.log');
    // As Windows editors save a pasted log: the mark, and CRLF line ends.
    fs.writeFileSync(bom, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(fs.readFileSync(plain, 'latin1').replace(/\n/g, '\r\n'), 'latin1')]));
    const a = path.join(dir, 'plain.ptrace');
    const b = path.join(dir, 'bom.ptrace');
    expect(runCli(['import', plain, '-o', a]).code).toBe(0);
    const r = runCli(['import', bom, '-o', b]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/; 0 unparsed/);
    const x = readAll(a);
    const y = readAll(b);
    expect(y.header.argv).toEqual(['sh', '-c', 'ls / | wc -l']);
    expect(y.header.startTimeNs).toBe(x.header.startTimeNs);
    expect(y.events).toEqual(x.events);
    // -ff files with CRLF line ends merge by time as the originals do.
    const ffDir = path.join(LOGS, 'ff');
    const crlfDir = path.join(dir, 'ff-crlf');
    fs.mkdirSync(crlfDir, { recursive: true });
    for (const f of fs.readdirSync(ffDir)) fs.writeFileSync(path.join(crlfDir, f), fs.readFileSync(path.join(ffDir, f), 'latin1').replace(/\n/g, '\r\n'), 'latin1');
    const ffA = path.join(dir, 'ff-lf.ptrace');
    const ffB = path.join(dir, 'ff-crlf.ptrace');
    expect(runCli(['import', ...fs.readdirSync(ffDir).map((f) => path.join(ffDir, f)), '-o', ffA]).code).toBe(0);
    expect(runCli(['import', ...fs.readdirSync(crlfDir).map((f) => path.join(crlfDir, f)), '-o', ffB]).code).toBe(0);
    expect(readAll(ffB).events).toEqual(readAll(ffA).events);
  });

  it('imports a forced --format strace log even when most lines are damaged', () => {
    const log = path.join(dir, 'mostly-bad.log');
    fs.writeFileSync(log, 'garbage one\ngarbage two\ngetpid() = 5\n');
    const out = path.join(dir, 'forced.ptrace');
    const r = runCli(['import', '--format', 'strace', log, '-o', out]);
    expect(r.code).toBe(0);
    expect(readAll(out).events.map((e) => e.kind)).toEqual(['unparsed', 'unparsed', 'start', 'call']);
  });
});
