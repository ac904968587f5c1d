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
from enrich.core.listing import parse_list
from enrich.core.model import SCHEMA_VERSION, ItemKind
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
