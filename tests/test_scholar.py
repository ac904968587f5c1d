"""The scholar source (Semantic Scholar's paper batch endpoint) against the local fake, over real
HTTP through httpx; normalize and the record on recorded-format answers directly. The fake's
papers are sample data generated from the recorded facts (`enrich.sandbox.sample.scholar`)."""

from __future__ import annotations

import gzip
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from builders import entry_for
from conftest import BUNDLED, write_json
from enrich.core.links import Kind
from enrich.core.listing import parse_list
from enrich.core.model import ArxivMatch, Entry, Failure, PaperMeta, Status, WebPage
from enrich.core.outcome import Outcome
from enrich.core.settings import Settings
from enrich.sandbox import scholar as fake_scholar
from enrich.sandbox.sample import load_facts
from enrich.sandbox.sample.scholar import TLDR_LABEL, sample_papers
from enrich.sandbox.server import FakeAPI, Fault
from enrich.sources.base import FetchContext
from enrich.sources.scholar import (
    FIELDS,
    ScholarPaper,
    ScholarSource,
    cited_ids,
    normalize,
    read_paper,
    s2_id,
)
from enrich.store.raw import RawStore

BATCH = "/s2/graph/v1/paper/batch"
SAMPLE = {p["externalIds"].get("ArXiv"): p for p in sample_papers(load_facts())}


def arxiv_entries(count: int, start: int = 1) -> list[Entry]:
    """``count`` arXiv papers the fake does not know (it answers null for each)."""
    return [entry_for(f"https://arxiv.org/abs/2401.{n:05d}") for n in range(start, start + count)]


def fetch(entries: list[Entry], settings: Settings, tmp_path: Path, run_id: str = "r1"
          ) -> tuple[dict[str, Outcome[ScholarPaper]], FetchContext]:
    source, ctx = ScholarSource(), FetchContext.standalone(settings)
    store = RawStore(tmp_path / "raw" / run_id)
    source.fetch(entries, store, ctx)
    return source.normalize(entries, store.documents("scholar")), ctx


def batches(fake: FakeAPI) -> list[int]:
    """The statuses of the batch requests the fake received, in order."""
    return [x.status for x in fake.requests("s2") if x.path.split("?")[0] == BATCH]


def listed_papers() -> list[Entry]:
    return [e for e in parse_list(BUNDLED.read_bytes(), "list").entries if e.kind == Kind.PAPER]


# -- the bundled list's papers ------------------------------------------------------------------


def test_the_first_lists_papers_get_citations_and_cite_each_other(settings: Settings, fake: FakeAPI,
                                                                  tmp_path: Path) -> None:
    """Every arXiv paper of the list comes back with the sample figures; references name the
    other listed papers (what `cites` edges are made of); one request for all of them."""
    papers = listed_papers()
    arxiv = [e for e in papers if e.id.startswith("arxiv:")]
    outcomes, _ = fetch(papers, settings, tmp_path)
    assert batches(fake) == [200]
    listed = {e.id for e in papers}
    edges = set()
    for entry in arxiv:
        outcome = outcomes[entry.id]
        record = outcome.record
        assert outcome.status == Status.OK and record is not None and record.found
        sample = SAMPLE[entry.source_id]
        assert (record.asked_as, record.paper_id, record.citations, record.influential_citations) == (
            f"ARXIV:{entry.source_id}", sample["paperId"], sample["citationCount"],
            sample["influentialCitationCount"])
        assert record.external_ids.arxiv == entry.source_id
        assert record.external_ids.doi == f"10.48550/arxiv.{entry.source_id}"
        assert record.tldr is not None and record.tldr.startswith(TLDR_LABEL)
        edges |= {(entry.id, target) for target in cited_ids(record) if target in listed}
    assert len(edges) >= 5, edges
    assert all(source != target for source, target in edges)


