#!/usr/bin/env bash
# LeaderKV next to Redis on this machine, in one run: a leader (Redis master) and FOLLOWERS
# followers (replicas), writes that wait for QUORUM follower acks (Redis: SET then WAIT QUORUM 0),
# REPS repetitions interleaved, medians and ratios at the end. Everything listens on 127.0.0.1.
#
#   bench/compare/run.sh                       # defaults: REPS=3 DURATION=10 QUORUM=3 FOLLOWERS=5
#   REPS=5 DURATION=20 bench/compare/run.sh    # longer
#
# It installs what it lacks from Debian packages (redis-server, redis-tools, wrk, libhiredis-dev,
# gcc) and builds LeaderKV in Release. Results go to OUT (default bench-results/compare-<UTC time>):
# runs.tsv (one line per measurement) and summary.md (medians, ratios, the machine and the command).
set -euo pipefail

cd "$(dirname "$0")/../.."
root="$(pwd)"
REPS="${REPS:-3}"
DURATION="${DURATION:-10}"
QUORUM="${QUORUM:-3}"
FOLLOWERS="${FOLLOWERS:-5}"
MEMORY_KEYS="${MEMORY_KEYS:-1000000}"
COLD_SECONDS="${COLD_SECONDS:-2}"
BASE_PORT="${BASE_PORT:-27100}"
OUT="${OUT:-bench-results/compare-$(date -u +%Y%m%dT%H%M%SZ)}"
mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"
runs="$OUT/runs.tsv"
printf 'system\trep\tscenario\tconnections\twrites\tseconds\twrites_per_s\tp50_ms\tp99_ms\terrors\tcpu_us_per_write\tcpu_detail\n' >"$runs"

# --- tools -------------------------------------------------------------------------------------
need=()
command -v redis-server >/dev/null || need+=(redis-server)
command -v redis-cli >/dev/null || need+=(redis-tools)
command -v wrk >/dev/null || need+=(wrk)
[ -f /usr/include/hiredis/hiredis.h ] || need+=(libhiredis-dev)
command -v cc >/dev/null || need+=(gcc)
if [ "${#need[@]}" -gt 0 ]; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends "${need[@]}"
fi

build="$OUT/build"
mkdir -p "$build"
cc -O2 -o "$build/redis-wait-load" bench/compare/redis-wait-load.c -lhiredis -lpthread
dotnet build -c Release src/LeaderKv.Cli -v quiet -nologo >/dev/null
leaderkv="$root/src/LeaderKv.Cli/bin/Release/net10.0/leaderkv.dll"
ticks_per_s="$(getconf CLK_TCK)"

# --- measuring ---------------------------------------------------------------------------------
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }

# CPU of each of the given processes, as clock ticks, "pid:ticks pid:ticks ..."
cpu_sample() {
    local sample=""
    for pid in "$@"; do sample+="$pid:$(cpu_ticks "$pid") "; done
    echo "$sample"
}

# Microseconds of CPU per write for each process between two samples, and their sum (client included).
# Args: writes client_cpu_seconds "before" "after" names...
cpu_per_write() {
    local writes="$1" client_s="$2" before="$3" after="$4"
    shift 4
    awk -v writes="$writes" -v client="$client_s" -v hz="$ticks_per_s" -v before="$before" -v after="$after" -v names="$*" '
        BEGIN {
            n = split(before, b, " "); split(after, a, " "); split(names, label, " ")
            total = client * 1e6 / writes; detail = sprintf("client=%.1f", total)
            for (i = 1; i <= n; i++) {
                split(b[i], x, ":"); split(a[i], y, ":")
                us = (y[2] - x[2]) / hz * 1e6 / writes
                total += us; detail = detail sprintf(" %s=%.1f", label[i], us)
            }
            printf "%.1f\t%s\n", total, detail
        }'
}

# wrk's latency lines look like "     50%    1.02ms"; units us, ms or s.
wrk_ms() {
    awk -v want="$2" '$1 == want {
        v = $2; unit = v; gsub(/[0-9.]/, "", unit); gsub(/[a-z]/, "", v)
        if (unit == "us") v /= 1000; else if (unit == "s") v *= 1000; else if (unit == "m") v *= 60000
        printf "%.3f", v }' "$1"
}

record() { printf '%s\n' "$(IFS=$'\t'; echo "$*")" >>"$runs"; }

