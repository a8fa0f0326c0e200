/** Exit codes used by the CLI entry (the only place that exits). */
export const ExitCode = {
  ok: 0,
  differences: 1,
  usage: 2,
  corrupt: 3,
  environment: 4,
  /** The command to record was found but cannot be executed (as a shell reports it). */
  cannotExecute: 126,
  /** The command to record was not found (as a shell reports it). */
  notFound: 127,
} as const;

/** Base of every error picotrace reports as one line; `code` is stable, `exitCode` is what the CLI returns. */
export class PicoError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Wrong arguments or options on the command line (exit 2). */
export class UsageError extends PicoError {
  constructor(message: string) {
    super(message, 'usage', ExitCode.usage);
  }
}

/** Input that is not a trace problem but still unusable: a missing file, a malformed log, a bad rules file (exit 2). */
export class BadInputError extends PicoError {
  constructor(
    message: string,
    readonly where?: string,
  ) {
    super(where ? `${where}: ${message}` : message, 'bad-input', ExitCode.usage);
  }
}

/** The command to record cannot be run: 127 when it is not found, 126 when it is found but cannot be executed, as from a shell or env(1). */
export class CannotRunError extends PicoError {
  constructor(
    readonly command: string,
    message: string,
    readonly notFound: boolean,
  ) {
    super(`${command}: ${message}`, 'cannot-run', notFound ? ExitCode.notFound : ExitCode.cannotExecute);
  }
}

/** A trace file that is damaged or not a trace at all (exit 3); `offset` is where the damage starts. */
export class CorruptTraceError extends PicoError {
  constructor(
    readonly file: string,
    readonly what: string,
    readonly offset: number,
  ) {
    super(`${file}: ${what} at offset ${offset}`, 'corrupt-trace', ExitCode.corrupt);
  }
}

/** A trace written by a newer picotrace, or with features this reader lacks (exit 3). */
export class UnsupportedTraceError extends PicoError {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`, 'unsupported-trace', ExitCode.corrupt);
  }
}

/** The capture environment cannot record: tool missing, ptrace refused, runtime cannot start (exit 4). */
export class CaptureEnvError extends PicoError {
  constructor(
    message: string,
    readonly advice?: string,
  ) {
    super(advice ? `${message}; ${advice}` : message, 'capture-env', ExitCode.environment);
  }
}

/** Turns a Node system error on `file` (ENOENT, EISDIR, EACCES, ENOSPC ...) into a one-line BadInputError; re-throws anything else. */
export function fileError(err: unknown, file: string): never {
  const e = err as NodeJS.ErrnoException;
  const known: Record<string, string> = {
    ENOENT: 'no such file',
    EISDIR: 'is a directory, not a file',
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    ENOSPC: 'no space left on device',
    EROFS: 'read-only file system',
    ENOTDIR: 'a path component is not a directory',
    EMFILE: 'too many open files',
    EFBIG: 'file too large',
    EDQUOT: 'disk quota exceeded',
    ENAMETOOLONG: 'file name too long',
    ELOOP: 'too many levels of symbolic links',
    ENXIO: 'no such device or address',
    ETXTBSY: 'text file busy',
    EINVAL: 'invalid argument',
    EIO: 'input/output error',
  };
  if (e && typeof e.code === 'string' && known[e.code]) throw new BadInputError(known[e.code], file);
  if (e && (e.code === 'ERR_INVALID_ARG_VALUE' || e.code === 'ERR_INVALID_ARG_TYPE')) throw new BadInputError('not a valid file name', JSON.stringify(file));
  throw err;
}
