"""A run over many lists (the catalog, `enrich.run.job.run_catalog`): each entity fetched once
however many lists link it, each list's dataset published as a run of it alone would, the
catalog's tables beside them; ``--follow`` reads the lists a list of lists links through
GitHub's API (the fake's).

The lists here are sample data written by the tests (labelled so in their text).
"""

from __future__ import annotations

import json
from pathlib import Path

import lxml.html
import pyarrow.parquet as pq
import pytest

from conftest import PREFECT_GROUP
from enrich.core.listing import parse_list
from enrich.core.settings import Settings
from enrich.run.catalog import linked_lists, read_lists, slug
from enrich.run.job import CatalogJob, run_catalog
from enrich.sandbox.server import FakeAPI

SAMPLE = "<!-- Sample list written by enrich's tests, not a real list. -->\n"


def sample_list(title: str, *links: str) -> str:
    return SAMPLE + f"# {title}\n\n" + "".join(f"- [{u.rsplit('/', 1)[-1]}]({u})\n" for u in links)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (
            "github:jordimas/awesome-RLHF-language-models/README.md",
            "jordimas-awesome-rlhf-language-models",
        ),
        ("github:owner/repo/docs/papers.md@main", "owner-repo-docs-papers"),
        ("github:owner/repo/readme.md", "owner-repo"),
        ("lists/awesome-rlhf.md", "awesome-rlhf"),
        ("https://example.org/lists/Awesome%20Things.md", "awesome-20things"),
    ],
)
def test_a_lists_folder_is_named_by_its_slug(source: str, expected: str) -> None:
    assert slug(source) == expected


@pytest.mark.parametrize(
    ("link", "expected"),
    [
        ("https://github.com/sindresorhus/awesome", "github:sindresorhus/awesome/README.md"),
        ("https://github.com/o/r/blob/main/docs/more.md", "github:o/r/docs/more.md@main"),
        ("https://example.org/lists/papers.md", "https://example.org/lists/papers.md"),
        ("https://arxiv.org/abs/2203.02155", None),
        ("https://example.org/about.html", None),
    ],
)
def test_a_list_of_lists_links_lists(link: str, expected: str | None) -> None:
    parsed = parse_list(sample_list("Lists", link).encode(), "lists.md")
    assert linked_lists(parsed) == ([expected] if expected else [])


def test_a_repository_linked_by_three_lists_is_fetched_once(
    fake: FakeAPI, settings: Settings, tmp_path: Path
) -> None:
    shared = "https://github.com/CarperAI/trlx"
    own = ("https://github.com/lucidrains/PaLM-rlhf-pytorch", "https://github.com/allenai/RL4LMs",
           "https://github.com/voidful/TextRL")  # fmt: skip
    sources = []
    for n, other in enumerate(own):
        path = tmp_path / f"list-{n}.md"
        path.write_text(sample_list(f"List {n}", shared, other))
        sources.append(str(path))
    sources.append(str(tmp_path / "gone.md"))  # cannot be read: reported, the others publish
    job = CatalogJob(tuple(sources), tmp_path / "out", tmp_path / "raw", settings,
                     skip={"papers": "not in this test", "web": "not in this test"})  # fmt: skip
    result = run_catalog(job)
    asked = [e.path for e in fake.requests("github")]
    assert asked.count("/github/repos/CarperAI/trlx") == 1, asked
    assert sorted(result.results) == ["list-0", "list-1", "list-2"]
    assert list(result.failed) == [sources[-1]]
    for name in result.results:
        latest = json.loads((tmp_path / "out" / "lists" / name / "latest.json").read_text())
        assert "github:carperai/trlx" in [e["id"] for e in latest["entries"]]
        assert all(e["status"] == "ok" for e in latest["entries"])
    catalog = tmp_path / "out" / "catalog"
    entities = pq.read_table(catalog / "entities.parquet").to_pylist()
    assert sorted(e["id"] for e in entities) == sorted(
        ["github:carperai/trlx", *(f"github:{u.split('github.com/')[1].lower()}" for u in own)]
    )
    members = pq.read_table(catalog / "memberships.parquet").to_pylist()
    assert sum(1 for m in members if m["id"] == "github:carperai/trlx") == 3
    lists = {r["slug"]: r for r in pq.read_table(catalog / "lists.parquet").to_pylist()}
    assert lists["list-0"]["kind_repo"] == 2 and lists["list-0"]["status_ok"] == 2
    assert lists["gone"]["error"] and lists["gone"]["sha256"] is None


