import { eventJsonLine, jsonReplacer } from '../render/index.js';
import type { Exporter } from './types.js';

/** JSON lines: the header as the first object (`"kind":"header"`), then one object per event as `dump --json` prints it. */
export function jsonlExporter(): Exporter {
  return {
    begin: (h) => `${JSON.stringify({ kind: 'header', ...h }, jsonReplacer)}\n`,
    event: (ev) => `${eventJsonLine(ev)}\n`,
    end: () => '',
  };
}
