import fs from 'node:fs';
import { createRequire } from 'node:module';
import type Protobuf from 'protobufjs';

/**
 * protobufjs, from the single-file build its package ships (dist/protobuf.min.js): the same library
 * as its many-file entry point, loaded in about 6 ms instead of about 22 (each of the many small
 * files is resolved, read and compiled apart), which every command that reads or writes a trace pays.
 * That build is also meant for browsers, so it is given Node's fs to read .proto files with.
 */
const protobuf = createRequire(import.meta.url)('protobufjs/dist/protobuf.min.js') as typeof Protobuf;
(protobuf.util as unknown as { fs: typeof fs }).fs = fs;

export default protobuf;
