"""What a year of history costs a night: a list's finish reading every history day (as it did)
against reading the views' window (`enrich.store.history.VIEW_DAYS`), in one run.

SYNTHETIC SAMPLE DATA, generated on each run, never committed: the entries of
benches/views_bench.py (repositories, papers, Hub datasets, web pages with seeded counters)
published with ``--days`` of history, stars and downloads drifting every day.

    .venv/bin/python benches/history_bench.py [--entries 1000] [--days 365] [--rounds 3]

Each round runs both modes, each in a fresh process (its peak RSS its own), in turn: the steps
of a list's finish after its build (diff, history rows, the history the views read, every view,
publish), timed from the snapshots read back. Prints Markdown: per mode the median finish
(seconds), the history rows handed to the views, the peak RSS and what the finish added to it,
and the load when the round started.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from peak import peak_rss_mb  # benches/peak.py (the script's folder is on the path)

MODES = ("every day", "window")


def _rss_mb() -> float:
    """The process's resident set now (MB), from /proc."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def child(mode: str, out: Path) -> dict[str, Any]:
    """One finish of the newest night over ``out`` (it publishes that night again: a rerun)."""
    from enrich.core.diff import frame
    from enrich.run.steps import render_views
    from enrich.store import diffs, history
    from enrich.store.codec import read_snapshot, to_arrow
    from enrich.store.compare import diff_snapshots
    from enrich.store.publish import publish
    from enrich.views import Published

    current = read_snapshot(out / "latest.json")
    day = current.header.generated_at - timedelta(days=1)
    previous = read_snapshot(out / "snapshots" / f"{day:%Y-%m-%d}.json")
    before = _rss_mb()
    started = time.perf_counter()
    table = to_arrow(current)
    flat = frame(table)
    changes = diff_snapshots(previous, current, new_frame=flat)
    day_rows = history.rows_of(flat, current.header)
    read_from = time.perf_counter()
    every = mode == "every day"
    rows = history.with_run(out, table, current.header, day_rows=day_rows,
                            view_days=None if every else history.VIEW_DAYS)  # fmt: skip
    days = None if every else history.day_count(out, current.header)
    history_seconds = time.perf_counter() - read_from
    views = render_views(
        Published(current, changes, previous, rows,
                  diffs.recent(out, 29, before=current.header.run_id), history_days=days)
    )  # fmt: skip
    publish(current, out, changes, table, views, day_rows)
    seconds = time.perf_counter() - started
    peak = peak_rss_mb()
    return {"seconds": seconds, "history_seconds": history_seconds, "rows": rows.height,
            "days": rows["date"].n_unique(), "peak_mb": peak,
            "added_mb": peak - before}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=1000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).parent))
    from views_bench import synthetic
    from workload import Sizes

    n = args.entries
    datasets = n * 3 // 20
    sizes = Sizes(repos=n // 2, papers=n // 4, datasets=datasets,
                  pages=n - n // 2 - n // 4 - datasets)  # fmt: skip
    results: dict[str, list[dict[str, Any]]] = {mode: [] for mode in MODES}
    loads = []
    with tempfile.TemporaryDirectory(prefix="history-bench-") as tmp:
        out = Path(tmp) / "out"
        made = time.perf_counter()
        entries = synthetic(out, args.days, sizes)
        print(f"generated {entries:,} entries with {args.days} days of history in "
              f"{time.perf_counter() - made:.0f} s", file=sys.stderr)  # fmt: skip
        for _ in range(args.rounds):
            loads.append(os.getloadavg()[0])
            for mode in MODES:
                done = subprocess.run([sys.executable, __file__, "--child", mode, str(out)],
                                      capture_output=True, text=True, check=True)  # fmt: skip
                results[mode].append(json.loads(done.stdout.splitlines()[-1]))
    print(f"\n{entries:,} entries, {args.days} days of history, {args.rounds} rounds "
          f"(load {min(loads):.1f} to {max(loads):.1f}, {os.cpu_count()} cores)\n")  # fmt: skip
    print("| history the views read | finish (median s) | of which history read (s) | rows | days "
          "| peak RSS (MB) | added by the finish (MB) |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for mode in MODES:
        rs = results[mode]
        med = {k: statistics.median(r[k] for r in rs) for k in rs[0]}
        print(f"| {mode} | {med['seconds']:.2f} | {med['history_seconds']:.2f} "
              f"| {med['rows']:,.0f} | {med['days']:.0f} | {med['peak_mb']:.0f} "
              f"| {med['added_mb']:.0f} |")  # fmt: skip


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        print(json.dumps(child(sys.argv[2], Path(sys.argv[3]))))
    else:
        main()
