import { Codec, type WriterOptions } from '../format/index.js';

/**
 * Chunk compression for traces made from strace text (record and import): brotli quality 5 gave
 * smaller traces than deflate 6, in less time, on bench/record-native's workloads.
 */
export const STRACE_TRACE_WRITER_OPTIONS: WriterOptions = { codec: Codec.brotli, level: 5 };
