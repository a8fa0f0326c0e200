import { PICOTRACE_VERSION } from '../format/layout.js';

/** The picotrace version, stored in every trace header as `writer`. */
export const VERSION = PICOTRACE_VERSION;
