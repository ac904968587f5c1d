"""GraphQL points a night, cold / nothing changed / 5% changed (#24 item 4).

The GitHub source alone, with a token, against the local fake, which charges each query the
points GitHub documents (every connection, one request per parent, / 100, rounded, at least 1)
from its ``graphql`` rate limit: the figures are what the fake charged, not an estimate. Two
lists: the bundled one's GitHub repositories, and a generated list of 1,000 repositories (the
sample data of one repository under 1,000 names; synthetic sample data). Nights one day apart
are not simulated: the rota of ``github_graphql_full_every`` is tonight's, as in production.

    python benches/graphql_bench.py [REPOSITORIES]
"""

from __future__ import annotations

import json
import re
import shutil
import sys
import tempfile
from pathlib import Path

from enrich.core.links import Kind, classify
from enrich.core.model import Entry
from enrich.core.settings import BUNDLED_LIST, Settings
from enrich.sandbox.sample import sample_data_dir
from enrich.sandbox.server import FakeAPI
from enrich.sources.base import FetchContext
from enrich.sources.registry import SOURCES
from enrich.store.raw import RawStore

TOKEN = "fake-token-for-the-bench"  # a recognisable fake, never a real one
SAMPLE = "github/repos/voidful/TextRL"


def entry(url: str) -> Entry:
    ref = classify(url)
    return Entry(id=ref.entry_id, kind=ref.kind, source_id=ref.source_id, url=url, urls=[url],
                 section=[], positions=[])  # fmt: skip


def bundled() -> list[Entry]:
    urls = re.findall(r"https://github\.com/[\w.-]+/[\w.-]+", BUNDLED_LIST.read_text())
    found = {e.id: e for e in map(entry, dict.fromkeys(urls)) if e.kind == Kind.REPO}
    return list(found.values())


def generated(data: Path, count: int) -> list[Entry]:
    sample = json.loads((sample_data_dir() / f"{SAMPLE}.json").read_text())
    urls = []
    for i in range(count):
        full = f"bench-org/repo-{i:05d}"
        path = data / f"github/repos/{full}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({**sample, "id": 30_000 + i, "name": full.split("/")[1],
                                    "full_name": full, "html_url": f"https://github.com/{full}"}))
        shutil.copytree(sample_data_dir() / SAMPLE, data / f"github/repos/{full}")
        urls.append(f"https://github.com/{full}")
    return [entry(u) for u in urls]


def change(data: Path, entries: list[Entry], share: float) -> None:
    """A push to every 1/share-th repository (for the bundled list: a copy of its sample data
    over the bundled one), half of them a star without a push."""
    step = max(1, round(1 / share))
    for i, e in enumerate(entries[::step]):
        path = data / f"github/repos/{e.source_id}.json"
        if not path.is_file():
            source = sample_data_dir() / f"github/repos/{e.source_id}.json"
            if not source.is_file():
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(source, path)
        repo = json.loads(path.read_text())
        if i % 2:
            repo["stargazers_count"] += 1
        else:
            repo["pushed_at"] = repo["updated_at"] = "2030-01-02T03:04:05Z"
        path.write_text(json.dumps(repo))


def night(fake: FakeAPI, settings: Settings, entries: list[Entry], raw: Path, run: str) -> int:
    before = fake.rate_used["graphql"]
    store = RawStore(raw / run)
    store.write_manifest({"run_id": run})
    SOURCES["github"].fetch(entries, store, FetchContext.standalone(settings))
    return fake.rate_used["graphql"] - before


def bench(name: str, make: str, count: int, every: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        data, raw = Path(tmp) / "data", Path(tmp) / "raw"
        data.mkdir()
        with FakeAPI([data]) as fake:
            entries = bundled() if make == "bundled" else generated(data, count)
            settings = fake.settings(github_token=TOKEN, http_retries=0,
                                     github_graphql_full_every=every)  # fmt: skip
            cold = night(fake, settings, entries, raw, "r1")
            quiet = night(fake, settings, entries, raw, "r2")
            change(data, entries, 0.05)
            moved = night(fake, settings, entries, raw, "r3")
    print(f"| {name} | {len(entries)} | {every} | {cold} | {quiet} ({quiet / cold:.0%}) "
          f"| {moved} ({moved / cold:.0%}) |", flush=True)  # fmt: skip


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    print("| list | repositories | full every (nights) | cold | nothing changed | 5% changed |")
    print("|---|---:|---:|---:|---:|---:|")
    for every in (14, 7, 1):
        bench("bundled", "bundled", 0, every)
        bench(f"generated {count}", "generated", count, every)


if __name__ == "__main__":
    main()
