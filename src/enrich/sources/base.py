"""What every source module shares: the outcome of one entry, and the source's shape.

A source has two halves. ``fetch`` is the imperative shell: it asks the upstream through the
client library made for it and writes what came back to the raw store. ``normalize`` is pure:
raw documents in, one `Outcome` per entry out. The snapshot is built from ``normalize`` alone,
which is why ``enrich rebuild`` needs no network.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, TypeVar

from pydantic import BaseModel

from enrich.limits import current as current_limits
from enrich.links import Kind
from enrich.model import Entry, Status
from enrich.raw import RawStore
from enrich.settings import Settings

T = TypeVar("T")
Progress = Callable[[int], None]


@dataclass(frozen=True)
class Outcome:
    """What a source made of one entry."""

    status: Status
    record: BaseModel | None = None
    reason: str | None = None
    fetched_at: datetime | None = None


class Source(Protocol):
    name: str
    kinds: tuple[Kind, ...]
    # Raw documents stored one per entry, under its id (arXiv stores one per request).
    per_entry_documents: bool

    def fetch(
        self, entries: list[Entry], store: RawStore, settings: Settings, progress: Progress
    ) -> None: ...

    def normalize(
        self, entries: list[Entry], documents: list[dict[str, Any]]
    ) -> dict[str, Outcome]: ...


def chunks(items: list[T], size: int) -> Iterator[list[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def fetch_each(
    source: str,
    entries: list[Entry],
    store: RawStore,
    workers: int,
    progress: Progress,
    fetch_one: Callable[[Entry], dict[str, Any]],
) -> None:
    """Fetch each entry on at most ``workers`` threads; store its raw document under its id.

    ``fetch_one`` records its own failures in the document it returns; anything it lets
    escape is a bug, and is re-raised after the other entries are done.
    """
    errors: list[BaseException] = []

    limits = current_limits()
    slot = limits.slot if limits else lambda _source: contextlib.nullcontext()

    def guarded(entry: Entry) -> None:
        try:
            with slot(source):
                document = fetch_one(entry)
            store.put(source, entry.id, document)
        except BaseException as exc:
            errors.append(exc)
        finally:
            progress(1)

    with ThreadPoolExecutor(max_workers=max(workers, 1), thread_name_prefix="enrich") as pool:
        list(pool.map(guarded, entries))
    if errors:
        raise errors[0]


def per_entry(
    entries: list[Entry],
    documents: list[dict[str, Any]],
    outcome: Callable[[Entry, dict[str, Any]], Outcome],
) -> dict[str, Outcome]:
    """Normalize sources that keep one raw document per entry (keyed by ``entry_id``)."""
    by_id = {doc["entry_id"]: doc for doc in documents}
    return {e.id: outcome(e, by_id[e.id]) for e in entries if e.id in by_id}


def parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00"))
