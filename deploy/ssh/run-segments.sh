#!/usr/bin/env bash
# Runs one picco segment per machine over SSH, copies the run directories back and merges them
# exactly. Each host needs picco checked out at PICCO_DIR (default: picco) with `npm ci` done.
#
#   deploy/ssh/run-segments.sh -s update-reenroll -t http://10.0.0.5:8080 -x 0.05 gen1 gen2 gen3
#
# -s SCENARIO  -t TARGET  -x SCALE (default 1)  -o OUT (default reports/out/ssh-<time>)
# -e EXTRA     extra flags for `picco run` (quoted), e.g. -e "--slo slo.txt --speed 60"
# PICCO_SSH_DRY_RUN=1 prints the commands instead of running them.
set -euo pipefail

scenario="" target="" scale="1" out="reports/out/ssh-$(date -u +%Y%m%dT%H%M%S)" extra=""
remote_dir="${PICCO_DIR:-picco}"
while getopts "s:t:x:o:e:" opt; do
  case "$opt" in
    s) scenario="$OPTARG" ;;
    t) target="$OPTARG" ;;
    x) scale="$OPTARG" ;;
    o) out="$OPTARG" ;;
    e) extra="$OPTARG" ;;
    *) echo "usage: $0 -s SCENARIO -t TARGET [-x SCALE] [-o OUT] [-e EXTRA] HOST..." >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
if [[ -z "$scenario" || -z "$target" || $# -lt 1 ]]; then
  echo "$0: -s SCENARIO, -t TARGET and at least one HOST are required" >&2
  exit 2
fi

hosts=("$@")
n=${#hosts[@]}
run() { if [[ "${PICCO_SSH_DRY_RUN:-}" == "1" ]]; then printf '%s\n' "$*"; else "$@"; fi; }

run mkdir -p "$out"
pids=()
for i in "${!hosts[@]}"; do
  k=$((i + 1))
  host="${hosts[$i]}"
  remote_out="reports/out/segment-$k-of-$n"
  cmd="cd $remote_dir && node bin/picco.js run $scenario --target $target --scale $scale --segment $k/$n --out $remote_out --quiet $extra"
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
