"""Parse benchmark: the two largest real lists and synthetic lists of 100,000 links.

Usage: ``python parse_bench.py measure PATH`` parses one list file in this (fresh) process and
prints ``wall_seconds cpu_seconds peak_rss_mb entries skipped``; ``run.py`` calls it once per
run so each peak RSS is that parse's own (the interpreter and imports included). The real lists
are read from ``$ENRICH_SHARED/lists/real/`` (``../shared`` beside the checkout) when it is
there (other people's files: read, never copied); the synthetic lists are generated here
(sample data, not real links).
"""

from __future__ import annotations

import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The shared folder: $ENRICH_SHARED, else ../shared beside the checkout (as the tests find it).
REAL = Path(os.environ.get("ENRICH_SHARED") or ROOT.parent / "shared") / "lists" / "real"
# The two largest lists of ../shared/lists/real/ (974 KB of tables, 354 KB of tables).
REAL_LISTS = ("dair-ai-ML-Papers-of-the-Week.md", "zziz-pwc.md")
N = 100_000
_KINDS = (
    "https://github.com/org{n}/repo-{i}",
    "https://arxiv.org/abs/{n:04d}.{i:05d}",
    "https://huggingface.co/datasets/org/ds-{i}",
    "https://example{n}.org/page/{i}",
)


def bullets(n: int = N) -> bytes:
    """A list of n bullets, one link each (a quarter of each kind), as the slow test's."""
    lines = ["# Long list", ""]
    for i in range(n):
        url = _KINDS[i % 4].format(n=1001 + i % 1200, i=i)
        lines.append(f"- [item {i}]({url}) - entry {i}")
    return ("\n".join(lines) + "\n").encode()


def table(n: int = N) -> bytes:
    """A table of n/2 rows, each a paper and its code (the shape of the real paper lists)."""
    lines = ["# Papers", "", "| Title | Venue | Code |", "|---|---|---|"]
    for i in range(n // 2):
        paper = f"https://arxiv.org/abs/{1001 + i % 1200:04d}.{i:05d}"
        code = f"https://github.com/o{i}/r{i}"
        lines.append(f"| [Paper {i}]({paper}) | Venue {i % 7} | [code]({code}) |")
    return ("\n".join(lines) + "\n").encode()


def paragraph(n: int = 20_000) -> bytes:
    """One paragraph of n links on one line (the case that was quadratic)."""
    return " ".join(f"[p{i}](https://example.org/{i})" for i in range(n)).encode() + b"\n"


def measure(path: Path) -> None:
    data = path.read_bytes()
    started, cpu = time.perf_counter(), time.process_time()
    from enrich.core.listing import parse_list  # timed with its imports: what a run pays

    parsed = parse_list(data, path.name)
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(f"{wall:.2f} {cpu:.2f} {peak} {len(parsed.entries)} {len(parsed.skipped)}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["measure"]:
        measure(Path(sys.argv[2]))
