"""The papers source against the local fake API: the Hub's paper page of every arXiv paper, and a
paper listed on another host resolved to its arXiv version, through the real clients
(huggingface_hub, arxiv, httpx) over HTTP. Expected values are read from the sample facts."""

from __future__ import annotations

import json
import math
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest

from builders import entry_for
from conftest import BUNDLED, fetch_source, run
from enrich.core.model import Entry, HubPaper, Snapshot, Status
from enrich.core.outcome import Outcome
from enrich.core.settings import Settings
from enrich.run.build import build
from enrich.run.job import RunResult
from enrich.sandbox.sample import load_facts, sample_data_dir
from enrich.sandbox.server import FakeAPI, Fault
from enrich.store.raw import RawStore

FACTS = load_facts()
HUB_PAPERS: dict[str, Any] = FACTS["huggingface"]["papers"]
OFFLINE = {"web": "offline: web pages are not fetched"}


def store_for(tmp_path: Path, run_id: str) -> RawStore:
    """A run's raw folder, with its manifest (what warm runs look back for)."""
    store = RawStore(tmp_path / "raw" / run_id)
    store.write_manifest({"run_id": run_id})  # type: ignore[typeddict-item]
    return store


def hub_pages(fake: FakeAPI) -> list[str]:
    return [x.path for x in fake.requests("hf") if x.path.startswith("/hf/api/papers/")]


def by_id(snapshot: Snapshot) -> dict[str, Entry]:
    return {e.id: e for e in snapshot.entries}


def expected_hub(paper_id: str) -> dict[str, Any]:
    facts = HUB_PAPERS[paper_id]
    repo = facts["github_repo"]
    return {
        "on_hub": True, "upvotes": facts["upvotes"], "comments": facts["comments"],
        "github_repo": repo, "github_stars": facts["github_stars"],
        "github_repo_id": f"github:{repo.removeprefix('https://github.com/').lower()}" if repo else None,
        "ai_keywords": facts["ai_keywords"], "organization": facts["organization"],
        "num_models": facts["totals"]["models"], "num_datasets": facts["totals"]["datasets"],
        "num_spaces": facts["totals"]["spaces"],
        "top_models": sorted(m[0] for m in facts["linked_models"]),
        "top_datasets": sorted(d[0] for d in facts["linked_datasets"]),
        "url": f"https://huggingface.co/papers/{paper_id}",
    }


def observed_hub(hub: HubPaper) -> dict[str, Any]:
    got = hub.model_dump(include={"on_hub", "upvotes", "comments", "github_repo", "github_stars",
                                  "github_repo_id", "ai_keywords", "organization", "num_models",
                                  "num_datasets", "num_spaces", "url"})
    return {**got, "top_models": sorted(m.repo_id for m in hub.top_models),
            "top_datasets": sorted(d.repo_id for d in hub.top_datasets)}


# -- the Hub's paper pages ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def first_night(tmp_path_factory: pytest.TempPathFactory) -> tuple[RunResult, Path]:
    """Night 1 of the bundled list (web pages offline), run once for the module on a fake of its
    own: its result and the folder of its ``out`` and ``raw`` (which a test copies to change)."""
    folder = tmp_path_factory.mktemp("first-night")
    with FakeAPI([]) as fake:
        settings = fake.settings(allow_loopback=True, http_retries=0)
        result = run(str(BUNDLED), settings=settings, out_dir=folder / "out", raw_root=folder / "raw", skip=OFFLINE)
    return result, folder


