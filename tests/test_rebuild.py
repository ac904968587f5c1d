"""``enrich rebuild`` re-derives a published run without rewriting history (#22 item 7): it is
compared with the snapshot published before that run, so its diff, changelog and feed item stay
what they were; and a run older than ``latest.*`` never rolls the dataset back unless forced."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from conftest import BUNDLED, run, write_json
from enrich.cli import main
from enrich.core.errors import InputError
from enrich.core.settings import Settings
from enrich.run.job import RunResult, rebuild
from enrich.sandbox.sample import sample_data_dir
from enrich.sandbox.server import FakeAPI

OFFLINE = {"web": "offline: web pages are not fetched"}
NIGHT1 = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Nights:
    """Three nightly runs a day apart (between them huggingface/trl gains 100 stars), built once
    for the module: the folders as they were after each night, which each test copies (a
    rebuild writes)."""

    after: list[Path]  # after[n]: the out/ and raw/ folders once nights 0..n had run
    results: list[RunResult]

    def copy(self, count: int, tmp_path: Path) -> list[RunResult]:
        """The first ``count`` nights, in tmp_path/out and tmp_path/raw (their run folders there)."""
        for folder in ("out", "raw"):
            shutil.copytree(self.after[count - 1] / folder, tmp_path / folder, symlinks=True)
        return [replace(r, run_dir=tmp_path / "raw" / r.run_dir.name) for r in self.results[:count]]


# One worker runs this module: its nights (`three_nights`) are built once, not once a worker.
pytestmark = pytest.mark.xdist_group("rebuild")


@pytest.fixture(scope="module")
def three_nights(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Nights]:
    root = tmp_path_factory.mktemp("nights")
    trl = json.loads((sample_data_dir() / "github/repos/huggingface/trl.json").read_text())
    with FakeAPI([root / "fake-data"]) as fake:
        settings = fake.settings(allow_loopback=True, http_retries=0)
        after, results = [], []
        for night in range(3):
            write_json(root / "fake-data/github/repos/huggingface/trl.json",
                       {**trl, "stargazers_count": trl["stargazers_count"] + 100 * night})
            results.append(run(str(BUNDLED), settings=settings, out_dir=root / "out", raw_root=root / "raw",
                               skip=OFFLINE, now=NIGHT1 + timedelta(days=night)))
            after.append(root / f"after-{night}")
            for folder in ("out", "raw"):
                shutil.copytree(root / folder, after[-1] / folder, symlinks=True)
        yield Nights(after, results)


def files(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def forget_own_diff(out: Path, result: RunResult) -> None:
    (out / "diffs/runs" / f"{result.snapshot.header.run_id}.json").unlink()


def keep_only_last(out: Path, result: RunResult) -> None:
    """An older folder: no diffs at all, the dated snapshots only."""
    shutil.rmtree(out / "diffs")


@dataclass
class Rebuilt:
    name: str
    nights: int
    change: Callable[[Path, RunResult], None] | None  # what happened to the folder since
    compared_with: int | None  # the night the rebuilt run is compared with (None: first snapshot)
    identical: bool  # every published file byte for byte as the run wrote it


REBUILT = [
    Rebuilt("the latest of two nights", 2, None, 0, True),
    Rebuilt("the latest of three nights", 3, None, 1, True),
    Rebuilt("the first and only night", 1, None, None, True),
    Rebuilt("its own diff deleted: the newest earlier snapshot", 2, forget_own_diff, 0, False),
    Rebuilt("no diffs at all: the newest earlier snapshot", 3, keep_only_last, 1, False),
]


@pytest.mark.parametrize("case", REBUILT, ids=lambda c: c.name)
def test_rebuilding_the_latest_run_compares_it_with_the_snapshot_before_it(
    case: Rebuilt, three_nights: Nights, settings: Settings, tmp_path: Path
) -> None:
    results = three_nights.copy(case.nights, tmp_path)
    out, last = tmp_path / "out", results[-1]
    if case.change is not None:
        case.change(out, last)
    published = files(out)
    rebuilt = rebuild(last.run_dir, out, settings)
    assert rebuilt.snapshot == last.snapshot
    assert rebuilt.diff is not None
    if case.compared_with is None:
        assert rebuilt.diff["first_run"] and rebuilt.diff["from"] is None
    else:
        assert not rebuilt.diff["first_run"]
        assert rebuilt.diff["from"]["run_id"] == results[case.compared_with].snapshot.header.run_id  # type: ignore[index]
        assert rebuilt.diff["events"] == last.diff["events"]  # type: ignore[index]
        changelog = (out / "diffs" / f"{NIGHT1 + timedelta(days=case.nights - 1):%Y-%m-%d}.md").read_text()
        assert "First snapshot" not in changelog and "huggingface/trl" in changelog
    if case.identical:  # the diff, changelog, feed, report: what the run published
        assert files(out) == published


def test_rebuilding_an_older_run_refuses_to_roll_latest_back(three_nights: Nights, settings: Settings,
                                                            tmp_path: Path) -> None:
    first, second = three_nights.copy(2, tmp_path)
    out = tmp_path / "out"
    published = files(out)
    with pytest.raises(InputError) as refused:
        rebuild(first.run_dir, out, settings)
    assert str(refused.value) == (
        f"{out} holds a newer run ({second.snapshot.header.run_id}) than {first.snapshot.header.run_id}: "
        "rebuilding it would roll latest.* back (--force to do so)")
    assert files(out) == published
    forced = rebuild(first.run_dir, out, settings, force=True)
    latest = json.loads((out / "latest.json").read_text())
    assert latest["header"]["run_id"] == first.snapshot.header.run_id == forced.snapshot.header.run_id
    assert forced.diff is not None and forced.diff["first_run"]  # night 1 was the first


def test_the_cli_says_so_in_one_line(three_nights: Nights, fake: FakeAPI, tmp_path: Path,
                                     capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    first, second = three_nights.copy(2, tmp_path)
    for name, value in fake.environment().items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SystemExit) as exit_:
        main(["rebuild", str(first.run_dir), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err.strip()
    assert exit_.value.code == 2 and len(err.splitlines()) == 1
    assert "holds a newer run" in err and "--force" in err
    with pytest.raises(SystemExit) as exit_:
        main(["rebuild", str(second.run_dir), "--out", str(tmp_path / "out")])
    assert exit_.value.code in (0, None)
