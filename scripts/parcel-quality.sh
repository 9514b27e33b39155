#!/usr/bin/env bash
# Empty-parcel quality per camouflage level and on the light-parcels honest profile:
# generates each export (once), scans it, and compares the proposed suspects with
# labels.csv. Precision / recall / F1 count every proposed suspect (blacklist or key
# scrutiny) as positive; PR-AUC is the average precision over the proposed suspects'
# scores (entities below key scrutiny are not stored, so they rank last).
#
#   scripts/parcel-quality.sh [BIN] [OUT]   (defaults: the release build, /tmp/parcel-quality)
#   FRAUD=parcels SHOPS=300 BUYERS=20000 DAYS=60 SEED=1 scripts/parcel-quality.sh
set -euo pipefail
BIN=${1:-$(swift build -c release --show-bin-path)/creditwatch}
OUT=${2:-/tmp/parcel-quality}
FRAUD=${FRAUD:-mixed} SHOPS=${SHOPS:-300} BUYERS=${BUYERS:-20000} DAYS=${DAYS:-60} SEED=${SEED:-1}
mkdir -p "$OUT"

evaluate() { # name export-folder
  local name=$1 data=$2 store="$OUT/$1.sqlite"
  rm -f "$store"*
  "$BIN" scan "$data" --store "$store" >/dev/null
  "$BIN" suspects --store "$store" --category empty_parcels --format csv > "$OUT/$name.suspects.csv"
  python3 - "$name" "$data/labels.csv" "$OUT/$name.suspects.csv" <<'PY'
import csv, sys
name, labels_path, suspects_path = sys.argv[1:]
labels = {(r["entity_kind"], r["entity_id"]) for r in csv.DictReader(open(labels_path)) if r["category"] == "empty_parcels"}
suspects = list(csv.DictReader(open(suspects_path)))
for kind in ("shop", "courier"):
    positives = {e for e in labels if e[0] == kind}
    mine = sorted(((float(r["score"]), (r["kind"], r["id"]), r["list"]) for r in suspects if r["kind"] == kind), key=lambda s: -s[0])
    predicted = {e for _, e, _ in mine}
    blacklisted = sum(1 for _, e, l in mine if l == "blacklist")
    tp = len(predicted & positives); fp = len(predicted - positives); fn = len(positives - predicted)
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    hits, ap = 0, 0.0
    for rank, (_, e, _) in enumerate(mine, 1):
        if e in positives:
            hits += 1
            ap += hits / rank
    ap = ap / len(positives) if positives else (1.0 if not mine else 0.0)
    print(f"{name:14} {kind:8} positives {len(positives):3}  tp {tp:3} fp {fp:3} fn {fn:3}  "
          f"precision {p:.3f} recall {r:.3f} F1 {f1:.3f} PR-AUC {ap:.3f}  blacklist proposals {blacklisted}")
PY
}

for level in 0 1 2 3; do
  data="$OUT/$FRAUD-c$level"
  [ -f "$data/labels.csv" ] || "$BIN" generate --out "$data" --seed "$SEED" --shops "$SHOPS" --buyers "$BUYERS" \
    --days "$DAYS" --fraud "$FRAUD" --camouflage "$level" >/dev/null
  evaluate "$FRAUD-c$level" "$data"
done
data="$OUT/light-parcels"
[ -f "$data/labels.csv" ] || "$BIN" generate --out "$data" --seed "$SEED" --shops "$SHOPS" --buyers "$BUYERS" \
  --days "$DAYS" --fraud light-parcels --camouflage 0 >/dev/null
evaluate light-parcels "$data"