# -- requests -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("papers", "batch_size", "requests"), [
    (1, 500, 1), (500, 500, 1), (501, 500, 2), (1200, 500, 3), (1200, 100, 12), (0, 500, 0),
])
def test_one_request_per_batch_of_papers(papers: int, batch_size: int, requests: int, fake: FakeAPI,
                                         tmp_path: Path) -> None:
    settings = fake.settings(s2_batch_size=batch_size, http_retries=0)
    outcomes, _ = fetch(arxiv_entries(papers), settings, tmp_path)
    assert batches(fake) == [200] * requests
    assert len(outcomes) == papers


def test_a_paper_semantic_scholar_does_not_know_is_a_fact(settings: Settings, tmp_path: Path) -> None:
    """``null`` in the batch answer: ok, ``found`` false, no failure; its neighbour is read."""
    known, unknown = entry_for("https://arxiv.org/abs/2204.05862"), arxiv_entries(1)[0]
    outcomes, _ = fetch([known, unknown], settings, tmp_path)
    got = outcomes[unknown.id]
    assert (got.status, got.failure, got.reason) == (Status.OK, None, None)
    assert got.record == ScholarPaper(asked_as="ARXIV:2401.00001", found=False, fetched_at=got.fetched_at)
    assert got.fetched_at is not None  # when it was found unknown: kept with the record
    assert outcomes[known.id].record is not None and outcomes[known.id].record.found


def test_one_paper_under_two_entries_is_asked_once(fake: FakeAPI, settings: Settings, tmp_path: Path) -> None:
    """A conference paper whose arXiv version is listed too: one id in the batch, both read it."""
    listed = entry_for("https://arxiv.org/abs/1706.03762")
    match = ArxivMatch(arxiv_id="1706.03762", entry_id="arxiv:1706.03762", evidence="citation_arxiv_id")
    conference = entry_for("https://openreview.net/forum?id=abc", arxiv_match=match)
    outcomes, _ = fetch([listed, conference], settings, tmp_path)
    (doc,) = RawStore(tmp_path / "raw" / "r1").documents("scholar")
    assert (batches(fake), doc["ids"]) == ([200], ["ARXIV:1706.03762"])
    assert outcomes[listed.id].record == outcomes[conference.id].record
    assert outcomes[conference.id].record is not None and outcomes[conference.id].record.citations


def test_a_paper_without_an_id_semantic_scholar_takes_is_skipped(fake: FakeAPI, settings: Settings,
                                                                   tmp_path: Path) -> None:
    entry = entry_for("https://proceedings.mlr.press/v70/achiam17a.html")
    outcomes, _ = fetch([entry], settings, tmp_path)
    assert outcomes[entry.id].status == Status.SKIPPED
    assert "not asked of Semantic Scholar" in (outcomes[entry.id].reason or "")
    assert fake.requests("s2") == []


@pytest.mark.parametrize(("key", "api_keys", "sent", "status", "failure"), [
    (None, None, None, Status.OK, None),
    ("good-key", {"good-key"}, "good-key", Status.OK, None),
    ("revoked", {"good-key"}, "revoked", Status.ERROR, Failure.UNAUTHORIZED),
], ids=["anonymous", "a key", "a bad key"])
def test_the_api_key_goes_in_x_api_key(key: str | None, api_keys: set[str] | None, sent: str | None,
                                       status: Status, failure: Failure | None, fake: FakeAPI,
                                       tmp_path: Path) -> None:
    fake_scholar.state(fake).api_keys = api_keys
    settings = fake.settings(s2_api_key=key, http_retries=0)
    outcomes, _ = fetch([entry_for("https://arxiv.org/abs/2204.05862")], settings, tmp_path)
    assert fake_scholar.state(fake).keys_seen == [sent]
    (outcome,) = outcomes.values()
    assert (outcome.status, outcome.failure) == (status, failure)


# -- faults ---------------------------------------------------------------------------------------


RATE_LIMITED = b'{"message": "Too Many Requests. Please wait and try again or apply for a key for higher rate limits.", "code": "429"}'


