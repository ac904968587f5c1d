"""What a source made of one entry: a status, the record when there is one, and why.

A partial answer is an ``ok`` outcome with a record and ``carry``: the names of the record's
fields this run could not read (a malformed statistics answer, a card over the size cap, a
contributor count deferred by the rate limit). `enrich.core.assemble.apply_outcome` fills them
from the entry's previous record, so a part that failed never blanks a value that was good
last night. With ``failure`` set (the part failed), the entry is then ``stale`` since the kept
values were read; with ``failure`` `Failure.DEFERRED` (the part was left for a later night on
purpose), it stays ``ok``. Either way ``reason`` says which part and why.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Generic, TypeVar

from pydantic import BaseModel

from enrich.core.model import Failure, Status

R = TypeVar("R", bound=BaseModel, covariant=True)


@dataclass(frozen=True)
class Outcome(Generic[R]):
    """One entry's result from its source; which `Entry` field ``record`` fills is the source's
    ``field``, so nothing here depends on the record's class. ``extra``: records for other
    `Entry` fields the source fills too, by field name (the papers source: a conference paper's
    arXiv record and the tie to it)."""

    status: Status
    record: R | None = None
    reason: str | None = None
    fetched_at: datetime | None = None
    # For an error, or a partial record: what kind of failure (the publish guard reads it).
    failure: Failure | None = None
    # Fields of ``record`` this run could not read: kept from the previous record.
    carry: tuple[str, ...] = ()
    # Records of other Entry fields this outcome fills too (a source's secondary records).
    extra: Mapping[str, BaseModel | None] = field(default_factory=dict)
