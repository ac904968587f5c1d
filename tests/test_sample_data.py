"""The fake API's sample data: generated from recorded facts, deterministic, real formats,
labelled sample text, and no copy of the material it was assembled from (``../shared``)."""

from __future__ import annotations

import hashlib
import json
from concurrent.futures import ThreadPoolExecutor
from itertools import pairwise
from pathlib import Path

import pytest
from arxiv import _feed
from huggingface_hub import RepoCard
from lxml import etree

from conftest import BUNDLED, ROOT
from enrich.sandbox.sample import FACTS_PATH, LABEL, generate, load_facts, sample_data_dir
from enrich.sandbox.sample.generate import bundled_list
from enrich.sources.huggingface import summary
from shared_data import SHARED

LIST_COPY = "github/repos/jordimas/awesome-RLHF-language-models/contents/README.md"
PACKAGE_LIST = "enrich/lists/awesome-rlhf-language-models.md"  # identical to BUNDLED (test_cli)


def files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def data() -> Path:
    return sample_data_dir()


def test_two_generations_are_byte_identical(tmp_path: Path, data: Path) -> None:
    generate(tmp_path / "a", load_facts(), bundled_list())
    generate(tmp_path / "b", load_facts(), bundled_list())
    first = files(tmp_path / "a")
    assert len(first) > 60 and first == files(tmp_path / "b")
    assert first == {k: v for k, v in files(data).items() if not k.startswith(".")}


