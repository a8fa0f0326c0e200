import type { ArgValue, Int64 } from './args.js';

/** Bits of CallEvent.flags; the same values as CallFlag in schema/trace.proto. */
export const CallFlags = {
  unfinished: 1,
  interrupted: 2,
  noReturn: 4,
  retvalUnknown: 8,
  vdso: 16,
} as const;

/** Data a call passed in (out=false) or got back (out=true); a decoded `buf` argument points at it by index. */
export interface CallBuffer {
  argIndex: number;
  out: boolean;
  data: Uint8Array;
  /** Length of the whole buffer when data holds only a prefix; 0 when data is whole. */
  fullLength: number;
  truncated: boolean;
  /** Set by scrub: first 16 bytes of SHA-256 of the removed data. */
  digest?: Uint8Array;
  /** Position inside a nested argument (iovec element), -1 for the argument itself. */
  element: number;
}

/** Fields every event has. `seq` is assigned by the writer; `timeNs` is relative to the header's start time. */
export interface EventBase {
  seq: number;
  pid: number;
  tid: number;
  timeNs?: number;
}

/** One crossing of the boundary: entry and exit merged. */
export interface CallEvent extends EventBase {
  kind: 'call';
  name: string;
  /** -1 when unknown. */
  sysno: number;
  rawArgs: Int64[];
  args: ArgValue[];
  retval: Int64;
  /** Positive errno, 0 for success. */
  errno: number;
  durationNs?: number;
  flags: number;
  retAnnotation?: string;
  buffers: CallBuffer[];
  arch?: string;
  /** User-space stack at the call, innermost frame first, as the source printed each frame (strace -k). */
  stack?: string[];
}

/** A process (or thread, when isThread) came into being. */
export interface StartEvent extends EventBase {
  kind: 'start';
  parentPid: number;
  isThread: boolean;
  cloneFlags: Int64;
  isRoot: boolean;
}

/** An environment variable; value removed by scrub keeps the name. */
export interface EnvVar {
  name: string;
  value: string;
  valueRemoved?: boolean;
}

/** A successful exec replaced the program image of `pid`. */
export interface ExecEvent extends EventBase {
  kind: 'exec';
  path: string;
  argv: string[];
  env: EnvVar[];
  oldPid: number;
}

/** A signal was delivered to `tid`. */
export interface SignalEvent extends EventBase {
  kind: 'signal';
  signo: number;
  name: string;
  info?: ArgValue;
  /** User-space stack where the signal found the thread (strace -k), innermost frame first. */
  stack?: string[];
}

/** A process exited (status) or was killed (signal); threadOnly for one thread's exit. */
export interface ExitEvent extends EventBase {
  kind: 'exit';
  status: number;
  signal: number;
  coreDumped: boolean;
  threadOnly: boolean;
  /** User-space stack of the call that ended it (strace -k), innermost frame first. */
  stack?: string[];
}

/**
 * A log line an importer could not parse, kept verbatim with where it came from; or, with the reason
 * PROGRAM_OUTPUT, the program's own output that a log holds inside a call's line.
 */
export interface UnparsedEvent extends EventBase {
  kind: 'unparsed';
  source: string;
  line: number;
  text: string;
  reason: string;
}

/**
 * The reason of an unparsed event that holds the program's own output: when strace and the program
 * write to one terminal (`strace CMD` as most bug reports show it), what a call writes appears
 * between its last argument and strace's `) = RESULT`, as in `write(1, "hi\n", 3hi` then `) = 3`.
 */
export const PROGRAM_OUTPUT = "the program's output, printed inside the line of a call";

/** Every kind of event a trace holds. */
export type TraceEvent = CallEvent | StartEvent | ExecEvent | SignalEvent | ExitEvent | UnparsedEvent;

/** An event before the writer numbered it. */
export type NewEvent = DistributiveOmit<TraceEvent, 'seq'> & { seq?: number };
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** What the recorder or importer knew about the run; stored in the file header. */
export interface TraceHeader {
  formatVersion: number;
  backend: string;
  argv: string[];
  cwd: string;
  env: EnvVar[];
  hostKernel: string;
  runtimeName: string;
  runtimeVersion: string;
  /** Wall-clock start, ns since the epoch, as a bigint (it does not fit a double). */
  startTimeNs: bigint;
  captureOptions: Record<string, string>;
  notes: string[];
  hostname: string;
  scrubbed: string[];
  writer: string;
}

/** A header with defaults for every field not given. */
export function makeHeader(h: Partial<TraceHeader> & { backend: string }): TraceHeader {
  return {
    formatVersion: 0,
    argv: [],
    cwd: '',
    env: [],
    hostKernel: '',
    runtimeName: '',
    runtimeVersion: '',
    startTimeNs: 0n,
    captureOptions: {},
    notes: [],
    hostname: '',
    scrubbed: [],
    writer: '',
    ...h,
  };
}

/** A call with defaults for every field not given (for sources and tests). */
/** The user-space stack (strace -k) of a call, signal or exit, when it has one; undefined otherwise. */
export function stackOf(ev: TraceEvent | NewEvent): string[] | undefined {
  const stack = ev.kind === 'call' || ev.kind === 'signal' || ev.kind === 'exit' ? ev.stack : undefined;
  return stack?.length ? stack : undefined;
}

export function makeCall(c: Partial<CallEvent> & { name: string; pid: number }): Omit<CallEvent, 'seq'> & { seq?: number } {
  return {
    kind: 'call',
    tid: c.pid,
    sysno: -1,
    rawArgs: [],
    args: [],
    retval: 0,
    errno: 0,
    flags: 0,
    buffers: [],
    ...c,
  };
}
