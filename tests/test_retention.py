"""Retention (#24 item 7): ``enrich prune`` and the prune a run ends with keep the raw layer of
the newest runs (what warm runs and ``enrich rebuild`` read) and the snapshots of the policy
(every day for 90 days, then each week's newest), never ``latest.*``, the history or the diffs.

The folders are real: nights of the job against the fake API, at the ages (days before the
newest night) the tables name.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from conftest import BUNDLED, run
from enrich.cli import main
from enrich.core.errors import LockedError
from enrich.core.retention import Policy, days_kept
from enrich.core.settings import Settings
from enrich.run.job import CatalogJob, rebuild, run_catalog
from enrich.run.retention import prune
from enrich.sandbox.server import FakeAPI
from enrich.store.files import exclusive, lock_path
from enrich.store.retention import Removal

NEWEST = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)  # a Wednesday
# The nights run, by age in days: a fortnight of nights, and older ones around 90 days (89 and
# 90 in one ISO week; 95, 96 and 97 in another), 120 and 200 alone in theirs.
AGES = (200, 120, 97, 96, 95, 91, 90, 89, 8, 2, 1, 0)
SKIP_WEB = {"web": "offline test: web pages are not fetched"}
# The nights' list: a repository, a paper and a dataset of the sample data (what a prune keeps
# depends on the runs and the days, not on the entries; the bundled list's 27 made each of the
# twelve nights twice as long).
LISTED = ("<!-- Sample list written by enrich's tests, not a real list. -->\n# Sample list\n\n"
          "* https://github.com/CarperAI/trlx - trlx\n"
          "* [Helpful and harmless](https://arxiv.org/abs/2204.05862)\n"
          "* https://huggingface.co/datasets/Anthropic/hh-rlhf - preference data\n")


def day(age: int) -> date:
    return (NEWEST - timedelta(days=age)).date()


@dataclass(frozen=True)
class Night:
    """The nights' folders, built once (prune off), copied by each test that changes them."""

    root: Path
    settings: Settings
    run_ids: dict[str, int]  # raw run folder -> its night's age

    def copy(self, to: Path, *, writes: bool = False) -> tuple[Path, Path]:
        """A copy of the nights for one test: new folders whose files are hard links to the
        nights' own, unless the test ``writes`` (runs a job into it). A prune only removes
        names, so the nights stay as they were for the next test; the lock file, which a
        holder writes its pid into, is always a copy (a linked one would be the same lock)."""
        lock = lock_path(self.root / "out").name

        def link(src: str, dst: str) -> None:
            if writes or Path(src).name == lock:
                shutil.copy2(src, dst)
            else:
                os.link(src, dst)

        shutil.copytree(self.root, to, symlinks=True, copy_function=link)
        return to / "out", to / "raw"


# One worker runs this module: its twelve nights (`nights`) are built once, not once a worker.
pytestmark = pytest.mark.xdist_group("retention")


@pytest.fixture(scope="module")
def nights(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Night]:
    root = tmp_path_factory.mktemp("nights")
    with FakeAPI([]) as api:
        settings = api.settings(allow_loopback=True, http_retries=0, prune=False)
        (root / "raw/lists").mkdir(parents=True)
        listed = root / "raw/lists/awesome.md"  # as in a checkout: not a run
        listed.write_text(LISTED)
        ages = {}
        for age in AGES:
            result = run(str(listed), settings=settings, out_dir=root / "out", raw_root=root / "raw",
                         skip=SKIP_WEB, now=NEWEST - timedelta(days=age))  # fmt: skip
            ages[result.run_dir.name] = age
        yield Night(root, settings, ages)


