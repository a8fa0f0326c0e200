import type { Command } from 'commander';
import { z } from 'zod/v3';
import { bisectTraces, type BisectPair } from '../../compare/index.js';
import { TraceReader, describeDamage } from '../../format/index.js';
import type { TraceEvent } from '../../model/index.js';
import { describeRun, formatEventLine, jsonReplacer } from '../../render/index.js';
import { ExitCode, UsageError } from '../../util/errors.js';
import { setExitCode } from '../main.js';
import { parseOption, zCount } from '../options.js';

interface BisectCliOptions {
  context: string;
  strict?: boolean;
  loose?: boolean;
  json?: boolean;
}

function around(r: TraceReader, seq: number | undefined, tid: number | undefined, n: number): { seq: number; here: boolean; text: string }[] {
  if (seq === undefined || tid === undefined) return [];
  const before: TraceEvent[] = [];
  const after: TraceEvent[] = [];
  let here: TraceEvent | undefined;
  for (const ev of r.events({ from: Math.max(0, seq - 4 * 4096), to: seq + 4 * 4096, filter: { tids: new Set([tid]) } })) {
    if (ev.seq < seq) {
      before.push(ev);
      if (before.length > n) before.shift();
    } else if (ev.seq === seq) here = ev;
    else if (after.length < n) after.push(ev);
    else break;
  }
  const line = (ev: TraceEvent) => formatEventLine(ev, { pid: false, time: false, stringLimit: 96 });
  return [...before.map((ev) => ({ seq: ev.seq, here: false, text: line(ev) })), ...(here ? [{ seq, here: true, text: line(here) }] : []), ...after.map((ev) => ({ seq: ev.seq, here: false, text: line(ev) }))];
}

function label(p: BisectPair): string {
  const t = p.a ?? p.b!;
  const prog = (p.a?.execs.at(-1) ?? p.b?.execs.at(-1)) || '';
  return `${t.isThread ? 'thread' : 'process'} ${t.path}${prog ? ` ${prog}` : ''} (pid ${p.a?.tid ?? '-'} | ${p.b?.tid ?? '-'})`;
}

/** `picotrace bisect A B`: the first divergent call of each process pair, by binary search on the stream digests in the index. */
export function registerBisect(program: Command): void {
  program
    .command('bisect')
    .description("find each process's first divergent call by binary search on the traces' stream digests (exit 0 equal, 1 different)")
    .argument('<a>', 'first trace (.ptrace)')
    .argument('<b>', 'second trace (.ptrace)')
    .option('-C, --context <n>', 'calls of the same thread to show around the divergence', '3')
    .option('--strict', 'strict normalization profile (the default)')
    .option('--loose', 'loose normalization profile (recordings carry strict digests, so this scans)')
    .option('--json', 'one JSON object instead of text')
    .action((fa: string, fb: string, o: BisectCliOptions) => {
      if (o.strict && o.loose) throw new UsageError('bisect: --strict and --loose exclude each other');
      const n = parseOption(zCount.pipe(z.number().max(1000, 'must be at most 1000')), o.context, '--context');
      const ra = TraceReader.open(fa);
      let rb: TraceReader | undefined;
      try {
        rb = TraceReader.open(fb);
        let damaged = false;
        for (const [r, f] of [[ra, fa], [rb, fb]] as const)
          if (r.integrity.damage) {
            damaged = true;
            process.stderr.write(`picotrace: ${describeDamage(f, r.integrity.damage)}; bisecting what is readable\n`);
          }
        const t0 = process.hrtime.bigint();
        const c0 = process.cpuUsage();
        const res = bisectTraces(ra, rb, o.loose ? 'loose' : 'strict');
        const ms = Number(process.hrtime.bigint() - t0) / 1e6;
        const c1 = process.cpuUsage(c0);
        const cpuMs = (c1.user + c1.system) / 1000;
        const chunksRead = ra.chunksRead + rb.chunksRead;
        const total = ra.chunks.length + rb.chunks.length;
        const divergent = res.pairs.filter((p) => p.index !== undefined);
        if (o.json) {
          const out = {
            method: res.method,
            reason: res.reason,
            chunksRead,
            chunks: total,
            equal: divergent.length === 0,
            pairs: res.pairs.map((p) => ({
              a: p.a ? { task: p.a.path, tid: p.a.tid, programs: p.a.execs, length: p.lengthA } : null,
              b: p.b ? { task: p.b.path, tid: p.b.tid, programs: p.b.execs, length: p.lengthB } : null,
              index: p.index ?? null,
              a_seq: p.seqA ?? null,
              b_seq: p.seqB ?? null,
              a_line: p.seqA !== undefined ? formatEventLine(ra.event(p.seqA), { pid: false, time: false }) : null,
              b_line: p.seqB !== undefined ? formatEventLine(rb!.event(p.seqB), { pid: false, time: false }) : null,
            })),
          };
          process.stdout.write(`${JSON.stringify(out, jsonReplacer, 2)}\n`);
        } else {
          const lines: string[] = [`A: ${fa} (${describeRun(ra.header)})`, `B: ${fb} (${describeRun(rb.header)})`];
          const took = `in ${ms.toFixed(1)} ms (${cpuMs.toFixed(1)} ms CPU)`;
          if (res.method === 'digests') lines.push(`bisect on stream digests: read ${chunksRead} of ${total} chunks ${took}`);
          else lines.push(`no usable stream digests: ${res.reason}; scanned both traces (${chunksRead} chunks) ${took}`);
          if (!divergent.length) lines.push(`no divergence in ${res.pairs.length} process pair${res.pairs.length === 1 ? '' : 's'}`);
          divergent.forEach((p, k) => {
            lines.push('');
            if (!p.a || !p.b) {
              lines.push(`[${k + 1}] ${label(p)}: only in ${p.a ? 'A' : 'B'}`);
              return;
            }
            lines.push(`[${k + 1}] ${label(p)}: first divergence at stream position ${p.index} of ${p.lengthA} | ${p.lengthB}`);
            for (const [side, r, seq, tid] of [['A', ra, p.seqA, p.a.tid], ['B', rb!, p.seqB, p.b.tid]] as const) {
              if (seq === undefined) {
                lines.push(`  ${side}: (stream ended)`);
                continue;
              }
              lines.push(`  ${side}:`);
              for (const l of around(r, seq, tid, n)) lines.push(`  ${l.here ? '>' : ' '} #${String(l.seq).padEnd(8)} ${l.text}`);
            }
          });
          process.stdout.write(`${lines.join('\n')}\n`);
        }
        setExitCode(damaged ? ExitCode.corrupt : divergent.length ? ExitCode.differences : ExitCode.ok);
      } finally {
        ra.close();
        rb?.close();
      }
    });
}
