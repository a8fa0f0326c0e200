import type { Stats, StatsRow } from './collect.js';

const KEY_HEAD: Record<Stats['by'], string> = { call: 'syscall', process: 'pid', errno: 'errno', path: 'path' };

function secs(ns: number): string {
  return (ns / 1e9).toFixed(6);
}

function usecs(ns: number): string {
  return String(Math.round(ns / 1e3));
}

function timedLine(pct: string, s: string, mean: string, calls: string, errors: string, key: string, detail?: string): string {
  return `${pct.padStart(6)} ${s.padStart(11)} ${mean.padStart(11)} ${calls.padStart(9)} ${errors.padStart(9)} ${key}${detail ? `  ${detail}` : ''}`;
}

function countLine(calls: string, errors: string, key: string, detail?: string): string {
  return `${calls.padStart(9)} ${errors.padStart(9)} ${key}${detail ? `  ${detail}` : ''}`;
}

function rowLine(s: Stats, r: StatsRow): string {
  const errors = r.errors ? String(r.errors) : '';
  if (s.by === 'errno') return countLine(String(r.calls), '', r.key, r.detail);
  if (s.by === 'path') return countLine(String(r.calls), errors, r.key, r.detail ? `(${r.detail})` : undefined);
  if (!s.timed) return countLine(String(r.calls), errors, r.key, r.detail);
  return timedLine(r.percentTime.toFixed(2), secs(r.totalNs), r.timedCalls ? usecs(r.meanNs) : '', String(r.calls), errors, r.key, r.detail);
}

/** The stats table as text: strace -c's layout for calls and processes, counts for errno and path. */
export function renderStatsText(s: Stats): string {
  const out: string[] = [];
  const timedTable = s.timed && (s.by === 'call' || s.by === 'process');
  let rule: string;
  if (timedTable) {
    out.push(timedLine('% time', 'seconds', 'usecs/call', 'calls', 'errors', KEY_HEAD[s.by], s.by === 'process' ? 'command' : undefined));
    rule = timedLine('------', '-----------', '-----------', '---------', '---------', '----------------');
  } else {
    const head = s.by === 'errno' ? ['count', '', 'errno', 'calls'] : s.by === 'path' ? ['calls', 'failures', 'path', '(calls)'] : ['calls', 'errors', KEY_HEAD[s.by], s.by === 'process' ? 'command' : ''];
    out.push(countLine(head[0], head[1], head[2], head[3] || undefined));
    rule = countLine('---------', s.by === 'errno' ? '' : '---------', '----------------');
  }
  out.push(rule);
  for (const r of s.rows) out.push(rowLine(s, r));
  if (s.omittedRows) out.push(`${' '.repeat(timedTable ? 50 : 20)}... ${s.omittedRows} more`);
  out.push(rule);
  const t = s.total;
  if (timedTable) out.push(timedLine('100.00', secs(t.totalNs), t.timedCalls ? usecs(t.totalNs / t.timedCalls) : '', String(t.calls), t.errors ? String(t.errors) : '', 'total'));
  else if (s.by === 'errno') out.push(countLine(String(t.errors), '', 'total', `of ${t.calls} calls`));
  else if (s.by === 'path') out.push(countLine(String(s.covered.calls), s.covered.errors ? String(s.covered.errors) : '', 'total', `(of ${t.calls} calls, ${t.calls - s.covered.calls} without a path)`));
  else out.push(countLine(String(t.calls), t.errors ? String(t.errors) : '', 'total'));
  if (s.overflowKeys) out.push(`note: too many distinct ${KEY_HEAD[s.by]}s to keep; the rest are counted as (other)`);
  return `${out.join('\n')}\n`;
}
