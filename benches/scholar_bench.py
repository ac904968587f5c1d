"""Semantic Scholar source: requests and time for a night's papers, against the local fake.

    .venv/bin/python benches/scholar_bench.py [PAPERS]

Two workloads: the bundled list's papers (the demo), and PAPERS (default 500) arXiv papers
known to the fake, each with 40 references (about the median reference list of an ML paper),
written as sample items into a data folder of their own. Prints the requests sent, the wall
time, the bytes answered, and what the same night costs at Semantic Scholar's documented rate
(1 request a second with a key; the anonymous pool shares its rate with every anonymous caller).
The fake answers at once, so the time measures the client (pacing off), not the service.
"""

from __future__ import annotations

import json
import math
import sys
import tempfile
import time
from pathlib import Path

from enrich.core.links import Kind, classify
from enrich.core.listing import parse_list
from enrich.core.model import Entry
from enrich.sandbox.sample import load_facts
from enrich.sandbox.sample.scholar import sample_papers
from enrich.sandbox.server import FakeAPI
from enrich.sources.base import FetchContext
from enrich.sources.scholar import ScholarSource
from enrich.store.raw import RawStore

LIST = Path(__file__).resolve().parent.parent / "data/raw/lists/awesome-rlhf-language-models.md"
REFERENCES = 40


def entry(url: str) -> Entry:
    ref = classify(url)
    return Entry(id=ref.entry_id, kind=ref.kind, source_id=ref.source_id, url=url, urls=[url],
                 section=[], positions=[])  # fmt: skip


def write_papers(folder: Path, count: int) -> list[Entry]:
    """``count`` sample items shaped like the generated ones, with their own arXiv ids."""
    model = sample_papers(load_facts())[-1]
    entries = []
    for n in range(count):
        arxiv_id = f"2501.{n + 1:05d}"
        paper_id = f"{n + 1:040x}"
        refs = [{"paperId": f"{n * REFERENCES + r + 1:040x}",
                 "externalIds": {"ArXiv": f"2401.{r + 1:05d}", "CorpusId": n * REFERENCES + r}}
                for r in range(REFERENCES)]  # fmt: skip
        item = {**model, "paperId": paper_id, "references": refs, "citations": [],
                "externalIds": {"ArXiv": arxiv_id, "CorpusId": 1_000_000 + n}}  # fmt: skip
        path = folder / "s2" / "papers" / f"{paper_id}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(item), encoding="utf-8")
        entries.append(entry(f"https://arxiv.org/abs/{arxiv_id}"))
    return entries


def night(fake: FakeAPI, entries: list[Entry], raw: Path) -> tuple[int, float, int, int]:
    """One fetch and normalize: requests, seconds, bytes answered, papers found."""
    before = len(fake.requests("s2"))
    source = ScholarSource()
    settings = fake.settings(http_retries=0)
    store = RawStore(raw)
    started = time.perf_counter()
    source.fetch(entries, store, FetchContext.standalone(settings))
    outcomes = source.normalize(entries, store.documents("scholar"))
    seconds = time.perf_counter() - started
    sent = fake.requests("s2")[before:]
    found = sum(1 for o in outcomes.values() if o.record is not None and o.record.found)
    return len(sent), seconds, sum(x.bytes for x in sent), found


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "data"
        many = write_papers(folder, count)
        demo = [e for e in parse_list(LIST.read_bytes(), "list").entries if e.kind == Kind.PAPER]
        with FakeAPI([folder]) as fake:
            night(fake, demo[:1], Path(tmp) / "raw" / "warm")  # the fake's sample index, built once
            for name, entries in (("demo (bundled list)", demo), (f"{count} papers", many)):
                requests, seconds, size, found = night(fake, entries, Path(tmp) / "raw" / name)
                keyed = requests * 1.0  # one request a second: the introductory key's rate
                print(f"{name}: {len(entries)} papers ({found} known), {requests} requests "
                      f"(one per {math.ceil(len(entries) / max(requests, 1))} papers), "
                      f"{seconds:.2f} s against the fake, {size / 1e6:.2f} MB answered; "
                      f"at 1 request/s: >= {keyed:.0f} s of pacing a night")  # fmt: skip


if __name__ == "__main__":
    main()
