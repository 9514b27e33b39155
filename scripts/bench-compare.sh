#!/usr/bin/env bash
# CreditWatch against DuckDB and Polars on the same per-entity features, 1 and 2 threads,
# from CSV and from each side's native storage. Makes .venv (git-ignored) with DuckDB and
# Polars from PyPI, generates an export with `creditwatch generate` unless EXPORT is
# given, and fails when the sides disagree on a sample of entities. Settings: ORDERS (default 1000000),
# EXPORT (an existing export folder), WORK (default .build/bench-compare), REPEAT (runs
# per cell, best reported; default 3).
set -euo pipefail
# --help: the comment above.
if [[ "${1:-}" == -h || "${1:-}" == --help ]]; then sed -n '2,/^set -euo/{/^#/s/^# \{0,1\}//p}' "$0"; exit 0; fi
cd "$(dirname "$0")/.."
CPU_FLAGS=${CPU_FLAGS-$(grep -qw avx2 /proc/cpuinfo 2>/dev/null && echo "-Xswiftc -target-cpu -Xswiftc haswell")}
BIN="$(swift build -c release $CPU_FLAGS --show-bin-path)/creditwatch"
WORK=${WORK:-.build/bench-compare}
ORDERS=${ORDERS:-1000000}
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -c "import duckdb, polars" 2>/dev/null || .venv/bin/pip install --quiet duckdb polars
mkdir -p "$WORK"
if [ -z "${EXPORT:-}" ]; then
  EXPORT="$WORK/export-$ORDERS"
  if [ ! -f "$EXPORT/orders.csv" ]; then
    "$BIN" generate --out "$EXPORT" --seed 1 --shops $((ORDERS / 500)) --buyers $((ORDERS / 10)) --days 30 --orders "$ORDERS"
  fi
fi
exec .venv/bin/python scripts/bench_compare.py --bin "$BIN" --export "$EXPORT" --work "$WORK" --repeat "${REPEAT:-3}"