def test_the_first_lists_papers_carry_their_hub_pages(first_night: tuple[RunResult, Path]) -> None:
    """Acceptance: each of the bundled list's 7 papers has its Hub paper-page facts, one request
    each, and 2204.05862 stays tied to Anthropic/hh-rlhf."""
    fake_result, _ = first_night
    entries = by_id(fake_result.snapshot)
    papers = [e for e in entries.values() if e.id.startswith("arxiv:")]
    assert len(papers) == 7
    for entry in papers:
        assert entry.status == Status.OK and entry.status_reason is None and entry.paper is not None
        assert entry.hub_paper is not None
        assert observed_hub(entry.hub_paper) == expected_hub(entry.source_id)
    assert fake_result.requests["papers"] == {"sent": 7, "not_modified": 0, "reused": 0}
    assert "hf:dataset/anthropic/hh-rlhf" in entries["arxiv:2204.05862"].cross_links
    assert "arxiv:2204.05862" in entries["hf:dataset/anthropic/hh-rlhf"].cross_links
    # the most used citing repositories first
    hh = entries["arxiv:2204.05862"].hub_paper
    assert hh is not None and [d.downloads for d in hh.top_datasets] == sorted(
        (d.downloads for d in hh.top_datasets), key=lambda n: -(n or 0))


def test_a_paper_not_on_the_hub_is_an_answer_not_an_error(fake: FakeAPI, settings: Settings, tmp_path: Path) -> None:
    sample = (sample_data_dir() / "arxiv/2204.05862.xml").read_text()
    folder = fake.data_dirs[-1] / "arxiv"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "2401.00001.xml").write_text(sample.replace("2204.05862", "2401.00001"))
    listing = tmp_path / "list.md"
    listing.write_text("# Papers\n\n* [A paper](https://arxiv.org/abs/2401.00001)\n")
    result = run(str(listing), settings=settings, out_dir=tmp_path / "out", raw_root=tmp_path / "raw")
    (entry,) = result.snapshot.entries
    assert (entry.status, entry.status_reason) == (Status.OK, None)
    assert entry.hub_paper is not None and entry.hub_paper.fetched_at is not None  # when the Hub said so
    assert entry.hub_paper == HubPaper(arxiv_id="2401.00001", on_hub=False, fetched_at=entry.hub_paper.fetched_at)
    assert hub_pages(fake) == ["/hf/api/papers/2401.00001"]


@pytest.mark.parametrize(
    ("fault", "requests", "status", "reason"),
    [
        (Fault(r"^/hf/api/papers/", status=200, times=1, body=b'{"id": "2204.05862", "upv'), 2, Status.OK, None),
        (Fault(r"^/hf/api/papers/", status=200, body=b"<html>Bad gateway</html>"), 3, Status.ERROR,
         "Hub paper page not read: the Hub sent a malformed answer"),
        (Fault(r"^/hf/api/papers/", status=503, times=2), 3, Status.OK, None),
        (Fault(r"^/hf/api/papers/", status=200, body=b'{"id": "2204.05862", "linkedModels": [{"likes": 1}]}'), 1,
         Status.ERROR, "the Hub's paper page is malformed (KeyError)"),
        (Fault(r"^/hf/api/papers/", status=0), 3, Status.ERROR, "Hub paper page not read: Hub unreachable (RemoteProtocolError)"),
    ],
    ids=["truncated once", "never JSON", "503 twice", "a linked model without an id", "connection dropped"],
)
def test_hub_paper_faults(fault: Fault, requests: int, status: Status, reason: str | None,
                          fake: FakeAPI, tmp_path: Path) -> None:
    """A malformed or failed answer costs that paper's Hub page only; transient ones are asked
    again (huggingface_hub's backoff; a truncated body by the source)."""
    fake.faults.append(fault)
    settings = fake.settings(allow_loopback=True, http_retries=2)
    (outcome,) = fetch_source("papers", [entry_for("https://arxiv.org/abs/2204.05862")], settings,
                              RawStore(tmp_path / "raw" / "r1")).values()
    assert (outcome.status, outcome.reason) == (status, reason)
    assert len(hub_pages(fake)) == requests
    if status == Status.OK:
        assert observed_hub(outcome.record) == expected_hub("2204.05862")  # type: ignore[arg-type]