def kept_ages(out: Path, raw: Path, nights: Night) -> tuple[list[int], list[int]]:
    """The ages of the raw runs left, and of the snapshot days left (both files of a day)."""
    runs = sorted(nights.run_ids[p.name] for p in raw.iterdir() if p.name in nights.run_ids)
    by_day = {day(age): age for age in AGES}
    json_days = {date.fromisoformat(p.stem) for p in (out / "snapshots").glob("*.json")}
    parquet_days = {date.fromisoformat(p.stem) for p in (out / "snapshots").glob("*.parquet")}
    assert json_days == parquet_days  # a day goes whole
    return runs, sorted(by_day[d] for d in json_days)


@dataclass(frozen=True)
class Kept:
    name: str
    policy: Policy
    runs: list[int]  # ages of the raw runs kept
    snapshots: list[int]  # ages of the snapshot days kept


KEPT = [
    Kept("the defaults: 7 runs, 90 days daily, then weekly for ever", Policy(),
         [0, 1, 2, 8, 89, 90, 91],
         # 90 and 91 are not their week's newest, but runs 89 and 90 (kept) were compared with
         # them: their rebuilds read them; 96 and 97 go (95 is their week's newest)
         [0, 1, 2, 8, 89, 90, 91, 95, 120, 200]),
    Kept("3 runs: the snapshots the older runs compared with go too", Policy(keep_runs=3),
         [0, 1, 2], [0, 1, 2, 8, 89, 95, 120, 200]),
    Kept("30 days daily, weekly for 180 days", Policy(keep_runs=3, daily_days=30, weekly_days=180),
         [0, 1, 2], [0, 1, 2, 8, 89, 95, 120]),
    Kept("no weekly snapshots: what kept runs compared with stays", Policy(daily_days=7, weekly_days=0),
         [0, 1, 2, 8, 89, 90, 91], [0, 1, 2, 8, 89, 90, 91, 95]),
    Kept("the least: the newest run and what it compared with",
         Policy(keep_runs=1, daily_days=1, weekly_days=0), [0], [0, 1]),
]  # fmt: skip


@pytest.mark.parametrize("case", KEPT, ids=lambda c: c.name)
def test_a_prune_keeps_the_newest_runs_and_the_snapshots_of_its_policy(
    case: Kept, nights: Night, tmp_path: Path
) -> None:
    out, raw = nights.copy(tmp_path / "copy")
    others = {p: p.read_bytes() for p in out.rglob("*") if p.is_file() and p.parent.name != "snapshots"}
    settings = nights.settings.model_copy(
        update={"keep_runs": case.policy.keep_runs, "keep_daily_days": case.policy.daily_days,
                "keep_weekly_days": case.policy.weekly_days}
    )  # fmt: skip
    done = prune(out, raw, settings)
    assert kept_ages(out, raw, nights) == (case.runs, case.snapshots)
    assert (done.runs_kept, done.snapshot_days_kept) == (len(case.runs), len(case.snapshots))
    # latest.*, every history day, every diff, the views: untouched
    assert {p: p.read_bytes() for p in others} == others
    assert len(list((out / "history").glob("date=*/part-0.parquet"))) == len(AGES)
    assert (raw / "lists/awesome.md").read_text() == LISTED  # not a run: stays
    again = prune(out, raw, settings)  # idempotent
    assert (again.files, again.bytes) == (0, 0)


def _files(removed: tuple[Removal, ...], kind: str) -> list[Path]:
    """The files a prune's removals of ``kind`` name, largest first."""
    paths = [r.path for r in removed if r.kind == kind]
    found = [f for p in paths for f in ([p] if p.is_file() else p.rglob("*")) if f.is_file()]
    return sorted(found, key=lambda f: -f.stat().st_size)


def _nothing_else(out: Path, raw: Path, removed: tuple[Removal, ...], aside: Path) -> int:
    return 0


def _backup_links_the_old_snapshots(out: Path, raw: Path, removed: tuple[Removal, ...], aside: Path) -> int:
    """``cp -al snapshots/ backup/``: the pruned days' bytes stay on disk, under the backup's names."""
    for f in _files(removed, "snapshot"):
        os.link(f, aside / f.name)
    return sum(f.stat().st_size for f in _files(removed, "snapshot"))


