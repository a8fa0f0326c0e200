#!/usr/bin/env -S -u NODE_EXTRA_CA_CERTS PICOTRACE_EXTRA_CA_CERTS=${NODE_EXTRA_CA_CERTS} node --max-semi-space-size=4
// Node reads every certificate named by NODE_EXTRA_CA_CERTS before running any script (about 50 ms
// for Debian's bundle); picotrace makes no TLS connections, so the line above starts Node without
// it, and it is put back here so that the programs picotrace runs see the environment it was given
// (an empty NODE_EXTRA_CA_CERTS is not told apart from an unset one).
// A small young generation keeps the resident size of long streaming reads low at no cost in speed
// (measured by bench/format.bench.mjs).
const extraCerts = process.env.PICOTRACE_EXTRA_CA_CERTS;
if (extraCerts !== undefined) {
  delete process.env.PICOTRACE_EXTRA_CA_CERTS;
  if (extraCerts !== '') process.env.NODE_EXTRA_CA_CERTS = extraCerts;
}
const argv = process.argv.slice(2);
// `record` starts its program before the rest of picotrace loads (dist/cli/early.js).
const early = argv[0] === 'record' ? import('../dist/cli/early.js').then((e) => e.startEarly(argv)).catch(() => undefined) : Promise.resolve();
early.then(() => import('../dist/cli/main.js')).then((m) => m.main(argv));
