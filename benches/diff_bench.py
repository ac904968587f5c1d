"""Diff benchmark: two synthetic 100,000-entry snapshots (Parquet), 5% of entries changed.

Run in a child process per measurement so its peak RSS is the diff's own. Synthetic data
(generated here, not real metadata): 60% repositories, 25% papers, 10% datasets, 5% web pages.
"""

from __future__ import annotations

import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from enrich.core.assemble import assemble
from enrich.core.graph import with_graph
from enrich.core.links import Kind
from enrich.core.model import Entry, HubPaper, HubRepo, Paper, Release, Repo, Status, WebPage
from enrich.store.codec import to_parquet
from peak import peak_rss_mb  # benches/peak.py (the script's folder is on the path)

N = 100_000
CHANGED = 0.05
DAY = datetime(2026, 11, 20, 3, tzinfo=UTC)


def entry(i: int, changed: bool) -> Entry:
    bump = 1 if changed else 0
    base = {"urls": [], "positions": [], "status": Status.OK, "section": [f"Section {i % 40}"]}
    if i % 20 < 12:
        name = f"owner{i}/repo{i}"
        repo = Repo(
            repo_id=i,
            full_name=name,
            html_url=f"https://github.com/{name}",
            stars=1000 + i + 7 * bump,
            forks=i % 300,
            watchers=i % 50,
            open_issues=i % 90 + bump,
            license="MIT",
            latest_release=Release(tag=f"v1.{i % 9}.{bump}"),
            commits_30d=i % 30,
            commits_365d=i % 400,
            contributors=i % 200,
        )
        return Entry(
            id=f"github:{name}",
            kind=Kind.REPO,
            source_id=name,
            url=repo.html_url,
            title=name,
            repo=repo,
            **base,
        )
    if i % 20 < 17:
        pid = f"{2000 + i // 10000}.{i % 100000:05d}"
        paper = Paper(
            arxiv_id=pid,
            versioned_id=f"{pid}v{1 + bump}",
            version=1 + bump,
            title=f"Paper {i}",
            authors=[],
            abstract="Synthetic abstract. " * 10,
        )
        # Its Hub page: upvotes and adoption move; an odd paper's code appears when it changes.
        code = f"github:code{i}/impl" if i % 2 == 0 or bump else None
        page = HubPaper(
            arxiv_id=pid,
            on_hub=True,
            upvotes=10 + i % 100 + bump,
            num_models=i % 50 + 5 * bump,
            num_datasets=i % 7,
            github_repo_id=code,
            github_repo=f"https://github.com/{code.removeprefix('github:')}" if code else None,
        )
        return Entry(
            id=f"arxiv:{pid}",
            kind=Kind.PAPER,
            source_id=pid,
            url=f"https://arxiv.org/abs/{pid}",
            title=paper.title,
            paper=paper,
            hub_paper=page,
            **base,
        )
    if i % 20 < 19:
        rid = f"org{i}/data{i}"
        hub = HubRepo(
            repo_type="dataset",
            repo_id=rid,
            sha=f"{i:040x}" if not bump else f"{i + 1:040x}",
            downloads=5000 + i + 100 * bump,
            likes=i % 500,
        )
        return Entry(
            id=f"hf:dataset/{rid}",
            kind=Kind.DATASET,
            source_id=rid,
            url=f"https://huggingface.co/datasets/{rid}",
            title=rid,
            hub=hub,
            **base,
        )
    url = f"https://example.org/page{i}"
    return Entry(
        id=url,
        kind=Kind.WEB,
        source_id=url,
        url=url,
        title=f"Page {i}",
        web=WebPage(final_url=url, http_status=404 if bump else 200),
        **base,
    )


def generate(folder: Path) -> tuple[Path, Path]:
    rng = random.Random(7)
    changed = set(rng.sample(range(N), int(N * CHANGED)))
    old = [entry(i, False) for i in range(N)]
    new = [entry(i, i in changed) for i in range(N)]
    paths = []
    for name, entries, when in (("old", old, DAY), ("new", new, DAY + timedelta(days=1))):
        snap = assemble(
            with_graph(entries)[0],
            generated_at=when,
            run_id=name,
            list_source="synthetic",
            list_sha256="0" * 64,
        )
        path = folder / f"{name}.parquet"
        path.write_bytes(to_parquet(snap))
        paths.append(path)
    return paths[0], paths[1]


def measure(old: Path, new: Path) -> None:
    """Child process: the diff of two files, its time and peak RSS, as one line."""
    from enrich.core.changelog import changelog
    from enrich.store.compare import diff_files

    started = time.perf_counter()
    diff = diff_files(old, new)
    changelog(diff)
    seconds = time.perf_counter() - started
    peak_mb = peak_rss_mb()
    print(f"{seconds:.2f} {peak_mb:.0f} {diff['summary']['changed']} {len(diff['events'])}")


if __name__ == "__main__" and sys.argv[1:2] == ["measure"]:
    measure(Path(sys.argv[2]), Path(sys.argv[3]))