def test_a_failed_hub_page_keeps_last_nights_values(first_night: tuple[RunResult, Path], fake: FakeAPI,
                                                    settings: Settings, tmp_path: Path) -> None:
    """The papers source supplements arXiv's: its failure leaves the entry's status alone, keeps
    the last good Hub page and says why. (Night 1: the module's, its folders copied.)"""
    result, folder = first_night
    for name in ("out", "raw"):
        shutil.copytree(folder / name, tmp_path / name)
    night = {"settings": settings, "out_dir": tmp_path / "out", "raw_root": tmp_path / "raw", "skip": OFFLINE}
    first = by_id(result.snapshot)
    fake.faults.append(Fault(r"^/hf/api/papers/", status=503))
    second = by_id(run(str(BUNDLED), **night).snapshot)  # type: ignore[arg-type]
    entry = second["arxiv:2204.05862"]
    assert entry.status == Status.OK and entry.paper is not None
    assert entry.hub_paper == first["arxiv:2204.05862"].hub_paper
    kept = first["arxiv:2204.05862"].hub_paper
    assert kept is not None and kept.fetched_at is not None  # when they were fetched
    assert entry.status_reason == f"Hub paper page not read: HTTP 503 (last good values of {kept.fetched_at:%Y-%m-%d} kept)"


def test_without_the_papers_source_nothing_is_added(settings: Settings, tmp_path: Path) -> None:
    result = run(str(BUNDLED), settings=settings, out_dir=tmp_path / "out", raw_root=tmp_path / "raw",
                 sources=["arxiv"])
    papers = [e for e in result.snapshot.entries if e.id.startswith("arxiv:")]
    assert papers and all(e.status == Status.OK and e.hub_paper is None for e in papers)


def test_conditional_requests_when_the_hub_sends_an_etag(fake: FakeAPI, settings: Settings, tmp_path: Path) -> None:
    """The Hub documents no ETag for /api/papers (the fake sends none by default); when an
    answer carries one, the next night asks with If-None-Match and a 304 keeps the answer."""
    fake.paper_etags = True
    entries = [entry_for("https://arxiv.org/abs/2204.05862"), entry_for("https://arxiv.org/abs/1909.08593")]
    cold = fetch_source("papers", entries, settings, store_for(tmp_path, "r1"))
    warm_store = store_for(tmp_path, "r2")
    warm = fetch_source("papers", entries, settings, warm_store)
    assert warm_store.requests("papers") == {"sent": 0, "not_modified": 2, "reused": 0}
    def kept(outcomes: dict[str, Outcome]) -> dict[str, object]:  # as of the 304: when it was confirmed
        return {k: o.record.model_copy(update={"fetched_at": None}) for k, o in outcomes.items()}  # type: ignore[union-attr]
    assert kept(warm) == kept(cold)
    assert all(w.record.fetched_at > cold[k].record.fetched_at for k, w in warm.items())  # type: ignore[union-attr,operator]


def test_without_an_etag_every_night_asks_once_per_paper(fake: FakeAPI, settings: Settings, tmp_path: Path) -> None:
    entries = [entry_for("https://arxiv.org/abs/2204.05862")]
    for night in ("r1", "r2"):
        store = store_for(tmp_path, night)
        fetch_source("papers", entries, settings, store)
        assert store.requests("papers") == {"sent": 1, "not_modified": 0, "reused": 0}


# -- papers on other hosts: their landing page, their arXiv version ----------------------------

LANDING_LIST = """# Papers on their conference pages (sample list)

* [ResNet](http://openaccess.thecvf.com/content_cvpr_2016/papers/He_Deep_Residual_Learning_CVPR_2016_paper.pdf)
* [Attention](http://papers.nips.cc/paper/7181-attention-is-all-you-need.pdf)
* [CPO](http://proceedings.mlr.press/v70/achiam17a/achiam17a.pdf)
* [LoRA](https://openreview.net/pdf?id=nZeVKeeFYf9)
* [BERT](https://aclanthology.org/N19-1423.pdf)
* [T5](https://jmlr.org/papers/v21/20-074.html)
* [AlphaGo Zero](https://doi.org/10.1038/nature24270)
* [WebGPT](https://www.semanticscholar.org/paper/WebGPT%3A-Browser-assisted-question-answering-with-Nakano-Hilton/2f3efe44083af91cef562c1a3451eee2f8601d22)
* [ResNet on Xplore](https://ieeexplore.ieee.org/document/7780459)
* [BERT on arXiv](https://arxiv.org/abs/1810.04805)
"""

