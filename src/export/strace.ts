import { CallFlags, signalName, stackOf, type TraceEvent } from '../model/index.js';
import { formatArg, formatCallBody, formatDuration, formatResult, formatStackLines } from '../render/index.js';
import type { Exporter } from './types.js';

/** Bytes of each string printed, as strace's default is 32; exports keep more so that data survives. */
const STRING_LIMIT = 256;

function epochSeconds(startNs: bigint, timeNs: number): string {
  const abs = startNs + BigInt(Math.trunc(timeNs));
  const s = abs / 1_000_000_000n;
  const us = (abs % 1_000_000_000n) / 1000n;
  return `${s}.${String(us).padStart(6, '0')}`;
}

/**
 * Text in the layout of `strace -f -ttt -T -o FILE`: `TID SECONDS.MICROS call(args) = ret <duration>`,
 * with `--- SIG... ---` and `+++ exited with N +++` lines, and the ` > frame` lines of `-k` stacks; exec
 * and start records are implied by the calls.
 */
export function straceExporter(): Exporter {
  let start = 0n;
  let lastTime = 0;
  return {
    begin(h) {
      start = h.startTimeNs;
      return '';
    },
    event(ev: TraceEvent) {
      const line = eventLine(ev);
      // A stack (strace -k) follows its event's line, as strace prints it.
      return line && stackOf(ev) ? `${line}${formatStackLines(ev).join('\n')}\n` : line;
    },
    end: () => '',
  };

  function eventLine(ev: TraceEvent): string {
    if (ev.timeNs !== undefined) lastTime = ev.timeNs;
    const prefix = `${String(ev.tid).padEnd(5)} ${epochSeconds(start, lastTime)} `;
    switch (ev.kind) {
      case 'call': {
        if (ev.flags & CallFlags.unfinished) {
          const body = formatCallBody(ev, STRING_LIMIT);
          return `${prefix}${body.slice(0, -1)} <unfinished ...>) = ?\n`;
        }
        return `${prefix}${formatCallBody(ev, STRING_LIMIT)} ${formatResult(ev)}${formatDuration(ev.durationNs)}\n`;
      }
      case 'signal':
        return `${prefix}--- ${ev.name || signalName(ev.signo)} ${ev.info ? formatArg(ev.info, STRING_LIMIT) : '{}'} ---\n`;
      case 'exit':
        if (ev.threadOnly) return '';
        if (ev.signal) return `${prefix}+++ killed by ${signalName(ev.signal)}${ev.coreDumped ? ' (core dumped)' : ''} +++\n`;
        return `${prefix}+++ exited with ${ev.status} +++\n`;
      default:
        return '';
    }
  }
}
