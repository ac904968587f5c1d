"""What a publish writes (issue 24 item 6: a list's finish is cheap): the same files, bytes for
bytes, but nothing written twice: ``latest.*`` and the day's diff are second names of the
files with their very bytes, and a view or ``schema.json`` that holds its bytes already is left
as it is."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from enrich.core.model import Snapshot
from enrich.store.codec import read_snapshot, to_json
from enrich.store.compare import diff_snapshots
from enrich.store.publish import publish, run_name
from test_snapshot import sample_snapshot


def later(snapshot: Snapshot, run_id: str) -> Snapshot:
    header = snapshot.header.model_copy(update={"run_id": run_id})
    return snapshot.model_copy(update={"header": header})


def diff_of(snapshot: Snapshot) -> Path:
    return Path("diffs") / "runs" / f"{run_name(snapshot.header.run_id)}.json"


@pytest.mark.parametrize(
    ("second", "first"),
    [
        ("latest.json", "snapshots/2026-11-27.json"),
        ("latest.parquet", "snapshots/2026-11-27.parquet"),
        ("diffs/2026-11-27.json", "run's diff"),
        ("diffs/2026-11-27.md", "run's changelog"),
    ],
    ids=["latest-json", "latest-parquet", "day-diff", "day-changelog"],
)
def test_a_file_with_the_bytes_of_one_written_before_is_a_second_name_of_it(
    tmp_path: Path, second: str, first: str
) -> None:
    snapshot = sample_snapshot()
    publish(snapshot, tmp_path, diff_snapshots(None, snapshot))
    run = diff_of(snapshot)
    original = {"run's diff": run, "run's changelog": run.with_suffix(".md")}.get(first, first)
    assert os.path.samefile(tmp_path / second, tmp_path / original)
    assert (tmp_path / second).read_bytes() == (tmp_path / original).read_bytes()


def test_a_rerun_the_same_day_replaces_latest_and_leaves_the_earlier_names_whole(
    tmp_path: Path,
) -> None:
    first = sample_snapshot()
    publish(first, tmp_path, diff_snapshots(None, first))
    second = later(first, "r2")
    publish(second, tmp_path, diff_snapshots(first, second))
    assert read_snapshot(tmp_path / "latest.json").header.run_id == "r2"
    assert read_snapshot(tmp_path / "snapshots/2026-11-27.json").header.run_id == "r2"
    assert (tmp_path / "latest.json").read_bytes() == to_json(second)
    # the first run's own diff is still its own (a new name was linked, nothing overwritten)
    assert (tmp_path / diff_of(first)).is_file()
    assert not os.path.samefile(tmp_path / diff_of(first), tmp_path / "diffs/2026-11-27.json")


def test_without_hard_links_the_bytes_are_copied(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refused(src: object, dst: object) -> None:
        raise OSError(1, "Operation not permitted")

    monkeypatch.setattr(os, "link", refused)
    snapshot = sample_snapshot()
    publish(snapshot, tmp_path, diff_snapshots(None, snapshot))
    assert not os.path.samefile(tmp_path / "latest.json", tmp_path / "snapshots/2026-11-27.json")
    assert (tmp_path / "latest.json").read_bytes() == to_json(snapshot)
    assert list(tmp_path.rglob("*.tmp")) == []


@pytest.mark.parametrize(
    ("name", "again", "rewritten"),
    [
        ("README.md", b"# the same card\n", False),
        ("README.md", b"# another card\n", True),
        ("README.md", b"# the same card, longer\n", True),
        ("pages/2.html", b"<p>page two</p>\n", False),
    ],
    ids=["same-bytes-kept", "same-size-other-bytes", "other-size", "nested-same-bytes"],
)
def test_a_view_is_rewritten_only_when_its_bytes_changed(
    tmp_path: Path, name: str, again: bytes, rewritten: bool
) -> None:
    first = {"README.md": b"# the same card\n", "pages/2.html": b"<p>page two</p>\n"}
    publish(sample_snapshot(), tmp_path, extra=first)
    before = (tmp_path / name).stat().st_ino
    publish(later(sample_snapshot(), "r2"), tmp_path, extra={**first, name: again})
    assert (tmp_path / name).read_bytes() == again
    assert ((tmp_path / name).stat().st_ino != before) is rewritten


def test_schema_json_is_left_as_it_is_when_unchanged(tmp_path: Path) -> None:
    publish(sample_snapshot(), tmp_path)
    before = (tmp_path / "schema.json").stat().st_ino
    publish(later(sample_snapshot(), "r2"), tmp_path)
    assert (tmp_path / "schema.json").stat().st_ino == before
