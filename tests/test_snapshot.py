"""Snapshots: the same facts in JSON and Parquet, readable by pandas/DuckDB/polars, published atomically."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd
import polars as pl
import pytest

from enrich.core.assemble import assemble
from enrich.core.errors import InputError, PublishError
from enrich.core.links import Kind
from enrich.core.model import (
    SCHEMA_VERSION,
    Author,
    Entry,
    Paper,
    Position,
    Release,
    Repo,
    Snapshot,
    Status,
)
from enrich.store.codec import read_snapshot, to_json
from enrich.store.compare import diff_snapshots
from enrich.store.publish import publish

NOW = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)


def sample_snapshot() -> Snapshot:
    """A small hand-built snapshot (sample data) with nested records and nulls."""
    paper = Entry(
        id="arxiv:2204.05862", kind=Kind.PAPER, source_id="2204.05862",
        url="https://arxiv.org/abs/2204.05862", urls=["https://arxiv.org/abs/2204.05862"],
        title="HH", section=["Papers", "2022"],
        positions=[Position(section=["Papers", "2022"], line=37, index=13)],
        status=Status.OK, fetched_at=NOW,
        paper=Paper(
            arxiv_id="2204.05862", versioned_id="2204.05862v1", version=1, title="Training…",
            authors=[Author(name="Yuntao Bai"), Author(name="Kamilė Lukošiūtė", affiliations=["X"])],
            abstract="We apply preference modeling…", categories=["cs.CL", "cs.LG"],
            published=NOW, updated=NOW,
        ),
    )
    repo = Entry(
        id="github:lvwerra/trl", kind=Kind.REPO, source_id="lvwerra/trl",
        url="https://github.com/lvwerra/trl", urls=["https://github.com/lvwerra/trl"],
        section=["Code"], positions=[Position(section=["Code"], line=59, index=22)],
        status=Status.STALE, status_reason="HTTP 503", stale_since=NOW,
        repo=Repo(
            repo_id=266404863, full_name="huggingface/trl", renamed_from="lvwerra/trl",
            html_url="https://github.com/huggingface/trl", stars=18107, forks=2612,
            watchers=101, open_issues=548, license="Apache-2.0", topics=[],
            latest_release=Release(tag="v0.25.0", published_at=NOW),
        ),
    )
    web = Entry(
        id="https://carper.ai/", kind=Kind.WEB, source_id="https://carper.ai/",
        url="https://carper.ai/", urls=["https://carper.ai/"], section=[],
        positions=[Position(section=[], line=54, index=20)],
    )
    return assemble([web, repo, paper], generated_at=NOW, run_id="r1",
                    list_source="list.md", list_sha256="0" * 64)


def test_round_trip_json_and_parquet(tmp_path: Path) -> None:
    snap = sample_snapshot()
    publish(snap, tmp_path)
    assert read_snapshot(tmp_path / "latest.json") == snap
    assert read_snapshot(tmp_path / "latest.parquet") == snap
    assert [e.id for e in snap.entries] == sorted(e.id for e in snap.entries)


def test_published_files(tmp_path: Path) -> None:
    written = publish(sample_snapshot(), tmp_path)
    names = sorted(str(p.relative_to(tmp_path)) for p in written)
    assert names == ["external.parquet", "history/date=2026-11-27/part-0.parquet", "latest.json", "latest.parquet",
                     "links.json", "links.parquet", "schema.json", "snapshots/2026-11-27.json", "snapshots/2026-11-27.parquet"]
    with_diff = publish(sample_snapshot(), tmp_path / "d", diff_snapshots(None, sample_snapshot()))
    assert {p.name for p in with_diff} >= {"2026-11-27.json", "2026-11-27.md"}
    assert (tmp_path / "latest.json").read_bytes() == (tmp_path / "snapshots/2026-11-27.json").read_bytes()
    schema = json.loads((tmp_path / "schema.json").read_text())
    assert "Entry" in schema["$defs"] and "header" in schema["properties"]


def test_header_counts() -> None:
    header = sample_snapshot().header
    assert header.entries == 3
    assert [(c.name, c.count) for c in header.by_kind] == [("paper", 1), ("repo", 1), ("web", 1)]
    assert [(c.name, c.count) for c in header.by_status] == [("ok", 1), ("pending", 1), ("stale", 1)]


def test_json_is_stable_and_diffable() -> None:
    text = to_json(sample_snapshot()).decode()
    assert text.endswith("}\n") and text.startswith('{\n  "header": {\n    "schema_version"')
    assert text == to_json(sample_snapshot()).decode()
    entry_keys = list(json.loads(text)["entries"][0].keys())
    assert entry_keys[:4] == ["id", "kind", "source_id", "url"]


def test_readers_agree(tmp_path: Path) -> None:
    snapshot = sample_snapshot()
    publish(snapshot, tmp_path)
    path = tmp_path / "latest.parquet"
    frame = pd.read_parquet(path)
    assert list(frame["id"]) == ["arxiv:2204.05862", "github:lvwerra/trl", "https://carper.ai/"]
    stars = duckdb.sql(f"select repo.stars from '{path}' where kind = 'repo'").fetchall()
    assert stars == [(18107,)]
    authors = duckdb.sql(f"select len(paper.authors) from '{path}' where kind='paper'").fetchall()
    assert authors == [(2,)]
    pl_frame = pl.read_parquet(path)
    assert pl_frame.filter(pl.col("kind") == "repo")["repo"].struct.field("full_name").to_list() == ["huggingface/trl"]
    meta = duckdb.sql(f"select value from parquet_kv_metadata('{path}') where key = 'schema_version'").fetchall()
    assert meta == [(SCHEMA_VERSION.encode(),)]


def test_same_day_rerun_replaces_dated_file(tmp_path: Path) -> None:
    publish(sample_snapshot(), tmp_path)
    later = sample_snapshot().model_copy(update={"header": sample_snapshot().header.model_copy(update={"run_id": "r2"})})
    publish(later, tmp_path)
    assert sorted(p.name for p in (tmp_path / "snapshots").iterdir()) == ["2026-11-27.json", "2026-11-27.parquet"]
    assert read_snapshot(tmp_path / "snapshots/2026-11-27.json").header.run_id == "r2"


def test_failed_write_leaves_previous_files_intact(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    publish(sample_snapshot(), tmp_path)
    before = {p.name: p.read_bytes() for p in tmp_path.glob("latest.*")}

    def fail_fsync(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", fail_fsync)
    with pytest.raises(PublishError, match="No space left"):
        publish(sample_snapshot(), tmp_path)
    monkeypatch.undo()
    assert {p.name: p.read_bytes() for p in tmp_path.glob("latest.*")} == before
    assert [p for p in tmp_path.rglob("*.tmp")] == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"{not json", "not a readable snapshot"),
        (b'{"header": {"schema_version": "9.0"}, "entries": []}', "schema version 9.0 is not readable"),
        (b"[]", "not a readable snapshot"),
    ],
)
def test_bad_snapshot_files(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "s.json"
    path.write_bytes(content)
    with pytest.raises(InputError, match=message):
        read_snapshot(path)


def test_corrupt_parquet(tmp_path: Path) -> None:
    path = tmp_path / "s.parquet"
    path.write_bytes(b"PAR1garbage")
    with pytest.raises(InputError, match="not a readable snapshot"):
        read_snapshot(path)


def test_arrow_table_is_the_models_own_values() -> None:
    """to_arrow goes through JSON for speed: it must equal the table built from the models,
    text with newlines, quotes, emoji and NUL included."""
    import pyarrow as pa

    from enrich.store.codec import to_arrow

    snapshot = sample_snapshot()
    tricky = snapshot.entries[0].model_copy(
        update={"id": "https://example.org/x", "title": 'a "b"\n\tc 🚀 \u0000 é'}
    )
    snapshot = assemble([*snapshot.entries, tricky], generated_at=NOW, run_id="r1",
                        list_source="list.md", list_sha256="0" * 64)
    table = to_arrow(snapshot)
    rows = snapshot.model_dump(mode="python", include={"entries"})["entries"]
    assert table.equals(pa.Table.from_pylist(rows, schema=table.schema), check_metadata=True)
    empty = assemble([], generated_at=NOW, run_id="r1", list_source="list.md", list_sha256="0" * 64)
    assert to_arrow(empty).num_rows == 0
