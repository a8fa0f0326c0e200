export { StraceParser, type EventSink, type ParseStats, type StraceParserOptions } from './assemble.js';
export { parseLine, parseJoined, type LineRecord, type LineBody, type LineTime } from './line.js';
export { Scanner, parseSecondsNs, type CallResult } from './scan.js';
export { StraceSyntaxError, readQuoted } from './quoted.js';
export { DATA_CALLS, extractBuffers, type DataSpec } from './data.js';
export { detectStrace, straceHeaderHints, rawLineTimeNs, lineTimeNs } from './detect.js';
