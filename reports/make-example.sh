#!/usr/bin/env bash
# Regenerates reports/examples/: a compressed 7 December surge run (update-reenroll) against the
# reference server, scraped by Prometheus, reported with the server-side view, and screenshotted
# in headless Chromium. Everything on loopback, temp dirs, processes stopped at the end.
#   reports/make-example.sh [SCALE] [SPEED]      (defaults 0.0015 and 600: ~160 s, surge ~5,800 arrivals/s)
set -euo pipefail
cd "$(dirname "$0")/.."
SCALE=${1:-0.0015}
SPEED=${2:-600}
TMP=$(mktemp -d)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$TMP"; }
trap cleanup EXIT
free_port() { node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }

node bin/picco.js serve --port 0 --db "sqlite:$TMP/picco.db" >"$TMP/serve.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 50); do grep -q 'listening on' "$TMP/serve.log" 2>/dev/null && break; sleep 0.2; done
SERVER=$(grep -o 'http://127.0.0.1:[0-9]*' "$TMP/serve.log")
ENGINE_PORT=$(free_port)
PROM_PORT=$(free_port)
# dashboards/prometheus.yml with this run's targets and a 1 s scrape.
sed -e "s#127.0.0.1:8080#${SERVER#http://}#" -e "s#127.0.0.1:9464#127.0.0.1:$ENGINE_PORT#" \
    -e 's#scrape_interval: 5s#scrape_interval: 1s#' -e 's#evaluation_interval: 5s#evaluation_interval: 1s#' \
    -e "s#- rules/\*.yml#- $PWD/dashboards/rules/*.yml#" dashboards/prometheus.yml >"$TMP/prometheus.yml"
prometheus --config.file="$TMP/prometheus.yml" --storage.tsdb.path="$TMP/prom" --web.listen-address="127.0.0.1:$PROM_PORT" --log.level=warn &
PIDS+=($!)
for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$PROM_PORT/-/ready" >/dev/null && break; sleep 0.2; done

OUT=$TMP/run
node bin/picco.js run update-reenroll --slo reports/slo/launch.yaml --target "$SERVER" --scale "$SCALE" --speed "$SPEED" --metrics-port "$ENGINE_PORT" --out "$OUT" || true
sleep 3
node bin/picco.js report "$OUT" --prometheus "http://127.0.0.1:$PROM_PORT" || true
mkdir -p reports/examples
cp "$OUT/summary.md" reports/examples/update-reenroll-summary.md
cp "$OUT/junit.xml" reports/examples/update-reenroll-junit.xml
cp "$OUT/report.html" reports/examples/update-reenroll-report.html
node --import tsx reports/screenshot.ts "$OUT/report.html" reports/examples/update-reenroll-report.png
echo "reports/examples/ updated (scale $SCALE, speed $SPEED)"
