#!/usr/bin/env bash
# Runs one picco segment per machine over SSH, copies the run directories back and merges them
# exactly. Each host needs picco checked out at PICCO_DIR (default: picco) with `npm ci` done.
#
#   deploy/ssh/run-segments.sh -s update-reenroll -t http://10.0.0.5:8080 -x 0.05 gen1 gen2 gen3
#
# -s SCENARIO  -t TARGET  -x SCALE (default 1)  -o OUT (default reports/out/ssh-<time>)
# -a START     when every segment's t = 0 is: an ISO instant (2026-12-08T09:00:00Z) or +SECONDS
#              from now (default +30: ssh, node start-up, scenario build and warm-up fit in it)
# -e EXTRA     extra flags for `picco run` (quoted), e.g. -e "--slo slo.txt --speed 60"
# PICCO_SSH_DRY_RUN=1 prints the commands instead of running them.
#
# The start instant is resolved here, once, and the same ISO instant goes to every host: hosts
# started one after another over SSH would otherwise each start their schedule on their own
# clock, seconds apart, and the target would see N staggered copies of every stripe. A host
# that reaches the instant late refuses (exit 2) rather than shift its stripe. The hosts' clocks
# must agree (NTP); each segment measures its offset against the target (summary.json).
set -euo pipefail

scenario="" target="" scale="1" out="reports/out/ssh-$(date -u +%Y%m%dT%H%M%S)" extra="" start="+30"
remote_dir="${PICCO_DIR:-picco}"
while getopts "s:t:x:o:e:a:" opt; do
  case "$opt" in
    s) scenario="$OPTARG" ;;
    t) target="$OPTARG" ;;
    x) scale="$OPTARG" ;;
    o) out="$OPTARG" ;;
    e) extra="$OPTARG" ;;
    a) start="$OPTARG" ;;
    *) echo "usage: $0 -s SCENARIO -t TARGET [-x SCALE] [-o OUT] [-a START] [-e EXTRA] HOST..." >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
if [[ -z "$scenario" || -z "$target" || $# -lt 1 ]]; then
  echo "$0: -s SCENARIO, -t TARGET and at least one HOST are required" >&2
  exit 2
fi
iso_re='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$'
if [[ "$start" =~ ^\+([0-9]+)s?$ ]]; then
  at=$(( $(date +%s) + BASH_REMATCH[1] ))
  # GNU date, then BSD date: the controlling machine may be a laptop.
  start_at=$(date -u -d "@$at" +%Y-%m-%dT%H:%M:%SZ 2>/dev/null || date -u -r "$at" +%Y-%m-%dT%H:%M:%SZ)
elif [[ "$start" =~ $iso_re ]]; then
  start_at="$start"
else
  echo "$0: -a '$start' is neither an ISO instant (2026-12-08T09:00:00Z) nor +SECONDS (+30)" >&2
  exit 2
fi
run_id="$(basename "$out")"
echo "$0: every segment starts at $start_at (run $run_id)" >&2

hosts=("$@")
n=${#hosts[@]}
run() { if [[ "${PICCO_SSH_DRY_RUN:-}" == "1" ]]; then printf '%s\n' "$*"; else "$@"; fi; }

run mkdir -p "$out"
pids=()
for i in "${!hosts[@]}"; do
  k=$((i + 1))
  host="${hosts[$i]}"
  remote_out="reports/out/segment-$k-of-$n"
  cmd="cd $remote_dir && node bin/picco.js run $scenario --target $target --scale $scale --segment $k/$n --start-at $start_at --run-id $run_id --out $remote_out --quiet $extra"
  if [[ "${PICCO_SSH_DRY_RUN:-}" == "1" ]]; then
    printf 'ssh %s %q\n' "$host" "$cmd"
  else
    ssh "$host" "$cmd" & pids+=($!)
  fi
done
status=0
for pid in "${pids[@]}"; do wait "$pid" || status=$?; done
# A segment failing its own SLOs (99) still has data: merge, and let the union decide.
if [[ $status -ne 0 && $status -ne 99 ]]; then echo "$0: a segment failed (exit $status)" >&2; exit "$status"; fi

dirs=()
for i in "${!hosts[@]}"; do
  k=$((i + 1))
  run scp -rq "${hosts[$i]}:$remote_dir/reports/out/segment-$k-of-$n" "$out/seg-$k"
  dirs+=("$out/seg-$k")
done
run node bin/picco.js report --merge "${dirs[@]}" --out "$out/merged"
