export { importLogs, DETECT_LINES, type ImportOptions, type ImportResult } from './run.js';
export { IMPORT_FORMATS, STRACE_FORMAT, registerImportFormat, detectFormat, type ImportFormat, type LineParser, type LineParserStats } from './formats.js';
export { LineSplitter, SyncLineReader, MAX_LINE_CHARS } from './lines.js';
export { StraceParser, type ParseStats, type EventSink } from './strace/index.js';
