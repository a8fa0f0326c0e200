export { TraceWriter, DEFAULT_WRITER_OPTIONS, type WriterOptions, type FooterExtras, type ChunkAnnotator, type StreamDigest } from './writer.js';
export { TraceReader, matchesFilter, describeDamage, type ChunkInfo, type Damage, type Integrity, type EventFilter, type IterateOptions, type FooterInfo } from './reader.js';
export { FORMAT_VERSION, PICOTRACE_VERSION, Codec, type CodecId, LIMITS } from './layout.js';
export { encodeArgs, decodeArgs } from './argcodec.js';
