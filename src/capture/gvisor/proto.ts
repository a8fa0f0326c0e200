import path from 'node:path';
import { PACKAGE_ROOT } from '../../util/root.js';
import protobuf from '../../format/protobuf.js';
import '../../format/index.js';

const schemaPath = path.join(PACKAGE_ROOT, 'schema', 'gvisor', 'monitor.proto');
const root = protobuf.loadSync(schemaPath);

/** A protobufjs type of schema/gvisor/monitor.proto by its short name ("RawSyscall"). 64-bit fields decode to number when safe, bigint otherwise. */
export function gvType(name: string): protobuf.Type {
  return root.lookupType(`picotrace.gvisor.${name}`);
}

/** Path of the gVisor monitoring schema, for messages that point readers at it. */
export const GVISOR_SCHEMA_PATH = schemaPath;
