export { recordGvisor, GVISOR_SOURCES, DEFAULT_GVISOR_SOURCE, type GvisorSource } from './record.js';
export { sessionConfig, sessionPoints, DEFAULT_RETRY, MAX_SYSNO, type SinkRetry } from './config.js';
export { decodeFrame, decodeHandshake, timeBase, FrameError, FRAME_HEADER_SIZE, HANDSHAKE_REPLY, type Frame } from './frames.js';
export { MonitorConverter, decodeArgs, type ConvertOptions } from './convert.js';
export { MESSAGE_TYPES, SCHEMATIZED_POINTS, type MessageSpec } from './messages.js';
export { locateRunsc, runscPlatform, runscArgs, type RunscInfo } from './runsc.js';
export { gvisorChecks } from './checks.js';
export { readFrameFile } from './framefile.js';
