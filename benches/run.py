"""`make bench`: run every benchmark, print the figures and rewrite benches/RESULTS.md.

Benchmarks print numbers; nothing here asserts a time (machines are noisy).
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))


def machine() -> str:
    cpu = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem = int(Path("/proc/meminfo").read_text().split()[1]) / 1024 / 1024
    return f"{os.cpu_count()} cores ({cpu}), {mem:.0f} GiB, Python {platform.python_version()}"


def diff_benchmark(tmp: Path) -> list[str]:
    import diff_bench

    started = time.perf_counter()
    old, new = diff_bench.generate(tmp)
    generated = time.perf_counter() - started
    runs = []
    for _ in range(3):
        out = subprocess.run(
            [sys.executable, str(HERE / "diff_bench.py"), "measure", str(old), str(new)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        runs.append(out)
    seconds = sorted(float(r[0]) for r in runs)[1]
    peak = max(int(r[1]) for r in runs)
    changed, events = runs[0][2], runs[0][3]
    expected = int(diff_bench.N * diff_bench.CHANGED)
    print(
        f"diff of two {diff_bench.N:,}-entry snapshots: {seconds:.2f} s (median of 3), "
        f"peak RSS {peak} MB, {changed} entries changed, {events} events; "
        f"data generated in {generated:.0f} s"
    )
    return [
        "## Diff (issue: diff over time)",
        "",
        f"Two synthetic snapshots of {diff_bench.N:,} entries (Parquet; "
        f"{diff_bench.CHANGED:.0%} of entries changed: stars, open issues, release, arXiv "
        "version, dataset sha and downloads, web status), diffed by `enrich.diff.diff_files` "
        "and rendered by `changelog`, in a fresh process.",
        "",
        "| figure | measured | target |",
        "|---|---:|---:|",
        f"| time (median of 3) | {seconds:.2f} s | a few seconds |",
        f"| peak RSS (max of 3, whole process incl. Python and imports) | {peak} MB | < 1,024 MB |",
        f"| entries changed / events found | {changed} / {events} | {expected} changed |",
        "",
    ]


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="enrich-bench-") as folder:
        sections = diff_benchmark(Path(folder))
    text = [
        "# Benchmark results",
        "",
        f"Machine: {machine()}. Reproduce: `make bench` (rewrites this file).",
        "",
        *sections,
    ]
    (HERE / "RESULTS.md").write_text("\n".join(text))
    print(f"wrote {HERE / 'RESULTS.md'}")


if __name__ == "__main__":
    main()
