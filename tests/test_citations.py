"""Citations through the whole pipeline (#26): the nightly job against the fake's Semantic
Scholar, night after night. Its values reach the snapshot, the Parquet file, the diff, the
history and the views; one request asks the list's papers; a 429 all night publishes the other
sources with the citations carried forward; ``null`` is a paper Semantic Scholar does not know;
references become ``cites`` ties. The figures are the sandbox's generated sample data."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import feedparser
import pyarrow.parquet as pq
import pytest

from conftest import BUNDLED, run, write_json
from enrich.core.links import Kind
from enrich.core.model import Evidence, LinksDocument, Relation, Snapshot, Status
from enrich.core.settings import Settings
from enrich.core.wording import compact
from enrich.run.steps import RunResult
from enrich.run.summary import one_line
from enrich.sandbox import scholar as fake_scholar
from enrich.sandbox.sample import load_facts
from enrich.sandbox.sample.scholar import sample_papers
from enrich.sandbox.server import FakeAPI, Fault
from enrich.store import history
from enrich.store.raw import RawStore

NIGHT_1 = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)
NIGHT_2 = datetime(2026, 11, 26, 3, 0, tzinfo=UTC)
NIGHT_3 = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)
OFFLINE = {"web": "offline test: web pages are not fetched"}
HH = "2204.05862"  # Training a Helpful and Harmless Assistant with RLHF
SAMPLE = {p["externalIds"].get("ArXiv"): p for p in sample_papers(load_facts())}


def night(settings: Settings, tmp_path: Path, when: datetime, **options: Any) -> RunResult:
    return run(str(BUNDLED), settings=settings, out_dir=tmp_path / "out", raw_root=tmp_path / "raw",
               skip=OFFLINE, now=when, **options)


def cited_more(extra_data: Path, arxiv_id: str, more: int) -> int:
    """The fake's paper ``arxiv_id`` cited ``more`` times more (a whole item in the data folder,
    which replaces the generated one); its new count."""
    item = dict(SAMPLE[arxiv_id], citationCount=SAMPLE[arxiv_id]["citationCount"] + more)
    write_json(extra_data / "s2" / "papers" / f"{item['paperId']}.json", item)
    return int(item["citationCount"])


def papers(snapshot: Snapshot) -> list[Any]:
    return [e for e in snapshot.entries if e.kind is Kind.PAPER]


# -- values from the fake reach the snapshot, the diff and the views --------------------------


def test_citations_reach_the_snapshot_the_diff_the_history_and_the_views(
    settings: Settings, fake: FakeAPI, extra_data: Path, tmp_path: Path
) -> None:
    """Night 1 reads every paper's sample figures; night 2 the HH-RLHF paper is cited 37 times
    more: a counter's delta, a top mover, a history column, the views' counter and trend."""
    first = night(settings, tmp_path, NIGHT_1)
    out = tmp_path / "out"
    listed = papers(first.snapshot)
    assert listed and all(e.scholar is not None and e.scholar.found for e in listed)
    for entry in listed:  # the snapshot holds what the fake answered
        sample = SAMPLE[entry.source_id]
        assert (entry.scholar.paper_id, entry.scholar.citations, entry.scholar.influential_citations,
                entry.scholar.corpus_id) == (sample["paperId"], sample["citationCount"],
                                             sample["influentialCitationCount"], sample["corpusId"])  # fmt: skip
    latest = json.loads((out / "latest.json").read_text())
    hh_json = next(e for e in latest["entries"] if e["id"] == f"arxiv:{HH}")
    assert hh_json["scholar"]["citations"] == SAMPLE[HH]["citationCount"]
    table = pq.read_table(out / "latest.parquet", columns=["id", "scholar"]).to_pylist()
    assert next(r for r in table if r["id"] == f"arxiv:{HH}")["scholar"]["citations"] == SAMPLE[HH]["citationCount"]
    schema = json.loads((out / "schema.json").read_text())
    assert "citations" in schema["$defs"]["ScholarPaper"]["properties"]

    now = cited_more(extra_data, HH, 37)
    second = night(settings, tmp_path, NIGHT_2)
    diff = second.diff
    assert diff is not None
    assert [(c["id"], c["old"], c["new"], c["delta"], c["per_day"]) for c in diff["counters"]
            if c["field"] == "citations"] == [(f"arxiv:{HH}", now - 37, now, 37, 37.0)]  # fmt: skip
    changelog = (out / "diffs" / "2026-11-26.md").read_text()
    assert "## Top movers: citations\n\nCited +37 in 1 day (1 entry).\n" in changelog and "| +37 |" in changelog
    assert history.read(out, f"arxiv:{HH}")["citations"].to_list() == [now - 37, now]
    line = next(x for x in (out / "list.md").read_text().splitlines() if f"arxiv.org/abs/{HH}" in x)
    assert f"❝ {compact(now)} (+37 in 1 day)" in line, line
    assert "❝ citations (Semantic Scholar)" in (out / "list.md").read_text()  # the legend
    page = (out / "index.html").read_text()
    assert f"❝ {compact(now)}<div class=\"meta\">+37 in 1 day</div>" in page
    # The paper's score has a citations part (age-normalized), shown on hover with the others.
    hh = next(e for e in second.snapshot.entries if e.id == f"arxiv:{HH}")
    assert hh.score is not None and hh.score.scheme == "paper-2"
    part = next(p for p in hh.score.parts if p.name == "citations")
    assert part.points > 0 and f"+ citations {part.points:g}" in page.replace("&#43;", "+")
    # A third night: the sparkline of the paper's citations (three points).
    third = cited_more(extra_data, HH, 37 + 12)
    night(settings, tmp_path, NIGHT_3)
    page = (out / "index.html").read_text()
    assert f'aria-label="citations: {compact(now - 37)} → {compact(third)}, 3 points over 2 days"' in page
    run_items = [e for e in feedparser.parse((out / "feed.xml").read_bytes()).entries
                 if e.tags[0].term == "run"]  # fmt: skip
    assert "Cited +12 in 1 day (1 entry)." in run_items[0].content[0].value  # night 3, newest first
    assert "Cited +37 in 1 day (1 entry)." in run_items[1].content[0].value


# -- one request per 500 papers ------------------------------------------------------------------


def test_a_night_asks_every_paper_in_one_request(settings: Settings, fake: FakeAPI, tmp_path: Path) -> None:
    result = night(settings, tmp_path, NIGHT_1)
    batches = [x for x in fake.requests("s2") if x.path.startswith("/s2/graph/v1/paper/batch")]
    assert len(batches) == 1 and result.requests["scholar"] == {"sent": 1, "not_modified": 0, "reused": 0}
    (doc,) = RawStore(result.run_dir).documents("scholar")
    assert sorted(doc["asked"]) == sorted(e.id for e in papers(result.snapshot))


# -- a 429 all night, and a paper Semantic Scholar does not know -----------------------------------


# Semantic Scholar's 429 body, as recorded (docs/papers.md): no Retry-After in any recorded answer;
# one is sent here, and honoured within the retry budget.
TOO_MANY = json.dumps({"message": "Too Many Requests. Please wait and try again or apply for a key for "
                                  "higher rate limits. https://www.semanticscholar.org/product/api#api-key-form",
                       "code": "429"}).encode()


@dataclass
class Night2:
    name: str
    faults: list[Fault]
    unknown: set[str]
    reason: str | None  # in the papers' status_reason
    carried: bool  # night 1's citations kept (and their time)
    failed: bool  # the run names the scholar source as failed


NIGHT2 = [
    Night2("429 all night", [Fault(r"^/s2/graph/v1/paper/batch", status=429, headers={"Retry-After": "1"},
                                   body=TOO_MANY)],
           set(), "Semantic Scholar: Too Many Requests. Please wait and try again", carried=True, failed=True),
    Night2("an answer that is not a list", [Fault(r"^/s2/graph/v1/paper/batch", status=200, body=b'{"data": []}')],
           set(), "Semantic Scholar sent a malformed answer", carried=True, failed=True),
    Night2("the HH-RLHF paper unknown", [], {f"ARXIV:{HH}"}, None, carried=False, failed=False),
]


@pytest.mark.parametrize("case", NIGHT2, ids=lambda c: c.name)
def test_a_bad_night_of_semantic_scholar_costs_only_the_citations(case: Night2, fake: FakeAPI,
                                                                 tmp_path: Path) -> None:
    settings = fake.settings(allow_loopback=True, http_retries=1, retry_budget_seconds=5)
    first = night(settings, tmp_path, NIGHT_1)
    fake.faults.extend(case.faults)
    fake_scholar.state(fake).unknown = case.unknown
    second = night(settings, tmp_path, NIGHT_2)
    before = {e.id: e for e in first.snapshot.entries}
    assert (tmp_path / "out" / "latest.json").read_text().count(second.snapshot.header.run_id) == 1  # published
    for entry in papers(second.snapshot):
        # The papers' status is arXiv's (fresh); a supplement's trouble is in the reason.
        assert entry.status == Status.OK and entry.fetched_at and entry.fetched_at > NIGHT_1, entry.id
        kept = before[entry.id].scholar
        if case.carried:
            assert entry.scholar == kept and kept is not None, entry.id  # its fetched_at: night 1's
            assert case.reason is not None and case.reason in (entry.status_reason or ""), entry.status_reason
            assert "(last good values of" in (entry.status_reason or "")
            assert "Semantic Scholar: Semantic Scholar" not in (entry.status_reason or "")  # one name
        elif entry.id == f"arxiv:{HH}":  # a fact: found false, no failure, no reason
            assert entry.scholar is not None and not entry.scholar.found and entry.scholar.citations is None
            assert (entry.failure, entry.status_reason) == (None, None)
        else:
            assert entry.scholar is not None and entry.scholar.found
    others = [e for e in second.snapshot.entries if e.kind in (Kind.REPO, Kind.DATASET)]
    assert others and all(e.status == Status.OK and e.fetched_at > NIGHT_1 for e in others)  # type: ignore[operator]
    assert ("scholar" in second.source_failures) is case.failed
    assert ("source scholar failed" in one_line(second)) is case.failed
    if not case.carried:  # an unknown paper has no citations: no counter row, no history value
        assert second.diff is not None
        assert [c for c in second.diff["counters"] if c["field"] == "citations"] == []
        assert history.read(tmp_path / "out", f"arxiv:{HH}")["citations"].to_list() == [SAMPLE[HH]["citationCount"], None]


# -- references become cites ties ------------------------------------------------------------------


def test_references_between_listed_papers_become_cites_edges(settings: Settings, fake: FakeAPI,
                                                             tmp_path: Path) -> None:
    """Each listed paper the fake's sample references name is a ``cites`` edge, evidence
    ``s2_references``, in links.parquet and in both entries' ties."""
    result = night(settings, tmp_path, NIGHT_1)
    listed = {e.source_id: e.id for e in papers(result.snapshot)}
    expected = {
        (f"arxiv:{arxiv_id}", listed[ref["externalIds"]["ArXiv"]])
        for arxiv_id, item in SAMPLE.items() if arxiv_id in listed
        for ref in item.get("references") or []
        if (ref.get("externalIds") or {}).get("ArXiv") in listed
    }  # fmt: skip
    assert len(expected) >= 5
    links = LinksDocument.model_validate_json((tmp_path / "out" / "links.json").read_bytes()).links
    cites = {(e.source, e.target) for e in links
             if e.relation is Relation.CITES and Evidence.S2_REFERENCES in e.evidence}  # fmt: skip
    assert cites == expected
    table = pq.read_table(tmp_path / "out" / "links.parquet").to_pylist()
    assert {(r["source"], r["target"]) for r in table if "s2_references" in r["evidence"]} == expected
    by_id = {e.id: e for e in result.snapshot.entries}
    for source, target in expected:
        assert target in by_id[source].cross_links and source in by_id[target].cross_links


