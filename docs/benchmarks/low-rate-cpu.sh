#!/usr/bin/env bash
# Leader CPU at a low, paced write rate: a leader and 5 followers (quorum 3) from the Release build,
# 600 warm-up writes, then 10 clients x 20 writes with 0.5 s pauses (~20 writes/s); prints the leader's
# CPU ticks (1/100 s, /proc/<pid>/stat utime+stime) over the paced part.
# Usage: docs/benchmarks/low-rate-cpu.sh MAX_DELAY_MS [NAME=VALUE ... extra node environment]
#   e.g. docs/benchmarks/low-rate-cpu.sh 0;  docs/benchmarks/low-rate-cpu.sh 0 DOTNET_TieredCompilation=0
# Needs python3 with requests; build first: dotnet build -c Release src/LeaderKv.Node
set -euo pipefail
cd "$(dirname "$0")/../.."
MD=$1; shift
D=src/LeaderKv.Node/bin/Release/net10.0/LeaderKv.Node.dll
export CLUSTER_SECRET=$(python3 -c 'import secrets; print(secrets.token_hex(32))')
read -r -a ports <<<"$(python3 -c 'import socket
ss=[socket.socket() for _ in range(6)]
[s.bind(("127.0.0.1",0)) for s in ss]
print(" ".join(str(s.getsockname()[1]) for s in ss))')"
pids=(); followers=""
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT
for i in 1 2 3 4 5; do
  env "$@" ASPNETCORE_URLS=http://127.0.0.1:${ports[$i]} ROLE=follower dotnet $D >/dev/null 2>&1 & pids+=($!)
  followers="$followers,http://127.0.0.1:${ports[$i]}"
done
env "$@" ASPNETCORE_URLS=http://127.0.0.1:${ports[0]} ROLE=leader FOLLOWERS=${followers#,} WRITE_QUORUM=3 MAX_DELAY=$MD dotnet $D >/dev/null 2>&1 & pids+=($!)
leader=$!
until curl -sf http://127.0.0.1:${ports[0]}/health >/dev/null; do sleep 0.1; done
load() { python3 - "${ports[0]}" "$1" "$2" <<'PY'
import requests, sys, threading, time
url = f"http://127.0.0.1:{sys.argv[1]}/write"; n = int(sys.argv[2]); pause = float(sys.argv[3])
def run():
    s = requests.Session()
    for i in range(n):
        s.post(url, json={"key": f"k{i % 10}", "value": i})
        time.sleep(pause)
ts = [threading.Thread(target=run) for _ in range(10)]
[t.start() for t in ts]; [t.join() for t in ts]
PY
}
ticks() { awk '{print $14+$15}' /proc/$leader/stat; }
load 60 0
a=$(ticks); t0=$(date +%s.%N)
load 20 0.5
b=$(ticks); t1=$(date +%s.%N)
echo "MAX_DELAY=$MD $*: 200 writes, leader CPU ticks $((b - a)) over $(echo "$t1 - $t0" | bc) s"