def test_the_cache_folder_is_made_once_even_in_parallel(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENRICH_SAMPLE_DATA_DIR", str(tmp_path))
    with ThreadPoolExecutor(4) as pool:
        folders = set(pool.map(lambda _: sample_data_dir(), range(8)))
    assert len(folders) == 1 and [p.name for p in tmp_path.iterdir()] == [folders.pop().name]
    assert sample_data_dir().parent == tmp_path


def test_files_parse_in_their_real_formats(data: Path) -> None:
    facts = load_facts()
    for path in data.rglob("*.json"):
        json.loads(path.read_text(encoding="utf-8"))
    papers = sorted((data / "arxiv").glob("*.xml"))
    assert len(papers) == len(facts["arxiv"])
    for path in papers:
        etree.fromstring(path.read_bytes())  # well-formed on its own
        feed = b'<feed xmlns="http://www.w3.org/2005/Atom">' + path.read_bytes() + b"</feed>"
        parsed = _feed.parse(feed)
        assert not parsed.malformed and len(parsed.results) == 1
        result, recorded = parsed.results[0], facts["arxiv"][path.stem.replace("_", "/")]
        assert result.title == recorded["title"]
        assert [a.name for a in result.authors] == [name for name, _ in recorded["authors"]]
        assert result.categories == recorded["categories"]
    for name, dataset in facts["huggingface"]["datasets"].items():
        card = RepoCard((data / f"huggingface/datasets/{name}/README.md").read_text())
        assert card.data.to_dict() == dataset["info"]["cardData"]  # type: ignore[no-untyped-call]


def test_counters_come_out_as_recorded(data: Path) -> None:
    for name, repo in load_facts()["github"]["repos"].items():
        folder = data / "github/repos" / name
        assert json.loads(folder.with_suffix(".json").read_text())["id"] == repo["repo"]["id"]
        contributors = json.loads((folder / "contributors.json").read_text())
        assert [c["contributions"] for c in contributors] == [n for _, n in repo["contributors"]]
        assert sum(c["type"] == "Anonymous" for c in contributors) == sum(
            kind == "Anonymous" for kind, _ in repo["contributors"])
        commits = json.loads((folder / "commits.json").read_text())
        assert [c["commit"]["committer"]["date"] for c in commits] == [r[0] for r in repo["commits"]]
        assert [c["commit"]["author"]["date"] for c in commits] == [r[1] or r[0] for r in repo["commits"]]
        # git's ids of the synthetic commits, chained: each one's first parent is the next
        for newer, older in pairwise(commits):
            if newer["parents"]:
                assert newer["parents"][0]["sha"] == older["sha"]
        releases = json.loads((folder / "releases.json").read_text())
        assert [r["tag_name"] for r in releases] == [r["tag_name"] for r in repo["releases"]]


def test_generated_texts_say_they_are_sample_text(data: Path) -> None:
    assert "NOT live data" in (data / "README.md").read_text()
    assert "not live data" in load_facts()["_about"]
    for folder in (data / "github/repos").glob("*/*/"):
        for commit in json.loads((folder / "commits.json").read_text()):
            assert LABEL in commit["commit"]["message"]
            assert commit["commit"].get("verification", {"reason": "unsigned"})["reason"] == "unsigned"
            for who in ("author", "committer"):
                identity = commit["commit"][who]
                assert identity["email"].endswith("@example.invalid") or identity["name"] == "GitHub"
        for release in json.loads((folder / "releases.json").read_text()):
            assert LABEL in release["body"]
        for person in json.loads((folder / "contributors.json").read_text()):
            assert (person.get("login") or person["email"]).startswith("sample-")
    for path in (data / "arxiv").glob("*.xml"):
        text = etree.fromstring(path.read_bytes()).findtext("{http://www.w3.org/2005/Atom}summary")
        assert text and text.startswith(f"Sample abstract ({LABEL}")
    for path in (data / "huggingface/datasets").glob("*/*/README.md"):
        card = RepoCard(path.read_text())
        assert (summary(card.text) or "").startswith(f"Sample card text ({LABEL}")
    assert (data / LIST_COPY).read_bytes() == BUNDLED.read_bytes()


@pytest.mark.skipif(not SHARED.is_dir(), reason=f"{SHARED} is absent: nothing to compare with")
def test_nothing_is_a_copy_of_the_shared_material(data: Path) -> None:
    """Byte for byte, no generated file, no facts file and no file of the package is one of
    ``../shared``'s (the bundled list is the one file that is the list it is)."""
    digest = lambda b: hashlib.sha256(b).hexdigest()  # noqa: E731
    shared = {digest(p.read_bytes()): p for p in SHARED.rglob("*") if p.is_file()}
    ours = {f"generated/{k}": v for k, v in files(data).items() if k != LIST_COPY}
    ours |= {f"src/{k}": v for k, v in files(ROOT / "src").items()
             if "__pycache__" not in k and k != PACKAGE_LIST}  # the bundled list, shipped
    ours[str(FACTS_PATH)] = FACTS_PATH.read_bytes()
    copies = {name: str(shared[digest(body)]) for name, body in ours.items() if digest(body) in shared}
    assert copies == {}


def test_paper_pages_and_landing_pages(data: Path) -> None:
    """The Hub's paper pages read by the library's own PaperInfo, as recorded; every landing
    page says it is a sample page, and each host family's page declares what that family does."""
    from huggingface_hub.hf_api import PaperInfo

    from enrich.core.pagemeta import paper_meta, read_head
    from enrich.sandbox.sample.papers import PAGE_LABEL, SUMMARY_LABEL, site_path

    facts = load_facts()
    for paper_id, recorded in facts["huggingface"]["papers"].items():
        answer = json.loads((data / f"huggingface/papers/{paper_id}.json").read_text(encoding="utf-8"))
        info = PaperInfo(**answer)
        assert (info.id, info.upvotes, info.github_repo, info.num_total_models) == (
            paper_id, recorded["upvotes"], recorded["github_repo"], recorded["totals"]["models"])
        assert [a.name for a in info.authors or []] == [n for n, _ in facts["arxiv"][paper_id]["authors"]]
        assert (info.summary or "").startswith(SUMMARY_LABEL)
    for url, page in facts["pages"].items():
        if "redirect" in page:
            assert page["redirect"] in facts["pages"]
            continue
        html = (data / site_path(url)).read_bytes()
        assert PAGE_LABEL.encode() in html
        meta = paper_meta(read_head(html, "text/html; charset=utf-8"), url)
        if page["family"] == "ieee":  # its metadata is in a script, as on Xplore
            assert meta is None
        else:
            assert meta is not None and meta.title == page["title"] and len(meta.authors) == len(page["authors"])
