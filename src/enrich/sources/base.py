"""What every source module shares: its shape, the context a run hands it, and fetch helpers.

A source has two halves. ``fetch`` is the imperative shell: it asks the upstream through the
client library made for it and writes what came back to the raw store. ``normalize`` is pure:
raw documents in, one `Outcome` per entry out. The snapshot is built from ``normalize`` alone,
which is why ``enrich rebuild`` needs no network.

Everything a fetch may spend (request slots, the retry budget, pacers) and where it reports
progress arrive in a `FetchContext`, made by the run for the run: sources keep no state of
their own between runs.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Generic, Protocol, TypeVar

from pydantic import BaseModel, Field, StrictInt, ValidationError

from enrich.core.links import Kind
from enrich.core.model import Entry, Failure, Status
from enrich.core.outcome import Outcome
from enrich.core.settings import Settings
from enrich.core.spec import SourceSpec
from enrich.sources.clock import RunClock
from enrich.sources.limits import LocalSlots, Pacers, RetryBudget, Shared, Slots

T = TypeVar("T")
R = TypeVar("R", bound=BaseModel)

# The largest integer the published dataset can hold (Parquet's int64): a count past it from
# an upstream (``"stargazers_count": 2**70``) made the publish fail, so the whole run.
INT64_MAX = 2**63 - 1
# A count as an API documents it: a whole number, never negative, that fits the dataset.
Count = Annotated[StrictInt, Field(ge=0, le=INT64_MAX)]
Progress = Callable[[int], None]


class RawSink(Protocol):
    """Where a source writes what it received, and finds what earlier runs received (the raw
    store, `enrich.store.raw.RawStore`)."""

    def put(self, source: str, key: str, document: Mapping[str, Any]) -> Path: ...

    def documents(self, source: str, keys: set[str] | None = None) -> list[Any]: ...

    def previous(
        self, source: str, keys: set[str], usable: Callable[[Any], bool], runs: int = 7
    ) -> dict[str, Any]: ...

    def put_usage(self, source: str, usage: Mapping[str, Any]) -> None: ...


@dataclass
class FetchContext:
    """What one fetch task may spend, and where it reports progress: the run's, passed in."""

    settings: Settings
    budget: RetryBudget
    slots: Slots
    pacers: Pacers = field(default_factory=Pacers)
    progress: Progress = lambda n: None
    # Other per-run state shared by the run's fetch tasks in this process (GitHub's rate-limit
    # windows): what one task learns of an upstream's budget, the others admit against.
    shared: Shared = field(default_factory=Shared)
    # This task's share of tonight's budget of its upstream, per resource (GitHub: ``core``
    # requests, ``graphql`` points), handed out by the run's plan; empty: no share, admitted
    # against what the upstream says is left.
    quota: Mapping[str, int] = field(default_factory=dict)
    # The run's clock: every ``fetched_at`` this task records is its `RunClock.now`.
    clock: RunClock = field(default_factory=RunClock)

    @classmethod
    def standalone(cls, settings: Settings, progress: Progress | None = None) -> FetchContext:
        """A context of its own (a script or a test fetching one source outside a run)."""
        return cls(
            settings=settings,
            budget=RetryBudget(settings.retry_budget_seconds, settings.retry_wait_scale),
            slots=LocalSlots(settings),
            progress=progress or (lambda n: None),
        )


class Source(Protocol):
    """One upstream: its spec (`enrich.core.spec.SourceSpec`: its name, kinds and slot, how a
    run orders it; the pure half, in `enrich.core.specs`) and its fetch half. Every member is
    declared, so mypy sees them; `SourceBase` gives the defaults.

    - ``accepts(entry)``: narrows the spec's kinds (arXiv takes only arXiv papers)
    - ``depends(entry)``: with the spec's ``after``, whether this entry waits for those sources
      (one last task); the others are fetched at once
    - ``settle(outcomes)``: what its outcomes of the whole run, taken together, say about each
      one (the web source: when no listed host resolved, a name that did not resolve is the
      run's trouble, not the link's); pure, so a rebuild settles them the same way
    """

    @property
    def spec(self) -> SourceSpec[Any]: ...

    # Raw documents stored one per entry, under its id (arXiv stores one per request).
    per_entry_documents: bool

    @property
    def name(self) -> str: ...

    @property
    def kinds(self) -> tuple[Kind, ...]: ...

    def accepts(self, entry: Entry) -> bool: ...

    def depends(self, entry: Entry) -> bool: ...

    def settle(
        self, outcomes: Mapping[str, Outcome[BaseModel]]
    ) -> Mapping[str, Outcome[BaseModel]]: ...

    def fetch(self, entries: list[Entry], raw: RawSink, ctx: FetchContext) -> None: ...

    def normalize(
        self, entries: list[Entry], documents: list[Any]
    ) -> Mapping[str, Outcome[BaseModel]]: ...


