"""Tonight's plan against list order, three nights on a budget smaller than the work (#24 item 3).

A generated catalog (SYNTHETIC SAMPLE DATA, seeded, never committed): LISTS lists of LINKS links
each, drawn Zipf-like (weight 1/rank) from REPOS repositories, each repository the bundled
TextRL sample under a generated name. A catalog run (`run_catalog`, threads) of the GitHub
source over REST (no token: every request counts, a revalidation too) against the local fake,
whose ``core`` window is reset to BUDGET requests before each night; three nights a day apart,
first with ``ENRICH_PLAN_BUDGET=false`` (list order and no shares: what a run did before), then
with the plan. The fake counts what it charged and every 403 it answered.

    python benches/plan_bench.py [LISTS LINKS REPOS BUDGET]     (default 30 40 600 300)
"""

from __future__ import annotations

import json
import random
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from enrich.core.model import Status
from enrich.run.job import CatalogJob, run_catalog
from enrich.sandbox.sample import sample_data_dir
from enrich.sandbox.server import FakeAPI
from enrich.store.codec import read_snapshot

SAMPLE = "github/repos/voidful/TextRL"
NIGHT = datetime(2026, 11, 25, 3, tzinfo=UTC)


def catalog(data: Path, lists: int, links: int, repos: int, seed: int = 24) -> list[Path]:
    """The fake's repositories and the lists' files (Zipf-like: repository r drawn with weight
    1/(r+1), without repeats in one list)."""
    sample = json.loads((sample_data_dir() / f"{SAMPLE}.json").read_text())
    for i in range(repos):
        full = f"bench-org/repo-{i:05d}"
        path = data / f"github/repos/{full}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        named = {"id": 40_000 + i, "name": full.split("/")[1], "full_name": full,
                 "html_url": f"https://github.com/{full}"}  # fmt: skip
        path.write_text(json.dumps({**sample, **named}))
        shutil.copytree(sample_data_dir() / SAMPLE, data / f"github/repos/{full}")
    rng = random.Random(seed)
    weights = [1 / (r + 1) for r in range(repos)]
    files = []
    for n in range(lists):
        picked: dict[int, None] = {}
        while len(picked) < links:
            picked.setdefault(rng.choices(range(repos), weights)[0])
        lines = [f"# Generated list {n:02d} (synthetic sample data)", ""]
        lines += [f"* https://github.com/bench-org/repo-{r:05d}" for r in picked]
        path = data.parent / "lists" / f"list-{n:02d}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(lines) + "\n")
        files.append(path)
    return files


def nights(
    fake: FakeAPI, files: list[Path], work: Path, budget: int, plan: bool
) -> list[dict[str, Any]]:
    settings = fake.settings(http_retries=0, external_code_repos=0, plan_budget=plan,
                             github_concurrency=4)  # fmt: skip
    out: list[dict[str, Any]] = []
    first_seen: dict[str, int] = {}
    # The night each entity's values were last fetched: a value's fetched_at is the clock's when
    # it was asked (the nights here are minutes apart), so a night is told by a changed one.
    stamp: dict[str, Any] = {}
    served: dict[str, int] = {}
    fake.stats_calls.clear()  # each mode meets GitHub's "computing" 202 the same way
    for night in range(3):
        fake.rate_limits["core"] = budget
        fake.rate_used.clear()
        fake.rate_limited.clear()
        fake.rate_reset = int(time.time()) + 3600
        job = CatalogJob(tuple(str(f) for f in files), work / "out", work / "raw", settings,
                         sources=["github"], now=NIGHT + timedelta(days=night))  # fmt: skip
        start = time.perf_counter()
        result = run_catalog(job)
        wall = time.perf_counter() - start
        entities: dict[str, Any] = {}
        for slug in result.results:  # the run keeps each list's summary: its dataset is read
            for e in read_snapshot(work / "out" / "lists" / slug / "latest.json").entries:
                entities[e.id] = e
                first_seen.setdefault(e.id, int(slug.rsplit("-", 1)[1]))
        for e in entities.values():
            if e.fetched_at is not None and stamp.get(e.id) != e.fetched_at:
                served[e.id] = night + 1
            stamp[e.id] = e.fetched_at
        whole = [e for e in entities.values() if e.status == Status.OK and not e.deferred]
        partial = [e for e in entities.values() if e.status == Status.OK and e.deferred]
        waiting = [e for e in entities.values() if e.status != Status.OK]
        never = [e for e in entities.values() if e.id not in served]
        ages = [night + 1 - served[i] for i in entities if i in served]
        starving = sorted({first_seen[e.id] for e in never})
        out.append({
            "night": night + 1, "unique": len(entities), "whole": len(whole),
            "partial": len(partial), "deferred": len(waiting), "never": len(never),
            "oldest_nights": max(ages) if ages else None, "spent": fake.rate_used["core"],
            "403": fake.rate_limited["core"], "wall": wall,
            "lists_waiting": [f"list-{n:02d}" for n in starving],
        })  # fmt: skip
        print(json.dumps(out[-1]), flush=True)
    return out


def main(argv: list[str]) -> None:
    lists, links, repos, budget = (int(a) for a in (argv or ["30", "40", "600", "300"]))
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        data = root / "data"
        data.mkdir()
        files = catalog(data, lists, links, repos)
        with FakeAPI([data]) as fake:
            for plan in (False, True):
                work = root / ("plan" if plan else "order")
                print(f"== {'plan' if plan else 'list order'}", flush=True)
                nights(fake, files, work, budget, plan)


if __name__ == "__main__":
    main(sys.argv[1:])
