"""The graph (`enrich.core.graph`): which tie each piece of evidence makes, both directions on
the entries, external ends, and the links table as consumers read it.

Entries are built by hand (sample data written for these tests, in the shapes the sources
normalize to); the last tests run the job on the bundled list against the fake API.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import polars as pl
import pytest

from builders import entry, hub_entry, paper_entry, repo_entry
from conftest import BUNDLED, run
from docsite import docs_page
from enrich.core.graph import edges, external_repos, links, with_graph
from enrich.core.links import Kind
from enrich.core.model import (
    ArxivMatch,
    Card,
    Direction,
    Entry,
    Evidence,
    HubLinked,
    HubPaper,
    HubRepo,
    Link,
    LinksDocument,
    Paper,
    PaperMeta,
    Reference,
    Relation,
    Repo,
    ScholarPaper,
    WebPage,
)
from enrich.core.settings import Settings

GRAPH_PAGE = docs_page("graph.md")


def paper(pid: str = "2204.05862", *, same_item: list[str] | None = None, comment: str | None = None,
          abstract: str = "We study RLHF.", page: dict[str, Any] | None = None) -> Entry:
    return paper_entry(
        Paper(arxiv_id=pid, versioned_id=f"{pid}v1", version=1, title="A paper", authors=[], abstract=abstract,
              comment=comment),
        section=["Papers"], same_item=same_item or [],
        hub_paper=HubPaper(arxiv_id=pid, on_hub=True, **page) if page is not None else None,
    )  # fmt: skip


def repo(name: str = "anthropics/hh-rlhf", *, same_item: list[str] | None = None, renamed_from: str | None = None,
         description: str | None = None, homepage: str | None = None, listed_as: str | None = None) -> Entry:
    return repo_entry(
        Repo(repo_id=1, full_name=name, renamed_from=renamed_from, html_url=f"https://github.com/{name}",
             description=description, homepage=homepage, stars=10, forks=1, watchers=1, open_issues=0),
        listed_as=listed_as, section=["Code"], same_item=same_item or [],
    )  # fmt: skip


def dataset(repo_id: str = "Anthropic/hh-rlhf", *, arxiv_ids: list[str] | None = None, text: str | None = None) -> Entry:
    return hub_entry(
        HubRepo(repo_type="dataset", repo_id=repo_id, arxiv_ids=arxiv_ids or [],
                card=Card(text=text) if text is not None else None),
        section=["Datasets"],
    )  # fmt: skip


def conference_paper(evidence: str) -> Entry:
    return entry(
        Kind.PAPER, "paper:cvf/ICCV2023/Li_Glow", "https://openaccess.thecvf.com/x.html",
        source_id="https://openaccess.thecvf.com/x.html", section=["Papers"],
        arxiv_match=ArxivMatch(arxiv_id="2308.00001", entry_id="arxiv:2308.00001", evidence=evidence),
    )  # fmt: skip



P, R, D = "arxiv:2204.05862", "github:anthropics/hh-rlhf", "hf:dataset/anthropic/hh-rlhf"
GH = "https://github.com/"


def edge(source: str, target: str, relation: Relation, *evidence: Evidence, listed: tuple[bool, bool] = (True, True),
         urls: tuple[str, str] | None = None) -> tuple[Any, ...]:
    return (source, target, relation, list(evidence), listed, urls)


def shape(found: list[Link], with_urls: bool) -> list[tuple[Any, ...]]:
    return [(e.source, e.target, e.relation, e.evidence, (e.source_listed, e.target_listed),
             (e.source_url, e.target_url) if with_urls else None) for e in found]  # fmt: skip


@pytest.mark.parametrize(
    ("entries", "expected"),
    [
        pytest.param(  # a paper and its code in one table row
            [paper(same_item=[R]), repo(same_item=[P])],
            [edge(P, R, Relation.CODE, Evidence.SAME_ITEM), edge(P, R, Relation.SAME_ITEM, Evidence.SAME_ITEM),
             edge(R, P, Relation.SAME_ITEM, Evidence.SAME_ITEM)],
            id="same-item: code, and same_item both ways",
        ),
        pytest.param(  # two repos in one item are tied, but neither is the other's code
            [repo("a/x", same_item=["github:b/y"]), repo("b/y", same_item=["github:a/x"])],
            [edge("github:a/x", "github:b/y", Relation.SAME_ITEM, Evidence.SAME_ITEM),
             edge("github:b/y", "github:a/x", Relation.SAME_ITEM, Evidence.SAME_ITEM)],
            id="same-item: two repos",
        ),
        pytest.param(
            [paper(page={"github_repo_id": R, "github_repo": f"{GH}anthropics/hh-rlhf"}), repo()],
            [edge(P, R, Relation.CODE, Evidence.HUB_PAPER)],
            id="hub paper page names a listed repo",
        ),
        pytest.param(  # the list links the old name; the Hub names the new one
            [paper(page={"github_repo_id": "github:huggingface/trl"}),
             repo("huggingface/trl", renamed_from="lvwerra/trl", listed_as="lvwerra/trl")],
            [edge(P, "github:lvwerra/trl", Relation.CODE, Evidence.HUB_PAPER)],
            id="hub paper page names a renamed listed repo",
        ),
        pytest.param(
            [paper(page={"github_repo_id": "github:openai/glow"})],
            [edge(P, "github:openai/glow", Relation.CODE, Evidence.HUB_PAPER, listed=(True, False),
                  urls=("https://arxiv.org/abs/2204.05862", f"{GH}openai/glow"))],
            id="hub paper page names an external repo",
        ),
        pytest.param(
            [paper(page={"top_models": [HubLinked(repo_id="OpenAssistant/reward-model-deberta")],
                         "top_datasets": [HubLinked(repo_id="Anthropic/hh-rlhf")]}), dataset(arxiv_ids=["2204.05862"])],
            [edge(D, P, Relation.CITES, Evidence.HUB_PAPER, Evidence.HUB_ARXIV_TAG,
                  urls=("https://huggingface.co/datasets/Anthropic/hh-rlhf", "https://arxiv.org/abs/2204.05862")),
             edge("hf:model/openassistant/reward-model-deberta", P, Relation.CITES, Evidence.HUB_PAPER,
                  listed=(False, True),
                  urls=("https://huggingface.co/OpenAssistant/reward-model-deberta", "https://arxiv.org/abs/2204.05862"))],
            id="the Hub's most used repos cite the paper",
        ),
        pytest.param(
            [paper(comment="Code: https://github.com/anthropics/hh-rlhf. Data at "
                           "https://huggingface.co/datasets/Anthropic/hh-rlhf."), repo(), dataset()],
            [edge(P, R, Relation.CODE, Evidence.ARXIV_COMMENT), edge(D, P, Relation.CITES, Evidence.ARXIV_COMMENT)],
            id="arXiv comment links the code and the data",
        ),
        pytest.param(
            [paper(abstract="Our code is at https://github.com/anthropics/hh-rlhf."), repo()],
            [edge(P, R, Relation.CODE, Evidence.ARXIV_ABSTRACT)],
            id="abstract links the code",
        ),
        pytest.param(  # a Hub URL in the abstract is not evidence of anything
            [paper(abstract="See https://huggingface.co/datasets/Anthropic/hh-rlhf."), dataset()],
            [],
            id="abstract Hub URL: no tie",
        ),
        pytest.param(
            [paper(), repo(description="Code for arXiv:2204.05862 (RLHF)")],
            [edge(P, R, Relation.CODE, Evidence.REPO_DESCRIPTION)],
            id="repo description names the arXiv id",
        ),
        pytest.param(
            [paper(), repo(homepage="https://arxiv.org/abs/2204.05862")],
            [edge(P, R, Relation.CODE, Evidence.REPO_HOMEPAGE)],
            id="repo homepage is the paper",
        ),
        pytest.param(  # a repo that names a paper the list does not link: the paper is external
            [repo(description="Implements arxiv.org/abs/1707.06347 (PPO)")],
            [edge("arxiv:1707.06347", R, Relation.CODE, Evidence.REPO_DESCRIPTION, listed=(False, True))],
            id="repo names an unlisted paper",
        ),
        pytest.param(
            [paper(), dataset(arxiv_ids=["2204.05862"], text="Paper: https://arxiv.org/abs/2204.05862")],
            [edge(D, P, Relation.CITES, Evidence.HUB_ARXIV_TAG, Evidence.CARD_TEXT)],
            id="Hub tag and card text: one tie, both evidences, in order of trust",
        ),
        pytest.param(
            [dataset(arxiv_ids=["2112.00861"])],
            [edge(D, "arxiv:2112.00861", Relation.CITES, Evidence.HUB_ARXIV_TAG, listed=(True, False))],
            id="Hub tag of an unlisted paper",
        ),
        pytest.param(
            [conference_paper("title_search")],
            [edge("paper:cvf/ICCV2023/Li_Glow", "arxiv:2308.00001", Relation.SAME_AS, Evidence.TITLE_SEARCH,
                  listed=(True, False))],
            id="a conference paper and its arXiv version",
        ),
        pytest.param(
            [paper(same_item=[R], page={"github_repo_id": R}, comment="https://github.com/anthropics/hh-rlhf"),
             repo(same_item=[P], description="arXiv:2204.05862")],
            [edge(P, R, Relation.CODE, Evidence.SAME_ITEM, Evidence.HUB_PAPER, Evidence.ARXIV_COMMENT,
                  Evidence.REPO_DESCRIPTION),
             edge(P, R, Relation.SAME_ITEM, Evidence.SAME_ITEM), edge(R, P, Relation.SAME_ITEM, Evidence.SAME_ITEM)],
            id="four evidences, one code tie",
        ),
        pytest.param(
            [paper(abstract="Compare arXiv:2204.05862 with ours.")],
            [],
            id="a paper naming itself is no tie",
        ),
        pytest.param(
            [paper(), repo(), dataset()],
            [],
            id="nothing said, nothing tied",
        ),
        pytest.param(  # "not on the Hub" is a fact, and names no code
            [paper().model_copy(update={"hub_paper": HubPaper(arxiv_id="2204.05862", on_hub=False,
                                                              github_repo_id=R)}), repo()],
            [],
            id="a paper not on the Hub",
        ),
    ],
)
def test_the_evidence_and_the_tie_it_makes(entries: list[Entry], expected: list[tuple[Any, ...]]) -> None:
    found = links(entries)
    with_urls = any(e[-1] is not None for e in expected)
    got = shape(found, with_urls)
    assert sorted(got, key=repr) == sorted([e if with_urls else (*e[:-1], None) for e in expected], key=repr)


def test_both_directions_appear_on_the_entries() -> None:
    entries, _ = with_graph([paper(page={"github_repo_id": R}), repo(), dataset(arxiv_ids=["2204.05862"])])
    by_id = {e.id: e for e in entries}
    ties = {eid: [(t.relation, t.direction, t.other, t.evidence) for t in e.ties] for eid, e in by_id.items()}
    assert ties == {
        P: [(Relation.CITES, Direction.IN, D, [Evidence.HUB_ARXIV_TAG]),
            (Relation.CODE, Direction.OUT, R, [Evidence.HUB_PAPER])],
        R: [(Relation.CODE, Direction.IN, P, [Evidence.HUB_PAPER])],
        D: [(Relation.CITES, Direction.OUT, P, [Evidence.HUB_ARXIV_TAG])],
    }  # fmt: skip
    # cross_links: the listed ends of code and cites ties, either way (same_item is its own field)
    assert {eid: e.cross_links for eid, e in by_id.items()} == {P: [R, D], R: [P], D: [P]}


def test_the_links_table_reads_back_from_the_entries() -> None:
    """A snapshot read from any of its files (JSON or Parquet) gives the same links table."""
    entries, made = with_graph([
        paper(same_item=[R], page={"github_repo_id": "github:openai/glow", "top_models": [HubLinked(repo_id="a/m")]}),
        repo(same_item=[P]), dataset(arxiv_ids=["2204.05862", "2112.00861"]), conference_paper("arxiv_link"),
    ])  # fmt: skip
    assert edges(entries) == made
    assert {(e.source_listed, e.target_listed) for e in made} == {(True, True), (True, False), (False, True)}


def test_external_repos_most_named_first() -> None:
    papers = [paper("2204.05862", page={"github_repo_id": "github:z/one"}),
              paper("2203.02155", page={"github_repo_id": "github:a/two"},
                    comment="https://github.com/z/one"),
              paper("2112.00861", page={"github_repo_id": "github:z/one"})]  # fmt: skip
    assert external_repos(links([*papers, repo()])) == [
        ("github:z/one", f"{GH}z/one"), ("github:a/two", f"{GH}a/two")
    ]


def test_a_list_item_ties_without_enrichment() -> None:
    """What the list itself says is a tie before anything is fetched (``enrich snapshot``)."""
    from enrich.core.listing import parse_list

    parsed = parse_list(
        b"| Paper | Code |\n|---|---|\n| [Glow](https://arxiv.org/abs/1807.03039) | [code](https://github.com/openai/glow) |\n",
        "sample.md",
    )
    entries, made = with_graph(parsed.entries)
    assert shape(made, False) == [
        ("arxiv:1807.03039", "github:openai/glow", Relation.CODE, [Evidence.SAME_ITEM], (True, True), None),
        ("arxiv:1807.03039", "github:openai/glow", Relation.SAME_ITEM, [Evidence.SAME_ITEM], (True, True), None),
        ("github:openai/glow", "arxiv:1807.03039", Relation.SAME_ITEM, [Evidence.SAME_ITEM], (True, True), None),
    ]
    glow = {e.id: e for e in entries}["github:openai/glow"]
    assert [(t.relation, t.direction, t.other) for t in glow.ties] == [
        (Relation.CODE, Direction.IN, "arxiv:1807.03039"), (Relation.SAME_ITEM, Direction.OUT, "arxiv:1807.03039"),
    ]


# --- the published table, on the bundled list against the fake API ---------------------------


@pytest.fixture
def published(settings: Settings, tmp_path: Path) -> Path:
    out = tmp_path / "out"
    result = run(str(BUNDLED), settings=settings, out_dir=out, raw_root=tmp_path / "raw")
    assert result.published
    return out


def test_the_first_lists_paper_and_dataset_stay_tied(published: Path) -> None:
    document = LinksDocument.model_validate_json((published / "links.json").read_bytes())
    latest = json.loads((published / "latest.json").read_bytes())
    assert document.header.run_id == latest["header"]["run_id"]
    tie = [(e.relation, e.evidence) for e in document.links if (e.source, e.target) == (D, P)]
    # the dataset's arxiv: tag and its card name the paper; the paper's Hub page lists the dataset
    assert tie == [(Relation.CITES, [Evidence.HUB_PAPER, Evidence.HUB_ARXIV_TAG, Evidence.CARD_TEXT])]
    paper_entry = next(e for e in latest["entries"] if e["id"] == P)
    assert {"relation": "cites", "direction": "in", "other": D, "url": "https://huggingface.co/datasets/Anthropic/hh-rlhf",
            "listed": True, "evidence": ["hub_paper", "hub_arxiv_tag", "card_text"]} in paper_entry["ties"]  # fmt: skip


def test_pandas_polars_and_duckdb_read_the_links(published: Path) -> None:
    path = published / "links.parquet"
    document = LinksDocument.model_validate_json((published / "links.json").read_bytes())
    frame = pd.read_parquet(path, dtype_backend="pyarrow")
    assert len(frame) == len(document.links) > 0
    assert list(frame.columns) == list(Link.model_fields)
    polars = pl.read_parquet(path)
    assert polars.filter(pl.col("relation") == "cites")["source"].to_list() == [
        e.source for e in document.links if e.relation is Relation.CITES
    ]
    count = duckdb.sql(f"select count(*) from '{path}' where list_contains(evidence, 'hub_arxiv_tag')").fetchall()
    assert count == [(sum(Evidence.HUB_ARXIV_TAG in e.evidence for e in document.links),)]


def test_the_docs_join_runs_as_written(published: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """docs/graph.md: papers with their code's stars and their Hub adoption, in one join."""
    (query,) = re.findall(r"```sql\n(-- papers, their code.*?)```", GRAPH_PAGE, re.S)
    monkeypatch.chdir(published)
    rows = duckdb.sql(query).fetchall()
    document = json.loads((published / "latest.json").read_bytes())
    latest = {e["id"]: e for e in document["entries"]}
    external = {e["id"]: e for e in document["external"]}
    papers = [e for e in latest.values() if e["kind"] == "paper"]
    assert len(rows) == len(papers)
    for paper_id, _title, code, stars, models, datasets in rows:
        entry = latest[paper_id]
        codes = [t["other"] for t in entry["ties"] if t["relation"] == "code" and t["direction"] == "out"]
        assert (code is None) == (not codes)
        page = entry["hub_paper"] or {}
        assert (models, datasets) == (page.get("num_models"), page.get("num_datasets"))
        if code is not None:
            node = latest.get(code) or external[code]
            assert stars == node["repo"]["stars"]
    # the first list's paper whose code it does not link: its code's stars all the same
    assert ("arxiv:2204.05862", "github:anthropics/hh-rlhf") in [(r[0], r[2]) for r in rows]
    assert next(r[3] for r in rows if r[0] == "arxiv:2204.05862") == external["github:anthropics/hh-rlhf"]["repo"]["stars"]