def test_follow_reads_the_linked_lists_through_githubs_api(
    extra_data: Path, settings: Settings, tmp_path: Path
) -> None:
    """A list of lists links two repositories whose READMEs are lists, and one whose README is
    missing: the fake serves the READMEs through the contents API; the missing one is skipped."""
    readmes = {
        "CarperAI/trlx": sample_list("Sample list A", "https://github.com/lvwerra/trl"),
        "allenai/RL4LMs": sample_list("Sample list B", "https://github.com/voidful/TextRL"),
    }
    for name, text in readmes.items():
        path = extra_data / "github" / "repos" / name / "contents" / "README.md"
        path.parent.mkdir(parents=True)
        path.write_text(text)
    top = tmp_path / "awesome-lists.md"
    top.write_text(sample_list("Sample list of lists", "https://github.com/CarperAI/trlx",
                               "https://github.com/allenai/RL4LMs",
                               "https://github.com/lucidrains/PaLM-rlhf-pytorch"))  # fmt: skip
    found, unread = read_lists([str(top)], settings, follow=True)
    assert [f.slug for f in found] == ["awesome-lists", "carperai-trlx", "allenai-rl4lms"]
    assert list(unread) == ["github:lucidrains/PaLM-rlhf-pytorch/README.md"]
    capped, over = read_lists([str(top)], settings, follow=True, max_lists=2)
    assert len(capped) == 2 and "over --max-lists 2" in over.values()


SAMPLE_LISTS = "github:enrich-sample/awesome-lists/README.md"


def test_follow_a_list_of_lists_from_the_sandboxs_sample_data(
    fake: FakeAPI, settings: Settings, tmp_path: Path
) -> None:
    """The sandbox's sample list of lists (sandbox/sample/generate.py: a sample repository's
    README) links the bundled list's repository (its README), two files of it (the bundled
    list's papers, its code) and a repository that is gone: four lists read through the fake's
    contents API, one skipped; the repositories the README and code.md share are asked once."""
    job = CatalogJob((SAMPLE_LISTS,), tmp_path / "out", tmp_path / "raw", settings, follow=True,
                     skip={"web": "not in this test", "papers": "not in this test",
                           "arxiv": "not in this test"})  # fmt: skip
    result = run_catalog(job)
    base = "jordimas-awesome-rlhf-language-models"
    assert sorted(result.results) == sorted(
        ["enrich-sample-awesome-lists", base, f"{base}-sample-lists-papers",
         f"{base}-sample-lists-code"]
    )  # fmt: skip
    assert list(result.failed) == ["github:enrich-sample/gone-list/README.md"]
    asked = [e.path for e in fake.requests("github")]
    for shared in ("allenai/RL4LMs", "CarperAI/trlx", "voidful/TextRL"):
        assert asked.count(f"/github/repos/{shared}") == 1, shared
    code = json.loads((tmp_path / "out" / "lists" / f"{base}-sample-lists-code" / "latest.json")
                      .read_text())  # fmt: skip
    assert code["header"]["entries"] == 7
    assert {e["status"] for e in code["entries"]} == {"ok"}
    # the catalog's page: every list, each published one linking its own page, the gone one not
    page = lxml.html.parse(str(tmp_path / "out" / "catalog" / "index.html"))
    rows = {r.get("data-slug"): r for r in page.xpath("//table[@id='catalog-lists']/tbody/tr")}
    assert sorted(rows) == sorted([*result.results, "enrich-sample-gone-list"])
    assert rows[f"{base}-sample-lists-code"].get("data-entries") == "7"
    for name in result.results:
        (link,) = rows[name].xpath("./td[1]/a")
        assert (tmp_path / "out" / "catalog" / link.get("href")).resolve().is_file()
    gone = rows["enrich-sample-gone-list"]
    assert not gone.xpath("./td[1]/a") and "not published" in gone.text_content()


@pytest.mark.slow  # starts the CLI, on the session's Prefect API
@PREFECT_GROUP
@pytest.mark.usefixtures("shared_prefect_api")
def test_enrich_run_of_two_lists_is_one_flow_run_of_the_catalog(
    fake: FakeAPI, tmp_path: Path
) -> None:
    """``enrich run A B``: both lists published in their folders, the catalog beside them (its
    last task, ``catalog``, wrote its page and feed); the lists' shared repository asked once."""
    import os
    import subprocess
    import sys

    first, second = tmp_path / "first.md", tmp_path / "second.md"
    first.write_text(sample_list("First", "https://github.com/CarperAI/trlx",
                                 "https://github.com/allenai/RL4LMs"))  # fmt: skip
    second.write_text(sample_list("Second", "https://github.com/CarperAI/trlx"))
    env = {**os.environ, **fake.environment(), "PREFECT_HOME": str(tmp_path / "prefect-home")}
    done = subprocess.run(
        [sys.executable, "-m", "enrich.cli", "run", str(first), str(second), "--out",
         str(tmp_path / "out"), "--raw", str(tmp_path / "raw"), "--source", "github"],
        capture_output=True, text=True, timeout=300, env=env, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "lists/first: 2 entries" in done.stdout and "lists/second: 1 entries" in done.stdout
    for name in ("lists/first/latest.parquet", "lists/second/latest.parquet",
                 "catalog/entities.parquet", "catalog/lists.parquet", "catalog/index.html",
                 "catalog/feed.xml"):  # fmt: skip
        assert (tmp_path / "out" / name).is_file()
    asked = [e.path for e in fake.requests("github")]
    assert asked.count("/github/repos/CarperAI/trlx") == 1