# entry id, arXiv version, evidence (None: no arXiv version)
RESOLVED = [
    ("cvf:He_Deep_Residual_Learning_CVPR_2016_paper", "1512.03385", "title_search"),
    ("neurips:7181", "1706.03762", "title_search"),  # not 2010.13154, "… in Speech Separation"
    ("pmlr:v70/achiam17a", "1705.10528", "title_search"),
    ("openreview:nZeVKeeFYf9", "2106.09685", "title_search"),
    ("acl:N19-1423", "1810.04805", "title_search"),
    ("jmlr:v21/20-074", "1910.10683", "title_search"),
    ("s2:2f3efe44083af91cef562c1a3451eee2f8601d22", "2112.09332", "arxiv_link"),
    ("doi:10.1038/nature24270", None, None),  # no arXiv version
    ("ieee:7780459", None, None),  # the page declares no paper (its metadata is in a script)
]


def landing_run(fake: FakeAPI, tmp_path: Path, **overrides: Any) -> tuple[Any, dict[str, Entry]]:
    listing = tmp_path / "papers.md"
    listing.write_text(LANDING_LIST)
    settings = fake.settings(allow_loopback=True, http_retries=0, web_mirror_url=fake.sites_url, **overrides)
    result = run(str(listing), settings=settings, out_dir=tmp_path / "out", raw_root=tmp_path / "raw")
    return result, by_id(result.snapshot)


@dataclass(frozen=True)
class Landing:
    """The landing list's night and what it asked the fake (the arXiv and Hub paper paths)."""

    result: Any
    entries: dict[str, Entry]
    arxiv: list[str]
    hub_pages: list[str]


# The tests that only read the landing night share one (`landing`), built once: one worker.
pytestmark = pytest.mark.xdist_group("papers")


@pytest.fixture(scope="module")
def landing(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Landing]:
    root = tmp_path_factory.mktemp("landing")
    (root / "fake-data").mkdir()
    with FakeAPI([root / "fake-data"]) as fake:
        result, entries = landing_run(fake, root)
        yield Landing(result, entries, [x.path for x in fake.requests("arxiv")], hub_pages(fake))


@pytest.mark.parametrize(("entry_id", "arxiv_id", "evidence"), RESOLVED, ids=[r[0].split(":")[0] for r in RESOLVED])
def test_resolved_to_arxiv(entry_id: str, arxiv_id: str | None, evidence: str | None,
                           landing: Landing) -> None:
    entries = landing.entries
    entry = entries[entry_id]
    assert entry.status == Status.OK and entry.web is not None and entry.web.http_status == 200
    if arxiv_id is None:
        assert (entry.arxiv_match, entry.paper, entry.hub_paper) == (None, None, None)
        return
    assert entry.arxiv_match is not None and entry.paper is not None and entry.hub_paper is not None
    assert (entry.arxiv_match.arxiv_id, entry.arxiv_match.entry_id, entry.arxiv_match.evidence) == (
        arxiv_id, f"arxiv:{arxiv_id}", evidence)
    # enriched from arXiv too: the arXiv record of the same run, and its Hub page
    assert entry.paper.arxiv_id == arxiv_id and entry.paper.title == FACTS["arxiv"][arxiv_id]["title"]
    if arxiv_id in HUB_PAPERS:
        assert observed_hub(entry.hub_paper) == expected_hub(arxiv_id)
    else:
        assert entry.hub_paper == HubPaper(arxiv_id=arxiv_id, on_hub=False, fetched_at=entry.hub_paper.fetched_at)


@pytest.mark.parametrize(
    ("entry_id", "family_venue", "first_author", "sources_title"),
    [
        ("cvf:He_Deep_Residual_Learning_CVPR_2016_paper", "Proceedings of the IEEE Conference on Computer Vision and Pattern Recognition", "Kaiming He", "citation_title"),
        ("pmlr:v70/achiam17a", "Proceedings of the 34th International Conference on Machine Learning", "Joshua Achiam", "citation_title"),
        ("acl:N19-1423", FACTS["pages"]["https://aclanthology.org/N19-1423/"]["venue"], "Jacob Devlin", "citation_title"),
        ("doi:10.1038/nature24270", "Nature", "David Silver", "citation_title"),
    ],
)
def test_conference_pages_yield_title_and_authors(entry_id: str, family_venue: str, first_author: str,
                                                  sources_title: str, landing: Landing) -> None:
    entries = landing.entries
    web = entries[entry_id].web
    assert web is not None and web.paper_meta is not None
    meta = web.paper_meta
    assert (meta.venue, meta.authors[0].name, meta.sources.title) == (family_venue, first_author, sources_title)


