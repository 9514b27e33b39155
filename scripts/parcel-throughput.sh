#!/usr/bin/env bash
# Throughput of the empty-parcel detector once an export is loaded: a seeded synthetic
# logistics table of EVENTS scan events (default 10M), measured for 1 and 2 threads.
# The target (issue 8) is at least 20M scan events per second per core. Each line gives the
# wall-clock rate and the rate per CPU second (events / CPU time of the run, all threads):
# on a shared machine only the latter, and callgrind's instructions per event, are stable.
# Then each of the three runs' CPU seconds, system seconds and minor faults: a run whose
# fresh memory the host backs anew shows it in its system time.
#   scripts/parcel-throughput.sh [EVENTS]
# Hot spots: valgrind --tool=callgrind "$BIN" 1000000 1, then
#   callgrind_annotate callgrind.out.* | swift demangle --simplified | head -40
set -euo pipefail
# --help: the comment above.
if [[ "${1:-}" == -h || "${1:-}" == --help ]]; then sed -n '2,/^set -euo/{/^#/s/^# \{0,1\}//p}' "$0"; exit 0; fi
cd "$(dirname "$0")/../Benchmarks"
CPU_FLAGS=$(grep -qw avx2 /proc/cpuinfo 2>/dev/null && echo "-Xswiftc -target-cpu -Xswiftc haswell" || true)
# The build is quiet when it works and shows its errors when it does not. Its build plan
# is made again each time: a plan kept from before a pull that added a source file to the
# main package (a path dependency here) compiles without that file and fails.
rm -f .build/release.yaml
build_log=$(swift build -c release $CPU_FLAGS --product parcel-throughput 2>&1) || { echo "$build_log" >&2; exit 1; }
"$(swift build -c release $CPU_FLAGS --show-bin-path)/parcel-throughput" "${1:-10000000}" 1 2
