#!/bin/sh
true /*
# This file is a shell script first, run through the #! line, and JavaScript second: the shell reads
# up to the `exec node` below, and to JavaScript all of it is the comment opened on the line above
# (so no star followed by a slash may appear in it).

# The recording watchdog (capture/watchdog.ts starts it as `sh picotrace.js --picotrace-watchdog DIR TRACE`,
# and picotrace_launch_record below as a function), `picotrace_watchdog DIR [TRACE]`: reads "+ PID",
# "- PID" and "x" lines on stdin; when stdin ends without "x" (picotrace died, even by SIGKILL), it
# stops every listed process, then kills each with its descendants, descendants first (a traced
# program outlives a killed strace, and processes picotrace had not yet heard of are known only as
# strace's descendants), removes DIR, and TRACE if picotrace had not yet written anything to it.
# From the first "+" on it holds DIR/strace.fifo open for reading (and never reads): when picotrace
# dies, strace's writes then wait in the FIFO instead of failing, each with a "Broken pipe" message
# on the terminal, until the watchdog stops it.
picotrace_watchdog() {
  trap '' HUP INT QUIT TERM
  dir=$1 pids=" " armed=1 held=
  while read -r op p; do
    case "$op" in
      +) pids="$pids$p "
         # Opened for reading and writing first, so that the read-only open does not wait for a writer
         # (`command`: a failed redirection must not end the watchdog).
         if [ -z "$held" ] && [ -n "$dir" ] && [ -p "$dir/strace.fifo" ]; then
           command exec 3<>"$dir/strace.fifo" 4<"$dir/strace.fifo" 3>&- && held=1
         fi ;;
      -) case "$pids" in *" $p "*) pids="${pids%% $p *} ${pids#* $p }" ;; esac ;;
      x) armed=0 ;;
    esac
  done
  [ "$armed" = 1 ] || return 0
  # Stopped, strace holds its program at the next call while the process tree is read below.
  for p in $pids; do kill -STOP "$p" 2>/dev/null; done
  kids() { echo "$map" | while read -r c pp; do [ "$pp" = "$1" ] && { echo "$c"; kids "$c"; }; done; }
  # Twice: a child that strace was forking as the stop came may be missing from the first reading
  # (and once strace is killed its children are init's, out of reach).
  for round in 1 2; do
    # "pid ppid" of every process, read after the last ')' of /proc/N/stat (the name may hold any byte).
    map=$(for d in /proc/[0-9]*; do read -r s 2>/dev/null < "$d/stat" || continue; s=${s##*) }; set -- $s; echo "${d#/proc/} $2"; done)
    for p in $pids; do
      for c in $(kids "$p"); do kill -KILL "$c" 2>/dev/null; done
    done
  done
  for p in $pids; do kill -KILL "$p" 2>/dev/null; done
  [ -n "$dir" ] && rm -rf -- "$dir"
  [ -n "$2" ] && [ -f "$2" ] && [ ! -s "$2" ] && rm -f -- "$2"
  return 0
}

# `record [-o FILE] [--buffer-size N] [--cpu N] [--env] [--stack] [--scrub] -- CMD ARGS...` (each
# option at most once; --output FILE and --output=FILE, --buffer-size=N, --cpu=N too) starts strace on CMD
# here, before Node has started (about 40 ms sooner than Node could), exactly as
# capture/native/record.ts would: the same checks first (else nothing is started, and Node starts
# the recording and reports the problem), the same strace flags and FIFO, the trace file made first,
# the watchdog told strace's pid. Node adopts the running strace (adoptShellLaunch) from the
# variables exported at the end: it is this process's child.
picotrace_executable() { # NAME: the path a PATH search finds (as findExecutable in checks.ts)
  case $1 in
    *[/]*) [ -f "$1" ] && [ -x "$1" ] && found=$1 && return 0; return 1 ;;
  esac
  set -f; old_ifs=$IFS; IFS=:
  for dir in $PATH; do
    if [ -f "${dir:-.}/$1" ] && [ -x "${dir:-.}/$1" ]; then IFS=$old_ifs; set +f; found=${dir:-.}/$1; return 0; fi
  done
  IFS=$old_ifs; set +f
  return 1
}
# Writes what picotrace_launch_record found out about strace and env to $facts (in a subshell, off the
# program's way): only into a directory of this user's, through a rename so that no run reads it
# half written. Should strace change between its `strace -V` and this, the file would describe the
# old one for as long as it stays newer than the new one; Node removes it when a recording started
# with it fails to start its program (finish() in capture/native/record.ts).
picotrace_keep_facts() {
  umask 077
  d=${facts%/*}
  base=${d%/*}
  if [ ! -d "$d" ]; then
    [ -d "$base" ] || { [ -O "${base%/*}/" ] && mkdir "$base"; } || return 0
    [ -O "$base" ] && mkdir "$d" || return 0
  fi
  [ -O "$d" ] || return 0
  printf 'picotrace launch 1\n%s\n%s\n%s\n' "$strace" "$envp" "$strace_v" > "$d/launch.$$" && mv -f "$d/launch.$$" "$facts" || rm -f "$d/launch.$$"
}
# Appends the lines on stdin to $strace_v, the last one even without its newline.
picotrace_read_text() {
  while IFS= read -r line || [ -n "$line" ]; do strace_v=$strace_v${strace_v:+'
'}$line; done
}
picotrace_launch_record() {
  shift
  out= has_out= bs=256 has_bs= cpu= has_cpu= env= stack= scrub=
  while [ $# -gt 0 ] && [ "$1" != -- ]; do
    case $1 in
      -o|--output) [ -z "$has_out" ] && [ $# -ge 2 ] || return 0; has_out=1 out=$2; shift 2 ;;
      --output=*) [ -z "$has_out" ] || return 0; has_out=1 out=${1#--output=}; shift ;;
      --buffer-size) [ -z "$has_bs" ] && [ $# -ge 2 ] || return 0; has_bs=1 bs=$2; shift 2 ;;
      --buffer-size=*) [ -z "$has_bs" ] || return 0; has_bs=1 bs=${1#--buffer-size=}; shift ;;
      --cpu) [ -z "$has_cpu" ] && [ $# -ge 2 ] || return 0; has_cpu=1 cpu=$2; shift 2 ;;
      --cpu=*) [ -z "$has_cpu" ] || return 0; has_cpu=1 cpu=${1#--cpu=}; shift ;;
      --env) [ -z "$env" ] || return 0; env=1; shift ;;
      --stack) [ -z "$stack" ] || return 0; stack=1; shift ;;
      --scrub) [ -z "$scrub" ] || return 0; scrub=1; shift ;;
      *) return 0 ;;
    esac
  done
  [ $# -ge 2 ] || return 0
  shift
  if [ -n "$has_out" ]; then case $out in ''|-*) return 0 ;; esac; fi
  # 1 to 1048576, in decimal digits without a leading zero (as capture/native/flags.ts takes it).
  case $bs in ''|0*|*[!0-9]*|????????*) return 0 ;; esac
  [ "$bs" -le 1048576 ] || return 0
  taskset=
  if [ -n "$has_cpu" ]; then
    # One of the CPUs this process may use (Cpus_allowed_list, say 0-3,8), run through taskset.
    case $cpu in ''|*[!0-9]*|0?*|?????*) return 0 ;; esac
    allowed= ok=
    while read -r key value; do [ "$key" = Cpus_allowed_list: ] && allowed=$value; done < /proc/self/status
    set -f; old_ifs=$IFS; IFS=,
    for range in $allowed; do [ "$cpu" -ge "${range%-*}" ] && [ "$cpu" -le "${range#*-}" ] && ok=1; done
    IFS=$old_ifs; set +f
    [ -n "$ok" ] || return 0
    picotrace_executable taskset || return 0
    taskset=$found
  fi
  # Node gives the program /dev/null for a closed standard stream: such recordings are left to it.
  [ -h /proc/self/fd/0 ] && [ -h /proc/self/fd/1 ] && [ -h /proc/self/fd/2 ] || return 0
  if [ -r /proc/sys/kernel/yama/ptrace_scope ]; then
    read -r yama < /proc/sys/kernel/yama/ptrace_scope || return 0
    case $yama in 0|1) ;; *) return 0 ;; esac
  fi
  picotrace_executable "$1" || return 0
  # Node must be there to take the recording over (sudo's secure_path, say, may not reach it).
  picotrace_executable node || return 0
  picotrace_executable strace || return 0
  strace=$found
  picotrace_executable env || return 0
  envp=$found
  # Each process started costs a few ms on a small VM, and everything up to strace's start delays
  # the program. What `strace -V` says, and that env takes --default-signal (coreutils 8.31 or
  # newer; busybox's does not, see where strace starts below), are kept in a file of this user's
  # (picotrace_keep_facts), read from there while it is newer than strace, env and their
  # directories (a package manager replaces a binary by renaming a new file into its directory).
  # Only the default trace name needs date then, beside mkfifo; Node reads the recording's start
  # time from /proc (takeShellLaunch). Otherwise strace -V and mkfifo run beside date, which runs
  # through env to try --default-signal; strace -V's output file goes with the directory.
  # The file is `launch` in picotrace's cache directory, found as the keyframe cache finds it
  # (tui/kfcache.ts), absolute only: $PICOTRACE_CACHE_DIR, else $XDG_CACHE_HOME/picotrace, else
  # ~/.cache/picotrace.
  facts= strace_v= cached= ok=1 started=
  case $envp in /*) case $strace in /*)
    if [ -n "${PICOTRACE_CACHE_DIR:-}" ]; then facts=$PICOTRACE_CACHE_DIR
    elif [ -n "${XDG_CACHE_HOME:-}" ]; then facts=$XDG_CACHE_HOME/picotrace
    elif [ -n "${HOME:-}" ]; then facts=$HOME/.cache/picotrace
    fi ;; esac ;; esac
  case $facts in /*) facts=$facts/launch ;; *) facts= ;; esac
  if [ -n "$facts" ] && [ -f "$facts" ] && [ -O "$facts" ] && [ "$facts" -nt "$strace" ] && [ "$facts" -nt "${strace%/*}/" ] && [ "$facts" -nt "$envp" ] && [ "$facts" -nt "${envp%/*}/" ]; then
    { IFS= read -r line && [ "$line" = "picotrace launch 1" ] && IFS= read -r line && [ "$line" = "$strace" ] && IFS= read -r line && [ "$line" = "$envp" ] &&
      picotrace_read_text; } < "$facts" 2>/dev/null
    case $strace_v in "strace -- version "*) cached=1 ;; *) strace_v= ;; esac
  fi
  tmp=$(mktemp -d "${TMPDIR:-/tmp}/picotrace-XXXXXX" 2>/dev/null) || return 0
  if [ -n "$cached" ]; then
    if [ -z "$has_out" ]; then
      mkfifo -m 600 "$tmp/strace.fifo" "$tmp/watchdog.fifo" 2>/dev/null &
      fifos=$!
      started=$(date '+%s%N %Y%m%d-%H%M%S' 2>/dev/null) || ok=
      wait "$fifos" || ok=
    else
      mkfifo -m 600 "$tmp/strace.fifo" "$tmp/watchdog.fifo" 2>/dev/null || ok=
      started="- -"
    fi
  else
    "$strace" -V > "$tmp/version" 2>/dev/null &
    version=$!
    mkfifo -m 600 "$tmp/strace.fifo" "$tmp/watchdog.fifo" 2>/dev/null &
    fifos=$!
    started=$("$envp" --default-signal date '+%s%N %Y%m%d-%H%M%S' 2>/dev/null) || ok=
    wait "$fifos" || ok=
    wait "$version" || ok=
    if [ -n "$ok" ]; then picotrace_read_text < "$tmp/version"; fi
  fi
  # "NS STAMP" (date's), or "- -" where neither is needed.
  case $started in
    "- -") ;;
    [0-9]*[0-9]" "[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]-[0-9][0-9][0-9][0-9][0-9][0-9]) case ${started%% *} in *[!0-9]*) ok= ;; esac ;;
    *) ok= ;;
  esac
  [ -n "$ok" ] || strace_v=
  case $strace_v in "strace -- version "[6-9].*|"strace -- version "[1-9][0-9]*) ;; *) strace_v= ;; esac
  if [ -n "$stack" ]; then case $strace_v in *"Optional features enabled:"*"stack-trace="*) ;; *) strace_v= ;; esac; fi
  if [ -z "$has_out" ] && [ -n "$strace_v" ]; then
    out=${1##*[/]}
    case $out in ''|*[!A-Za-z0-9._+-]*) strace_v= ;; esac
    out=$out-${started#* }.ptrace
  fi
  # The trace file is made with mode 0600 here rather than in a subshell (a process fewer), the
  # umask put back as /proc/self/status gives it. `true`, not `:`: a failed redirection of a special
  # builtin ends the shell.
  mask= made=
  while read -r key value; do [ "$key" = Umask: ] && mask=$value && break; done < /proc/self/status
  case $mask in 0[0-7][0-7][0-7]) ;; *) strace_v= ;; esac
  if [ -n "$strace_v" ]; then umask 077; { true > "$out"; } 2>/dev/null && made=1; umask "$mask"; fi
  if [ -z "$made" ]; then
    rm -rf -- "$tmp"
    return 0
  fi
  # 9: the watchdog's stdin, written only by this process (then Node), so it ends when Node does.
  # 8: the FIFO held open both ways, so that strace's open does not wait for Node's reader.
  exec 7<>"$tmp/watchdog.fifo" 6<"$tmp/watchdog.fifo" 9>"$tmp/watchdog.fifo" 7<&-
  (exec <&6 6<&- 9>&- >/dev/null 2>&1 && picotrace_watchdog "$tmp" "$out") &
  exec 6<&- 8<>"$tmp/strace.fifo" 5<&0
  # An asynchronous command gets SIGINT and SIGQUIT ignored and /dev/null as stdin; env puts every
  # signal back to its default, as Node does for the programs it starts, and 5 is the real stdin.
  # Nor does Node pass on fds 3 to 9 (GNU time's -o file, a jobserver's pipes), so they are closed.
  "$envp" --default-signal ${taskset:+"$taskset" -c "$cpu"} "$strace" -f -q --absolute-timestamps=unix,ns --syscall-times=ns -yy -s "$bs" ${env:+-e abbrev=!execve,execveat} ${stack:+-k} -o "$tmp/strace.fifo" -- "$@" <&5 3>&- 4>&- 5<&- 6>&- 7>&- 8>&- 9>&- &
  PICOTRACE_LAUNCH="$! ${started% *} ${started#* } $tmp"
  exec 5<&-
  echo "+ $!" >&9
  # Until Node's reader runs (some 50 ms), strace fills the FIFO, then waits: perl (always present on
  # Debian) raises its 64 KiB to 1 MiB, F_SETPIPE_SZ being out of the shell's reach. It starts after
  # strace, which has its own start-up to go through before the program writes anything.
  perl -e 'fcntl(STDIN, 1031, 1 << 20)' <&8 8<&- 9>&- 2>/dev/null &
  PICOTRACE_LAUNCH_STRACE=$strace_v PICOTRACE_LAUNCH_FACTS=
  if [ -n "$cached" ]; then
    PICOTRACE_LAUNCH_FACTS=$facts
  elif [ -n "$facts" ]; then
    (picotrace_keep_facts) < /dev/null > /dev/null 2>&1 8>&- 9>&- &
  fi
  export PICOTRACE_LAUNCH PICOTRACE_LAUNCH_STRACE PICOTRACE_LAUNCH_FACTS
}

case $1 in
  --picotrace-watchdog) shift; picotrace_watchdog "$@"; exit 0 ;;
  record) picotrace_launch_record "$@" ;;
esac
# Node starts:
# - Without NODE_EXTRA_CA_CERTS: Node reads every certificate it names before running any script
#   (about 50 ms for Debian's bundle), and picotrace makes no TLS connections. It is handed over
#   under another name and put back below, so that the programs picotrace runs see the environment
#   it was given, set or unset, empty or not.
# - With a young generation of 4 MB, which keeps the resident size of long trace reads low at no
#   cost in speed (bench/format.bench.mjs). Not for import and record: any V8 flag makes V8 refuse
#   the compiled code Node carries for its own modules (it must match the flags), and they then
#   compile from source, some 25 ms of a `record` that loads sixty of them. Those two get Node's
#   default young generation, and one V8 helper thread instead of four: on a 2-CPU machine the
#   helpers take the CPU that strace and the traced program need (a 170 ms Python start-up took
#   55 ms longer under record with four; a cold import of a 34 MB log ran 13% slower with both).
flags=--max-semi-space-size=4
case $1 in import|record) flags=--v8-pool-size=1 ;; esac
if [ -n "${NODE_EXTRA_CA_CERTS+set}" ]; then
  PICOTRACE_EXTRA_CA_CERTS=$NODE_EXTRA_CA_CERTS
  export PICOTRACE_EXTRA_CA_CERTS
  unset NODE_EXTRA_CA_CERTS
fi
if ! command -v node >/dev/null 2>&1; then
  echo "picotrace: node (Node.js 20.15 or newer) is not on PATH${SUDO_USER:+ (sudo sets PATH from its secure_path)}" >&2
  exit 127
fi
exec node $flags "$0" "$@"
exit 127
*/
// CommonJS (bin/package.json), which Node starts some 10 ms sooner than a module.
const fs = require('node:fs');
const Module = require('node:module');
const path = require('node:path');
const vm = require('node:vm');
const { crc32 } = require('node:zlib');

