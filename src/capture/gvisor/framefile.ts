import fs from 'node:fs';
import { BadInputError } from '../../util/errors.js';

/** Reads a file of length-prefixed packets (u32 LE length, then the packet) as saved with PICOTRACE_GVISOR_SAVE_FRAMES; throws BadInputError with the offset of a truncated record. */
export function* readFrameFile(file: string): Generator<{ offset: number; packet: Buffer }> {
  const data = fs.readFileSync(file);
  let off = 0;
  while (off < data.length) {
    if (off + 4 > data.length) throw new BadInputError(`truncated length prefix at offset ${off}`, file);
    const len = data.readUInt32LE(off);
    if (off + 4 + len > data.length) throw new BadInputError(`packet of ${len} bytes at offset ${off} runs past the end`, file);
    yield { offset: off, packet: data.subarray(off + 4, off + 4 + len) };
    off += 4 + len;
  }
}
