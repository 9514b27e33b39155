#!/usr/bin/env bash
# Times the load of a seeded orders.csv (default 1M rows) by `creditwatch inspect`, plain
# and LZ4, on 1 and 2 cores (--threads), with /usr/bin/time for CPU seconds (user + sys,
# the honest figure on a shared machine) and peak memory, without the benchmark harness.
#   scripts/ingest-throughput.sh [ROWS]
set -euo pipefail
# --help: the comment above.
if [[ "${1:-}" == -h || "${1:-}" == --help ]]; then sed -n '2,/^set -euo/{/^#/s/^# \{0,1\}//p}' "$0"; exit 0; fi
cd "$(dirname "$0")/.."
rows="${1:-1000000}"
cpu_flags=()
grep -qw avx2 /proc/cpuinfo 2>/dev/null && cpu_flags=(-Xswiftc -target-cpu -Xswiftc haswell)
# The builds are quiet when they work and show their errors when they do not.
build_log=$(swift build -c release "${cpu_flags[@]}" --product creditwatch 2>&1) || { echo "$build_log" >&2; exit 1; }
bin="$(swift build -c release "${cpu_flags[@]}" --show-bin-path)/creditwatch"
# The fixture's build plan is made again each time: a plan kept in Benchmarks/.build from
# before a pull that added a source file to the main package (a path dependency there)
# compiles without that file and fails (scripts/parcel-throughput.sh does the same).
rm -f Benchmarks/.build/release.yaml
build_log=$(cd Benchmarks && swift build -c release --product orders-fixture 2>&1) || { echo "$build_log" >&2; exit 1; }
fixture="${TMPDIR:-/tmp}/creditwatch-ingest-bench-$rows"
Benchmarks/.build/release/orders-fixture "$fixture" "$rows"
# A fixture written a moment ago is still being flushed to disk, and its first read pays
# for that in kernel time: wait for the flush, and read each file once, so that every timed
# run reads from the page cache alike.
sync
cat "$fixture"/plain/orders.csv "$fixture"/lz4/orders.csv.lz4 >/dev/null
for form in plain lz4; do
  for threads in 1 2; do
    echo "== $form, $threads threads: $(ls "$fixture/$form")"
    /usr/bin/time -f "%U user %S sys %e wall %M KB" "$bin" inspect --threads "$threads" "$fixture/$form" \
      2>"$fixture/time-$form-$threads.txt" | grep -E '^(orders|loaded)'
    cat "$fixture/time-$form-$threads.txt"
  done
done