const extraCerts = process.env.PICOTRACE_EXTRA_CA_CERTS;
if (extraCerts !== undefined) {
  delete process.env.PICOTRACE_EXTRA_CA_CERTS;
  process.env.NODE_EXTRA_CA_CERTS = extraCerts;
}
const argv = process.argv.slice(2);

// dist/b/picotrace.cjs is dist bundled into one CommonJS file (package.json `bundle`). It is compiled
// with V8's code cache: the bytecode of the functions an earlier run of the same command compiled,
// kept in dist/b/cache/ or the user's cache directory (docs/recording.md has the figures). V8
// refuses a cache made by another version or with other flags, but of the source it checks only the
// length, and of the data no checksum: so a cache's name holds the bundle's identity (size, mtime,
// inode), the Node that made it and its flags, and its file a CRC of its own. A cache that is
// absent, damaged or refused is compiled around from source, and written anew by a run that ends
// with status 0 (atomically, so that parallel runs cannot tear it). PICOTRACE_CODE_CACHE=0 neither
// reads nor writes one.
const bundle = path.join(__dirname, '..', 'dist', 'b', 'picotrace.cjs');
let source, stat;
try {
  source = fs.readFileSync(bundle, 'utf8');
  stat = fs.statSync(bundle);
} catch (err) {
  process.stderr.write(`picotrace: cannot read ${bundle} (${err.code ?? err.message}): build picotrace first (npm run build)\n`);
  process.exit(70);
}
// `record` parses strace's lines while the traced program runs, on a CPU that the program and strace
// need too, and most recordings are short: V8's optimizing compiler then costs more than it gains
// (38 functions compiled in a 170 ms Python start-up, some 160 ms of a helper thread's CPU). A
// function must run four times longer than by default before V8 considers optimizing it: 9 are
// compiled in that start-up, which ended 5-10% sooner, and the tar workload some 3%. Set here, once
// Node's own modules are loaded, and not as a flag on Node's command line: V8 refuses the compiled
// code Node carries for those modules when a flag differs (some 15 ms), and equally refuses a code
// cache made under other flags, so the budget goes back to V8's default before the cache is written.
// That default, 66 KiB of bytecode run, is known for V8 11.3 (Node 20): elsewhere, nothing changes.
const DEFAULT_BUDGET = process.versions.v8.startsWith('11.3.') ? 66 * 1024 : undefined;
const RAISE_BUDGET = argv[0] === 'record' && DEFAULT_BUDGET !== undefined;
const v8Budget = (bytes) => require('node:v8').setFlagsFromString(`--interrupt-budget=${bytes}`);
let startEarly, main;
try {
  const bundled = { exports: {} };
  compileBundle().runInThisContext()(bundled.exports, Module.createRequire(bundle), bundled, bundle, path.dirname(bundle));
  ({ startEarly, main } = bundled.exports);
  if (typeof main !== 'function') throw new Error('it exports no main()');
} catch (err) {
  // A bundle cut short or damaged (a full disk during the build, say).
  process.stderr.write(`picotrace: cannot load ${bundle} (${(err && err.message) || err}): build picotrace again (npm run build)\n`);
  process.exit(70);
}
if (RAISE_BUDGET) v8Budget(4 * DEFAULT_BUDGET);
function compileBundle() {
  if (process.env.PICOTRACE_CODE_CACHE === '0') return new vm.Script(Module.wrap(source), { filename: bundle });
  const fnv = (text) => {
    let h = 0x811c9dc5;
    for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
    return h.toString(16).padStart(8, '0');
  };
  // Beside the bundle; where that cannot be written (a system-wide install run by another user, a
  // read-only container), in the user's cache directory, one for each install. That one is used
  // only while this user owns it and no one else may write to it: a cache is code that runs.
  // picotrace's cache directory is found as the keyframe cache finds it (tui/kfcache.ts), absolute only.
  const base = process.env.XDG_CACHE_HOME || (process.env.HOME && path.join(process.env.HOME, '.cache'));
  const user = process.env.PICOTRACE_CACHE_DIR || (base && path.join(base, 'picotrace'));
  const dirs = [path.join(path.dirname(bundle), 'cache')];
  if (user && path.isAbsolute(user)) dirs.push(path.join(user, fnv(bundle)));
  const trusted = (d) => {
    if (d === dirs[0]) return true;
    const st = fs.statSync(d);
    return st.isDirectory() && st.uid === process.getuid() && (st.mode & 0o022) === 0;
  };
  // COMMAND-FLAGS-BUNDLE.v8: Node's flags (the launcher gives commands different ones) each keep a
  // cache of their own, which a new bundle or Node replaces.
  const own = `${/^[a-z]{1,16}$/.test(argv[0] ?? '') ? argv[0] : 'other'}-${fnv(`${process.execArgv.join(' ')} ${process.env.NODE_OPTIONS ?? ''}`)}-`;
  const name = `${own}${fnv(`${process.version} ${process.arch} ${stat.size} ${stat.mtimeMs} ${stat.ino}`)}.v8`;
  let cachedData, state = 'absent', file = path.join(dirs[0], name);
  for (const d of dirs) {
    let f;
    try {
      if (!trusted(d)) continue;
      f = fs.readFileSync(path.join(d, name));
    } catch {
      continue;
    }
    file = path.join(d, name);
    state = 'damaged';
    if (f.length > 8 && f.readUInt32LE(4) === f.length - 8 && crc32(f.subarray(8)) === f.readUInt32LE(0)) cachedData = f.subarray(8);
    break;
  }
  const compiled = new vm.Script(Module.wrap(source), { filename: bundle, cachedData });
  if (cachedData) state = compiled.cachedDataRejected ? 'refused' : 'used';
  if (process.env.PICOTRACE_DEBUG) process.stderr.write(`picotrace: code cache ${file}: ${state}\n`);
  if (state === 'used') return compiled;
  process.once('exit', (code) => {
    if (code !== 0) return;
    for (const d of dirs) {
      try {
        // The file first: where it cannot be made, the cache is not made either.
        fs.mkdirSync(d, { recursive: true, mode: d === dirs[0] ? 0o755 : 0o700 });
        if (!trusted(d)) continue;
        const tmp = path.join(d, `${name}.${process.pid}.tmp`);
        const fd = fs.openSync(tmp, 'wx');
        try {
          if (RAISE_BUDGET) v8Budget(DEFAULT_BUDGET);
          const data = compiled.createCachedData();
          const head = Buffer.alloc(8);
          head.writeUInt32LE(crc32(data), 0);
          head.writeUInt32LE(data.length, 4);
          fs.writeSync(fd, head);
          fs.writeSync(fd, data);
        } finally {
          fs.closeSync(fd);
        }
        fs.renameSync(tmp, path.join(d, name));
        // One cache a command and flags: those of an older bundle or Node go, and what a killed run left.
        for (const f of fs.readdirSync(d)) if (f.startsWith(own) && f !== name) fs.rmSync(path.join(d, f), { force: true });
        return;
      } catch {
        // Not written here: the next place, or the next run compiles from source again.
      }
    }
  });
  return compiled;
}

// `record` starts its program before the rest of picotrace runs (cli/early.ts). Should that fail
// after the shell part above started strace, picotrace stops (its watchdog then ends the program)
// rather than start the program a second time.
const shellStarted = process.env.PICOTRACE_LAUNCH !== undefined;
const early =
  argv[0] === 'record'
    ? startEarly(argv).catch((err) => {
        if (!shellStarted) return;
        process.stderr.write(`picotrace: cannot take over the recording the launcher started: ${err && err.message}\n`);
        process.exit(4);
      })
    : Promise.resolve();
early.then(() => main(argv));