class SourceBase(Generic[R]):
    """The defaults of `Source`'s members: every entry of its kinds, none waiting, outcomes as
    they are; ``name`` and ``kinds`` are its spec's. Typed by its slot's record
    (``SourceBase[Paper]``): mypy holds its spec and its ``normalize`` to that record."""

    spec: SourceSpec[R]

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def kinds(self) -> tuple[Kind, ...]:
        return self.spec.kinds

    def accepts(self, entry: Entry) -> bool:
        return True

    def depends(self, entry: Entry) -> bool:
        return True

    def settle(
        self, outcomes: Mapping[str, Outcome[BaseModel]]
    ) -> Mapping[str, Outcome[BaseModel]]:
        return outcomes

    def normalize(self, entries: list[Entry], documents: list[Any]) -> Mapping[str, Outcome[R]]:
        raise NotImplementedError


def claims(source: Source, entry: Entry) -> bool:
    """Whether ``source`` enriches ``entry``."""
    return entry.kind in source.kinds and source.accepts(entry)


def after(source: Source) -> tuple[str, ...]:
    """The sources whose fetch must be done before ``source`` starts."""
    return source.spec.after


def depends(source: Source, entry: Entry) -> bool:
    """Whether ``entry`` waits for ``source``'s ``after`` sources."""
    return bool(source.spec.after) and source.depends(entry)


def single_task(source: Source) -> bool:
    return source.spec.single_task


def supplement_fields(source: Source) -> tuple[str, ...]:
    """A supplementary source's fields (its own first), or () for a source that decides its
    entries' status."""
    return tuple(slot.field for slot in source.spec.slots) if source.spec.supplement else ()


def settle(
    source: Source, outcomes: Mapping[str, Outcome[BaseModel]]
) -> Mapping[str, Outcome[BaseModel]]:
    """``source``'s outcomes of the whole run (every entry it claims), as its ``settle`` reads
    them together; pure, so a rebuild settles them the same way."""
    return source.settle(outcomes)


def chunks(items: list[T], size: int) -> Iterator[list[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def fetch_each(
    source: str,
    entries: list[Entry],
    raw: RawSink,
    ctx: FetchContext,
    workers: int,
    fetch_one: Callable[[Entry], Mapping[str, Any]],
) -> None:
    """Fetch each entry on at most ``workers`` threads, each holding one of the source's slots;
    store its raw document under its id.

    ``fetch_one`` records its own failures in the document it returns; anything it lets
    escape is a bug, and is re-raised after the other entries are done.
    """
    errors: list[BaseException] = []

    def guarded(entry: Entry) -> None:
        try:
            with ctx.slots.slot(source):
                document = fetch_one(entry)
            raw.put(source, entry.id, document)
        except BaseException as exc:
            errors.append(exc)
        finally:
            ctx.progress(1)

    with ThreadPoolExecutor(max_workers=max(workers, 1), thread_name_prefix="enrich") as pool:
        list(pool.map(guarded, entries))
    if errors:
        raise errors[0]


D = TypeVar("D", bound=Mapping[str, Any])


def per_entry(
    entries: list[Entry], documents: list[D], outcome: Callable[[Entry, D], Outcome[R]]
) -> dict[str, Outcome[R]]:
    """Normalize sources that keep one raw document per entry (keyed by ``entry_id``).

    Each entry on its own: an answer the source's checks did not expect (a bug, a shape no
    one foresaw) fails that entry, with a one-line reason, never the run or its neighbours.
    """
    by_id = {doc.get("entry_id"): doc for doc in documents if isinstance(doc, Mapping)}
    out: dict[str, Outcome[R]] = {}
    for entry in entries:
        if entry.id not in by_id:
            continue
        try:
            out[entry.id] = in_range(outcome(entry, by_id[entry.id]))
        except Exception as exc:
            out[entry.id] = unreadable(exc)
    return out


def in_range(result: Outcome[R]) -> Outcome[R]:
    """``result``, or that entry's malformed error when its records hold an integer the
    dataset cannot (past int64): a net under the sources' own checks of counts, for any
    number an upstream sends (an arXiv version ``v99999999999999999999``)."""
    records = [result.record, *(filled.record for filled in result.extra)]
    for record in records:
        if record is not None and _too_big(record.model_dump()):
            return Outcome(
                Status.ERROR, failure=Failure.MALFORMED,
                reason="the answer holds a number too large for the dataset (past 2^63)",
            )  # fmt: skip
    return result


def _too_big(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return not -INT64_MAX - 1 <= value <= INT64_MAX
    if isinstance(value, dict):
        return any(_too_big(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(_too_big(v) for v in value)
    return False


def load_json(text: str | bytes) -> Any:
    """``json.loads``, with a document nested too deep for it (``[[[…]]]`` 100,000 deep: a
    RecursionError, which is no ValueError and escaped the sources' checks) a ValueError
    like any malformed body."""
    try:
        return json.loads(text)
    except RecursionError:
        raise ValueError("JSON nested too deep") from None


def unreadable(exc: BaseException) -> Outcome[Any]:
    """An answer that could not be turned into a record: that entry's error."""
    text = " ".join(str(exc).split())[:160]
    reason = f"answer could not be read ({type(exc).__name__}{': ' + text if text else ''})"
    return Outcome(Status.ERROR, reason=reason, failure=Failure.MALFORMED)


def malformed(upstream: str, problem: ValidationError | str) -> str:
    """One line saying what in an upstream's answer was not what the API sends."""
    if isinstance(problem, ValidationError):
        first = problem.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        problem = f"{where}: {first['msg']}" if where else first["msg"]
    return f"{upstream} sent a malformed answer ({problem})"


def parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00"))
