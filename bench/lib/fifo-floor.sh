#!/bin/sh
# fifo-floor.sh [--cat] STRACE-ARGS...: runs strace with its -o pointed at a FIFO (the argument FIFO
# stands for it) that a bare Node process drains, reading and dropping every byte, started alongside
# as bin/picotrace.js starts Node for `record` (its flags, without NODE_EXTRA_CA_CERTS). What any
# recorder that parses in Node costs at the least: Node's start-up on the machine's other CPU and a
# reader on the FIFO, with nothing parsed. With --cat, cat drains it instead: what a reader costs
# that is woken by each of strace's writes (one a line) and does nothing else, with no Node at all.
set -eu
d=$(mktemp -d "${TMPDIR:-/tmp}/picotrace-floor-XXXXXX")
trap 'rm -rf "$d"' EXIT
mkfifo -m 600 "$d/f"
# Held open both ways, so that neither side's open waits for the other; widened as the launcher does.
exec 8<>"$d/f"
perl -e 'fcntl(STDIN, 1031, 1 << 20)' <&8 2>/dev/null || true
reader_kind=node
if [ "${1:-}" = --cat ]; then reader_kind=cat; shift; fi
if [ "$reader_kind" = cat ]; then
  # cat holds no writer of its own: end of file comes once strace and this shell (fd 8) have closed theirs.
  cat "$d/f" > /dev/null 8<&- &
else
  env -u NODE_EXTRA_CA_CERTS node --v8-pool-size=1 -e '
const fs = require("node:fs");
// As the recorder does: a non-blocking open, and a writer of its own held until strace is done (the
// shell says so with SIGUSR2), so that end of file comes even when strace was done before this ran.
const fd = fs.openSync(process.argv[1], fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
const hold = fs.openSync(process.argv[1], fs.constants.O_WRONLY | fs.constants.O_NONBLOCK);
process.on("SIGUSR2", () => fs.closeSync(hold));
const s = new (require("node:net").Socket)({ fd, readable: true, writable: false });
s.on("data", () => undefined);
' "$d/f" 8<&- &
fi
reader=$!
first=1
for a in "$@"; do
  if [ "$first" = 1 ]; then set --; first=0; fi
  if [ "$a" = FIFO ]; then set -- "$@" "$d/f"; else set -- "$@" "$a"; fi
done
status=0
strace "$@" 8<&- || status=$?
exec 8<&-
[ "$reader_kind" = cat ] || kill -USR2 "$reader" 2>/dev/null || true
wait "$reader" 2>/dev/null || true
exit "$status"