def test_the_docs_citing_papers_join_runs_as_written(published: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """docs/graph.md: which listed papers cite each paper, from Semantic Scholar's references."""
    (query,) = re.findall(r"```sql\n(-- which listed papers cite each paper.*?)```", GRAPH_PAGE, re.S)
    monkeypatch.chdir(published)
    rows = duckdb.sql(query).fetchall()
    latest = {e["id"]: e for e in json.loads((published / "latest.json").read_bytes())["entries"]}
    papers = [e for e in latest.values() if e["kind"] == "paper"]
    assert len(rows) == len(papers)
    for paper_id, _title, citations, cited_by in rows:
        entry = latest[paper_id]
        assert citations == entry["scholar"]["citations"]
        citers = sorted(t["other"] for t in entry["ties"] if t["relation"] == "cites" and t["direction"] == "in"
                        and "s2_references" in t["evidence"])  # fmt: skip
        assert (cited_by or []) == citers
    assert [r[2] for r in rows] == sorted((r[2] for r in rows), reverse=True)  # most cited first
    assert sum(len(r[3] or []) for r in rows) >= 5


# -- a paper's references: cites ties between papers (Semantic Scholar) --------------------------

def citing(*refs: Reference, found: bool = True, pid: str = "2305.18290") -> Entry:
    """A listed arXiv paper whose Semantic Scholar record names ``refs``."""
    record = ScholarPaper(asked_as=f"ARXIV:{pid}", found=found, references=list(refs) if found else [])
    return paper(pid).model_copy(update={"scholar": record})


def doi_paper(doi: str = "10.1038/nature24270") -> Entry:
    """A paper listed on a publisher's page that declares its DOI (not its own id scheme)."""
    web = WebPage(http_status=200, paper_meta=PaperMeta(title="Mastering Go", doi=doi))
    return entry(Kind.PAPER, "ieee:7780459", "https://ieeexplore.ieee.org/document/7780459", section=["Papers"],
                 web=web)  # fmt: skip


HH_ID = "arxiv:2204.05862"
S2_HASH = "0286b2736a114198b79e8d6d1aa1b4a4ae7e8a6d"


@pytest.mark.parametrize(("entries", "expected"), [
    # a reference to a listed paper by its arXiv id
    ([citing(Reference(arxiv="2204.05862")), paper()], {("arxiv:2305.18290", HH_ID, True)}),
    # a reference with several ids: the listed paper once
    ([citing(Reference(arxiv="2204.05862", doi="10.48550/arxiv.2204.05862", paper_id=S2_HASH)), paper()],
     {("arxiv:2305.18290", HH_ID, True)}),
    # by the DOI a listed paper's page declares
    ([citing(Reference(doi="10.1038/nature24270")), doi_paper()], {("arxiv:2305.18290", "ieee:7780459", True)}),
    # by the arXiv version of a paper listed on its conference page
    ([citing(Reference(arxiv="2308.00001")), conference_paper("title_search")],
     {("arxiv:2305.18290", "paper:cvf/ICCV2023/Li_Glow", True)}),
    # by Semantic Scholar's own id for a listed paper (its record's paper id)
    ([citing(Reference(paper_id=S2_HASH)),
      paper().model_copy(update={"scholar": ScholarPaper(asked_as="ARXIV:2204.05862", found=True, paper_id=S2_HASH)})],
     {("arxiv:2305.18290", HH_ID, True)}),
    # an external paper another tie already names (a listed dataset's arxiv: tag)
    ([citing(Reference(arxiv="2112.00861")), dataset(arxiv_ids=["2112.00861"])],
     {("arxiv:2305.18290", "arxiv:2112.00861", False)}),
    # an external paper nothing else names: not the list's graph
    ([citing(Reference(arxiv="1706.03762"))], set()),
    # a paper naming itself; a paper Semantic Scholar does not know
    ([citing(Reference(arxiv="2305.18290"))], set()),
    ([citing(Reference(arxiv="2204.05862"), found=False), paper()], set()),
], ids=["arxiv id", "several ids", "declared doi", "arxiv version", "s2 id", "known external", "unknown external",
        "itself", "not found"])  # fmt: skip
def test_references_become_cites_ties(entries: list[Entry], expected: set[tuple[str, str, bool]]) -> None:
    found = {(e.source, e.target, e.target_listed) for e in links(entries)
             if e.relation is Relation.CITES and Evidence.S2_REFERENCES in e.evidence}  # fmt: skip
    assert found == expected
    by_id = {e.id: e for e in with_graph(entries)[0]}
    for source, target, listed in expected:
        assert any(t.other == target and t.direction is Direction.OUT and t.evidence == [Evidence.S2_REFERENCES]
                   for t in by_id[source].ties)  # fmt: skip
        assert (target in by_id[source].cross_links) is listed