# Runs wrk against the LeaderKV leader and records one line. Args: rep scenario connections script [script args...]
leaderkv_load() {
    local rep="$1" scenario="$2" connections="$3" script="$4"
    shift 4
    local log before after cpu_s
    log="$OUT/leaderkv-$scenario-c$connections-$rep.txt"
    before="$(cpu_sample "${lk_pids[@]}")"
    local TIMEFORMAT='%U %S'
    { time wrk -t2 -c"$connections" -d"${DURATION}s" --latency -s "$script" "$lk_url" -- "$@" >"$log" 2>&1; } 2>"$log.time"
    after="$(cpu_sample "${lk_pids[@]}")"
    cpu_s="$(awk '{ print $1 + $2 }' "$log.time")"
    local writes seconds errors
    writes="$(awk '/requests in/ { print $1 }' "$log")"
    seconds="$(awk '/requests in/ { gsub(/s,/, "", $4); print $4 }' "$log")"
    errors="$(awk '/Non-2xx/ { print $NF } /Socket errors/ { print 1 }' "$log" | head -1)"
    record leaderkv "$rep" "$scenario" "$connections" "$writes" "$seconds" \
        "$(awk -v w="$writes" -v s="$seconds" 'BEGIN { printf "%.0f", w / s }')" \
        "$(wrk_ms "$log" 50%)" "$(wrk_ms "$log" 99%)" "${errors:-0}" \
        "$(cpu_per_write "$writes" "$cpu_s" "$before" "$after" "${lk_names[@]}")"
}

redis_load() {
    local rep="$1" scenario="$2" connections="$3"
    local log before after cpu_s
    log="$OUT/redis-$scenario-c$connections-$rep.txt"
    before="$(cpu_sample "${rd_pids[@]}")"
    local TIMEFORMAT='%U %S'
    { time "$build/redis-wait-load" 127.0.0.1 "$rd_port" "$connections" "$DURATION" "$QUORUM" >"$log" 2>&1; } 2>"$log.time"
    after="$(cpu_sample "${rd_pids[@]}")"
    cpu_s="$(awk '{ print $1 + $2 }' "$log.time")"
    local line writes
    line="$(tail -1 "$log")"
    writes="$(sed -n 's/.*writes=\([0-9]*\).*/\1/p' <<<"$line")"
    record redis "$rep" "$scenario" "$connections" "$writes" \
        "$(sed -n 's/.*seconds=\([0-9.]*\).*/\1/p' <<<"$line")" \
        "$(sed -n 's/.*writes_per_s=\([0-9]*\).*/\1/p' <<<"$line")" \
        "$(sed -n 's/.*p50_ms=\([0-9.]*\).*/\1/p' <<<"$line")" \
        "$(sed -n 's/.*p99_ms=\([0-9.]*\).*/\1/p' <<<"$line")" \
        "$(sed -n 's/.*short_acked=\([0-9]*\).*/\1/p' <<<"$line")" \
        "$(cpu_per_write "$writes" "$cpu_s" "$before" "$after" "${rd_names[@]}")"
}

# --- clusters ----------------------------------------------------------------------------------
lk_up_pid=""
rd_dir=""
fill_pid=""
cleanup() {
    [ -z "$fill_pid" ] || kill "$fill_pid" 2>/dev/null || true
    stop_leaderkv || true
    stop_redis || true
}
trap cleanup EXIT

# Args: fsync policy (never | always)
start_leaderkv() {
    local fsync="$1"
    local log="$OUT/up-$fsync-$RANDOM.txt"
    dotnet "$leaderkv" up --followers "$FOLLOWERS" --quorum "$QUORUM" --min-delay 0 --max-delay 0 \
        --base-port "$BASE_PORT" --fsync "$fsync" >"$log" 2>&1 &
    lk_up_pid=$!
    for _ in $(seq 1 600); do
        grep -q "leads, term" "$log" && break
        kill -0 "$lk_up_pid" 2>/dev/null || { cat "$log" >&2; return 1; }
        sleep 0.1
    done
    grep -q "leads, term" "$log" || { cat "$log" >&2; return 1; }
    lk_url="$(awk '/leads, term/ { gsub(/[()]/, "", $2); print $2 }' "$log")"
    mapfile -t lk_pids < <(awk '/ pid / { print $4 }' "$log")
    mapfile -t lk_names < <(awk '/ pid / { print $1 }' "$log")
    # Wait until the leader hears every follower, so no write waits on a connection still being made.
    for _ in $(seq 1 300); do
        local up
        up="$(curl -s "${lk_url%/}/status" | grep -o '"state":"streaming"' | wc -l || true)"
        [ "$up" -ge "$FOLLOWERS" ] && return 0
        sleep 0.1
    done
    echo "the leader did not reach every follower" >&2
    return 1
}

