"""A big list's report in a browser (issue 24, item 8): ``index.html`` of 1,000, 10,000 and
50,000 entries, opened from disk in headless Chromium (Debian's /usr/bin/chromium).

SYNTHETIC SAMPLE DATA, generated on each run, never committed: the mix of benches/workload.py
(half repositories, a quarter papers, datasets and web pages) scaled to N entries, as
`views_bench` publishes it, with 30 days of history. For each size: the views rendered as
`enrich render` does (reading the folder, rendering, writing; median of 3, one render from
50,000 entries), the size of ``index.html`` and of every page beside it, and in the browser
(median of 3 fresh tabs, 1,280 by 900): navigation start → first contentful paint and →
the load event (Navigation Timing, Paint Timing).

    python benches/bigpage_bench.py [N ...]       # default 1000 10000

``ENRICH_REPORT_PAGE_ENTRIES`` sets the page size, as for a run.

Nothing here asserts a time: a benchmark prints numbers (benches/RESULTS.md keeps them).
"""

from __future__ import annotations

import gzip
import json
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run"]  # fmt: skip
DAYS = 30


@dataclass(frozen=True)
class Scaled:
    """`workload.Sizes`, scaled to ``n`` entries (the same shares)."""

    n: int

    @property
    def repos(self) -> int:
        return self.n // 2

    @property
    def papers(self) -> int:
        return self.n // 4

    @property
    def datasets(self) -> int:
        return self.n * 3 // 20

    @property
    def pages(self) -> int:
        return self.n - self.repos - self.papers - self.datasets

    @property
    def entries(self) -> int:
        return self.n


def generate(out: Path, n: int, days: int = DAYS) -> None:
    """Publish an ``n``-entry dataset with ``days`` of history into ``out`` (views_bench's)."""
    from views_bench import synthetic

    synthetic(out, days, Scaled(n))


def render(out: Path, tries: int = 3) -> dict[str, Any]:
    """Render the views from the folder (as `enrich render` does: read, render, write), the
    median of ``tries``."""
    from enrich.core.settings import Settings
    from enrich.run.render import render as render_folder

    times = []
    for _ in range(tries):
        started = time.perf_counter()
        written = render_folder(out, Settings())
        times.append(time.perf_counter() - started)
    html = [p for p in written if p.suffix == ".html"]
    index = (out / "index.html").read_bytes()
    return {
        "render_seconds": statistics.median(times),
        "index_bytes": len(index),
        "index_gzip_bytes": len(gzip.compress(index, 6)),
        "html_files": len(html),
        "html_bytes": sum(p.stat().st_size for p in html),
    }


def browse(index: Path, tries: int = 3) -> dict[str, Any]:
    """Open ``index`` in fresh tabs: the median first contentful paint and load event (ms)."""
    from playwright.sync_api import sync_playwright

    paints, loads, rows, errors = [], [], 0, []
    with tempfile.TemporaryDirectory() as profile, sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            profile, executable_path=str(CHROMIUM), headless=True, args=FLAGS,
            viewport={"width": 1280, "height": 900},
        )  # fmt: skip
        try:
            for _ in range(tries):
                page = context.new_page()
                page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
                page.goto(index.as_uri(), wait_until="load", timeout=120_000)
                timing = page.evaluate(
                    """() => {
                    const nav = performance.getEntriesByType("navigation")[0];
                    const fcp = performance.getEntriesByName("first-contentful-paint")[0];
                    return [nav.loadEventEnd, fcp ? fcp.startTime : null];
                    }"""
                )
                loads.append(timing[0])
                paints.append(timing[1])
                rows = page.locator("#entries tbody tr").count()
                page.close()
        finally:
            context.close()
    return {
        "load_ms": statistics.median(loads),
        "fcp_ms": statistics.median(p for p in paints if p is not None),
        "rows_on_page": rows,
        "console_errors": len(errors),
    }


# The same bench on main before the report was paged (commit 7197650: every entry in one
# index.html), measured on this machine on 2026-12-07; the pages cannot be unpaged to rerun it.
BEFORE = [
    {"entries": 1000, "index_bytes": 996_980, "index_gzip_bytes": 63_682, "html_files": 1,
     "html_bytes": 996_980, "render_seconds": 2.09, "load_ms": 619, "fcp_ms": 324},
    {"entries": 10_000, "index_bytes": 9_905_133, "index_gzip_bytes": 565_059, "html_files": 1,
     "html_bytes": 9_905_133, "render_seconds": 32.9, "load_ms": 5992, "fcp_ms": 288},
]  # fmt: skip


def table(results: list[dict[str, Any]]) -> list[str]:
    """The figures as a Markdown table, one row per size."""
    lines = [
        "| entries | index.html | gzip | pages | all pages | render (read, render, write) "
        "| first contentful paint | load event |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r['entries']:,} | {r['index_bytes'] / 1e3:,.0f} KB | "
            f"{r['index_gzip_bytes'] / 1e3:,.0f} KB | {r['html_files']} | "
            f"{r['html_bytes'] / 1e6:,.1f} MB | {r['render_seconds']:.1f} s | "
            f"{r['fcp_ms']:,.0f} ms | {r['load_ms']:,.0f} ms |"
        )
    return lines


def section(results: list[dict[str, Any]]) -> list[str]:
    from run import machine

    return [
        "## A big list's report in a browser (issue 24, item 8)",
        "",
        "`python benches/bigpage_bench.py 1000 10000 50000`: synthetic sample data (the mix of "
        "benches/workload.py scaled, 30 days of history), the views rendered from the folder as "
        "`enrich render` does, `index.html` opened from disk in headless Chromium (1,280 by 900; "
        "median of 3 fresh tabs; Navigation and Paint Timing). Target: under 2 s.",
        "",
        f"Measured on {machine()}, shared with other agents' tests: times are noisy, sizes "
        "are not.",
        "",
        "Before (one index.html of every entry, main at 7197650):",
        "",
        *table(BEFORE),
        "",
        "After (past `ENRICH_REPORT_PAGE_ENTRIES`, 1,000: index.html and pages/N.html):",
        "",
        *table(results),
        "",
    ]


def main(sizes: list[int]) -> list[dict[str, Any]]:
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            out = Path(tmp) / f"list-{n}"
            started = time.perf_counter()
            generate(out, n)
            generated = time.perf_counter() - started
            figures = {"entries": n, "generated_seconds": generated}
            figures |= render(out, 3 if n < 50_000 else 1)
            figures |= browse(out / "index.html")
            print(json.dumps(figures), flush=True)
            results.append(figures)
    return results


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1000, 10_000])
