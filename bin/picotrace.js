#!/usr/bin/env -S node --max-semi-space-size=4
// A small young generation keeps the resident size of long streaming reads low at no cost in speed
// (measured by bench/format.bench.mjs).
import('../dist/cli/main.js').then((m) => m.main(process.argv.slice(2)));
