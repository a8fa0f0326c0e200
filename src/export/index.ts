import { jsonlExporter } from './jsonl.js';
import { perfettoExporter } from './perfetto.js';
import { straceExporter } from './strace.js';
import type { Exporter } from './types.js';

export type { Exporter } from './types.js';
export { CATEGORY } from './perfetto.js';

/** The formats `export --format` accepts, each with a factory of its exporter. */
export const EXPORT_FORMATS = {
  perfetto: perfettoExporter,
  strace: straceExporter,
  jsonl: jsonlExporter,
} as const satisfies Record<string, () => Exporter>;

/** A name of EXPORT_FORMATS. */
export type ExportFormat = keyof typeof EXPORT_FORMATS;
