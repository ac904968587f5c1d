"""What the pipeline knows about each source, in one typed place: its spec. Pure.

A source's spec says which kinds of entry it serves, which `Entry` field (its `Slot`) its
records fill and with what record class, which of the record's fields are counters or compared
by the diff, what the views call and say about an entry it enriched, and how it is scored. The
`Registry` holds the specs in run order and derives what used to be written out per source in
ladders: the record fields a stale entry carries, the diff's columns (`enrich.core.diff`),
the history's counters, each kind's main counter, the display-name rule, the score schemes.

A spec is checked when the registry is built: a slot must be a field of the entry model typed
``Record | None``, every column path must name a field of the record, a column name is used once,
a source runs after the sources it waits for. A spec that is wrong fails at import, not at 2 am.

The pure half of every built-in spec lives in `enrich.core.specs` (the core may not import
the sources); the source (`enrich.sources`) attaches the fetch half (``Source.spec``).
"""

from __future__ import annotations

import functools
import types
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Generic, TypeVar, Union, get_args, get_origin

from pydantic import BaseModel

from enrich.core.links import Kind
from enrich.core.model import Entry, Score, ScorePart

R = TypeVar("R", bound=BaseModel)

# The score formula's first version, in every score: a reader comparing two nights knows a change
# of formula from a change of the entry (README, "Score"); a scheme that changed has its own.
SCORE_VERSION = 1


class Role(StrEnum):
    """What the diff does with a record's column."""

    COUNTER = "counter"  # reported with its delta (and a rate per day); a history column
    FIELD = "field"  # reported old -> new when it changes
    READ = "read"  # read by the diff's events and matching only


@dataclass(frozen=True)
class Column:
    """A field of a slot's record the diff reads, named as the diff, the history and the views
    name it (``name``, unique across the registry), at ``path`` (dotted, inside the record).

    A counter's ``main`` kinds show it as their entries' counter in the views (the sparkline's):
    of a kind's main counters, the first with a value wins, the highest ``prefer`` first, then
    in registry order (a paper's citations, when known, before its Hub upvotes); ``symbol``,
    ``unit`` and ``legend`` are how the views write it; ``movers``: the changelog has a
    top-movers table for it; ``said``: the verb its change reads with in the changelog
    ("cited" → "Cited +37 in 7 days")."""

    name: str
    path: str
    role: Role = Role.READ
    main: tuple[Kind, ...] = ()
    symbol: str = ""
    unit: str = ""
    legend: str = ""
    movers: bool = False
    prefer: int = 0
    said: str = ""


def counter(
    name: str,
    path: str | None = None,
    *,
    main: tuple[Kind, ...] = (),
    symbol: str = "",
    unit: str = "",
    legend: str = "",
    movers: bool = False,
    prefer: int = 0,
    said: str = "",
) -> Column:
    """A counter column (``path`` defaults to ``name``)."""
    return Column(
        name, path or name, Role.COUNTER, main, symbol, unit, legend, movers, prefer, said
    )


def compared(name: str, path: str | None = None) -> Column:
    """A column the diff reports old -> new."""
    return Column(name, path or name, Role.FIELD)


def read(name: str, path: str | None = None) -> Column:
    """A column the diff's events read."""
    return Column(name, path or name, Role.READ)


@dataclass(frozen=True)
class Context:
    """What a score part may read besides its entry: the snapshot's start (ages count from it)
    and the list's entries and external repositories by id (a paper's code, its Hub ties)."""

    now: datetime
    related: Mapping[str, Entry]


# A part's points for an entry that has its scheme's record.
Points = Callable[[Entry, Context], float]