stop_leaderkv() {
    [ -n "$lk_up_pid" ] || return 0
    kill -TERM "$lk_up_pid" 2>/dev/null || true
    wait "$lk_up_pid" 2>/dev/null || true
    lk_up_pid=""
}

# Args: durable (no | yes)
start_redis() {
    local durable="$1"
    rd_dir="$(mktemp -d)"
    rd_port=$((BASE_PORT + 50))
    rd_pids=()
    rd_names=()
    local persistence=(--save "" --appendonly no)
    [ "$durable" = yes ] && persistence=(--save "" --appendonly yes --appendfsync always)
    for i in $(seq 0 "$FOLLOWERS"); do
        local port=$((rd_port + i))
        local dir="$rd_dir/$i" replica=()
        mkdir -p "$dir"
        [ "$i" -gt 0 ] && replica=(--replicaof 127.0.0.1 "$rd_port")
        redis-server --bind 127.0.0.1 --port "$port" --dir "$dir" --daemonize yes --pidfile "$dir/pid" \
            --logfile "$dir/log" "${persistence[@]}" "${replica[@]}"
    done
    for i in $(seq 0 "$FOLLOWERS"); do
        for _ in $(seq 1 100); do [ -s "$rd_dir/$i/pid" ] && break; sleep 0.05; done
        rd_pids+=("$(cat "$rd_dir/$i/pid")")
        rd_names+=("$([ "$i" -eq 0 ] && echo master || echo "replica-$i")")
    done
    for _ in $(seq 1 300); do
        local online
        online="$(redis-cli -p "$rd_port" info replication | grep -c 'state=online' || true)"
        [ "$online" -ge "$FOLLOWERS" ] && return 0
        sleep 0.1
    done
    echo "redis replicas did not come online" >&2
    return 1
}

stop_redis() {
    [ -n "$rd_dir" ] || return 0
    for i in $(seq 0 "$FOLLOWERS"); do redis-cli -p $((rd_port + i)) shutdown nosave >/dev/null 2>&1 || true; done
    for pid in "${rd_pids[@]}"; do while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done; done
    rm -rf "$rd_dir"
    rd_dir=""
}

