/** Where progress is drawn: stderr, or anything that looks like it (tests pass a fake terminal). */
export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(s: string): boolean;
}

/** Options of startProgress. */
export interface ProgressOptions {
  /** Shown first on the line: usually the command name. */
  label: string;
  /** Amount of work when known (events or bytes); without it no percentage or time left is shown. */
  total?: number;
  /** What is counted: `events` (default), `lines`, or `bytes` (shown as KiB, MiB, ...). */
  unit?: ProgressUnit;
  /** `--quiet`: never draw. */
  quiet?: boolean;
  /** Default: process.stderr. Progress is drawn only when it is a terminal. */
  stream?: ProgressStream;
  /** Nothing is drawn before this many ms have passed (default 1000), so quick runs stay silent. */
  delayMs?: number;
  /** Least time between redraws in ms (default 200). */
  intervalMs?: number;
  /** Clock in ms (default Date.now); tests pass their own. */
  now?: () => number;
}

/** A progress line: call update() as work is done (cheap, throttled) and finish() when done or failed. */
export interface Progress {
  /** Reports that `done` units of the total are complete. */
  update(done: number): void;
  /** Erases the line if one was drawn. Safe to call more than once. */
  finish(): void;
}

/** What a progress line counts. */
export type ProgressUnit = 'events' | 'lines' | 'bytes';

const SILENT: Progress = { update: () => undefined, finish: () => undefined };

function human(n: number, unit: ProgressUnit): string {
  if (unit === 'bytes') {
    const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    let i = 0;
    while (n >= 1024 && i < units.length - 1) {
      n /= 1024;
      i++;
    }
    return `${i ? n.toFixed(1) : n.toFixed(0)} ${units[i]}`;
  }
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)}G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (n >= 1e4) return `${(n / 1e3).toFixed(1)}k`;
  return String(Math.round(n));
}

function duration(s: number): string {
  if (!Number.isFinite(s)) return '?';
  if (s >= 3600) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  if (s >= 60) return `${Math.floor(s / 60)}m${String(Math.floor(s % 60)).padStart(2, '0')}s`;
  return `${Math.ceil(s)}s`;
}

/** The text of one progress line (without control characters). */
export function progressLine(label: string, done: number, elapsedMs: number, total: number | undefined, unit: ProgressUnit): string {
  const rate = elapsedMs > 0 ? (done * 1000) / elapsedMs : 0;
  const suffix = unit === 'bytes' ? '' : ` ${unit}`;
  let s = `${label}: ${human(done, unit)}`;
  if (total !== undefined && total > 0) s += `/${human(total, unit)}${suffix} (${Math.min(100, Math.floor((100 * done) / total))}%)`;
  else s += suffix;
  s += `, ${human(rate, unit)}${unit === 'bytes' ? '/s' : '/s'}`;
  if (total !== undefined && total > 0 && rate > 0) s += `, ${duration(Math.max(0, total - done) / rate)} left`;
  return s;
}

/**
 * Starts a progress line on stderr for a long command (import, diff, scrub, export, stats, ...). It draws
 * only when the stream is a terminal and `quiet` is not set, and only once the work has taken longer
 * than `delayMs`; otherwise every call is a no-op.
 */
export function startProgress(o: ProgressOptions): Progress {
  const stream = o.stream ?? process.stderr;
  if (o.quiet || !stream.isTTY) return SILENT;
  const now = o.now ?? Date.now;
  const t0 = now();
  const delay = o.delayMs ?? 1000;
  const interval = o.intervalMs ?? 200;
  const unit = o.unit ?? 'events';
  let last = -Infinity;
  let drawn = false;
  let finished = false;
  return {
    update(done) {
      if (finished) return;
      const t = now();
      if (t - t0 < delay || t - last < interval) return;
      last = t;
      const width = Math.max(20, (stream.columns || 80) - 1);
      stream.write(`\r${progressLine(o.label, done, t - t0, o.total, unit).slice(0, width)}\x1b[K`);
      drawn = true;
    },
    finish() {
      if (finished) return;
      finished = true;
      if (drawn) stream.write('\r\x1b[K');
    },
  };
}

/** Lets the event loop run (signal handlers, pending writes) between synchronous batches of work. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Iterates `events`, reporting each event counted to `progress` and yielding to the event loop every
 * `every` items so that Ctrl-C is handled promptly during long synchronous reads.
 */
export async function* withProgress<T>(items: Iterable<T>, progress: Progress, every = 2048): AsyncGenerator<T> {
  let n = 0;
  for (const it of items) {
    yield it;
    if (++n % every === 0) {
      progress.update(n);
      await yieldToEventLoop();
    }
  }
  progress.update(n);
}