@dataclass(frozen=True)
class Scheme:
    """One kind's formula: the kinds it scores, the slot it reads (an entry without its record
    has no score), and its parts, in the order they are shown. A new part is one more
    ``(name, points)`` and a bump of its ``version`` (`SCORE_VERSION` until its first change);
    percentiles keep the kinds comparable whatever a scheme's range."""

    name: str
    plural: str  # what its entries are called, for "percentile 86 of the list's 7 repositories"
    kinds: tuple[Kind, ...]
    record: str
    parts: tuple[tuple[str, Points], ...]
    version: int = SCORE_VERSION

    def score(self, entry: Entry, context: Context) -> Score | None:
        if entry.kind not in self.kinds or getattr(entry, self.record) is None:
            return None
        rounded = [ScorePart(name=name, points=round(points(entry, context), 1))
                   for name, points in self.parts]  # fmt: skip
        return Score(
            scheme=f"{self.name}-{self.version}",
            total=round(sum(p.points for p in rounded), 1),
            parts=rounded,
        )


@dataclass(frozen=True)
class Shown:
    """What the views know of an entry besides its record: when the snapshot was taken, and
    whether a code repository is shown beside a paper."""

    now: datetime
    has_code: bool = False


@dataclass(frozen=True)
class Slot(Generic[R]):
    """An `Entry` field that holds a source's record, and what the pipeline reads of it.

    ``name``: what to call the entry after the list's own title (a repository's full name);
    ``link``: where the views link it, when not its URL; ``details``: the facts line of its kind
    (the first slot with a record and details speaks); ``marks``: warnings (archived, broken);
    ``scheme``: its score."""

    field: str
    record: type[R]
    columns: tuple[Column, ...] = ()
    name: Callable[[R], str | None] | None = None
    link: Callable[[R], str | None] | None = None
    details: Callable[[Entry, R, Shown], list[str]] | None = None
    marks: Callable[[Entry, R], list[str]] | None = None
    scheme: Scheme | None = None

    def of(self, entry: Entry) -> R | None:
        """The entry's record in this slot (None: none)."""
        value = getattr(entry, self.field, None)
        return value if isinstance(value, self.record) else None

    def fill(self, record: R | None) -> Filled:
        """This slot set to ``record`` (None clears it): an outcome's extra record, typed."""
        return Filled(self.field, self.record, record)


@dataclass(frozen=True)
class Filled:
    """A slot (its field and record class) and the record an outcome puts in it, made by
    `Slot.fill`. Plain data: outcomes cross process boundaries (a Dask worker's fetch task),
    and a slot's functions need not pickle."""

    field: str
    kind: type[BaseModel]
    record: BaseModel | None


@dataclass(frozen=True)
class SourceSpec(Generic[R]):
    """The pure half of a source, typed by its slot's record (``SourceSpec[Paper]``): its
    name, the kinds it serves, the slot its records fill and the other slots its outcomes may
    fill (``extra``), and how a run orders it.

    ``supplement``: it adds to entries whose status another source decides (its slots keep
    their last good values when it fails). ``after``: sources whose fetch must be done before
    it starts (it reads their raw documents); each must come before it in the registry.
    ``single_task``: its entries are one fetch task, never chunks (one pacing).
    ``settle``: what its outcomes of the whole run, taken together, say about each one."""

    name: str
    kinds: tuple[Kind, ...]
    slot: Slot[R]
    extra: tuple[Slot[Any], ...] = ()
    supplement: bool = False
    after: tuple[str, ...] = ()
    single_task: bool = False

    @property
    def slots(self) -> tuple[Slot[Any], ...]:
        """Its slots, its own first."""
        return (self.slot, *self.extra)


# The types a column may have (a diff compares scalars; a counter is an int).
SCALARS = (int, str, bool, float)


class SpecError(TypeError):
    """A spec that does not fit the entry model or the other specs (a programming error)."""


# An entry's own columns, as the diff reads them ("title" is the display title, "list_title"
# the list's own, which stands in where a snapshot has none); "ties" is the graph's.
ENTRY_COLUMNS = {
    "id": "id", "kind": "kind", "title": "display_title", "list_title": "title", "url": "url",
    "section": "section", "status": "status", "status_reason": "status_reason",
}  # fmt: skip
ENTRY_FIELDS = ("title", "url", "section", "status")