def test_doi_followed_to_the_publisher(landing: Landing) -> None:
    entries = landing.entries
    web = entries["doi:10.1038/nature24270"].web
    assert web is not None and web.final_url == "https://www.nature.com/articles/nature24270"
    assert web.paper_meta is not None and web.paper_meta.doi == "10.1038/nature24270"


def test_landing_requests(landing: Landing) -> None:
    """Title searches batched (one request for the list's titles), the linked id in one id_list
    query, and one Hub page per distinct arXiv paper: the listed BERT and the ACL page's arXiv
    version are one paper, asked once."""
    result, entries = landing.result, landing.entries
    searches = [path for path in landing.arxiv if "search_query=ti" in path]
    titles = sum(1 for e in entries.values() if e.arxiv_match and e.arxiv_match.evidence == "title_search")
    assert len(searches) == math.ceil(titles / Settings().arxiv_title_batch_size) == 1
    distinct = {e.arxiv_match.arxiv_id for e in entries.values() if e.arxiv_match} | {"1810.04805"}
    assert sorted(landing.hub_pages) == sorted(f"/hf/api/papers/{i}" for i in distinct)
    assert result.requests["papers"]["sent"] == len(distinct) + len(searches) + 1  # + the link's id_list


def test_title_searches_in_batches(fake: FakeAPI, tmp_path: Path) -> None:
    _, entries = landing_run(fake, tmp_path, arxiv_title_batch_size=2)
    searched = sum(1 for e in entries.values() if e.web and e.web.paper_meta and not (
        e.arxiv_match and e.arxiv_match.evidence == "arxiv_link"))
    searches = [x for x in fake.requests("arxiv") if "search_query=ti" in x.path]
    assert len(searches) == math.ceil(searched / 2)
    assert {e.arxiv_match.arxiv_id for e in entries.values() if e.arxiv_match} == {r[1] for r in RESOLVED if r[1]}


def test_arxiv_spacing_holds_across_the_two_tasks(fake: FakeAPI, tmp_path: Path) -> None:
    """The arxiv task and the papers task both ask arXiv; never two requests closer than the
    spacing (a lower bound the clients' sleeps guarantee, on any machine)."""
    landing_run(fake, tmp_path, arxiv_delay_seconds=0.3)
    asked = fake.requests("arxiv")
    assert len(asked) >= 3  # the listed paper, the title search, the linked id
    assert min(b.at - a.at for a, b in pairwise(asked)) >= 0.3


def test_rebuilt_from_the_raw_folder(landing: Landing) -> None:
    """Normalize reads the papers source's own documents: the snapshot rebuilds without network."""
    result, entries = landing.result, landing.entries
    rebuilt = by_id(build(RawStore(result.run_dir)))
    for entry_id, _, _ in RESOLVED:
        assert rebuilt[entry_id].model_dump(exclude={"fetched_at"}) == entries[entry_id].model_dump(exclude={"fetched_at"})


def site(extra: Path, url: str, html: str) -> None:
    from enrich.sandbox.sample.papers import site_path

    path = extra / site_path(url)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html, encoding="utf-8")


def sample_page(title: str, authors: list[str], extra_head: str = "", body: str = "") -> str:
    tags = "".join(f'<meta name="citation_author" content="{a}">' for a in authors)
    return (f'<html><head><meta name="citation_title" content="{title}">{tags}{extra_head}</head>'
            f"<body><p>Sample page written for this test.</p>{body}</body></html>")


CVF_URL = "https://openaccess.thecvf.com/content/CVPR2024/html/Sample_{}_CVPR_2024_paper.html"


