"""Disk per link per night, before and after retention (#24 item 7).

Nights of the job on the bundled list against the local fake API (the demo's sample data, web
pages skipped as in the demo), one a day, with the prune off. After each night the output folder
and the raw layer are measured (bytes of files, links as links), as they are (before: nothing was
ever pruned) and as the default policy leaves them (after: the plan `enrich prune --dry-run`
prints, subtracted; pruning every night or once at the end leaves the same folders).

    python benches/retention_bench.py [NIGHTS]
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from enrich.core.settings import BUNDLED_LIST
from enrich.run.job import Job, run_job
from enrich.run.retention import policy
from enrich.sandbox.server import FakeAPI
from enrich.store import retention

NIGHTS = 120
FIRST = datetime(2026, 1, 1, 3, 0, tzinfo=UTC)
SHOWN = (1, 7, 30, 90, 120)


def sizes(out: Path, raw: Path) -> Counter[str]:
    """Bytes by part: the raw layer, snapshots/, diffs/, history/, and the rest of the output
    (latest.*, views, tables: replaced every night)."""
    found: Counter[str] = Counter()
    for top, part in ((raw, "raw"), (out, None)):
        for root, _, names in os.walk(top):
            where = Path(root).relative_to(top).parts
            name = part or (where[0] if where and where[0] in ("snapshots", "diffs", "history")
                            else "rest")  # fmt: skip
            found[name] += sum(os.lstat(os.path.join(root, n)).st_size for n in names)
    return found


def measure(nights: int = NIGHTS) -> tuple[int, list[dict[str, int]]]:
    """The bundled list's entries, and per night the bytes before (by part) and after."""
    rows: list[dict[str, int]] = []
    entries = 0
    with tempfile.TemporaryDirectory(prefix="enrich-retention-") as folder, FakeAPI([]) as api:
        out, raw = Path(folder) / "out", Path(folder) / "raw"
        settings = api.settings(allow_loopback=True, http_retries=0, prune=False)
        keep = policy(settings.model_copy(update={"prune": True}))
        for night in range(nights):
            result = run_job(Job(str(BUNDLED_LIST), out, raw, settings,
                                 skip={"web": "offline: web pages are not fetched"},
                                 now=FIRST + timedelta(days=night)))  # fmt: skip
            entries = result.snapshot.header.entries
            before = sizes(out, raw)
            plan = retention.plan(out, raw, keep)
            rows.append({**before, "before": sum(before.values()),
                         "after": sum(before.values()) - plan.bytes})  # fmt: skip
    return entries, rows


def section(nights: int = NIGHTS) -> list[str]:
    entries, rows = measure(nights)
    shown = [n for n in SHOWN if n <= len(rows)]
    lines = [
        "## Retention: disk per link per night (issue 24, item 7)",
        "",
        f"Nights of the job on the bundled list ({entries} links, each an entry) against the fake "
        "API, one a day (web pages skipped, as in the demo); the output folder and the raw layer "
        "measured after each night, never pruned (before) and as the default policy leaves them "
        "(after: 7 raw runs, every snapshot for 90 days, then each week's newest; history and "
        "diffs whole). `python benches/retention_bench.py` (or `benches/run.py retention`).",
        "",
        "| after night | before | after | before, per link | after, per link |",
        "|---:|---:|---:|---:|---:|",
    ]
    for n in shown:
        row = rows[n - 1]
        per = (_kb(row["before"] / entries), _kb(row["after"] / entries))
        lines.append(f"| {n} | {_kb(row['before'])} | {_kb(row['after'])} | {per[0]} | {per[1]} |")
    last, base = len(rows), max(len(rows) - 30, 1)
    span = last - base
    growth = {k: (rows[last - 1][k] - rows[base - 1][k]) / span for k in ("before", "after")}
    night = {k: (rows[last - 1].get(k, 0) - rows[base - 1].get(k, 0)) / span
             for k in ("raw", "snapshots", "diffs", "history")}  # fmt: skip
    lines += [
        "",
        f"Growth per night over nights {base}–{last}, per link: before "
        f"**{_kb(growth['before'] / entries)}**, after **{_kb(growth['after'] / entries)}** "
        f"({growth['before'] / max(growth['after'], 1):.0f}× less). A night before, per link: "
        + ", ".join(f"{k} {_kb(v / entries)}" for k, v in night.items())
        + " (the rest, latest.* and the views, is replaced, not added). The sample data does not "
        "change between nights, so the diffs stay small; a real night's changes add to the diffs "
        "and the history, which the prune keeps.",
        "",
    ]
    return lines


def _kb(n: float) -> str:
    return f"{n / 1000:,.1f} kB" if n < 1e6 else f"{n / 1e6:,.2f} MB"


if __name__ == "__main__":
    print("\n".join(section(int(sys.argv[1]) if sys.argv[1:] else NIGHTS)))
