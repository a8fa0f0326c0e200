import type { ChunkAnnotator } from '../format/index.js';
import type { NewEvent, TraceHeader } from '../model/index.js';

/** Rewrites the header and every event before they are written (`record --scrub` passes scrub's transform). */
export interface EventTransform {
  header(h: TraceHeader): TraceHeader;
  event<E extends NewEvent>(ev: E): E;
}

/** What `picotrace record` asks a backend to do. */
export interface RecordOptions {
  /** The command to run: program and arguments. Empty when a bundle gives the command. */
  argv: string[];
  /** Trace file to write (created with mode 0600). */
  output: string;
  /** Bytes of each input/output buffer to keep. */
  bufferSize: number;
  /** Store the environment in the header and exec events. */
  env: boolean;
  /** Capture the user-space stack of every call (native backend: strace -k). */
  stack?: boolean;
  /** Run the recorder and the program on this CPU only (native backend: taskset), as rr does. */
  cpu?: number;
  /** Backend-specific source ("monitor", "strace-log" for gvisor). */
  source?: string;
  /** An OCI bundle directory to run instead of argv. */
  bundle?: string;
  /** Working directory of the traced program (default: the current one). */
  cwd?: string;
  /** Per-chunk stream digests for bisect, supplied by compare/. */
  annotator?: ChunkAnnotator;
  /** Applied to the header and to each event before it reaches the writer, so nothing untransformed is stored. */
  transform?: EventTransform;
  /** Name and version of the recording program, stored in the header's writer field. */
  writer?: string;
  /** Progress and warnings go here (stderr by default); quiet when undefined. */
  log?: (line: string) => void;
}

/** What a finished recording reports. */
export interface RecordResult {
  /** The traced program's exit status the way a shell reports it (128+N when killed by signal N). */
  exitCode: number;
  events: number;
  /** Events the source reported lost. */
  dropped: number;
  warnings: string[];
}

/** A way to record: runs the program and writes the trace. Throws CaptureEnvError when it cannot start. */
export type Backend = (opts: RecordOptions) => Promise<RecordResult>;
