/** Default bytes of each string and data buffer strace prints (strace -s); a diff compares this much data. */
export const DEFAULT_BUFFER_SIZE = 256;

/** strace options picotrace records with, by what they are for (stored in the header's captureOptions). */
export interface StraceFlags {
  args: string[];
  options: Record<string, string>;
}

/**
 * The strace command-line options for a recording: follow every fork and clone, wall-clock
 * timestamps and durations in ns, fd paths including sockets and devices, strings up to
 * `bufferSize` bytes, (with env) the full environment of every exec, and (with stack) the user-space
 * stack of every call.
 */
export function straceFlags(o: { bufferSize: number; env: boolean; output: string; stack?: boolean }): StraceFlags {
  const args = ['-f', '-q', '--absolute-timestamps=unix,ns', '--syscall-times=ns', '-yy', '-s', String(o.bufferSize)];
  if (o.env) args.push('-e', 'abbrev=!execve,execveat');
  // The user-space stack of every call (its frames follow the call's line).
  if (o.stack) args.push('-k');
  const options: Record<string, string> = { tool: 'strace', straceFlags: args.join(' '), bufferSize: String(o.bufferSize), env: String(o.env) };
  if (o.stack) options.stack = 'true';
  return { args: [...args, '-o', o.output], options };
}
