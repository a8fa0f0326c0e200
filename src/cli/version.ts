import { PICOTRACE_VERSION } from '../format/index.js';

/** The picotrace version, stored in every trace header as `writer`. */
export const VERSION = PICOTRACE_VERSION;
