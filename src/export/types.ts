import type { TraceEvent, TraceHeader } from '../model/index.js';

/** Turns a stream of events into text, piece by piece: begin, then one piece per event, then end. Pieces may be empty. */
export interface Exporter {
  begin(h: TraceHeader): string;
  event(ev: TraceEvent): string;
  end(): string;
}
