#!/usr/bin/env bash
# Sustained rate of POST /pp-restapi-CD/v1/wallet/cc (unique valid cards, durable insert) against
# ONE server process pinned to CPU 1, load from wrk pinned to CPU 0, at a few connection counts.
# wrk is closed-loop: report, per connection count, the rate and the p99; the sustained rate is
# the highest rate whose p99 stays under 50 ms.
#   usage: reference-server/bench/add-card.sh [DURATION_S=10] [CONNECTIONS="1 4 8 16 32 64"]
#   env:   PROFILE=1 writes a CPU profile (node --cpu-prof) of the server to $OUT/
#          ADMISSION=on keeps admission control on (default off: measure the raw capacity)
#          DURABILITY=sqlite lets SQLite fsync inside COMMIT (synchronous=FULL) instead of the
#            default wal-fsync (WAL fsynced on the thread pool before acknowledging)
#          SYNC=normal opens SQLite with synchronous=NORMAL and no fsync (comparison only: not durable)
#          IO_NOISE=1 runs a background writer (dd, O_DSYNC, on CPU 0) that makes every fsync slower,
#            as other tenants of a shared disk do
set -euo pipefail
cd "$(dirname "$0")/../.."
DUR=${1:-10}
CONNS=${2:-"1 4 8 16 32 64"}
OUT=${OUT:-$(mktemp -d)}
mkdir -p "$OUT"
DB="$OUT/bench.sqlite"
export PICCO_RATE_LIMIT_WRITES=1000000 PICCO_RATE_LIMIT_READS=1000000
[ "${ADMISSION:-off}" = on ] || export PICCO_ADMISSION=off
NODE_FLAGS=()
[ "${PROFILE:-0}" = 1 ] && NODE_FLAGS=(--cpu-prof --cpu-prof-dir "$OUT")
DBURL="sqlite:$DB"
Q=""
[ -n "${SYNC:-}" ] && Q="synchronous=$SYNC"
[ -n "${DURABILITY:-}" ] && Q="${Q:+$Q&}durability=$DURABILITY"
[ -n "$Q" ] && DBURL="$DBURL?$Q"
taskset -c 1 node "${NODE_FLAGS[@]}" bin/picco.js serve --port 0 --db "$DBURL" > "$OUT/serve.out" 2>&1 &
PID=$!
NOISE=""
if [ "${IO_NOISE:-0}" = 1 ]; then
  (while :; do taskset -c 0 dd if=/dev/zero of="$OUT/noise" bs=64k count=64 oflag=dsync status=none; done) &
  NOISE=$!
fi
trap 'kill -TERM $PID 2>/dev/null || true; [ -z "$NOISE" ] || kill $NOISE 2>/dev/null || true' EXIT
for _ in $(seq 100); do grep -q 'listening on' "$OUT/serve.out" && break; sleep 0.1; done
URL=$(sed -n 's/^picco serve listening on //p' "$OUT/serve.out")
CF=RSSMRA80A01H501U
TOKEN=$(curl -s -X POST "$URL/test-login" -H 'content-type: application/json' \
  -d "{\"username\":\"$CF\",\"password\":\"${PICCO_TEST_PASSWORD:-picco-test}\"}" | jq -r .token)
WALLET=$(curl -s "$URL/api/v1/session" -H "authorization: Bearer $TOKEN" | jq -r .walletToken)
export PICCO_PM_TOKEN=$(curl -s "$URL/pp-restapi-CD/v1/users/actions/start-session?token=$WALLET" | jq -r .data.sessionToken)
echo "server $URL (pid $PID, cpu 1), wrk on cpu 0, ${DUR}s per step, db $DBURL${NOISE:+, fsync noise on}"
RUN=0
for C in $CONNS; do
  RUN=$((RUN + 1))
  T=$(( C < 2 ? 1 : 2 ))
  LINE=$(PICCO_RUN=$RUN taskset -c 0 wrk -t"$T" -c"$C" -d"${DUR}s" --latency -s reference-server/bench/add-card.lua "$URL" | grep PICCO_WRK)
  echo "connections=$C ${LINE#PICCO_WRK }"
done
echo "cards stored: $(node -e "const D=require('better-sqlite3');const d=new D(process.argv[1],{readonly:true});console.log(d.prepare('select count(*) n from wallets').get().n)" "$DB")"
kill -TERM $PID; wait $PID || true
[ -z "$NOISE" ] || { kill $NOISE 2>/dev/null || true; wait $NOISE 2>/dev/null || true; rm -f "$OUT/noise"; }
trap - EXIT
[ "${PROFILE:-0}" = 1 ] && echo "profile: $(ls "$OUT"/*.cpuprofile)"
echo "out: $OUT"
