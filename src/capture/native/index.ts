export { recordNative, FLUSH_INTERVAL_MS } from './record.js';
export { straceFlags, DEFAULT_BUFFER_SIZE, type StraceFlags } from './flags.js';
export { nativeChecks, checkStrace, checkYama, checkContainer, checkPtraceProbe, checkFifo, findExecutable, straceVersion, hasCapSysPtrace, type EnvCheck } from './checks.js';
