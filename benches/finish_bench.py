"""What one list's finish costs (issue 24, items 6 and 9): build, guard, diff, views, publish,
check, timed list by list in a catalog run, cold and on a quiet night, with the bytes each
finish writes and, with ``--profile``, where its time goes (cProfile over every finish).

SYNTHETIC SAMPLE DATA, generated on each run, never committed: the lists and the fake's
generated repositories of benches/scale_bench.py (every list links the same repositories, so
the fetch is the same whatever the number of lists).

    .venv/bin/python benches/finish_bench.py [--lists 1,30] [--links 150,20] [--profile]

Prints Markdown: per shape and night, the median and mean finish of a list (seconds), the bytes
written by a finish, and the load when the night started.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

from scale_bench import (
    FIRST_NIGHT,
    LATENCY,
    GeneratedGitHub,
    Shape,
    draw_lists,
    environment,
    in_child,
    write_lists,
)

T = TypeVar("T")
NIGHTS = ("cold", "quiet")


def _written() -> int:
    io_ = dict(line.split(": ") for line in Path("/proc/self/io").read_text().splitlines())
    return int(io_["write_bytes"]) + int(io_.get("cancelled_write_bytes", 0))


def child(spec_file: Path, result: Path) -> None:
    """One night of the catalog, each list's finish timed (and profiled with ``profile``)."""
    from enrich.core.settings import Settings
    from enrich.run.job import CatalogJob, InProcess, run_catalog

    spec = json.loads(spec_file.read_text())
    from datetime import datetime

    profile = cProfile.Profile() if spec["profile"] else None
    finishes: list[dict[str, float]] = []

    class Timed(InProcess):
        def call(self, step: str, fn: Callable[[Any], T], payload: Any) -> T:
            if not step.startswith("finish-"):
                return super().call(step, fn, payload)
            before, begun = _written(), time.perf_counter()
            cpu = time.process_time()
            try:
                if profile is not None:
                    profile.enable()
                return super().call(step, fn, payload)
            finally:
                if profile is not None:
                    profile.disable()
                finishes.append({
                    "seconds": time.perf_counter() - begun,
                    "cpu": time.process_time() - cpu,
                    "written": _written() - before,
                })  # fmt: skip

    executor = Timed()
    try:
        run_catalog(
            CatalogJob(tuple(spec["lists"]), Path(spec["out"]), Path(spec["raw"]), Settings(),
                       max_lists=len(spec["lists"]), now=datetime.fromisoformat(spec["now"])),
            executor,
        )  # fmt: skip
    finally:
        executor.close()
    if profile is not None:
        profile.dump_stats(spec["profile"])
    result.write_text(json.dumps({"finishes": finishes}))


def night(spec: dict[str, Any], env: dict[str, str], tmp: Path) -> dict[str, Any]:
    load = os.getloadavg()[0]
    figures = in_child(Path(__file__), spec, env, tmp)
    figures["load"] = load
    return figures


def top(path: str, count: int = 25) -> str:
    """The profile's top functions by cumulative and by own time."""
    out = io.StringIO()
    stats = pstats.Stats(path, stream=out)
    stats.sort_stats("cumulative").print_stats(count)
    stats.sort_stats("tottime").print_stats(count)
    return out.getvalue()


def bench(
    lists: int, links: int, profile: bool, tmp: Path, keep: Path | None, kept: Path | None
) -> list[str]:
    shape = Shape("same", lists, links * lists, links, 0, equal=True, same=True)
    paths = write_lists(tmp / f"lists-{lists}-{links}", draw_lists(shape))
    out, raw = (kept or tmp) / f"out-{lists}-{links}", tmp / f"raw-{lists}-{links}"
    rows = []
    with GeneratedGitHub(latency=LATENCY) as fake:
        env = environment(fake, tmp)
        for n, name in enumerate(NIGHTS):
            fake.rate_used.clear()
            fake.rate_reset = int(time.time()) + 3600
            stats = str((keep or tmp) / f"{lists}-{links}-{name}.prof") if profile else ""
            now = (FIRST_NIGHT + timedelta(days=n)).isoformat()
            spec = {"lists": [str(p) for p in paths], "out": str(out), "raw": str(raw),
                    "now": now, "profile": stats}  # fmt: skip
            figures = night(spec, env, tmp)
            done = figures["finishes"]
            seconds = [f["seconds"] for f in done]
            cpu = [f["cpu"] for f in done]
            written = [f["written"] for f in done]
            rows.append(
                f"| {lists} | {links} | {name} | {statistics.median(seconds):.3f} s | "
                f"{statistics.fmean(seconds):.3f} s | {statistics.median(cpu):.3f} s | "
                f"{statistics.fmean(written) / 1e6:.2f} MB | {figures['load']:.1f} |"
            )
            print(rows[-1], flush=True)
            if profile:
                print(top(stats), flush=True)
    return rows


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "_child":
        child(Path(sys.argv[2]), Path(sys.argv[3]))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lists", default="1,30", help="numbers of lists, comma-separated")
    parser.add_argument("--links", default="150,20", help="links a list, comma-separated")
    parser.add_argument("--profile", action="store_true", help="print cProfile's top functions")
    parser.add_argument("--keep", type=Path, help="a folder to keep the profiles in (pstats)")
    parser.add_argument("--out", type=Path, help="a folder to keep the published datasets in")
    args = parser.parse_args()
    header = [
        "| lists | links a list | night | finish of a list (median) | mean | CPU (median) | "
        "written a finish | load |",
        "|---:|---:|---|---:|---:|---:|---:|---:|",
    ]
    print("\n".join(header), flush=True)
    rows: list[str] = []
    with tempfile.TemporaryDirectory(prefix="enrich-finish-") as folder:
        for links in (int(n) for n in args.links.split(",")):
            for lists in (int(n) for n in args.lists.split(",")):
                rows += bench(lists, links, args.profile, Path(folder), args.keep, args.out)
    print("\n".join(["", *header, *rows]))


if __name__ == "__main__":
    main()
