"""The seed's benchmark (seed.md section 4), pointed at LeaderKV.

Unchanged: the load (100 writes, 10 at a time, over key-0..key-9), the average-latency
measure and the key-count consistency check 2 s after the load. Changed, as the lab's own
note allows: followers are read with a GET of their /data instead of `docker exec ... curl`,
and restart_docker(q) starts a fresh `leaderkv up --no-failover --quorum q` (the seed's layout) instead of docker-compose.
The plot needs matplotlib; without it the figures are printed only.

For the measured, percentile-based version of this experiment use `leaderkv bench`.

Usage: python3 benchmark.py   (from the repository root or this folder)
"""
import concurrent.futures
import os
import signal
import subprocess
import time

import requests

LEADER_URL = "http://localhost:8000"
FOLLOWER_URLS = [f"http://localhost:{8000 + i}" for i in range(1, 6)]
KEYS = [f"key-{i}" for i in range(10)]
TOTAL_WRITES = 100
BATCH_SIZE = 10
REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
_cluster = None


def restart_docker(quorum):
    """Replaces `docker-compose down && WRITE_QUORUM=q docker-compose up -d`."""
    global _cluster
    stop_cluster()
    _cluster = subprocess.Popen(
        ["dotnet", "run", "--project", os.path.join(REPO, "src", "LeaderKv.Cli"), "--", "up", "--no-failover", "--quorum", str(quorum)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            if all(requests.get(f"{u}/health", timeout=1).ok for u in [LEADER_URL] + FOLLOWER_URLS):
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise RuntimeError("cluster did not become healthy")


def stop_cluster():
    global _cluster
    if _cluster is not None:
        _cluster.send_signal(signal.SIGTERM)
        _cluster.wait(timeout=30)
        _cluster = None


def send_write(i):
    key = KEYS[i % len(KEYS)]
    value = f"value-{i}"
    start = time.time()
    try:
        resp = requests.post(f"{LEADER_URL}/write", json={"key": key, "value": value})
        lat = time.time() - start
        return lat, resp.status_code
    except Exception:
        return 0, 500


def run_load_test():
    latencies = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=BATCH_SIZE) as executor:
        futures = [executor.submit(send_write, i) for i in range(TOTAL_WRITES)]
        for future in concurrent.futures.as_completed(futures):
            lat, status = future.result()
            if status == 200:
                latencies.append(lat)
    return sum(latencies) / len(latencies) if latencies else 0


def check_consistency():
    print("Checking consistency...")
    try:
        leader_data = requests.get(f"{LEADER_URL}/data").json()
    except Exception:
        print("Could not contact leader.")
        return

    mismatches = 0
    for i, url in enumerate(FOLLOWER_URLS, start=1):
        try:
            follower_data = requests.get(f"{url}/data").json()
            if len(follower_data) != len(leader_data):
                mismatches += 1
                print(f"Follower {i} MISMATCH: Leader {len(leader_data)} vs Follower {len(follower_data)}")
        except Exception as e:
            print(f"Error checking follower {i}: {e}")

    if mismatches == 0:
        print("SUCCESS: All replicas match the leader!")
    else:
        print(f"WARNING: {mismatches} followers out of sync (Expected due to eventual consistency if checked immediately).")


def main():
    quorums = [1, 2, 3, 4, 5]
    avg_latencies = []

    try:
        for q in quorums:
            restart_docker(q)
            print(f"Running load test for Quorum={q}...")
            latency = run_load_test()
            avg_latencies.append(latency)
            print(f"Average Latency: {latency:.4f}s")

            time.sleep(2)
            check_consistency()
    finally:
        stop_cluster()

    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib not installed: skipping quorum_latency_analysis.png")
        return

    plt.figure(figsize=(10, 6))
    plt.plot(quorums, avg_latencies, marker="o", linestyle="-", color="b")
    plt.title("Write Quorum vs Average Write Latency")
    plt.xlabel("Write Quorum (Number of confirmations)")
    plt.ylabel("Average Latency (seconds)")
    plt.grid(True)
    plt.savefig("quorum_latency_analysis.png")


if __name__ == "__main__":
    main()
