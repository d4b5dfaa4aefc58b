#!/usr/bin/env bash
# Regenerates reports/examples/compare-2020-*: why 2020's tests passed. The same 7 Dec evening
# window against the embedded --architecture 2020 server twice: as a closed loop at the VU count
# `picco plan` gives for the window's average throughput (the load test of the time), and as the
# open-model rehearsal with the app of 7 December; then `picco report --compare` and a Chromium
# screenshot. Loopback only, temp dirs.
#   reports/make-compare-example.sh [SCALE]      (default 0.0003: ~5 minutes on 2 cores)
set -euo pipefail
cd "$(dirname "$0")/.."
SCALE=${1:-0.0003}
W=(december-2020@7dec18:10 --scale "$SCALE" --speed 60 --duration 100s --architecture 2020)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
VUS=$(node bin/picco.js plan "${W[@]}" --json | node -e "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>console.log(JSON.parse(s).expected.closed_vus_for_average_throughput))")
node bin/picco.js run "${W[@]}" --closed "$VUS" --connections 2000 --quiet --out "$TMP/closed-$VUS-vus" || true
node bin/picco.js run "${W[@]}" --client 2020-12-07 --connections 2000 --quiet --out "$TMP/open-2020-12-07" || true
node bin/picco.js report --compare "$TMP/closed-$VUS-vus" "$TMP/open-2020-12-07" --out "$TMP/compare"
mkdir -p reports/examples
cp "$TMP/compare/report.html" reports/examples/compare-2020-report.html
cp "$TMP/compare/summary.md" reports/examples/compare-2020-summary.md
cp "$TMP/compare/junit.xml" reports/examples/compare-2020-junit.xml
node --import tsx reports/screenshot.ts "$TMP/compare/report.html" reports/examples/compare-2020-report.png
echo "reports/examples/compare-2020-* updated (scale $SCALE, $VUS VUs)"