def _a_kept_run_links_a_pruned_runs_file(out: Path, raw: Path, removed: tuple[Removal, ...], aside: Path) -> int:
    biggest = _files(removed, "run")[0]
    newest = max(p for p in raw.iterdir() if p.name[:1].isdigit())
    os.link(biggest, newest / "linked-from-an-older-run")
    return biggest.stat().st_size


def _two_pruned_runs_share_a_file(out: Path, raw: Path, removed: tuple[Removal, ...], aside: Path) -> int:
    """Two names of one file, both pruned: its bytes count once; the file it replaced is gone."""
    runs = [r.path for r in removed if r.kind == "run"]
    first = next(f for f in runs[0].rglob("*") if f.is_file() and not f.is_symlink())
    second = next(f for f in runs[1].rglob("*") if f.is_file() and not f.is_symlink())
    replaced = second.stat().st_size
    second.unlink()
    os.link(first, second)
    return replaced


@dataclass(frozen=True)
class Linked:
    name: str
    arrange: Callable[[Path, Path, tuple[Removal, ...], Path], int]  # -> bytes that stay on disk
    copied: bool = True  # False: the folders are a `cp -al` of the nights, every file two names


LINKED = [
    Linked("every file has one name: all its bytes are freed", _nothing_else),
    Linked("a backup links the pruned snapshots: their bytes stay", _backup_links_the_old_snapshots),
    Linked("a kept run links a pruned run's file: its bytes stay", _a_kept_run_links_a_pruned_runs_file),
    Linked("two pruned runs name one file: counted once", _two_pruned_runs_share_a_file),
    Linked("the folders are a cp -al copy: nothing is freed", _nothing_else, copied=False),
]  # fmt: skip


@pytest.mark.parametrize("case", LINKED, ids=lambda c: c.name)
def test_the_bytes_a_prune_reports_are_the_bytes_it_frees(case: Linked, nights: Night, tmp_path: Path) -> None:
    out, raw = nights.copy(tmp_path / "copy", writes=case.copied)
    planned = prune(out, raw, nights.settings, dry_run=True)
    on_disk = sum(f.lstat().st_size for kind in ("run", "snapshot") for f in _files(planned.removed, kind))
    assert all(f.stat().st_nlink == (1 if case.copied else 2) for f in _files(planned.removed, "snapshot"))
    (aside := tmp_path / "aside").mkdir()
    stays = case.arrange(out, raw, planned.removed, aside) if case.copied else on_disk
    expected = on_disk - stays
    assert prune(out, raw, nights.settings, dry_run=True).bytes == expected
    done = prune(out, raw, nights.settings)
    assert done.bytes == expected and done.files == planned.files
    assert all(not r.path.exists() for r in done.removed)
    assert sum(f.stat().st_size for f in aside.iterdir()) == (stays if case.name.startswith("a backup") else 0)


@pytest.mark.parametrize(
    ("ages", "policy", "kept"),
    [
        ((0, 1, 2), Policy(daily_days=90), (0, 1, 2)),
        ((0, 89, 90), Policy(daily_days=90), (0, 89)),  # 89 and 90: one week, 89 its newest
        ((0, 90), Policy(daily_days=90), (0, 90)),  # alone in its week: the week's snapshot
        ((0, 90), Policy(daily_days=90, weekly_days=90), (0,)),
        ((0, 400, 401), Policy(daily_days=90), (0, 400)),  # 400 is Thursday, 401 Wednesday
        ((5, 6), Policy(daily_days=1, weekly_days=0), (5,)),  # ages count from the newest
    ],
)
def test_snapshot_days_by_age(ages: tuple[int, ...], policy: Policy, kept: tuple[int, ...]) -> None:
    assert sorted(days_kept([day(a) for a in ages], policy), reverse=True) == [day(a) for a in kept]


