"""A run holds what it knows (`enrich.run.state.Run`): prepare reads and parses the list, writes
the manifest, reads the previous snapshot and plans, once; every later step is handed that.

Counted at our own functions (the parser, the raw store's readers), never at a client library.
"""

from __future__ import annotations

import pickle
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import BUNDLED, run
from enrich.core import listing
from enrich.core.listing import parse_list
from enrich.core.settings import Settings
from enrich.run import build, check, external, steps, summary
from enrich.run.state import Job, Listing, Run
from enrich.run.steps import prepare
from enrich.store.raw import RawStore

# Every module that parses a list or reads a run folder's manifest (by the name it imported).
PARSERS = (listing, build, check, external, steps)


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> Iterator[Counter[str]]:
    """Calls of the parser and of the raw store's manifest and failures readers."""
    calls: Counter[str] = Counter()

    def counting(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            calls[name] += 1
            return fn(*args, **kwargs)

        return wrapper

    for module in PARSERS:
        if hasattr(module, "parse_list"):
            monkeypatch.setattr(module, "parse_list", counting("parse", parse_list))
    monkeypatch.setattr("enrich.core.check.findings.parse_list", counting("parse", parse_list))
    monkeypatch.setattr("enrich.run.state.parse_list", counting("parse", parse_list))
    monkeypatch.setattr(RawStore, "manifest", counting("manifest", RawStore.manifest))
    monkeypatch.setattr(RawStore, "failures", counting("failures", RawStore.failures))
    yield calls


@pytest.mark.parametrize(
    ("what", "times", "why"),
    [
        ("parse", 1, "prepare parses; plan, the external task, build and the check are handed it"),
        ("manifest", 0, "prepare writes it and holds it as written"),
        ("failures", 2, "the external task when it starts, finish once every task has ended"),
    ],
)
def test_a_run_computes_what_it_knows_once(
    counted: Counter[str], what: str, times: int, why: str, settings: Settings, tmp_path: Path
) -> None:
    skip = {"web": "not fetched in this test"}
    result = run(str(BUNDLED), settings=settings, out_dir=tmp_path / "out",
                 raw_root=tmp_path / "raw", skip=skip)  # fmt: skip
    assert result.snapshot.header.entries == 27
    assert counted[what] == times, why


def test_a_run_is_frozen_and_travels_to_another_process(settings: Settings, tmp_path: Path) -> None:
    """What a Dask worker receives is pickled: the run, its plan and the external task's
    listing come back equal; the parsed list is immutable (tuples), shared by no cache."""
    job = Job(str(BUNDLED), tmp_path / "out", tmp_path / "raw", settings)
    made = prepare(job)
    assert isinstance(made, Run)
    again = pickle.loads(pickle.dumps(made))
    assert again.only.listing.parsed == made.only.listing.parsed
    assert again.tasks == made.tasks
    outside = [t for t in made.tasks if t.external_limit]
    assert outside and outside[0].listing == made.only.listing
    parsed = made.only.listing.parsed
    assert isinstance(parsed.entries, tuple) and isinstance(parsed.skipped, tuple)
    assert parse_list(BUNDLED.read_bytes(), str(BUNDLED)) is not parse_list(
        BUNDLED.read_bytes(), str(BUNDLED)
    )
    with pytest.raises(AttributeError):
        made.tasks = ()  # type: ignore[misc]


def test_a_rebuild_reads_its_folder_once(counted: Counter[str], settings: Settings,
                                         tmp_path: Path) -> None:  # fmt: skip
    """`Listing.read`: the manifest first, then the list parsed once."""
    made = prepare(Job(str(BUNDLED), tmp_path / "out", tmp_path / "raw", settings))
    counted.clear()
    listing_read = Listing.read(made.run_dir)
    assert (counted["manifest"], counted["parse"]) == (1, 1)
    assert listing_read.parsed == made.only.listing.parsed
    assert listing_read.manifest == made.only.listing.manifest


def test_the_runs_entries_table_names_entries_as_every_view_does() -> None:
    """The Prefect UI's entries table used the list's title alone: an entry the list named by a
    bare URL had no name there, and the views named it by its upstream's (one naming rule)."""
    from enrich.core.assemble import assemble
    from enrich.core.naming import display_title

    entry = parse_list(b"# L\n\n- https://github.com/CarperAI/trlx\n", "l.md").entries[0]
    snapshot = assemble(
        [entry], generated_at=_now(), run_id="r", list_source="l.md", list_sha256="0"
    )
    (row,) = summary.entry_rows(snapshot)
    assert row["title"] == display_title(snapshot.entries[0]) == "CarperAI/trlx"


def _now() -> Any:
    from datetime import UTC, datetime

    return datetime(2026, 12, 7, 3, tzinfo=UTC)
