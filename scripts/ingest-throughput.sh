#!/usr/bin/env bash
# Times the load of a seeded orders.csv (default 1M rows) by `creditwatch inspect`, plain
# and LZ4, with /usr/bin/time -v for peak memory, without the benchmark harness.
#   scripts/ingest-throughput.sh [ROWS]
set -euo pipefail
cd "$(dirname "$0")/.."
rows="${1:-1000000}"
cpu_flags=()
grep -qw avx2 /proc/cpuinfo 2>/dev/null && cpu_flags=(-Xswiftc -target-cpu -Xswiftc haswell)
swift build -c release "${cpu_flags[@]}" --product creditwatch >/dev/null
bin="$(swift build -c release "${cpu_flags[@]}" --show-bin-path)/creditwatch"
(cd Benchmarks && swift build -c release --product orders-fixture >/dev/null)
fixture="${TMPDIR:-/tmp}/creditwatch-ingest-bench-$rows"
Benchmarks/.build/release/orders-fixture "$fixture" "$rows"
for form in plain lz4; do
  echo "== $form: $(ls "$fixture/$form")"
  /usr/bin/time -v "$bin" inspect "$fixture/$form" 2>"$fixture/time-$form.txt" | grep -E '^(orders|loaded)'
  grep -E 'User time|System time|Maximum resident|Elapsed' "$fixture/time-$form.txt"
done
