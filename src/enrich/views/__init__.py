"""Views: files derived from the published dataset, regenerated every run (and by ``enrich
render``). Each is a pure function of what is published (`Published`): the snapshot, the diff
of the run, the history. No view fetches anything, so a template change needs no refetch.

A view is one module with a ``render(published) -> {relative path: bytes}`` function, listed in
`enrich.views.registry.VIEWS`; the publisher writes what it returns beside the dataset,
atomically, before ``latest.*``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from enrich.core.diff import Diff
from enrich.core.model import Snapshot
from enrich.core.settings import Settings
from enrich.core.spec import Registry
from enrich.core.specs import REGISTRY

if TYPE_CHECKING:
    import polars as pl


@dataclass(frozen=True)
class About:
    """What the operator says about the dataset (settings, not data): its name, the list's
    licence (a Hub licence id), the Hub dataset repository it is published to, and a notice
    shown first (the demo's: sample data)."""

    name: str | None = None
    license: str | None = None
    hub_repo: str | None = None
    notice: str | None = None


@dataclass(frozen=True)
class Published:
    """What a view may read: the run's snapshot, its diff against the previous one (None when
    there is none to compare), the snapshot before it, and the history rows of the last
    `enrich.store.history.VIEW_DAYS` days, this run's included (`enrich.store.history.
    HISTORY_COLUMNS`, plus ``date``), with how many days the whole history holds
    (``history_days``; None: the days of ``history``); the diffs of the
    runs before this one, newest first (``diffs/*.json``, as many as a view looks back:
    `enrich.store.diffs.recent`); `About` the dataset; the settings that hold the views'
    options (``list_sort``…; the defaults when not given); and the sources' specs (what each
    says of its entries: `enrich.core.spec.Registry`)."""

    snapshot: Snapshot
    diff: Diff | None
    previous: Snapshot | None
    history: pl.DataFrame
    diffs: tuple[Diff, ...] = ()
    about: About = field(default_factory=About)
    settings: Settings = field(default_factory=lambda: Settings.model_construct())
    registry: Registry = REGISTRY
    history_days: int | None = None
    # What one view derived that another reads too (the entries' facts: the list and the
    # report), made once per render; never compared, never shown.
    memo: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


class View(Protocol):
    name: str

    def render(self, published: Published) -> Mapping[str, bytes]: ...