@pytest.mark.parametrize(
    ("page", "arxiv_id", "evidence"),
    [
        (sample_page("A Title the Page Gives", ["Someone Else"], '<meta name="citation_arxiv_id" content="1810.04805v2">'),
         "1810.04805", "citation_arxiv_id"),
        (sample_page("Training a Helpful and Harmless Assistant with Reinforcement Learning from Human Feedback",
                     ["Bai, Yuntao"], body='<a href="https://arxiv.org/abs/1706.03762">related</a>'
                     '<a href="https://arxiv.org/pdf/2204.05862v1.pdf">our preprint</a>'),
         "2204.05862", "arxiv_link"),
        (sample_page("Deep Residual Learning", ["Kaiming He"], body='<a href="https://arxiv.org/abs/1512.03385">?</a>'),
         None, None),  # a linked paper whose title is not the page's: not this paper
        (sample_page("Attention Is All You Need", ["Cem Subakan"]), None, None),  # namesake, other first author
        (sample_page("Attention Is All You Need", []), None, None),  # no authors: cannot tell
        (sample_page("Deep Residual Learning for Image Recognition", ["Kaiming He"]), None, None),  # two twins
        (sample_page("A Paper Nobody Posted on arXiv", ["Jane Doe"]), None, None),
    ],
    ids=["declared id", "a linked id, verified", "a linked id, other title", "other first author", "no authors",
         "two arXiv papers as good", "no arXiv version"],
)
def test_resolution_near_misses(page: str, arxiv_id: str | None, evidence: str | None,
                                fake: FakeAPI, extra_data: Path, tmp_path: Path) -> None:
    """A wrong tie is worse than none: only the page's own declaration, a linked paper that is
    verifiably the page's, or an exact title with the same first author ties."""
    site(extra_data, CVF_URL.format("Case"), page)
    twin = (sample_data_dir() / "arxiv/1512.03385.xml").read_text().replace("1512.03385", "1512.99999")
    (extra_data / "arxiv").mkdir(exist_ok=True)
    (extra_data / "arxiv" / "1512.99999.xml").write_text(twin)  # same title and first author
    listing = tmp_path / "one.md"
    listing.write_text(f"# One\n\n* [a paper]({CVF_URL.format('Case')})\n")
    settings = fake.settings(allow_loopback=True, http_retries=0, web_mirror_url=fake.sites_url)
    (entry,) = run(str(listing), settings=settings, out_dir=tmp_path / "out", raw_root=tmp_path / "raw").snapshot.entries
    assert entry.status == Status.OK
    if arxiv_id is None:
        assert (entry.arxiv_match, entry.paper) == (None, None)
    else:
        assert entry.arxiv_match is not None and entry.paper is not None
        assert (entry.arxiv_match.arxiv_id, entry.arxiv_match.evidence, entry.paper.arxiv_id) == (arxiv_id, evidence, arxiv_id)


def test_a_broken_landing_page_keeps_last_nights_tie(fake: FakeAPI, extra_data: Path, tmp_path: Path) -> None:
    url = CVF_URL.format("Broken")
    site(extra_data, url, sample_page("Attention Is All You Need", ["Ashish Vaswani"]))
    listing = tmp_path / "one.md"
    listing.write_text(f"# One\n\n* [a paper]({url})\n")
    settings = fake.settings(allow_loopback=True, http_retries=0, web_mirror_url=fake.sites_url,
                             publish_max_failed_share=1.0)  # a list of one entry that fails
    night = {"settings": settings, "out_dir": tmp_path / "out", "raw_root": tmp_path / "raw"}
    (first,) = run(str(listing), **night).snapshot.entries  # type: ignore[arg-type]
    assert first.arxiv_match is not None and first.arxiv_match.arxiv_id == "1706.03762"
    fake.faults.append(Fault(r"^/sites/", status=404, body=b"<title>Not found</title>",
                             headers={"Content-Type": "text/html"}))
    (second,) = run(str(listing), **night).snapshot.entries  # type: ignore[arg-type]
    assert second.status == Status.STALE and second.status_reason == "broken link: HTTP 404"
    assert (second.arxiv_match, second.paper, second.hub_paper) == (first.arxiv_match, first.paper, first.hub_paper)


