import { parentPort, workerData } from 'node:worker_threads';
import { collectStreams, type ProfileName, type TraceStreams } from '../compare/index.js';
import { TraceReader } from '../format/index.js';

/** What a collect worker is given: one trace file and the profile to normalize it with. */
export interface CollectJob {
  file: string;
  profile: ProfileName;
}

/** What a collect worker sends back: the normalized streams and the warnings about damaged chunks. */
export interface CollectReply {
  streams: TraceStreams;
  warnings: string[];
}

/** Sent every 65536 events while a worker reads its trace. */
export interface CollectProgress {
  progress: number;
}

function* counted<T>(items: Iterable<T>): Generator<T> {
  let n = 0;
  for (const item of items) {
    yield item;
    if ((++n & 0xffff) === 0) parentPort!.postMessage({ progress: n } satisfies CollectProgress);
  }
}

function buffersOf(s: TraceStreams): ArrayBuffer[] {
  const set = new Set<ArrayBuffer>();
  for (const st of s.streams.values())
    for (const col of [st.seqs, st.ids, st.bares, st.fulls, st.res, st.datas, st.errnos, st.names, st.subj, st.outcome]) if (col.buffer.byteLength) set.add(col.buffer as ArrayBuffer);
  return [...set];
}

if (parentPort) {
  const job = workerData as CollectJob;
  const reader = TraceReader.open(job.file);
  const warnings: string[] = [];
  try {
    const streams = collectStreams(counted(reader.stream({ onCorrupt: (e) => warnings.push(`${e.message} (chunk skipped)`) })), job.profile);
    const reply: CollectReply = { streams, warnings };
    parentPort.postMessage(reply, buffersOf(streams));
  } finally {
    reader.close();
  }
}
