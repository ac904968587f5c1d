"""The item fields (issue 12) in the published files: JSON and Parquet hold the same items and
ties, readable by DuckDB and pandas; the JSON Schema describes them."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from enrich.core.assemble import assemble
from enrich.core.links import classify
from enrich.core.listing import parse_list
from enrich.core.model import SCHEMA_VERSION, Entry, HubRepo, ItemKind, Paper, Repo, WebPage
from enrich.core.naming import display_title
from enrich.store.codec import json_schema, read_snapshot
from enrich.store.publish import publish

# Sample data written for this test: a paper and its code in one table row, a bullet below.
LIST = (
    b"# Papers\n\n| Title | Venue | Code |\n|---|---|---|\n"
    b"| [Glow: Generative Flow](https://arxiv.org/abs/1807.03039) | NeurIPS | [code](https://github.com/openai/glow) |\n\n"
    b"* [trl](https://github.com/lvwerra/trl) - PPO for transformers\n"
)


def _published(tmp_path: Path) -> Path:
    parsed = parse_list(LIST, "sample.md")
    snapshot = assemble(
        parsed.entries, generated_at=datetime(2026, 12, 1, tzinfo=UTC), run_id="r1",
        list_source="sample.md", list_sha256=parsed.sha256, skipped=parsed.skipped,
    )  # fmt: skip
    publish(snapshot, tmp_path)
    return tmp_path


def test_json_and_parquet_hold_the_same_items(tmp_path: Path) -> None:
    out = _published(tmp_path)
    from_json, from_parquet = read_snapshot(out / "latest.json"), read_snapshot(out / "latest.parquet")
    assert from_json == from_parquet
    assert from_json.header.schema_version == SCHEMA_VERSION
    glow = {e.id: e for e in from_parquet.entries}["github:openai/glow"]
    assert glow.title == "Glow: Generative Flow" and glow.same_item == ["arxiv:1807.03039"]
    (item,) = glow.items
    assert (item.kind, item.title, item.description, item.line) == (ItemKind.TABLE_ROW, "Glow: Generative Flow", "Venue: NeurIPS", 5)
    assert (item.columns, item.cells) == (["Title", "Venue", "Code"], ["Glow: Generative Flow", "NeurIPS", "code"])


def test_a_consumer_finds_a_papers_code_with_duckdb(tmp_path: Path) -> None:
    """ "This paper's code has how many stars": join an entry to the entries of its items."""
    path = _published(tmp_path) / "latest.parquet"
    rows = duckdb.sql(
        f"select p.id, c.id from '{path}' p, unnest(p.same_item) t(other) join '{path}' c on c.id = t.other "
        "where p.kind = 'paper' and c.kind = 'repo'"
    ).fetchall()
    assert rows == [("arxiv:1807.03039", "github:openai/glow")]
    titles = duckdb.sql(f"select id, items[1].title, positions[1].item from '{path}' order by id").fetchall()
    assert titles == [("arxiv:1807.03039", "Glow: Generative Flow", 1), ("github:lvwerra/trl", "trl", 2),
                      ("github:openai/glow", "Glow: Generative Flow", 1)]  # fmt: skip


def test_pandas_reads_the_items(tmp_path: Path) -> None:
    frame = pd.read_parquet(_published(tmp_path) / "latest.parquet", dtype_backend="pyarrow")
    assert frame.set_index("id").loc["github:lvwerra/trl", "items"][0]["description"] == "PPO for transformers"


def test_the_json_schema_describes_items() -> None:
    schema = json_schema()
    assert {"items", "same_item"} <= set(schema["$defs"]["Entry"]["properties"])
    assert set(schema["$defs"]["Item"]["properties"]) == {"index", "kind", "title", "description", "section", "line", "columns", "cells"}
    assert schema["$defs"]["ItemKind"]["enum"] == ["list_item", "table_row", "paragraph"]
    assert "item" in schema["$defs"]["Position"]["properties"]


def _entry(url: str, title: str | None, **record: object) -> Entry:
    ref = classify(url)
    return Entry(id=ref.entry_id, kind=ref.kind, source_id=ref.source_id, url=url, urls=[url],
                 title=title, section=[], positions=[], **record)  # type: ignore[arg-type]  # fmt: skip


REPO = Repo(repo_id=1, full_name="CarperAI/trlx", html_url="https://github.com/CarperAI/trlx", stars=1, forks=0,
            watchers=0, open_issues=0)  # fmt: skip
PAPER = Paper(arxiv_id="2204.05862", versioned_id="2204.05862v2", version=2, authors=[], abstract="…",
              title="Training a Helpful and Harmless Assistant")  # fmt: skip
HUB = HubRepo(repo_type="dataset", repo_id="Anthropic/hh-rlhf", sha="a" * 40)
PAGE = WebPage(final_url="https://carper.ai/", http_status=200, title="CarperAI")


@pytest.mark.parametrize(
    ("entry", "shown"),
    [
        # the list's own title, whatever the upstream says
        (_entry("https://github.com/CarperAI/trlx", "trlx library", repo=REPO), "trlx library"),
        # none (a bare URL, a badge, "[Paper]" in an untitled item): the upstream's name
        (_entry("https://github.com/CarperAI/trlx", None, repo=REPO), "CarperAI/trlx"),
        (_entry("https://arxiv.org/abs/2204.05862", None, paper=PAPER), "Training a Helpful and Harmless Assistant"),
        (_entry("https://huggingface.co/datasets/Anthropic/hh-rlhf", None, hub=HUB), "Anthropic/hh-rlhf"),
        (_entry("https://carper.ai/", None, web=PAGE), "CarperAI"),
        # nothing fetched yet: what the upstream is asked
        (_entry("https://github.com/CarperAI/trlx", None), "CarperAI/trlx"),
        (_entry("https://arxiv.org/pdf/2204.05862v2.pdf", None), "2204.05862"),
        (_entry("https://carper.ai", None, web=WebPage(final_url="https://carper.ai/", http_status=200)), "https://carper.ai/"),
    ],
)
def test_the_display_title_falls_back_to_the_upstreams_name(entry: Entry, shown: str) -> None:
    assert display_title(entry) == shown


def test_the_published_title_stays_what_the_list_said(tmp_path: Path) -> None:
    """A bare URL gives no title: ``title`` is null in both files, ``display_title`` is the
    upstream's name, and the views (which call the same rule) show that name."""
    import polars as pl

    from enrich.views.facts import facts

    parsed = parse_list(b"# Tools\n\n* https://github.com/CarperAI/trlx\n* [trl](https://github.com/lvwerra/trl)\n", "sample.md")
    entries = [e.model_copy(update={"repo": REPO}) if e.id == "github:carperai/trlx" else e for e in parsed.entries]
    snapshot = assemble(entries, generated_at=datetime(2026, 12, 1, tzinfo=UTC), run_id="r1",
                        list_source="sample.md", list_sha256=parsed.sha256)  # fmt: skip
    publish(snapshot, tmp_path)
    for name in ("latest.json", "latest.parquet"):
        got = {e.id: (e.title, e.display_title) for e in read_snapshot(tmp_path / name).entries}
        assert got == {"github:carperai/trlx": (None, "CarperAI/trlx"), "github:lvwerra/trl": ("trl", "trl")}
    names = {f.entry.id: f.name for f in facts(snapshot, None, pl.DataFrame())}
    assert names == {"github:carperai/trlx": "CarperAI/trlx", "github:lvwerra/trl": "trl"}


@pytest.mark.slow  # runs `enrich` as a process
def test_enrich_parse_shows_the_item_title(tmp_path: Path) -> None:
    """An entry whose title is not its item's (a library named in a bullet about another one)
    shows the item's title under its own."""
    path = tmp_path / "sample.md"
    path.write_text("* [trl](https://github.com/lvwerra/trl) - PPO, built on [transformers](https://github.com/huggingface/transformers)\n")
    result = subprocess.run(
        [sys.executable, "-m", "enrich.cli", "parse", str(path)],
        capture_output=True, text=True, timeout=120, env={**os.environ, "COLUMNS": "160"},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    rows = result.stdout.splitlines()
    at = next(n for n, line in enumerate(rows) if "github:huggingface/transformers" in line)
    assert "transformers" in rows[at].split("│")[3] and "in: trl" in rows[at + 1].split("│")[3]