def test_raw_documents_of_the_papers_source(landing: Landing) -> None:
    """What the source kept: its inputs (what each page declared), the arXiv answers as received,
    one Hub answer per paper; no request header, no token."""
    result, entries = landing.result, landing.entries
    docs = RawStore(result.run_dir).documents("papers")
    inputs = [d for d in docs if "entry_id" in d and "request" not in d]
    searches = [d for d in docs if d.get("request") == "search"]
    hubs = [d for d in docs if "exchanges" in d]
    others = [e for e in entries.values() if not e.id.startswith("arxiv:")]
    assert sorted(d["entry_id"] for d in inputs) == sorted(e.id for e in others)
    assert searches and all(d["status"] == 200 and d["titles"] and d["body"].startswith("<?xml") for d in searches)
    # a 404 carries its back-off (`absent`), nothing else does
    assert all(set(d) - {"absent"} == {"arxiv_id", "exchanges"} for d in hubs)
    assert all(("absent" in d) == (d["exchanges"][-1]["status"] == 404) for d in hubs)
    assert "authorization" not in json.dumps(docs).lower()


def test_arxiv_papers_hub_pages_do_not_wait(settings: Settings, tmp_path: Path) -> None:
    """The plan: the listed arXiv papers' Hub pages start with every other source; the papers
    on other hosts are one last task, after the web and arxiv sources and the first task; then
    Semantic Scholar's one task."""
    from enrich.run.steps import Job, prepare

    listing = tmp_path / "papers.md"
    listing.write_text(LANDING_LIST)
    tasks = prepare(Job(str(listing), tmp_path / "out", tmp_path / "raw", settings)).tasks
    papers = [(len(t.entries), t.after) for t in tasks if t.source == "papers"]
    others = sum(1 for e in LANDING_LIST.splitlines() if e.startswith("* ") and "arxiv.org" not in e)
    assert papers == [(1, ()), (others, ("web", "arxiv", "papers"))]
    listed = [t for t in tasks if not t.external_limit]
    assert [t.source for t in listed[-2:]] == ["papers", "scholar"]
    assert all(not t.after for t in listed[:-2])
    # Semantic Scholar: every paper in one task after those three (a request per 500 papers).
    papers_listed = sum(1 for e in LANDING_LIST.splitlines() if e.startswith("* "))
    assert (len(listed[-1].entries), listed[-1].after) == (papers_listed, ("web", "arxiv", "papers"))
    # Then the external code repositories' task: after the sources that name a paper's code.
    assert tasks[-1].external_limit and set(tasks[-1].after) == {"arxiv", "github", "papers", "web"}


@pytest.mark.parametrize(("search_days", "searches_warm"), [(7.0, 0), (0.0, 1)])
def test_a_warm_night_keeps_ties_of_unchanged_pages(search_days: float, searches_warm: int,
                                                    fake: FakeAPI, tmp_path: Path) -> None:
    """An unchanged page keeps last night's tie without a title search (its arXiv record is
    asked again by id, in the one id_list query); a page that matched nothing is searched again
    only after `paper_search_days`."""
    def searches() -> int:
        return sum(1 for x in fake.requests("arxiv") if "search_query=ti" in x.path)

    _, cold = landing_run(fake, tmp_path, paper_search_days=search_days)
    assert searches() == 1
    fake.log.clear()
    result, warm = landing_run(fake, tmp_path, paper_search_days=search_days)
    assert searches() == searches_warm
    queries = [x for x in fake.requests("arxiv") if "id_list=" in x.path and "id_list=&" not in x.path]
    assert len(queries) == 2  # the listed paper (the arxiv source), the ties' records (papers)
    for entry_id, arxiv_id, evidence in RESOLVED:
        got = warm[entry_id]
        assert got.arxiv_match == cold[entry_id].arxiv_match and got.paper == cold[entry_id].paper
        assert (got.hub_paper is None) == (arxiv_id is None)
    web = result.requests["web"]
    assert web["not_modified"] == len([e for e in warm.values() if e.web])
