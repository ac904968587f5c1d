"""Views benchmark: list.md and index.html of the demo list and of 2,000-entry datasets.

SYNTHETIC SAMPLE DATA, generated on each run, never committed: the mix of benches/workload.py
(1,000 GitHub repositories, 500 arXiv papers, 300 Hub datasets, 200 web pages) as enriched
entries with seeded counters, published with 30 or 365 days of history (stars and downloads
drifting every day). The 27-entry figure is the bundled list run twice against the fake API
(sample data), as `make demo` twice does.

``python views_bench.py measure DIR`` reads a published folder back and renders its views in a
fresh process, printing JSON: seconds to read, to render (median of 3), to write, and the sizes.
"""

from __future__ import annotations

import gzip
import json
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import polars as pl

from enrich.core.assemble import assemble
from enrich.core.links import Kind
from enrich.core.model import (
    Author,
    Card,
    Entry,
    HubRepo,
    Paper,
    Position,
    Release,
    Repo,
    Snapshot,
    Status,
    WebPage,
)
from enrich.core.score import scored
from enrich.store import history
from enrich.store.codec import to_arrow
from enrich.store.compare import diff_snapshots
from enrich.store.publish import publish

AS_OF = datetime(2026, 11, 26, 3, 0, tzinfo=UTC)
ROOT = Path(__file__).parent.parent


def _entry(i: int, rng: random.Random, sizes: Any) -> Entry:
    """Entry ``i`` of the mix: repositories first, then papers, datasets, pages."""
    section = [["Repositories", "Papers", "Datasets", "Pages"][_block(i, sizes)], f"Topic {i % 12}"]
    base: dict[str, Any] = {
        "positions": [Position(section=section, line=i + 5, index=i + 1)],
        "section": section,
        "status": Status.OK,
        "description": f"Synthetic sample entry {i}: " + "words of a description " * 4,
    }
    block = _block(i, sizes)
    if block == 0:
        name = f"bench-org-{i // 100:02d}/project-{i:04d}"
        url = f"https://github.com/{name}"
        repo = Repo(
            repo_id=900_000_000 + i, full_name=name, html_url=url, stars=rng.randint(0, 40_000),
            forks=rng.randint(0, 4000), watchers=rng.randint(0, 500),
            open_issues=rng.randint(0, 400),
            license="MIT", created_at=AS_OF - timedelta(days=rng.randint(100, 3000)),
            last_commit_at=AS_OF - timedelta(hours=rng.randint(1, 4000)),
            latest_release=(
                Release(tag=f"v1.{i % 7}.0", published_at=AS_OF - timedelta(days=i % 400))
                if i % 2 == 0 else None
            ),
            commits_30d=rng.randint(0, 50), commits_365d=rng.randint(0, 900),
            contributors=rng.randint(1, 60),
        )  # fmt: skip
        return Entry(id=f"github:{name}", kind=Kind.REPO, source_id=name, url=url, urls=[url],
                     repo=repo, **base)  # fmt: skip
    if block == 1:
        pid = f"2401.{10000 + i:05d}"
        url = f"https://arxiv.org/abs/{pid}"
        paper = Paper(
            arxiv_id=pid, versioned_id=f"{pid}v{1 + i % 3}", version=1 + i % 3,
            title=f"Synthetic sample paper {i} on learning from human feedback",
            authors=[Author(name=f"Sample Author {i}-{a}") for a in range(1 + i % 6)],
            abstract="Words of a sample abstract. " * 30, published=AS_OF - timedelta(days=300 + i),
        )  # fmt: skip
        links = [f"github:bench-org-{(i % sizes.repos) // 100:02d}/project-{i % sizes.repos:04d}"]
        return Entry(id=f"arxiv:{pid}", kind=Kind.PAPER, source_id=pid, url=url, urls=[url],
                     title=f"Sample paper {i}", paper=paper, cross_links=links, **base)  # fmt: skip
    if block == 2:
        rid = f"bench-hub/dataset-{i:04d}"
        url = f"https://huggingface.co/datasets/{rid}"
        hub = HubRepo(
            repo_type="dataset", repo_id=rid, sha=f"{i:040x}", downloads=rng.randint(0, 10**5),
            likes=rng.randint(0, 500), last_modified=AS_OF - timedelta(days=i % 500),
            card=Card(license="mit", text="# Sample dataset card", summary="A synthetic sample."),
        )  # fmt: skip
        return Entry(id=f"hf:dataset/{rid}", kind=Kind.DATASET, source_id=rid, url=url, urls=[url],
                     hub=hub, **base)  # fmt: skip
    url = f"https://pages.example.org/page-{i:04d}"
    status = 404 if i % 25 == 0 else 200
    web = WebPage(final_url=url, http_status=status, title=f"Sample page {i}", checked_at=AS_OF)
    return Entry(id=url, kind=Kind.WEB, source_id=url, url=url, urls=[url],
                 title=f"Sample page {i}", web=web, **base)  # fmt: skip


