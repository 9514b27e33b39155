#!/bin/sh
# Quality of the malicious-ratings detectors on generated exports: raters (buyer) and
# attack-ordering shops per camouflage level, and the raters of the bad-shop profile
# proposed for the blacklist (must be 0). Usage: scripts/ratings-quality.sh [SEED] [WORK_DIR]
# Needs the release build: swift build -c release -Xswiftc -target-cpu -Xswiftc haswell
set -eu
seed=${1:-1}
work=${2:-/tmp/creditwatch-ratings-quality}
bin=${CREDITWATCH:-.build/release/creditwatch}
size="--seed $seed --shops 300 --buyers 20000 --days 60"
mkdir -p "$work"
printf '%-12s %-6s %6s %4s %4s %4s %9s %7s %6s %7s\n' export kind labels tp fp fn precision recall f1 pr_auc
for level in 0 1 2 3; do
    out="$work/camouflage-$level"
    rm -rf "$out" "$out.sqlite"*
    $bin generate --out "$out" $size --camouflage "$level" > /dev/null
    $bin scan "$out" --store "$out.sqlite" --quiet --labels |
        awk -v name="camouflage-$level" '$2 == "malicious_ratings" && ($1 == "buyer" || $1 == "shop") && NF == 10 {
            printf "%-12s %-6s %6s %4s %4s %4s %9s %7s %6s %7s\n", name, $1, $3, $4, $5, $6, $7, $8, $9, $10 }'
done
out="$work/bad-shop"
rm -rf "$out" "$out.sqlite"*
$bin generate --out "$out" $size --fraud bad-shop > /dev/null
$bin scan "$out" --store "$out.sqlite" --quiet > /dev/null
blacklisted=$($bin suspects --store "$out.sqlite" --category malicious_ratings --list blacklist --format csv --limit 1000000 | grep -c ',buyer,' || true)
scrutiny=$($bin suspects --store "$out.sqlite" --category malicious_ratings --list key_scrutiny --format csv --limit 1000000 | grep -c ',buyer,' || true)
echo "bad-shop: raters proposed for the blacklist: $blacklisted, for key scrutiny: $scrutiny"