rss_mib() { awk '/VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status"; }

# --- the runs ----------------------------------------------------------------------------------
echo "results: $OUT"
for rep in $(seq 1 "$REPS"); do
    echo "rep $rep/$REPS: leaderkv (fsync never)"
    start_leaderkv never
    # A fresh cluster: its first COLD_SECONDS seconds of writes (64 connections; wrk cannot stop
    # after a count, so the figure is the first 2 s, about the first 20-30,000 writes), then warm runs.
    DURATION="$COLD_SECONDS" leaderkv_load "$rep" cold 64 docs/benchmarks/wrk-write.lua
    leaderkv_load "$rep" warm 64 docs/benchmarks/wrk-write.lua
    leaderkv_load "$rep" warm 10 docs/benchmarks/wrk-write.lua
    stop_leaderkv

    echo "rep $rep/$REPS: redis (no persistence)"
    start_redis no
    redis_load "$rep" warm 64
    redis_load "$rep" warm 10
    stop_redis

    echo "rep $rep/$REPS: leaderkv (fsync always)"
    start_leaderkv always
    leaderkv_load "$rep" durable 64 docs/benchmarks/wrk-write.lua
    stop_leaderkv

    echo "rep $rep/$REPS: redis (appendfsync always)"
    start_redis yes
    redis_load "$rep" durable 64
    stop_redis
done

# Memory: MEMORY_KEYS distinct keys with 100-byte values; resident size of the leader and a follower.
echo "memory: $MEMORY_KEYS keys"
memory="$OUT/memory.tsv"
printf 'system\tkeys\traw_mib\tleader_rss_mib\tfollower_rss_mib\n' >"$memory"
start_leaderkv never
# Each wrk thread stops after its share, but wrk itself runs out its duration: stop it once the
# leader has logged every key.
wrk -t2 -c16 -d900s -s bench/compare/wrk-fill.lua "$lk_url" -- $((MEMORY_KEYS / 2)) >"$OUT/leaderkv-fill.txt" 2>&1 &
fill_pid=$!
for _ in $(seq 1 1800); do
    logged="$(curl -s "${lk_url%/}/status" | grep -o '"lastIndex":[0-9]*' | head -1 | cut -d: -f2)"
    [ "${logged:-0}" -ge "$MEMORY_KEYS" ] && break
    sleep 0.5
done
kill -TERM "$fill_pid" 2>/dev/null || true
wait "$fill_pid" 2>/dev/null || true
for _ in $(seq 1 600); do
    applied="$(curl -s "${lk_url%/}/status" | grep -o '"lastIndex":[0-9]*' | head -1 | cut -d: -f2)"
    follower_applied="$(curl -s "http://127.0.0.1:$((BASE_PORT + 1))/status" | grep -o '"appliedThrough":[0-9]*' | head -1 | cut -d: -f2)"
    [ -n "$follower_applied" ] && [ "$follower_applied" -ge "${applied:-0}" ] && break
    sleep 0.5
done
keys_held="$(curl -s "http://127.0.0.1:$((BASE_PORT + 1))/data" | grep -o '"m-[0-9]*-[0-9]*":' | wc -l)"
# Key bytes: "m-<thread>-<i>"; value bytes: 100 (the JSON text as stored).
raw_mib="$(awk -v n="$MEMORY_KEYS" 'BEGIN { half = n / 2; bytes = 0
    for (i = 0; i < half; i++) bytes += 2 * (length("m-0-" i) + 100); printf "%.1f", bytes / 1048576 }')"
printf 'leaderkv\t%s\t%s\t%s\t%s\n' "$keys_held" "$raw_mib" "$(rss_mib "${lk_pids[0]}")" "$(rss_mib "${lk_pids[1]}")" >>"$memory"
stop_leaderkv

start_redis no
awk -v n="$MEMORY_KEYS" 'BEGIN { pad = sprintf("%98s", ""); gsub(/ /, "x", pad); half = n / 2
    for (t = 0; t < 2; t++) for (i = 0; i < half; i++) {
        key = "m-" t "-" i; value = substr(key pad, 1, 98); value = "\"" value "\""
        printf "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n", length(key), key, length(value), value } }' |
    redis-cli -p "$rd_port" --pipe >/dev/null
for _ in $(seq 1 600); do
    held="$(redis-cli -p $((rd_port + 1)) dbsize)"
    [ "$held" -ge "$MEMORY_KEYS" ] && break
    sleep 0.5
done
printf 'redis\t%s\t%s\t%s\t%s\n' "$(redis-cli -p $((rd_port + 1)) dbsize)" "$raw_mib" "$(rss_mib "${rd_pids[0]}")" "$(rss_mib "${rd_pids[1]}")" >>"$memory"
stop_redis

# --- summary -----------------------------------------------------------------------------------
{
    echo "# LeaderKV next to Redis, $(date -u +%Y-%m-%d)"
    echo
    echo "Machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), $(. /etc/os-release && echo "$PRETTY_NAME"), $(redis-server --version | awk '{ print $1, $3 }'), .NET $(dotnet --version), load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "Command: REPS=$REPS DURATION=$DURATION QUORUM=$QUORUM FOLLOWERS=$FOLLOWERS bench/compare/run.sh"
    echo "Commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
    echo
    awk -F'\t' -f bench/compare/summarize.awk "$runs"
    echo
    echo "Memory ($MEMORY_KEYS keys of 100-byte values):"
    echo
    echo "| system | keys held | raw key+value MiB | leader RSS MiB | ratio | follower RSS MiB | ratio |"
    echo "|---|---:|---:|---:|---:|---:|---:|"
    awk -F'\t' 'NR > 1 { printf "| %s | %s | %s | %s | %.2f× | %s | %.2f× |\n", $1, $2, $3, $4, $4 / $3, $5, $5 / $3 }' "$memory"
} >"$OUT/summary.md"
cat "$OUT/summary.md"