def _block(i: int, sizes: Any) -> int:
    edges = [sizes.repos, sizes.repos + sizes.papers, sizes.repos + sizes.papers + sizes.datasets]
    return sum(i >= edge for edge in edges)


def _snapshot(entries: list[Entry], when: datetime) -> Snapshot:
    return assemble(scored(entries, when), generated_at=when,
                    run_id=when.strftime("%Y%m%dT%H%M%S%fZ"), list_source="awesome-bench.md",
                    list_sha256="0" * 64)  # fmt: skip


def _grown(entries: list[Entry], days_back: int) -> list[Entry]:
    """The entries as they were ``days_back`` days ago: fewer stars and downloads."""
    out = []
    for i, e in enumerate(entries):
        if e.repo is not None:
            stars = max(e.repo.stars - days_back * (i % 9), 0)
            e = e.model_copy(update={"repo": e.repo.model_copy(update={"stars": stars})})
        elif e.hub is not None and e.hub.downloads is not None:
            downloads = max(e.hub.downloads - days_back * (i % 13) * 10, 0)
            e = e.model_copy(update={"hub": e.hub.model_copy(update={"downloads": downloads})})
        out.append(e)
    return out


def synthetic(out: Path, days: int, sizes: Any = None) -> int:
    """Publish a dataset of ``sizes`` (`workload.Sizes`: 2,000 entries, or any object with its
    counts) with ``days`` of history into ``out``; its entry count."""
    from workload import Sizes

    sizes = sizes or Sizes()
    rng = random.Random(11)
    entries = [_entry(i, rng, sizes) for i in range(sizes.entries)]
    current = _snapshot(entries, AS_OF)
    previous = _snapshot(_grown(entries, 1), AS_OF - timedelta(days=1))
    table = to_arrow(current)
    # The days before yesterday go straight into the history (what those runs would have written).
    rows = pl.from_arrow(history.rows(table, current.header))
    assert isinstance(rows, pl.DataFrame)
    for back in range(2, days):
        when = AS_OF - timedelta(days=back)
        step = pl.int_range(pl.len()) % 9
        day = rows.with_columns(
            pl.lit(when).cast(pl.Datetime("us", "UTC")).alias("observed_at"),
            (pl.col("stars") - back * step).clip(0),
            (pl.col("downloads") - back * step * 10).clip(0),
        )
        folder = out / "history" / f"date={when:%Y-%m-%d}"
        folder.mkdir(parents=True, exist_ok=True)
        day.write_parquet(folder / "part-0.parquet")
    publish(previous, out, diff_snapshots(None, previous))
    publish(current, out, diff_snapshots(previous, current, table))
    return len(entries)


def demo(out: Path, raw: Path) -> int:
    """The bundled list, run twice against the fake API (sample data), stars up in between."""
    from enrich.run.job import Job, run_job
    from enrich.sandbox.sample import sample_data_dir
    from enrich.sandbox.server import FakeAPI

    listing = ROOT / "data/raw/lists/awesome-rlhf-language-models.md"
    changed = raw.parent / "changed"
    trl = json.loads((sample_data_dir() / "github/repos/huggingface/trl.json").read_text())
    (changed / "github/repos/huggingface").mkdir(parents=True)
    (changed / "github/repos/huggingface/trl.json").write_text(
        json.dumps({**trl, "stargazers_count": trl["stargazers_count"] + 42})
    )
    result = None
    for layers in ([], [changed]):
        with FakeAPI(layers) as api:
            settings = api.settings(allow_loopback=True, http_retries=0)
            result = run_job(Job(str(listing), out, raw, settings, skip={"web": "offline"}))
    assert result is not None
    return len(result.snapshot.entries)


def measure(out: Path) -> dict[str, Any]:
    """Read the folder back, render every view three times, write them: seconds and sizes."""
    from enrich.core.settings import Settings
    from enrich.run.steps import render_views
    from enrich.store.files import atomic_write_bytes
    from enrich.store.published import read_published
    from enrich.views import Published

    started = time.perf_counter()
    stored = read_published(out)
    read = time.perf_counter() - started
    published = Published(*stored, settings=Settings())
    times, files = [], {}
    for _ in range(3):
        started = time.perf_counter()
        files = render_views(published)
        times.append(time.perf_counter() - started)
    started = time.perf_counter()
    for name, data in files.items():
        atomic_write_bytes(out / name, data)
    written = time.perf_counter() - started
    html = files["index.html"]
    return {
        "entries": len(stored.snapshot.entries),
        "history_rows": stored.history.height,
        "read_seconds": read,
        "render_seconds": statistics.median(times),
        "write_seconds": written,
        "html_bytes": len(html),
        "html_gzip_bytes": len(gzip.compress(html, 6)),
        "list_bytes": len(files["list.md"]),
    }


if __name__ == "__main__":
    if sys.argv[1] == "measure":
        print(json.dumps(measure(Path(sys.argv[2]))))
