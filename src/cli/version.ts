/** The picotrace version, stored in every trace header as `writer`. */
export const VERSION = '0.1.0';
