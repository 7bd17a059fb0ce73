"""The seed's integration test (seed.md section 3), pointed at LeaderKV.

Unchanged: the writes (50 writes over 5 keys, 5 at a time, requests.post with json=...)
and the full /data comparison. Changed, as the lab's own note allows: followers are read
with a GET of their /data instead of `docker exec kv-follower-N curl ...`, so it runs
against `leaderkv up` (followers on 127.0.0.1:8001-8005) as well as docker-compose.

Usage: python3 tests.py [LEADER_URL] [FOLLOWER_URL ...]
"""
import concurrent.futures
import sys
import time

import requests

LEADER_URL = sys.argv[1] if len(sys.argv) > 1 else "http://localhost:8000"
FOLLOWER_URLS = sys.argv[2:] or [f"http://localhost:{8000 + i}" for i in range(1, 6)]
KEYS = [f"test_key_{i}" for i in range(5)]
TEST_WRITES = 50
CONCURRENCY = 5


def send_write(i: int):
    key = KEYS[i % len(KEYS)]
    value = f"test_op_{i}"
    resp = requests.post(f"{LEADER_URL}/write",
                         json={"key": key, "value": value},
                         timeout=10)
    resp.raise_for_status()
    return "success"


def check_consistency():
    leader_data = requests.get(f"{LEADER_URL}/data", timeout=5).json()
    print(f"Leader key count: {len(leader_data)}")
    mismatches = 0

    for i, url in enumerate(FOLLOWER_URLS, start=1):
        follower_data = requests.get(f"{url}/data", timeout=5).json()

        if follower_data != leader_data:
            example_key = KEYS[0]
            leader_val = leader_data.get(example_key, "N/A")
            follower_val = follower_data.get(example_key, "N/A")
            print(
                f"FAILURE: Follower {i} ({url}) MISMATCH. "
                f"Key '{example_key}': Leader='{leader_val}' vs Follower='{follower_val}'."
            )
            mismatches += 1
        else:
            print(f"SUCCESS: Follower {i} ({url}) is consistent.")
    return mismatches


def main():
    with concurrent.futures.ThreadPoolExecutor(max_workers=CONCURRENCY) as executor:
        results = list(executor.map(send_write, range(TEST_WRITES)))
    print(f"{results.count('success')} of {TEST_WRITES} writes succeeded")
    # The seed waited a fixed time for replication to settle; MAX_DELAY is 1 s by default.
    time.sleep(2)
    mismatches = check_consistency()
    sys.exit(1 if mismatches else 0)


if __name__ == "__main__":
    main()
