import type { ImportFormat } from '../formats.js';
import { GVISOR_RECORD_START, GvisorLogParser } from './parse.js';

export { GvisorLogParser, GVISOR_RECORD_START, type GvisorParserOptions } from './parse.js';
export { readGoQuoted, GoQuoteError } from './goquote.js';
export { argKinds, argCount, type ArgKind } from './argspec.js';

/** Confidence that these first lines are a gVisor strace log: the share of non-empty lines that are strace.go records or glog lines around them. */
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
  if (!seen || !records) return 0;
  return Math.min(1, (records + glog) / seen);
}

/** gVisor's strace debug log (`runsc --strace --debug --debug-log=DIR/`, the *.boot.txt file), whole or pasted in part. */
export const GVISOR_FORMAT: ImportFormat = {
  name: 'gvisor',
  backend: 'import:gvisor',
  detect: detectGvisor,
  headerHints: (lines) => {
    const m = lines.map((l) => /^I\d{4} .*main\.go:\d+\] Version (\S+)/.exec(l)).find(Boolean);
    return m ? { runtimeName: 'runsc', runtimeVersion: m[1] } : { runtimeName: 'runsc' };
  },
  createParser: (sink, opts) => new GvisorLogParser(sink, { startTimeNs: opts.startTimeNs, source: opts.source }),
};
