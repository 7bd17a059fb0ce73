#!/usr/bin/env bash
# Durability benchmarks: write throughput and latency by FSYNC policy and quorum, and recovery
# time of a 1,000,000-write log. Real node processes on 127.0.0.1, loaded with wrk.
# Usage: bench/durability/run.sh [throughput|recovery|all]   (results under bench-results/durability)
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
OUT=$ROOT/bench-results/durability
mkdir -p "$OUT"
DURATION=${DURATION:-10s}
RUNS=${RUNS:-3}
CONNECTIONS=${CONNECTIONS:-32}
WRITES=${WRITES:-1000000}
LUA=$ROOT/bench/durability/write.lua

DATA=$(mktemp -d /tmp/leaderkv-bench.XXXXXX)
# A private copy of the build, so rebuilding the work tree cannot change the binary mid-run.
dotnet publish src/LeaderKv.Node -c Release -v quiet -nologo -o "$DATA/bin" >/dev/null
DLL=$DATA/bin/LeaderKv.Node.dll
mkdir -p "$DATA/nodes"
PIDS=()

cleanup() {
  for pid in "${PIDS[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
  rm -rf "$DATA"
}

# A loopback port the kernel just handed out (and released): fixed ports collide with other users of the machine.
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
trap cleanup EXIT

start_node() { # name port env... ; sets LAST_PID
  local name=$1 port=$2; shift 2
  env "$@" NODE_ID="$name" ASPNETCORE_URLS="http://127.0.0.1:$port" Logging__LogLevel__Default=Warning \
    dotnet "$DLL" >"$OUT/$name.log" 2>&1 &
  LAST_PID=$!
  PIDS+=("$LAST_PID")
}

wait_health() { # port (of the node started last)
  until curl -sf "http://127.0.0.1:$1/health" >/dev/null; do
    kill -0 "$LAST_PID" 2>/dev/null || { echo "node on port $1 exited; see $OUT/*.log" >&2; exit 1; }
    sleep 0.02
  done
}

last_index() {
  curl -s http://127.0.0.1:$LEADER_PORT/status | sed -E 's/.*"lastIndex":([0-9]+).*/\1/'
}

stop_all() {
  for pid in "${PIDS[@]}"; do kill -9 "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  PIDS=()
}

# cluster FSYNC QUORUM: a leader and five followers (the seed's layout) on fresh ports; sets LEADER_PORT.
# FSYNC=memory runs without DATA_DIR.
cluster() {
  local fsync=$1 quorum=$2 followers="" ports=() i
  rm -rf "$DATA/nodes"/*
  for i in 1 2 3 4 5; do
    local port; port=$(free_port)
    local storage=()
    [[ $fsync != memory ]] && storage=(DATA_DIR="$DATA/nodes/follower-$i" FSYNC="$fsync")
    start_node "follower-$i" "$port" ROLE=follower "${storage[@]}"
    wait_health "$port"
    followers+="${followers:+,}http://127.0.0.1:$port"
  done
  LEADER_PORT=$(free_port)
  local storage=()
  [[ $fsync != memory ]] && storage=(DATA_DIR="$DATA/nodes/leader" FSYNC="$fsync")
  start_node leader "$LEADER_PORT" ROLE=leader FOLLOWERS="$followers" WRITE_QUORUM="$quorum" MIN_DELAY=0 MAX_DELAY=0 "${storage[@]}"
  wait_health "$LEADER_PORT"
}

throughput() {
  local file=$OUT/throughput.txt
  echo "# $(date -u +%FT%TZ) nproc=$(nproc) duration=$DURATION connections=$CONNECTIONS runs=$RUNS" >"$file"
  for quorum in 1 3; do
    for fsync in memory never always; do
      for run in $(seq 1 "$RUNS"); do
        cluster "$fsync" "$quorum"
        # Warm-up (JIT, connection pools), then the measured run.
        wrk -t2 -c"$CONNECTIONS" -d3s -s "$LUA" http://127.0.0.1:$LEADER_PORT/write >/dev/null
        local load; load=$(cut -d' ' -f1 /proc/loadavg)
        local result; result=$(wrk -t2 -c"$CONNECTIONS" -d"$DURATION" -s "$LUA" --latency http://127.0.0.1:$LEADER_PORT/write)
        local rps p50 p99 errors
        rps=$(awk '/Requests\/sec/ {print $2}' <<<"$result")
        p50=$(awk '$1 == "50%" {print $2}' <<<"$result")
        p99=$(awk '$1 == "99%" {print $2}' <<<"$result")
        errors=$(awk '/Non-2xx/ {print $NF}' <<<"$result")
        # Group commit at work: leader log appends per fsync during the whole run.
        local per_fsync; per_fsync=$(curl -s http://127.0.0.1:$LEADER_PORT/status | sed -nE 's/.*"logAppends":([0-9]+),"logFsyncs":([0-9]+).*/\1 \2/p' | awk '$2 > 0 {printf "%.1f", $1 / $2}')
        echo "quorum=$quorum fsync=$fsync run=$run rps=$rps p50=$p50 p99=$p99 non2xx=${errors:-0} appends_per_fsync=${per_fsync:--} load=$load" | tee -a "$file"
        stop_all
      done
    done
  done
}

recovery() {
  local file=$OUT/recovery.txt
  echo "# $(date -u +%FT%TZ) nproc=$(nproc) writes=$WRITES" >"$file"
  # Baseline: process start to /health with nothing to recover.
  for run in $(seq 1 "$RUNS"); do
    local start end
    LEADER_PORT=$(free_port)
    start=$(date +%s.%N)
    start_node leader "$LEADER_PORT" ROLE=leader WRITE_QUORUM=0
    wait_health "$LEADER_PORT"
    end=$(date +%s.%N)
    echo "baseline (no DATA_DIR) run=$run seconds=$(echo "$end - $start" | bc)" | tee -a "$file"
    stop_all
  done
  for every in 0 100000; do
    rm -rf "$DATA/nodes"/*
    LEADER_PORT=$(free_port)
    start_node leader "$LEADER_PORT" ROLE=leader WRITE_QUORUM=0 DATA_DIR="$DATA/nodes/leader" FSYNC=never SNAPSHOT_EVERY="$every"
    wait_health "$LEADER_PORT"
    # wrk runs for its whole duration even after its threads stop, so stop it once the count is written.
    PER_THREAD=$((WRITES / 4)) wrk -t4 -c32 -d30m -s "$LUA" http://127.0.0.1:$LEADER_PORT/write >/dev/null &
    local wrk_pid=$!
    until (( $(last_index) >= WRITES )); do sleep 1; done
    kill "$wrk_pid"; wait "$wrk_pid" 2>/dev/null || true
    local last; last=$(last_index)
    # Let a pending periodic snapshot finish so every run recovers the same files.
    sleep 2
    local size; size=$(du -sh "$DATA/nodes/leader" | cut -f1)
    for run in $(seq 1 "$RUNS"); do
      stop_all
      local start end
      start=$(date +%s.%N)
      start_node leader "$LEADER_PORT" ROLE=leader WRITE_QUORUM=0 DATA_DIR="$DATA/nodes/leader" FSYNC=never SNAPSHOT_EVERY="$every"
      wait_health "$LEADER_PORT"
      end=$(date +%s.%N)
      local recovered; recovered=$(last_index)
      echo "snapshot_every=$every run=$run entries=$last recovered=$recovered data=$size seconds=$(echo "$end - $start" | bc)" | tee -a "$file"
    done
    stop_all
  done
}

case ${1:-all} in
  throughput) throughput ;;
  recovery) recovery ;;
  all) throughput; recovery ;;
esac
