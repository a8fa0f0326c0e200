import type { Backend } from './types.js';
import { nativeChecks, recordNative, type EnvCheck } from './native/index.js';

export type { Backend, RecordOptions, RecordResult } from './types.js';
export { supervise, holdSignals, shellStatus, FORWARDED_SIGNALS, type Supervision, type SuperviseOptions, type HeldSignals } from './supervise.js';
export { DEFAULT_BUFFER_SIZE, findExecutable, type EnvCheck } from './native/index.js';
export { checkRunsc } from './checks.js';

/** Every recording backend by its --backend name. The gVisor one (and its socket addon) loads only when used. */
export const BACKENDS: Record<string, Backend> = {
  native: recordNative,
  gvisor: async (opts) => (await import('./gvisor/index.js')).recordGvisor(opts),
};

/** Environment checks `picotrace doctor` runs, per backend (each returns its findings, never throws for a missing tool). */
export const BACKEND_CHECKS: Record<string, () => Promise<EnvCheck[]>> = {
  native: async () => nativeChecks(),
  gvisor: async () => (await import('./gvisor/index.js')).gvisorChecks(),
};