@dataclass(frozen=True)
class Registry:
    """The sources in the order runs start and apply them, and what follows from their specs.

    ``entry``: the entry model whose fields the slots are (a test may extend `Entry`)."""

    sources: tuple[SourceSpec[Any], ...]
    entry: type[Entry] = Entry
    _slots: tuple[Slot[Any], ...] = field(init=False, repr=False)
    _columns: tuple[tuple[Slot[Any], Column], ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        slots: dict[str, Slot[Any]] = {}
        names: list[str] = []
        for spec in self.sources:
            if spec.name in names:
                raise SpecError(f"source {spec.name!r} is registered twice")
            for needed in spec.after:
                if needed not in names:
                    raise SpecError(f"{spec.name}: runs after {needed!r}, not registered before it")
            names.append(spec.name)
            for slot in spec.slots:
                known = slots.setdefault(slot.field, slot)
                if known is not slot:
                    raise SpecError(f"{spec.name}: slot {slot.field!r} is declared twice")
                _check_slot(self.entry, slot)
        taken = set(ENTRY_COLUMNS) | {"ties", "code", "code_evidence", "code_url", "observed_at"}
        # Read by leaf name from a Parquet snapshot (`enrich.core.diff.from_columns`): a slot's
        # leaf may not be one of the entry's own columns either (``collection.title``).
        leaves = {path.rsplit(".", 1)[-1] for path in ENTRY_COLUMNS.values()}
        columns: list[tuple[Slot[Any], Column]] = []
        for slot in slots.values():
            for column in slot.columns:
                leaf = column.path.rsplit(".", 1)[-1]
                if column.name in taken or leaf in leaves:
                    raise SpecError(f"{slot.field}: column {column.name!r} ({leaf}) is taken")
                taken.add(column.name)
                leaves.add(leaf)
                columns.append((slot, column))
        object.__setattr__(self, "_slots", tuple(slots.values()))
        object.__setattr__(self, "_columns", tuple(columns))

    def with_source(self, spec: SourceSpec[Any], entry: type[Entry] | None = None) -> Registry:
        """This registry and one more source, last (a test's, a plug-in's)."""
        return Registry((*self.sources, spec), entry or self.entry)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(spec.name for spec in self.sources)

    def source(self, name: str) -> SourceSpec[Any]:
        found = next((spec for spec in self.sources if spec.name == name), None)
        if found is None:
            raise KeyError(f"no source {name!r}")
        return found

    @property
    def slots(self) -> tuple[Slot[Any], ...]:
        """Every slot, in the order first registered (that of `Entry`'s fields)."""
        return self._slots

    @property
    def record_fields(self) -> tuple[str, ...]:
        """The entry fields that hold a source's record: what a stale entry carries forward."""
        return tuple(slot.field for slot in self._slots)

    def paths(self) -> dict[str, str]:
        """Each column the diff reads -> its dotted path in a snapshot's Arrow schema."""
        return {column.name: f"{slot.field}.{column.path}" for slot, column in self._columns}

    def column_types(self) -> dict[str, Any]:
        """Each column's type, from its record's annotation (``int`` for ``int | None``)."""
        out: dict[str, Any] = {}
        for slot, column in self._columns:
            model: Any = slot.record
            for part in column.path.split("."):
                model = _optional(model.model_fields[part].annotation)
            out[column.name] = model
        return out

    def columns(self, role: Role) -> tuple[Column, ...]:
        return tuple(column for _, column in self._columns if column.role is role)

    @property
    def counters(self) -> tuple[str, ...]:
        """The counters, in registry order: the diff's, the history's columns."""
        return tuple(c.name for c in self.columns(Role.COUNTER))

    @property
    def fields(self) -> tuple[str, ...]:
        """The fields the diff reports old -> new, the entry's own first."""
        return (*ENTRY_FIELDS, *(c.name for c in self.columns(Role.FIELD)))

    def counter(self, name: str) -> Column:
        return next(c for c in self.columns(Role.COUNTER) if c.name == name)

    @property
    def movers(self) -> tuple[str, ...]:
        """The counters with a top-movers table in the changelog."""
        return tuple(c.name for c in self.columns(Role.COUNTER) if c.movers)

    @property
    def legend(self) -> str:
        """How the views write the main counters, for their legends."""
        return ", ".join(c.legend for c in self.columns(Role.COUNTER) if c.legend)

    def main_counters(self, kind: Kind | str) -> tuple[tuple[Slot[Any], Column], ...]:
        """The counters that stand for ``kind``'s popularity, in the order they are tried."""
        found = [(s, c) for s, c in self._columns if c.role is Role.COUNTER and kind in c.main]
        return tuple(sorted(found, key=lambda pair: -pair[1].prefer))

    def main_counter(self, entry: Entry) -> tuple[str | None, int | None]:
        """The entry's main counter and its value: the first of its kind's with a value, else
        the kind's first (valueless); (None, None) for a kind without one."""
        found = self.main_counters(entry.kind)
        for slot, column in found:
            record = slot.of(entry)
            value = _at(record, column.path) if record is not None else None
            if isinstance(value, int):
                return column.name, value
        return (found[0][1].name, None) if found else (None, None)

    def display_name(self, entry: Entry) -> str | None:
        """The upstream's name for the entry: the first slot's name that has one."""
        for slot in self._slots:
            record = slot.of(entry)
            if record is not None and slot.name is not None:
                name = slot.name(record)
                if name:
                    return name
        return None

    def link(self, entry: Entry) -> str:
        """Where the views link the entry: its upstream's page when a slot says, else its URL."""
        for slot in self._slots:
            record = slot.of(entry)
            if record is not None and slot.link is not None:
                url = slot.link(record)
                if url:
                    return url
        return entry.url

    def details(self, entry: Entry, shown: Shown) -> list[str]:
        """The facts line of the entry's kind: the first slot with a record and details."""
        for slot in self._slots:
            record = slot.of(entry)
            if record is not None and slot.details is not None:
                return slot.details(entry, record, shown)
        return []

    def marks(self, entry: Entry) -> list[str]:
        """Every slot's warnings about the entry (archived, broken, gated), in slot order."""
        out: list[str] = []
        for slot in self._slots:
            record = slot.of(entry)
            if record is not None and slot.marks is not None:
                out += slot.marks(entry, record)
        return out

    @functools.cached_property  # asked per entry by the score: built once
    def schemes(self) -> tuple[Scheme, ...]:
        return tuple(slot.scheme for slot in self._slots if slot.scheme is not None)


def _check_slot(entry: type[Entry], slot: Slot[Any]) -> None:
    info = entry.model_fields.get(slot.field)
    if info is None:
        raise SpecError(f"slot {slot.field!r} is not a field of {entry.__name__}")
    if _optional(info.annotation) is not slot.record:
        raise SpecError(f"{entry.__name__}.{slot.field} is not {slot.record.__name__} | None")
    for column in slot.columns:
        model: Any = slot.record
        for part in column.path.split("."):
            fields = (
                model.model_fields
                if isinstance(model, type) and issubclass(model, BaseModel)
                else {}
            )
            if part not in fields:
                raise SpecError(f"{slot.field}.{column.path}: no field {part!r}")
            model = _optional(fields[part].annotation)
        if model not in SCALARS:
            raise SpecError(f"{slot.field}.{column.path}: not a scalar the diff compares")


def _optional(annotation: Any) -> Any:
    """``X`` of ``X | None``; the annotation itself otherwise."""
    if get_origin(annotation) in (Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return annotation


def _at(record: BaseModel, path: str) -> Any:
    value: Any = record
    for part in path.split("."):
        value = getattr(value, part, None)
        if value is None:
            return None
    return value
