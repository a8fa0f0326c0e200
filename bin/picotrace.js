#!/bin/sh
//bin/true; s=4; case "$1" in import|record) s=32;; esac; if [ -n "${NODE_EXTRA_CA_CERTS+set}" ]; then PICOTRACE_EXTRA_CA_CERTS=$NODE_EXTRA_CA_CERTS; export PICOTRACE_EXTRA_CA_CERTS; unset NODE_EXTRA_CA_CERTS; fi; exec node --max-semi-space-size=$s "$0" "$@"
// The line above is shell (run through the #! line) and a comment to JavaScript. It starts Node:
// - Without NODE_EXTRA_CA_CERTS: Node reads every certificate it names before running any script
//   (about 50 ms for Debian's bundle), and picotrace makes no TLS connections. It is handed over
//   under another name and put back below, so that the programs picotrace runs see the environment
//   it was given, set or unset, empty or not.
// - With a young generation of 4 MB, which keeps the resident size of long trace reads low at no
//   cost in speed (bench/format.bench.mjs); but 32 MB for import and record, which turn text into
//   many short-lived objects: 4 MB makes them about 6% slower (bench/record-native.bench.mjs).
const extraCerts = process.env.PICOTRACE_EXTRA_CA_CERTS;
if (extraCerts !== undefined) {
  delete process.env.PICOTRACE_EXTRA_CA_CERTS;
  process.env.NODE_EXTRA_CA_CERTS = extraCerts;
}
const argv = process.argv.slice(2);
// `record` starts its program before the rest of picotrace loads (dist/cli/early.js).
const early = argv[0] === 'record' ? import('../dist/cli/early.js').then((e) => e.startEarly(argv)).catch(() => undefined) : Promise.resolve();
early.then(() => import('../dist/cli/main.js')).then((m) => m.main(argv));
