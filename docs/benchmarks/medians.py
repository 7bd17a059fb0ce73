"""Medians across repeated `leaderkv bench` runs, for docs/benchmarks.md.

Usage: python3 docs/benchmarks/medians.py RUN_DIR [RUN_DIR ...]
Each RUN_DIR holds a results.json. Prints, per (mode, quorum, phase), the median over the runs
of each figure, and the smallest and largest value of throughput, so the spread is visible.
Standard library only.
"""
import json
import statistics
import sys
from collections import defaultdict

FIGURES = [
    ("mean", lambda r: r["load"]["latency"]["mean"]),
    ("p50", lambda r: r["load"]["latency"]["p50"]),
    ("p95", lambda r: r["load"]["latency"]["p95"]),
    ("p99", lambda r: r["load"]["latency"]["p99"]),
    ("max", lambda r: r["load"]["latency"]["max"]),
    ("theory", lambda r: r["load"]["theoryMs"]),
    ("ovh mean", lambda r: r["load"]["overhead"]["mean"]),
    ("ovh p50", lambda r: r["load"]["overhead"]["p50"]),
    ("ovh p99", lambda r: r["load"]["overhead"]["p99"]),
    ("writes/s", lambda r: r["load"]["throughputPerS"]),
    ("failed", lambda r: r["load"]["failed"]),
    ("applied after", lambda r: r["consistency"]["replicationCompleteMs"]),
    ("keys differ@2s", lambda r: r["consistency"]["keyCountMismatchesAtCheck"]),
    ("data differs@2s", lambda r: r["consistency"]["dataMismatchesAtCheck"]),
    ("diverged", lambda r: r["consistency"]["divergedAfterSettle"]),
    ("leader cpu s", lambda r: (r["resources"] or {}).get("leaderCpuS")),
    ("client cpu %", lambda r: r["load"]["clientCpuS"] / r["load"]["durationS"] * 100),
    ("leader MB", lambda r: (r["resources"] or {}).get("leaderPeakWorkingSetMb")),
    ("follower MB", lambda r: (r["resources"] or {}).get("followerPeakWorkingSetMb")),
]


def main(directories):
    groups = defaultdict(list)
    for directory in directories:
        with open(f"{directory}/results.json") as f:
            for run in json.load(f)["runs"]:
                groups[(run["mode"], run["quorum"], run["phase"])].append(run)

    print(f"{len(directories)} runs: " + ", ".join(directories))
    print("| mode | quorum | phase | " + " | ".join(name for name, _ in FIGURES) + " | writes/s min–max |")
    print("|---|---:|---|" + "---:|" * (len(FIGURES) + 1))
    for (mode, quorum, phase), runs in groups.items():
        cells = []
        for _, figure in FIGURES:
            values = [v for v in (figure(r) for r in runs) if v is not None]
            cells.append(f"{statistics.median(values):.2f}" if values else "n/a")
        throughput = [r["load"]["throughputPerS"] for r in runs]
        cells.append(f"{min(throughput):.0f}–{max(throughput):.0f}")
        print(f"| {mode} | {quorum} | {phase} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main(sys.argv[1:])