# -- papers on other hosts: asked by the DOI their page declares, else their arXiv version ---------


@pytest.mark.parametrize(("entry_id", "asked"), [
    ("arxiv:1810.04805", "ARXIV:1810.04805"),  # its own id
    ("doi:10.1038/nature24270", "DOI:10.1038/nature24270"),
    ("acl:N19-1423", "ACL:N19-1423"),
    ("s2:2f3efe44083af91cef562c1a3451eee2f8601d22", "2f3efe44083af91cef562c1a3451eee2f8601d22"),
    ("openreview:nZeVKeeFYf9", "ARXIV:2106.09685"),  # the arXiv version the papers source found
    ("pmlr:v70/achiam17a", "ARXIV:1705.10528"),
    ("ieee:7780459", None),  # its page declares no paper, and it has no arXiv version: not asked
])  # fmt: skip
def test_a_paper_on_another_host_is_asked_by_what_the_night_found(entry_id: str, asked: str | None,
                                                                  landing_night: RunResult) -> None:
    (doc,) = RawStore(landing_night.run_dir).documents("scholar")
    assert doc["asked"].get(entry_id) == asked
    entry = next(e for e in landing_night.snapshot.entries if e.id == entry_id)
    if asked is None:
        assert entry.scholar is None  # skipped, not an error: no failure, no reason of its own
        assert (entry.status, entry.failure) == (Status.OK, None)
    else:
        assert entry.scholar is not None and entry.scholar.asked_as == asked


# One worker runs this module: its landing night (`landing_night`) is built once, not once a worker.
pytestmark = pytest.mark.xdist_group("citations")


@pytest.fixture(scope="module")
def landing_night(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunResult]:
    """The papers-on-their-conference-pages list, one night, web pages read from the fake's sites."""
    from test_papers import LANDING_LIST

    tmp = tmp_path_factory.mktemp("landing")
    listing = tmp / "papers.md"
    listing.write_text(LANDING_LIST)
    with FakeAPI([]) as fake:
        settings = fake.settings(allow_loopback=True, http_retries=0, web_mirror_url=fake.sites_url)
        yield run(str(listing), settings=settings, out_dir=tmp / "out", raw_root=tmp / "raw")
