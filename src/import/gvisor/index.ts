import type { ImportFormat } from '../formats.js';
import { GVISOR_RECORD_START, GvisorLogParser } from './parse.js';

export { GvisorLogParser, GVISOR_RECORD_START, type GvisorParserOptions } from './parse.js';
export { readGoQuoted, GoQuoteError } from './goquote.js';
export { argKinds, argCount, type ArgKind } from './argspec.js';

/** Confidence that these first lines are a gVisor strace log: the share of non-empty lines that are strace.go records or glog lines around them (0.6 for the start of a runsc boot log, before any record). */
export function detectGvisor(firstLines: string[]): number {
  let seen = 0;
  let records = 0;
  let glog = 0;
  for (const l of firstLines) {
    if (!l.trim()) continue;
    seen++;
    if (GVISOR_RECORD_START.test(l)) records++;
    else if (/^[IWEFD]\d{4} \d\d:\d\d:\d\d\.\d+\s+\d+ \S+:\d+\] /.test(l)) glog++;
  }
  if (!seen) return 0;
  if (records) return Math.min(1, (records + glog) / seen);
  const runscLog = firstLines.some((l) => /\] (?:Args: \[runsc|Version 0\.0~|\s+Strace: )/.test(l));
  return runscLog && glog / seen >= 0.3 ? 0.6 : 0;
}

/** Wall-clock ns of a glog-prefixed line (glog omits the year: the current one is assumed), or undefined. */
export function glogTimeNs(line: string): bigint | undefined {
  const m = /^[IWEFD](\d\d)(\d\d) (\d\d):(\d\d):(\d\d)\.(\d{1,9})\s/.exec(line);
  if (!m) return undefined;
  const ms = new Date(new Date().getFullYear(), Number(m[1]) - 1, Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5])).getTime();
  return BigInt(ms) * 1000000n + BigInt(Number(m[6].padEnd(9, '0')));
}

/** gVisor's strace debug log (`runsc --strace --debug --debug-log=DIR/`, the *.boot.txt file), whole or pasted in part. */
export const GVISOR_FORMAT: ImportFormat = {
  name: 'gvisor',
  backend: 'import:gvisor',
  detect: detectGvisor,
  headerHints: (lines) => {
    const m = lines.map((l) => /^I\d{4} .*main\.go:\d+\] Version (\S+)/.exec(l)).find(Boolean);
    const first = lines.find((l) => GVISOR_RECORD_START.test(l)) ?? lines.find((l) => glogTimeNs(l) !== undefined);
    const startTimeNs = first === undefined ? undefined : glogTimeNs(first);
    return { runtimeName: 'runsc', ...(m ? { runtimeVersion: m[1] } : {}), ...(startTimeNs !== undefined ? { startTimeNs } : {}) };
  },
  lineTimeNs: glogTimeNs,
  createParser: (sink, opts) => new GvisorLogParser(sink, { startTimeNs: opts.startTimeNs, source: opts.source }),
};
