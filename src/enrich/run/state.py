"""What a run knows, computed once and handed along: the list as read and parsed, the manifest,
the previous snapshot, the plan. dlt's ``Pipeline`` is the model: one object holds the run's
state, and each step receives it rather than reading the folder again.

::

    Job ──prepare──▶ Run ─┬─ lists:    ListRun per list: its Listing (manifest + parsed list,
                          │            the raw folder) and its previous snapshot and out folder
                          ├─ tasks:    the plan (FetchTask per chunk, plain data)
                          └─ job:      the inputs (settings, folders, Hub repository)

Everything here is frozen and picklable: a fetch task carries plain data (`FetchTask`) to a
thread, a Prefect task or a Dask worker process; the external repositories' task also carries
the `Listing` it plans from. The parsed list is a fresh object of this run (the parser keeps no
cache to share), its entries and skipped links tuples.

A run over many lists (the catalog) holds one `ListRun` per list over one raw folder and one
plan of the union of their entries; a run of one list holds one (`Run.only`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Literal

from enrich.core.listing import ParsedList, parse_list
from enrich.core.model import Entry, Snapshot
from enrich.core.rawdocs import Manifest
from enrich.core.settings import Settings
from enrich.sources.clock import RunClock
from enrich.store.raw import RawStore

# Which request slots a fetch task holds: this process's ("local"), or the Prefect server's
# global concurrency limits ("prefect"); set by the executor that runs it.
Limits = Literal["local", "prefect"]


@dataclass(frozen=True)
class Job:
    """One run's inputs (plain data: what `prepare` receives wherever it runs)."""

    list_source: str
    out_dir: Path
    raw_root: Path
    settings: Settings
    sources: list[str] | None = None
    # source -> why it is not fetched this run (the snapshot gives the reason to its entries);
    # a key may also be an entry's id: that entry alone is not fetched (the demo's entries
    # without sample data)
    skip: dict[str, str] | None = None
    now: datetime | None = None
    list_bytes: bytes | None = None
    # The list already parsed from ``list_bytes`` (the CLI's checks parsed it): not parsed again.
    parsed: ParsedList | None = None
    publish_repo: str | None = None  # a Hub dataset repository the run uploads the dataset to


@dataclass(frozen=True)
class CatalogJob:
    """A catalog run's inputs: several lists (``follow``: and every list they link), fetched
    once as the union of their entities, each published under ``out_dir/lists/<slug>/``."""

    list_sources: tuple[str, ...]
    out_dir: Path
    raw_root: Path
    settings: Settings
    follow: bool = False
    max_lists: int = 50  # `enrich.run.catalog.MAX_LISTS`
    sources: list[str] | None = None
    skip: dict[str, str] | None = None
    now: datetime | None = None
    publish_repo: str | None = None


@dataclass(frozen=True)
class FetchTask:
    """One fetch task: plain data only, so that it travels to another process."""

    run_dir: str
    source: str
    part: int
    entries: list[Entry]
    settings: Settings
    limits: Limits = "local"
    # Sources whose tasks must have ended before this one starts (it reads their documents).
    after: tuple[str, ...] = ()
    # The external code repositories' task (`enrich.run.external`): at most this many; its
    # entries are found when it starts, from the run's list (``listing``).
    external_limit: int = 0
    listing: Listing | None = None
    # Its share of tonight's budget of its upstream per resource (GitHub: ``core`` requests,
    # ``graphql`` points), handed out by the plan (`enrich.run.budgets`); empty: none.
    quota: Mapping[str, int] = field(default_factory=dict)
    # Whether the task returns what it normalized (a run of one list: its finish only
    # assembles). A catalog's tasks of a source whose documents are kept per entity return
    # nothing: each list's finish normalizes its own entries from the raw folder, and the run
    # holds no outcome of every entity until the last list (#24 item 8).
    returns: bool = True
    # The run's time at its start (the manifest's ``started_at``: a simulated night's, when the
    # job gives ``now``) and the real time then: the task's clock (`enrich.sources.clock`)
    # stamps what it fetches from them. None: the wall clock (a task made outside a run).
    started: datetime | None = None
    real_started: datetime | None = None

    @property
    def run_id(self) -> str:
        return Path(self.run_dir).name

    def clock(self) -> RunClock:
        """This task's clock, begun now (call it when the task starts)."""
        if self.started is None:
            return RunClock()
        return RunClock.begin(self.started, self.real_started)

    @property
    def name(self) -> str:
        return f"fetch-{self.source}-{'external' if self.external_limit else self.part}"


@dataclass(frozen=True)
class Listing:
    """One list of a run as its raw folder holds it: the manifest prepare wrote and the list
    parsed once. What building its snapshot needs besides the documents."""

    run_dir: Path
    manifest: Manifest  # as it applies to this list (a catalog's names each its own source)
    parsed: ParsedList
    list_file: str = "list.md"  # the list's bytes in the run folder (a catalog's: lists/<slug>.md)

    def list_bytes(self) -> bytes:
        return (self.run_dir / self.list_file).read_bytes()

    @classmethod
    def read(cls, run_dir: Path) -> Listing:
        """A raw run folder's listing, read and parsed once (``enrich rebuild``, tests): the
        manifest first (a folder that is not a run, or of another raw format, fails there)."""
        store = RawStore(run_dir)
        manifest = store.manifest()
        return cls(run_dir, manifest, parse_list(store.list_bytes(), manifest["list_source"]))

    @property
    def store(self) -> RawStore:
        return RawStore(self.run_dir)

    @property
    def run_id(self) -> str:
        return self.manifest["run_id"]

    @property
    def started(self) -> datetime:
        return datetime.fromisoformat(self.manifest["started_at"])

    @property
    def skipped_sources(self) -> dict[str, str]:
        """Source -> why it is not fetched this run (a copy: the manifest stays as written)."""
        return dict(self.manifest.get("skipped_sources", {}))

    @property
    def skipped_entries(self) -> dict[str, str]:
        """Entry id -> why it alone is not fetched this run (a copy)."""
        return dict(self.manifest.get("skipped_entries", {}))


@dataclass(frozen=True)
class ListRun:
    """One list of a run, with where it is published and what was published there before."""

    listing: Listing
    out_dir: Path
    previous: Snapshot | None
    slug: str | None = None  # a catalog's list: its folder's name under lists/
    # A catalog's list: its previous snapshot (``out_dir/latest.json``) is read in its finish,
    # not held here from prepare to the last list's finish (``previous`` is then None). The
    # folder is locked for the whole run: what finish reads is what prepare read.
    read_previous: bool = False


@dataclass(frozen=True)
class Run:
    """A run after prepare: its inputs, its lists and its plan (see the module)."""

    job: Job
    lists: tuple[ListRun, ...]
    tasks: tuple[FetchTask, ...]
    # A catalog run's lists that could not be read (list source -> why): reported, skipped.
    unread: dict[str, str] = field(default_factory=dict)

    @property
    def only(self) -> ListRun:
        """The run's one list (a run of one list; the catalog has several)."""
        (one,) = self.lists
        return one

    @property
    def run_dir(self) -> Path:
        return self.lists[0].listing.run_dir

    @property
    def store(self) -> RawStore:
        return RawStore(self.run_dir)


__all__ = ["CatalogJob", "FetchTask", "Job", "Limits", "ListRun", "Listing", "Run"]