def test_what_a_prune_keeps_rebuilds_as_it_was_published(nights: Night, tmp_path: Path) -> None:
    out, raw = nights.copy(tmp_path / "copy", writes=True)
    prune(out, raw, nights.settings)
    oldest = min((p for p in raw.iterdir() if p.name in nights.run_ids), key=lambda p: p.name)
    published = json.loads((out / "diffs/runs" / f"{oldest.name}.json").read_text())
    rebuilt = rebuild(oldest, out, nights.settings, force=True)
    assert rebuilt.diff is not None and published["from"] is not None
    assert rebuilt.diff["from"] == published["from"]  # compared with the same snapshot
    assert rebuilt.diff["summary"] == published["summary"]


def test_a_warm_night_after_a_prune_asks_what_it_asked_without_one(nights: Night, tmp_path: Path) -> None:
    asked = []
    for pruned in (False, True):
        out, raw = nights.copy(tmp_path / f"copy-{pruned}", writes=True)
        if pruned:
            prune(out, raw, nights.settings.model_copy(update={"keep_runs": 1}))
        result = run(str(raw / "lists/awesome.md"), settings=nights.settings, out_dir=out, raw_root=raw, skip=SKIP_WEB,
                     now=NEWEST + timedelta(days=1))  # fmt: skip
        asked.append(result.requests)
    assert asked[0] == asked[1]
    assert sum(c["reused"] + c["not_modified"] for c in asked[1].values()) > 0  # it was warm


def test_nothing_behind_a_link_is_read_or_removed(nights: Night, tmp_path: Path) -> None:
    out, raw = nights.copy(tmp_path / "copy")
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "run").mkdir(parents=True)
    (elsewhere / "run/manifest.json").write_text("{}")
    (elsewhere / "2020-01-01.json").write_text("{}")
    (elsewhere / "keep.txt").write_text("not the dataset's")
    (raw / "20200101T030000000000Z").symlink_to(elsewhere / "run")  # an old "run" behind a link
    (out / "snapshots/2020-01-01.json").symlink_to(elsewhere / "2020-01-01.json")
    oldest = min(p for p in raw.iterdir() if p.name in nights.run_ids)
    (oldest / "link").symlink_to(elsewhere)  # inside a run that goes: removed as a link
    before = {p: p.read_bytes() for p in elsewhere.rglob("*") if p.is_file()}
    prune(out, raw, nights.settings)
    assert {p: p.read_bytes() for p in elsewhere.rglob("*") if p.is_file()} == before
    assert (raw / "20200101T030000000000Z").is_symlink() and (out / "snapshots/2020-01-01.json").is_symlink()
    assert not oldest.exists()


@pytest.mark.parametrize("held", ["out", "raw"], ids=["its-output-folder", "its-raw-folder"])
def test_a_prune_waits_for_no_run_it_is_refused_while_one_holds_the_folder(
    nights: Night, tmp_path: Path, held: str
) -> None:
    """A run of another output folder sharing the raw folder holds the raw folder's lock."""
    out, raw = nights.copy(tmp_path / "copy")
    before = sorted(p.name for p in raw.iterdir())
    folder = out if held == "out" else raw
    with exclusive(folder), pytest.raises(LockedError, match=rf"^{folder}: .*already writing here"):
        prune(out, raw, nights.settings)
    assert sorted(p.name for p in raw.iterdir()) == before


