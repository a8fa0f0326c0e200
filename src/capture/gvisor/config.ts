import { SCHEMATIZED_POINTS } from './messages.js';

/** Highest amd64 syscall number runsc release-20221219 has a raw point for. */
export const MAX_SYSNO = 441;

/** How the remote sink retries a full socket before dropping a point. */
export interface SinkRetry {
  retries: number;
  /** Go duration of the first wait, doubled per retry. */
  backoff: string;
  /** Go duration the wait is capped at. */
  backoffMax: string;
}

/** Lossless by default: a full socket is retried for about a second before a point is dropped (runsc's default of 0 retries loses 10-50 % of a syscall-heavy run). */
export const DEFAULT_RETRY: SinkRetry = { retries: 1000, backoff: '10us', backoffMax: '1ms' };

/** Context fields every point carries: time and the thread and thread-group ids (raw exit points reuse the enter selection, so both get the same). */
export const CONTEXT_FIELDS = ['time', 'thread_id', 'group_id'];

interface PointConfig {
  name: string;
  optional_fields?: string[];
  context_fields: string[];
}

/**
 * Every point name the session enables, in the order written to the config. `enter: false` leaves out
 * the raw enter points; in runsc 20221219 the raw exit points then carry no context at all (they reuse
 * the enter point's context selection), so calls lose their thread: only for measurements.
 */
export function sessionPoints(opts: { env: boolean; enter?: boolean }): PointConfig[] {
  const ctx = CONTEXT_FIELDS;
  const points: PointConfig[] = [
    { name: 'container/start', context_fields: ctx, ...(opts.env ? { optional_fields: ['env'] } : {}) },
    { name: 'sentry/clone', context_fields: ctx },
    { name: 'sentry/execve', context_fields: ctx, optional_fields: ['binary_info'] },
    { name: 'sentry/task_exit', context_fields: ctx },
  ];
  for (let n = 0; n <= MAX_SYSNO; n++) {
    if (opts.enter !== false) points.push({ name: `syscall/sysno/${n}/enter`, context_fields: ctx });
    points.push({ name: `syscall/sysno/${n}/exit`, context_fields: ctx });
  }
  for (const p of SCHEMATIZED_POINTS) {
    const optional = p.fdPath ? { optional_fields: ['fd_path'] } : {};
    if (p.enter) points.push({ name: `syscall/${p.name}/enter`, context_fields: ctx, ...optional });
    if (p.exit) points.push({ name: `syscall/${p.name}/exit`, context_fields: ctx, ...optional });
  }
  return points;
}

/** The --pod-init-config document: one trace session sending every point to the remote sink at `endpoint`. */
export function sessionConfig(opts: { endpoint: string; env: boolean; enter?: boolean; retry?: SinkRetry }): object {
  const retry = opts.retry ?? DEFAULT_RETRY;
  return {
    trace_session: {
      name: 'Default',
      points: sessionPoints(opts),
      sinks: [
        {
          name: 'remote',
          config: { endpoint: opts.endpoint, retries: retry.retries, backoff: retry.backoff, backoff_max: retry.backoffMax },
        },
      ],
    },
  };
}