@pytest.mark.parametrize(("fault", "requests", "status", "failure", "waited", "reason"), [
    (Fault(BATCH, 429, times=1, headers={"Retry-After": "20"}, body=RATE_LIMITED), [429, 200], Status.OK,
     None, 20.0, None),
    (Fault(BATCH, 429, headers={"Retry-After": "86400"}, body=RATE_LIMITED), [429], Status.ERROR,
     Failure.UNREACHABLE, 0.0, "a wait of 86,400 s is more than the run's retry budget allows"),
    (Fault(BATCH, 429, body=RATE_LIMITED), [429] * 4, Status.ERROR, Failure.UNREACHABLE, 7.0,
     "Semantic Scholar: Too Many Requests."),
    (Fault(BATCH, 503, times=2), [503, 503, 200], Status.OK, None, 3.0, None),
    (Fault(BATCH, 200, times=1, body=b"<html>Bad gateway</html>"), [200, 200], Status.OK, None, 1.0, None),
    (Fault(BATCH, 200, body=b'[{"paperId": "x"}, null]'), [200] * 4, Status.ERROR, Failure.MALFORMED, 7.0,
     "malformed answer (2 items for 1 ids)"),
    (Fault(BATCH, 0), [0] * 4, Status.ERROR, Failure.UNREACHABLE, 7.0, "Semantic Scholar unreachable"),
], ids=["429 once", "429 asking a day", "429 all night", "503 twice", "HTML once", "misaligned list",
        "connection dropped"])
def test_faults_are_bounded_by_the_retry_budget(fault: Fault, requests: list[int], status: Status,
                                                failure: Failure | None, waited: float, reason: str | None,
                                                fake: FakeAPI, tmp_path: Path) -> None:
    """Retries: three, each wait drawn from the run's budget (Retry-After when the 429 says,
    else 1, 2, 4 s); a wait the budget cannot pay is not waited: the batch fails at once."""
    fake.faults.append(fault)
    settings = fake.settings(http_retries=3, retry_budget_seconds=900)
    outcomes, ctx = fetch([entry_for("https://arxiv.org/abs/2204.05862")], settings, tmp_path)
    (outcome,) = outcomes.values()
    assert batches(fake) == requests
    assert (outcome.status, outcome.failure) == (status, failure)
    assert ctx.budget.spent == waited
    if reason:
        assert reason in (outcome.reason or "")


def test_a_malformed_batch_costs_only_its_papers(fake: FakeAPI, tmp_path: Path) -> None:
    """Two batches; the first answer is not JSON: its papers fail (malformed), the second's are
    read."""
    fake.faults.append(Fault(BATCH, 200, times=1, body=b'[{"paperId": "067f'))
    settings = fake.settings(s2_batch_size=2, http_retries=0)
    first, second = arxiv_entries(2), [entry_for("https://arxiv.org/abs/2204.05862"), arxiv_entries(1, 9)[0]]
    outcomes, _ = fetch(first + second, settings, tmp_path)
    assert [outcomes[e.id].failure for e in first] == [Failure.MALFORMED] * 2
    assert [outcomes[e.id].status for e in second] == [Status.OK] * 2
    assert batches(fake) == [200, 200]


def test_a_malformed_paper_costs_only_that_paper(fake: FakeAPI, extra_data: Path, tmp_path: Path) -> None:
    item = {**SAMPLE["2204.05862"], "citationCount": "many", "externalIds": {"ArXiv": "2209.99999"}}
    write_json(extra_data / "s2" / "papers" / "bad.json", {**item, "paperId": "f" * 40})
    settings = fake.settings(http_retries=0)
    bad, good = entry_for("https://arxiv.org/abs/2209.99999"), entry_for("https://arxiv.org/abs/2204.05862")
    outcomes, _ = fetch([bad, good], settings, tmp_path)
    assert (outcomes[bad.id].status, outcomes[bad.id].failure) == (Status.ERROR, Failure.MALFORMED)
    assert "citations" in (outcomes[bad.id].reason or "")
    assert outcomes[good.id].status == Status.OK


