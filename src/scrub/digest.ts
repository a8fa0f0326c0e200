import crypto from 'node:crypto';

/** Bytes of SHA-256 kept by scrub: enough to tell equal data from different data. */
export const DIGEST_BYTES = 16;

/** The first 16 bytes of the SHA-256 of `data`. */
export function shortDigest(data: Uint8Array): Uint8Array {
  return new Uint8Array(crypto.createHash('sha256').update(data).digest().subarray(0, DIGEST_BYTES));
}