def enrich(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_:
        main(list(args))
    captured = capsys.readouterr()
    code = exit_.value.code
    return (code if isinstance(code, int) else 0), captured.out, captured.err


def test_enrich_prune_dry_run_lists_what_would_go_and_removes_nothing(
    nights: Night, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, raw = nights.copy(tmp_path / "copy")
    files = sorted(p for p in tmp_path.rglob("*"))
    code, said, _ = enrich(capsys, "prune", "--out", str(out), "--raw", str(raw), "--dry-run")
    lines = said.splitlines()
    assert code == 0 and sorted(p for p in tmp_path.rglob("*")) == files
    # 5 raw runs (ages 97 and older) and 2 snapshot days (96, 97) of two files each
    assert len(lines) == 5 + 4 + 1
    assert lines[-1].startswith("would prune 5 raw runs and 4 snapshot files: ")
    assert lines[-1].endswith("would be freed; kept 7 runs and 10 snapshot days")
    code, said, _ = enrich(capsys, "prune", "--out", str(out), "--raw", str(raw))
    assert code == 0 and said.startswith("pruned 5 raw runs and 4 snapshot files: ")
    assert said.strip().split(":")[1] == lines[-1].split(":")[1].replace("would be freed", "freed")
    code, said, _ = enrich(capsys, "prune", "--out", str(out), "--raw", str(raw), "--keep-runs", "7")
    assert said.startswith("pruned 0 raw runs and 0 snapshot files: 0 files, 0 bytes freed")


@pytest.mark.parametrize(
    "folder",
    ["missing", "empty", "a file", "the raw layer"],
)
def test_a_folder_that_is_not_an_enrich_output_is_refused_in_one_line(
    folder: str, nights: Night, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, raw = nights.copy(tmp_path / "copy")
    given = {"missing": tmp_path / "nowhere", "empty": tmp_path / "empty", "a file": BUNDLED,
             "the raw layer": raw}[folder]  # fmt: skip
    (tmp_path / "empty").mkdir()
    before = sorted(raw.iterdir())
    code, said, err = enrich(capsys, "prune", "--out", str(given), "--raw", str(raw))
    assert code == 2 and said == "" and len(err.strip().splitlines()) == 1
    assert "not an enrich output folder" in err
    assert sorted(raw.iterdir()) == before


def sample_list(title: str, *links: str) -> str:
    return ("<!-- Sample list written by enrich's tests, not a real list. -->\n" + f"# {title}\n\n"
            + "".join(f"- [{u.rsplit('/', 1)[-1]}]({u})\n" for u in links))  # fmt: skip


def test_a_catalog_run_prunes_the_shared_raw_layer_and_each_lists_snapshots(
    fake: FakeAPI, settings: Settings, tmp_path: Path
) -> None:
    shared = "https://github.com/CarperAI/trlx"
    sources = []
    for n, other in enumerate(("https://github.com/allenai/RL4LMs", "https://github.com/voidful/TextRL")):
        path = tmp_path / f"list-{n}.md"
        path.write_text(sample_list(f"List {n}", shared, other))
        sources.append(str(path))
    least = settings.model_copy(update={"keep_runs": 1, "keep_daily_days": 1, "keep_weekly_days": 0})
    out, raw = tmp_path / "out", tmp_path / "raw"
    for night in range(3):  # the run prunes after its publish (ENRICH_PRUNE, on by default)
        done = run_catalog(CatalogJob(tuple(sources), out, raw, least, skip=SKIP_WEB | {"papers": "not here"},
                                      now=NEWEST + timedelta(days=night)))  # fmt: skip
    assert done.pruned is not None and done.pruned.line().startswith("pruned 1 raw run and 4 snapshot files")
    assert [p.name for p in raw.iterdir()] == [done.run_dir.name]
    for slug in ("list-0", "list-1"):
        folder = out / "lists" / slug
        assert sorted(p.name for p in (folder / "snapshots").iterdir()) == [
            f"{d}.{ext}" for d in ("2026-11-26", "2026-11-27") for ext in ("json", "parquet")
        ]  # the newest day, and the day its run was compared with
        assert len(list((folder / "history").glob("date=*"))) == 3
    assert sorted(p.name for p in (out / "catalog").iterdir()) == [
        "card.json", "entities.parquet", "feed.xml", "history", "index.html", "lists.parquet",
        "memberships.parquet",
    ]  # fmt: skip
    for table in ("entities", "lists"):  # the catalog's history stays whole
        assert len(list((out / "catalog" / "history" / table).glob("date=*"))) == 3
