#!/usr/bin/env bash
# Detection quality per camouflage level, written to docs/QUALITY.md.
#
# For each camouflage level 0..3 it generates a mixed-fraud export (same seed and
# size, so levels differ only in how hard the fraud hides), scans it with the default
# config and compares every scored entity with labels.csv. It then scans the honest
# confuser profiles (bad-shop: genuinely bad shops with real 1-star ratings;
# light-parcels: genuine light parcels and fast same-city delivery), where every
# proposal is a false positive. Usage: scripts/quality.sh [SEED]
set -euo pipefail
# --help: the comment above.
if [[ "${1:-}" == -h || "${1:-}" == --help ]]; then sed -n '2,/^set -euo/{/^#/s/^# \{0,1\}//p}' "$0"; exit 0; fi
cd "$(dirname "$0")/.."
seed="${1:-11}"
size=(--shops 400 --buyers 30000 --days 60)
bin="$(swift build -c release ${CPU_FLAGS:-} --show-bin-path)/creditwatch"
work="datasets/generated/quality"
rm -rf "$work" && mkdir -p "$work"

for level in 0 1 2 3; do
  "$bin" generate --out "$work/camouflage-$level" --seed "$seed" "${size[@]}" --camouflage "$level" > /dev/null
  "$bin" scan "$work/camouflage-$level" --store "$work/camouflage-$level.sqlite" --labels --json --quiet \
    > "$work/camouflage-$level.json" 2> /dev/null
done
for profile in bad-shop light-parcels; do
  "$bin" generate --out "$work/$profile" --seed "$seed" "${size[@]}" --fraud "$profile" > /dev/null
  "$bin" scan "$work/$profile" --store "$work/$profile.sqlite" --quiet > /dev/null
  "$bin" suspects --store "$work/$profile.sqlite" --format csv > "$work/$profile.csv"
done

# The hand-written notes (from a "## Notes" heading on) survive the rewrite.
notes="$(sed -n '/^## Notes/,$p' docs/QUALITY.md 2> /dev/null || true)"
python3 - "$work" "$seed" "${size[*]}" > docs/QUALITY.md <<'PY'
import csv, json, sys
work, seed, size = sys.argv[1], sys.argv[2], sys.argv[3]
print("# Detection quality\n")
print(f"Produced by `make quality` (scripts/quality.sh, seed {seed}, `{size}`, default config).")
print("Precision, recall and F1 count the suspects proposed for either list (score >= the")
print("key-scrutiny threshold); PR-AUC ranks every entity the scan scored. Regenerate after")
print("any change to a detector or a default threshold.\n")
rows = {}
for level in range(4):
    report = json.load(open(f"{work}/camouflage-{level}.json"))
    for row in report["rows"]:
        rows.setdefault((row["category"], row["kind"]), {})[level] = row
print("## Mixed fraud, by camouflage level\n")
print("| category | kind | level | labels | tp | fp | fn | precision | recall | F1 | PR-AUC |")
print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for (category, kind), levels in sorted(rows.items()):
    for level, r in sorted(levels.items()):
        print(f"| {category} | {kind} | {level} | {r['positives']} | {r['truePositives']} | {r['falsePositives']} | "
              f"{r['falseNegatives']} | {r['precision']:.3f} | {r['recall']:.3f} | {r['f1']:.3f} | {r['averagePrecision']:.3f} |")
print("\n## Honest confusers (no fraud: every proposal is a false positive)\n")
print("| profile | category | kind | blacklist | key scrutiny |")
print("|---|---|---|---:|---:|")
for profile in ["bad-shop", "light-parcels"]:
    counts = {}
    with open(f"{work}/{profile}.csv") as f:
        for s in csv.DictReader(f):
            key = (s["category"], s["kind"])
            counts.setdefault(key, [0, 0])[0 if s["list"] == "blacklist" else 1] += 1
    if not counts:
        print(f"| {profile} | none | | 0 | 0 |")
    for (category, kind), (black, scrutiny) in sorted(counts.items()):
        print(f"| {profile} | {category} | {kind} | {black} | {scrutiny} |")
PY
if [ -n "$notes" ]; then printf '\n%s\n' "$notes" >> docs/QUALITY.md; fi
echo "wrote docs/QUALITY.md"
