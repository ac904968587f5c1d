"""Semantic Scholar source: requests and time for a night's papers, against the local fake.

    .venv/bin/python benches/scholar_bench.py [PAPERS [REFERENCES]]

Three workloads: the demo's whole night (the bundled list through the nightly job, web pages
offline: what the scholar source asks among the others), the bundled list's papers alone, and
PAPERS (default 500) arXiv papers known to the fake, each with REFERENCES references (default
40, about the median reference list of an ML paper), written as sample items into a data folder
of their own. Prints the requests sent, the wall time, the bytes answered, and what the same
night costs at Semantic Scholar's documented rates: 1 request a second with a key (its
introductory rate); anonymous callers share one pool of 100 requests per 5 minutes among all
of them (3 s a request if the night had the pool to itself). The fake answers at once, so the
time measures the client (pacing off), not the service.
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
REFERENCES = int(sys.argv[2]) if len(sys.argv) > 2 else 40


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


# Seconds a request at the documented rates: a key's 1 a second; the anonymous pool's 100 per
# 5 minutes, shared with every anonymous caller (so at best).
KEYED_SECONDS = 1.0
ANONYMOUS_SECONDS = 300 / 100


def demo_night(tmp: Path) -> None:
    """The demo's night through the job: the scholar source's requests among the others."""
    from enrich.run.job import Job, run_job

    with FakeAPI([]) as fake:
        settings = fake.settings(allow_loopback=True, http_retries=0)
        started = time.perf_counter()
        result = run_job(Job(str(LIST), tmp / "out", tmp / "raw-job", settings,
                             skip={"web": "offline bench"}))  # fmt: skip
        seconds = time.perf_counter() - started
        sent = list(fake.requests("s2"))
    papers = [e for e in result.snapshot.entries if e.kind == Kind.PAPER]
    cited = sum(1 for e in papers if e.scholar is not None and e.scholar.citations is not None)
    print(f"demo night (the job, {len(result.snapshot.entries)} entries): scholar sent "
          f"{result.requests['scholar']['sent']} request(s) for {len(papers)} papers ({cited} with "
          f"citations), {sum(x.bytes for x in sent) / 1e3:.1f} kB answered; the whole job "
          f"{seconds:.1f} s against the fake")  # fmt: skip


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    with tempfile.TemporaryDirectory() as tmp:
        demo_night(Path(tmp))
        folder = Path(tmp) / "data"
        many = write_papers(folder, count)
        demo = [e for e in parse_list(LIST.read_bytes(), "list").entries if e.kind == Kind.PAPER]
        with FakeAPI([folder]) as fake:
            night(fake, demo[:1], Path(tmp) / "raw" / "warm")  # the fake's sample index, built once
            for name, entries in (("demo (bundled list)", demo), (f"{count} papers", many)):
                requests, seconds, size, found = night(fake, entries, Path(tmp) / "raw" / name)
                print(f"{name}: {len(entries)} papers ({found} known), {requests} requests "
                      f"(one per {math.ceil(len(entries) / max(requests, 1))} papers), "
                      f"{seconds:.2f} s against the fake, {size / 1e6:.2f} MB answered; "
                      f"at the documented rates >= {requests * KEYED_SECONDS:.0f} s with a key, "
                      f">= {requests * ANONYMOUS_SECONDS:.0f} s anonymous")  # fmt: skip


if __name__ == "__main__":
    main()