def test_a_gzip_bomb_is_read_no_further_than_the_cap(fake: FakeAPI, tmp_path: Path) -> None:
    bomb = gzip.compress(b"[" + b" " * 10_000_000 + b"]", 9)  # ten times the cap
    assert len(bomb) < 100_000
    fake.faults.append(Fault(BATCH, 200, body=bomb, headers={"Content-Encoding": "gzip"}))
    settings = fake.settings(s2_max_bytes=1_000_000, http_retries=1)
    outcomes, _ = fetch([entry_for("https://arxiv.org/abs/2204.05862")], settings, tmp_path)
    (outcome,) = outcomes.values()
    assert (outcome.status, outcome.failure) == (Status.ERROR, Failure.MALFORMED)
    assert "larger than 1,000,000 bytes" in (outcome.reason or "")
    assert batches(fake) == [200, 200]


class _Drip(BaseHTTPRequestHandler):
    """An upstream that sends its headers, then one byte of its body every 50 ms."""

    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "1000")
        self.end_headers()
        try:
            for _ in range(1000):
                self.wfile.write(b" ")
                self.wfile.flush()
                time.sleep(0.05)
        except OSError:
            pass  # the client hung up: its deadline

    def log_message(self, *args: Any) -> None:
        pass


@pytest.mark.parametrize("slow", ["drip", "silent"])
def test_a_slow_answer_ends_at_the_deadline(slow: str, fake: FakeAPI, tmp_path: Path) -> None:
    """A body dripped a byte at a time (every read is quick) or headers that never come: the
    request ends within ``s2_deadline_seconds`` in all, as timed out, and the run goes on."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Drip)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}" if slow == "drip" else f"{fake.base_url}/s2"
    if slow == "silent":
        fake.faults.append(Fault(BATCH, None, delay=3.0))
    settings = fake.settings(s2_api_url=url, s2_deadline_seconds=0.5, http_retries=0)
    started = time.monotonic()
    try:
        outcomes, _ = fetch([entry_for("https://arxiv.org/abs/2204.05862")], settings, tmp_path)
    finally:
        server.shutdown()
        server.server_close()
    (outcome,) = outcomes.values()
    assert (outcome.status, outcome.failure) == (Status.ERROR, Failure.UNREACHABLE)
    assert "timed out (no whole answer within 0.5 s)" in (outcome.reason or "")
    assert time.monotonic() - started < 2.5


def test_an_answer_too_large_for_semantic_scholar_is_asked_in_halves(fake: FakeAPI, tmp_path: Path) -> None:
    """Semantic Scholar answers 400 "Response would exceed maximum size" past 10 MB: the batch
    is asked again in halves until each fits; every paper is read."""
    fake_scholar.state(fake).max_answer_bytes = 6_000
    entries = [entry_for(f"https://arxiv.org/abs/{i}") for i in sorted(k for k in SAMPLE if k)]
    outcomes, _ = fetch(entries, fake.settings(http_retries=0), tmp_path)
    statuses = batches(fake)
    assert statuses[0] == 400 and statuses.count(200) >= 2
    assert all(o.status == Status.OK and o.record is not None and o.record.found for o in outcomes.values())
    assert len(outcomes) == len(entries)


def test_after_a_split_the_run_asks_batches_that_fit(fake: FakeAPI, tmp_path: Path) -> None:
    """Once a batch of 8 was too large and its halves fitted, the next 8 papers go out as two
    batches of 4 at once, not as another refused 8."""
    ids = [f"ARXIV:{i}" for i in sorted(k for k in SAMPLE if k)][:16]
    size = {n: len(_post(fake, ids[n : n + 4], ",".join(FIELDS)).content) for n in range(0, 16, 4)}
    assert len(_post(fake, ids[:8], ",".join(FIELDS)).content) > max(size.values())
    fake_scholar.state(fake).max_answer_bytes = max(size.values())
    before = len(batches(fake))
    entries = [entry_for(f"https://arxiv.org/abs/{i.removeprefix('ARXIV:')}") for i in ids]
    outcomes, _ = fetch(entries, fake.settings(http_retries=0, s2_batch_size=8), tmp_path)
    assert batches(fake)[before:] == [400, 200, 200, 200, 200]
    assert all(o.status == Status.OK for o in outcomes.values()) and len(outcomes) == 16


# -- the fake -------------------------------------------------------------------------------------


def _post(fake: FakeAPI, ids: Any, fields: str | None = None) -> httpx.Response:
    params = {"fields": fields} if fields is not None else {}
    return httpx.post(f"{fake.base_url}{BATCH}", params=params, json={"ids": ids} if ids is not None else {})


@pytest.mark.parametrize(("fields", "keys"), [
    (None, {"paperId", "title"}),
    ("citationCount", {"paperId", "citationCount"}),
    ("year,externalIds,tldr", {"paperId", "year", "externalIds", "tldr"}),
    (",".join(FIELDS), {f for f in FIELDS if "." not in f} | {"references"}),
])
def test_the_fake_returns_the_fields_asked(fields: str | None, keys: set[str], fake: FakeAPI) -> None:
    (item,) = _post(fake, ["ARXIV:2204.05862"], fields).json()
    assert set(item) == keys


@pytest.mark.parametrize(("fields", "subfields"), [
    ("references", {"paperId", "title"}),
    ("references.externalIds", {"paperId", "externalIds"}),
    ("references.externalIds,references.year", {"paperId", "externalIds", "year"}),
])
def test_the_fake_nests_the_subfields_asked(fields: str, subfields: set[str], fake: FakeAPI) -> None:
    (item,) = _post(fake, ["ARXIV:2204.05862"], fields).json()
    assert item["references"] and all(set(r) == subfields for r in item["references"])


@pytest.mark.parametrize(("ids", "fields", "status", "answer"), [
    (["ARXIV:9999.99999", "arXiv:2204.05862", "nonsense"], "year", 200, [None, {"year": 2022}, None]),
    (["DOI:10.18653/V1/N19-1423", "ACL:N19-1423"], "year", 200, [{"year": 2019}, {"year": 2019}]),
    (["URL:https://arxiv.org/abs/2204.05862v1", "2f3efe44083af91cef562c1a3451eee2f8601d22"], "year", 200,
     [{"year": 2022}, {"year": 2021}]),
    (["ARXIV:2204.05862"], "year,garbage,author.x", 400, {"error": "Unrecognized or unsupported fields: [garbage, author.x]"}),
    ([f"ARXIV:2401.{n:05d}" for n in range(501)], "year", 400, {"error": "Cannot process more than 500 paper ids at a time"}),
    (None, "year", 400, {"error": 'Invalid request body: expected {"ids": [...]}'}),
], ids=["null for unknown ids", "DOI any case, ACL", "URL and a bare paper id", "bad fields", "501 ids", "no ids"])
def test_the_fake_answers_batches_as_semantic_scholar_does(ids: Any, fields: str, status: int, answer: Any,
                                                           fake: FakeAPI) -> None:
    response = _post(fake, ids, fields)
    assert response.status_code == status
    body = response.json()
    if status == 200:
        body = [None if i is None else {k: v for k, v in i.items() if k != "paperId"} for i in body]
    assert body == answer
    assert "etag" not in response.headers


def test_the_fake_answers_one_paper_or_404(fake: FakeAPI) -> None:
    found = httpx.get(f"{fake.base_url}/s2/graph/v1/paper/ARXIV:1909.08593", params={"fields": "citationCount"})
    assert found.json() == {"paperId": SAMPLE["1909.08593"]["paperId"],
                            "citationCount": SAMPLE["1909.08593"]["citationCount"]}
    missing = httpx.get(f"{fake.base_url}/s2/graph/v1/paper/ARXIV:1909.0859")
    assert (missing.status_code, missing.json()) == (404, {"error": "Paper with id ARXIV:1909.0859 not found"})
    extra = httpx.get(f"{fake.base_url}/s2/graph/v1/paper/ARXIV:1909.08593", params={"limit": "3"})
    assert (extra.status_code, extra.json()) == (400, {"error": "Unacceptable query params: [limit=3]"})


def test_the_sample_papers_are_labelled_and_cite_only_earlier_papers() -> None:
    papers = sample_papers(load_facts())
    dates = {p["paperId"]: (p["publicationDate"] or str(p["year"])) for p in papers}
    for paper in papers:
        assert paper["tldr"]["text"].startswith(TLDR_LABEL)
        for ref in paper["references"]:
            if ref["paperId"] in dates:
                assert dates[ref["paperId"]] <= dates[paper["paperId"]]
    assert sample_papers(load_facts()) == papers  # the same every time


# -- normalize and the record, on recorded-format answers ------------------------------------------

ITEM = {  # the documented example's shape (api.semanticscholar.org/api-docs/graph), trimmed
    "paperId": "5c5751d45e298cea054f32b392c12c61027d2fe7", "corpusId": 215416146,
    "externalIds": {"MAG": "3015453090", "DBLP": "conf/acl/LoWNKW20", "ACL": "2020.acl-main.447",
                    "DOI": "10.18653/V1/2020.ACL-MAIN.447", "CorpusId": 215416146, "Medline": "x"},
    "url": "https://www.semanticscholar.org/paper/5c5751d45e298cea054f32b392c12c61027d2fe7",
    "title": "Construction of the Literature Graph in Semantic Scholar",
    "venue": "Annual Meeting of the Association for Computational Linguistics",
    "publicationVenue": {"id": "1e33b3be-b2ab-46e9-96e8-d4eb4bad6e44", "name": "Annual Meeting of the "
                         "Association for Computational Linguistics", "type": "conference",
                         "alternate_names": ["ACL"], "url": "https://www.aclweb.org/anthology/venues/acl/"},
    "year": 2020, "referenceCount": 59, "citationCount": 453, "influentialCitationCount": 90,
    "isOpenAccess": True,
    "openAccessPdf": {"url": "https://www.aclweb.org/anthology/2020.acl-main.447.pdf", "status": "HYBRID",
                      "license": "CCBY", "disclaimer": "Notice: …"},
    "fieldsOfStudy": ["Computer Science"],
    "s2FieldsOfStudy": [{"category": "Computer Science", "source": "external"}],
    "publicationTypes": ["JournalArticle", "Review"], "publicationDate": "2020-04-29",
    "tldr": {"model": "tldr@v2.0.0", "text": "This paper reduces literature graph construction into NLP tasks."},
    "references": [
        {"paperId": "A" * 40, "externalIds": {"ArXiv": "1706.03762v5", "DOI": "10.48550/arXiv.1706.03762"}},
        {"paperId": None, "externalIds": None},
        {"paperId": "b" * 40, "externalIds": {"CorpusId": 1}},
    ],
}


def test_a_recorded_item_becomes_the_record() -> None:
    record = read_paper("ACL:2020.acl-main.447", ITEM)
    assert record.model_dump(exclude={"references", "s2_fields_of_study", "external_ids", "fetched_at"}) == {
        "asked_as": "ACL:2020.acl-main.447", "found": True, "paper_id": ITEM["paperId"], "corpus_id": 215416146,
        "url": ITEM["url"], "title": ITEM["title"], "citations": 453, "influential_citations": 90,
        "reference_count": 59, "venue": ITEM["venue"],
        "publication_venue": {"id": "1e33b3be-b2ab-46e9-96e8-d4eb4bad6e44", "name": ITEM["venue"],
                              "type": "conference", "url": "https://www.aclweb.org/anthology/venues/acl/"},
        "year": 2020, "publication_date": "2020-04-29", "fields_of_study": ["Computer Science"],
        "publication_types": ["JournalArticle", "Review"], "is_open_access": True,
        "open_access_pdf": {"url": ITEM["openAccessPdf"]["url"], "status": "HYBRID", "license": "CCBY"},
        "tldr": ITEM["tldr"]["text"], "tldr_model": "tldr@v2.0.0",
    }
    assert record.external_ids.model_dump() == {
        "arxiv": None, "doi": "10.18653/v1/2020.acl-main.447", "dblp": "conf/acl/LoWNKW20",
        "acl": "2020.acl-main.447", "pubmed": None, "pubmed_central": None, "mag": "3015453090"}
    assert cited_ids(record) == ["arxiv:1706.03762", "doi:10.48550/arxiv.1706.03762", f"s2:{'a' * 40}",
                                 f"s2:{'b' * 40}"]


def _doc(ids: list[str], body: Any, asked: dict[str, str] | None = None, when: str = "2026-11-26T18:00:00+00:00",
         **extra: Any) -> dict[str, Any]:
    asked = asked if asked is not None else {f"arxiv:{i.removeprefix('ARXIV:')}": i for i in ids}
    return {"request": "batch", "url": "https://api.semanticscholar.org/graph/v1/paper/batch", "status": 200,
            "etag": None, "headers": {}, "fetched_at": when, "body": body, "ids": ids, "asked": asked,
            "attempts": 1, **extra}


PAPER = {**ITEM, "externalIds": {"ArXiv": "2204.05862"}}
A, B = "ARXIV:2204.05862", "ARXIV:2401.00001"


@pytest.mark.parametrize(("documents", "expected"), [
    ([_doc([A, B], [PAPER, None])], {A: (Status.OK, None), B: (Status.OK, None)}),
    ([_doc([A, B], [{**PAPER, "citationCount": "many"}, None])], {A: (Status.ERROR, Failure.MALFORMED), B: (Status.OK, None)}),
    ([_doc([A, B], [PAPER])], {A: (Status.ERROR, Failure.MALFORMED), B: (Status.ERROR, Failure.MALFORMED)}),
    ([_doc([A, B], None, status=429, error={"kind": "http", "status": 429, "message": "Too Many Requests."})],
     {A: (Status.ERROR, Failure.UNREACHABLE), B: (Status.ERROR, Failure.UNREACHABLE)}),
    ([_doc([A, B], None, status=0, error={"kind": "network", "message": "Semantic Scholar timed out"})],
     {A: (Status.ERROR, Failure.UNREACHABLE), B: (Status.ERROR, Failure.UNREACHABLE)}),
    ([_doc([A, B], {"error": "Response would exceed maximum size"}, status=400, split=True),
      _doc([A], [PAPER], when="2026-11-26T18:00:01+00:00"), _doc([B], [None], when="2026-11-26T18:00:02+00:00")],
     {A: (Status.OK, None), B: (Status.OK, None)}),
    ([_doc([A], [PAPER]), _doc([A], None, when="2026-11-26T18:10:00+00:00", status=503,
                              error={"kind": "http", "status": 503, "message": "HTTP 503"})],
     {A: (Status.ERROR, Failure.UNREACHABLE)}),
    ([_doc([A], None, status=503, error={"kind": "http", "status": 503, "message": "HTTP 503"}),
      _doc([A], [PAPER], when="2026-11-26T18:10:00+00:00")], {A: (Status.OK, None)}),
    ([_doc([A], [PAPER], asked={})], {}),
], ids=["item and null", "a malformed item", "a list not aligned", "429", "timed out", "split in halves",
        "the newest answer wins (a failure)", "the newest answer wins (a success)", "not asked for the entry"])
def test_normalize_recorded_documents(documents: list[dict[str, Any]], expected: dict[str, tuple[Status, Failure | None]]
                                      ) -> None:
    entries = [entry_for("https://arxiv.org/abs/2204.05862"), entry_for("https://arxiv.org/abs/2401.00001")]
    outcomes = normalize(entries, documents)
    got = {f"ARXIV:{e.source_id}": (outcomes[e.id].status, outcomes[e.id].failure) for e in entries if e.id in outcomes}
    assert got == expected


def _with_page(url: str, doi: str | None = None, arxiv_id: str | None = None) -> Entry:
    web = WebPage(paper_meta=PaperMeta(doi=doi)) if doi else None
    match = ArxivMatch(arxiv_id=arxiv_id, entry_id=f"arxiv:{arxiv_id}", evidence="title_search") if arxiv_id else None
    return entry_for(url, web=web, arxiv_match=match)


@pytest.mark.parametrize(("entry", "asked"), [
    (entry_for("https://arxiv.org/abs/2204.05862v2"), "ARXIV:2204.05862"),
    (entry_for("https://doi.org/10.1038/NATURE24270"), "DOI:10.1038/nature24270"),
    (entry_for("https://aclanthology.org/N19-1423/"), "ACL:N19-1423"),
    (entry_for("https://www.semanticscholar.org/paper/2f3efe44083af91cef562c1a3451eee2f8601d22"),
     "2f3efe44083af91cef562c1a3451eee2f8601d22"),
    (_with_page("https://openreview.net/forum?id=nZeVKeeFYf9", doi="10.5555/ICLR.1"), "DOI:10.5555/iclr.1"),
    (_with_page("https://openreview.net/forum?id=nZeVKeeFYf9", doi="10.5555/x", arxiv_id="2106.09685"), "DOI:10.5555/x"),
    (_with_page("https://proceedings.mlr.press/v70/achiam17a.html", arxiv_id="1705.10528"), "ARXIV:1705.10528"),
    (_with_page("https://proceedings.mlr.press/v70/achiam17a.html"), None),
], ids=["arxiv", "doi", "acl", "semantic scholar", "the page's DOI", "the DOI before the arXiv version",
        "the arXiv version", "nothing"])
def test_which_id_semantic_scholar_is_asked(entry: Entry, asked: str | None) -> None:
    assert s2_id(entry) == asked


def test_the_endpoint_and_key_are_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("S2_API_URL", "https://s2.example.org")
    monkeypatch.setenv("S2_API_KEY", "secret-key")
    settings = Settings()
    assert settings.s2_api_url == "https://s2.example.org"
    assert settings.s2_api_key is not None and settings.s2_api_key.get_secret_value() == "secret-key"
    assert "secret-key" not in repr(settings)


def test_raw_documents_keep_what_was_asked_and_answered(settings: Settings, tmp_path: Path) -> None:
    entries = [entry_for("https://arxiv.org/abs/2204.05862"), arxiv_entries(1)[0]]
    fetch(entries, settings, tmp_path)
    (doc,) = RawStore(tmp_path / "raw" / "r1").documents("scholar")
    assert (doc["ids"], doc["asked"], doc["attempts"], doc["status"]) == (
        ["ARXIV:2204.05862", "ARXIV:2401.00001"],
        {"arxiv:2204.05862": "ARXIV:2204.05862", "arxiv:2401.00001": "ARXIV:2401.00001"}, 1, 200)
    assert doc["body"][1] is None and doc["body"][0]["paperId"] == SAMPLE["2204.05862"]["paperId"]
    assert json.dumps(doc).count("x-api-key") == 0


@pytest.mark.parametrize(("value", "seconds"), [
    ("20", 20.0), (" 86400 ", 86400.0), ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0), ("soon", None), ("", None),
    ("-5", None),
])
def test_retry_after_is_read_as_asked(value: str, seconds: float | None) -> None:
    from enrich.sources.limits import retry_after
    assert retry_after({"retry-after": value}) == seconds
