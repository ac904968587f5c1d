"""The documentation: the README is the front door (the two commands, links to every page of
docs/), the pages of docs/ are the site's (each in mkdocs.yml's nav), and every dataset field and
every CLI command is documented somewhere in them; the README's five lines run as written."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from pydantic import BaseModel

from conftest import BUNDLED, run
from docsite import README, docs_page, docs_pages, docs_text, nav_pages, section
from enrich.cli import app
from enrich.core.model import (
    ArxivMatch,
    Card,
    Entry,
    Header,
    HubLinked,
    HubPaper,
    HubRepo,
    Item,
    Link,
    LinksDocument,
    MetaSources,
    Paper,
    PaperMeta,
    Position,
    Repo,
    Score,
    ScorePart,
    Snapshot,
    Tie,
    WebPage,
)
from enrich.core.settings import Settings

DOCS_TEXT = docs_text()


@pytest.mark.parametrize(
    "model",
    [Header, Entry, Position, Item, Paper, Repo, HubRepo, Card, WebPage, Score, ScorePart, PaperMeta,
     MetaSources, HubPaper, HubLinked, ArxivMatch, Snapshot, Tie, Link, LinksDocument],
)
def test_every_field_is_documented(model: type[BaseModel]) -> None:
    missing = [name for name in model.model_fields if f"`{name}`" not in DOCS_TEXT]
    assert missing == []


def test_every_command_is_in_the_command_reference() -> None:
    reference = docs_page("commands.md")
    commands = [c.name or (c.callback.__name__ if c.callback else "") for c in app.registered_commands]
    assert commands and [name for name in commands if not re.search(rf"`enrich {name}\b", reference)] == []


def test_two_commands() -> None:
    assert "make demo" in README and "make test" in README


def test_every_page_is_in_the_nav_once() -> None:
    """A page missing from mkdocs.yml's nav is built but hard to find; one listed twice, confusing."""
    nav = nav_pages()
    assert sorted(nav) == docs_pages()
    assert len(nav) == len(set(nav))


def test_the_front_door_links_every_page() -> None:
    linked = set(re.findall(r"\]\(docs/([\w/-]+\.md)(?:#[\w-]+)?\)", README))
    assert [page for page in docs_pages() if page not in linked] == []


def test_the_front_door_stays_short() -> None:
    """The README is a front door; the rest is docs/ (it was 952 lines)."""
    assert len(README.splitlines()) <= 160


def test_the_readmes_five_lines_run_as_written(settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    snippet, citing = re.findall(r"```python\n(.*?)```", section(README, "## Reading the dataset in five lines"),
                                 re.S)  # fmt: skip
    assert len(snippet.splitlines()) == 5
    result = run(str(BUNDLED), settings=settings, out_dir=tmp_path / "data/enriched", raw_root=tmp_path / "data/raw")
    assert result.published
    monkeypatch.chdir(tmp_path)
    capsys.readouterr()
    exec(snippet, {})  # the README's own lines, run as a reader would
    printed = capsys.readouterr().out
    entries = json.loads((tmp_path / "data/enriched/latest.json").read_bytes())["entries"]
    scored = sorted((e for e in entries if e["score"]), key=lambda e: -e["score"]["total"])
    assert all(e["id"] in printed for e in scored[:10])
    (trl,) = [e for e in entries if e["id"] == "github:lvwerra/trl"]
    assert str(trl["repo"]["stars"]) in printed
    # Then which listed papers cite the HH-RLHF paper: the papers whose references name it.
    namespace: dict[str, object] = {}
    exec(snippet.splitlines()[0] + "\n" + citing, namespace)
    printed = capsys.readouterr().out
    citing_ids = [e["id"] for e in entries if e["kind"] == "paper" and any(
        t["relation"] == "cites" and t["direction"] == "out" and t["other"] == "arxiv:2204.05862" for t in e["ties"])]
    assert citing_ids and all(i in printed for i in citing_ids)
    assert "hf:dataset" not in printed  # a paper's citers only
