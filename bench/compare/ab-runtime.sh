#!/usr/bin/env bash
# A/B of node runtime settings, interleaved: a fresh 6-node cluster (quorum 3, no delay, fsync never)
# per variant and round, 10 s of wrk at 64 connections, node CPU per write and total RSS.
# Usage: bench/compare/ab-runtime.sh ROUNDS "X=default" "DOTNET_gcServer=0 DOTNET_ThreadPool_UnfairSemaphoreSpinLimit=0"
set -uo pipefail
cd "$(dirname "$0")/../.."
leaderkv=src/LeaderKv.Cli/bin/Release/net10.0/leaderkv.dll
rounds=$1; shift
for r in $(seq 1 "$rounds"); do
  for variant in "$@"; do
    log=$(mktemp)
    env $variant dotnet $leaderkv up --quorum 3 --min-delay 0 --max-delay 0 --base-port 27300 --fsync never >"$log" 2>&1 &
    up=$!
    for _ in $(seq 1 600); do grep -q "leads, term" "$log" && break; sleep 0.1; done
    url=$(awk '/leads, term/ { gsub(/[()]/, "", $2); print $2 }' "$log")
    pids=$(awk '/ pid / { print $4 }' "$log")
    sleep 1
    before=0; for p in $pids; do before=$((before + $(awk '{print $14+$15}' /proc/$p/stat))); done
    out=$(wrk -t2 -c64 -d10s -s docs/benchmarks/wrk-write.lua "$url" 2>&1)
    after=0; for p in $pids; do after=$((after + $(awk '{print $14+$15}' /proc/$p/stat))); done
    rss=$(for p in $pids; do awk '/VmRSS/{print $2}' /proc/$p/status; done | awk '{s+=$1} END {printf "%.0f", s/1024}')
    w=$(awk '/requests in/ {print $1}' <<<"$out"); rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
    echo "round=$r variant=[$variant] writes/s=$rps nodes_cpu_us_per_write=$(( (after - before) * 10000 / w )) rss_all_MiB=$rss load=$(cut -d' ' -f1 /proc/loadavg)"
    kill -TERM $up; wait $up 2>/dev/null
    rm -f "$log"
  done
done
