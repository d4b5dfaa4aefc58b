#!/usr/bin/env bash
# Submits the segments Job with one start instant for all its pods, written into the Job now:
#
#   deploy/kubernetes/submit.sh [-m MARGIN_S] [-a START] [-f MANIFEST]
#
# -m MARGIN_S  seconds from now to the start (default 180): scheduling, image pull, node start,
#              scenario build and warm-up must fit in it, or the late pod refuses (exit 2) and
#              fails the Job. Raise it on nodes that autoscale or pull the image cold.
# -a START     an ISO instant instead (e.g. 2026-12-08T09:00:00Z), the same in every pod
# -f MANIFEST  the Job to submit (default: segments-job.yaml beside this script)
# PICCO_KUBECTL_DRY_RUN=1 prints the manifest instead of applying it.
#
# Why a start instant and not a barrier the pods meet: a barrier needs a rendezvous service
# (or API access to list the peers) and still releases each pod when its message arrives; a
# start instant needs only the nodes' clocks (NTP-synced on any managed cluster, and measured
# by each segment: summary.json clockOffsetMs), is the same mechanism the SSH script and one
# machine use, and a pod that misses it fails loudly instead of shifting its stripe.
set -euo pipefail

margin=180 start="" manifest="$(dirname "$0")/segments-job.yaml"
while getopts "m:a:f:" opt; do
  case "$opt" in
    m) margin="$OPTARG" ;;
    a) start="$OPTARG" ;;
    f) manifest="$OPTARG" ;;
    *) echo "usage: $0 [-m MARGIN_S] [-a START] [-f MANIFEST]" >&2; exit 2 ;;
  esac
done
if [[ ! "$margin" =~ ^[0-9]+$ ]]; then echo "$0: -m '$margin' must be whole seconds, e.g. -m 180" >&2; exit 2; fi
iso_re='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$'
if [[ -n "$start" && ! "$start" =~ $iso_re ]]; then echo "$0: -a '$start' is not an ISO instant: write e.g. 2026-12-08T09:00:00Z" >&2; exit 2; fi
if [[ ! -r "$manifest" ]]; then echo "$0: -f $manifest: no such file" >&2; exit 2; fi
if [[ -z "$start" ]]; then
  at=$(( $(date +%s) + margin ))
  # GNU date, then BSD date: the submitting machine may be a laptop.
  start=$(date -u -d "@$at" +%Y-%m-%dT%H:%M:%SZ 2>/dev/null || date -u -r "$at" +%Y-%m-%dT%H:%M:%SZ)
fi
grep -q '__PICCO_START_AT__' "$manifest" || { echo "$0: $manifest has no __PICCO_START_AT__ placeholder to fill" >&2; exit 2; }
echo "$0: every segment starts at $start" >&2
rendered=$(sed "s/__PICCO_START_AT__/\"$start\"/" "$manifest")
if [[ "${PICCO_KUBECTL_DRY_RUN:-}" == "1" ]]; then printf '%s\n' "$rendered"; else printf '%s\n' "$rendered" | kubectl apply -f -; fi
