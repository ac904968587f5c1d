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

from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

from pydantic import BaseModel

from enrich.core.model import Failure, Status
from enrich.core.spec import Filled, SpecError

R = TypeVar("R", bound=BaseModel, covariant=True)


@dataclass(frozen=True)
class Outcome(Generic[R]):
    """One entry's result from its source; which `Entry` field ``record`` fills is the source's
    slot (`enrich.core.spec.SourceSpec.slot`), so nothing here depends on the record's class.
    ``extra``: records for other slots the source fills too, each typed by its slot
    (``PAPER.fill(paper)``: the papers source's arXiv record of a conference paper). A
    ``carry`` naming no field of ``record`` is refused here (`enrich.core.spec.SpecError`)."""

    status: Status
    record: R | None = None
    reason: str | None = None
    fetched_at: datetime | None = None
    # For an error, or a partial record: what kind of failure (the publish guard reads it).
    failure: Failure | None = None
    # Fields of ``record`` this run could not read: kept from the previous record.
    carry: tuple[str, ...] = ()
    # Records of other slots this outcome fills too (a source's secondary records).
    extra: tuple[Filled, ...] = ()

    def __post_init__(self) -> None:
        if self.carry and self.record is not None:
            unknown = set(self.carry) - set(type(self.record).model_fields)
            if unknown:
                raise SpecError(
                    f"carry names {sorted(unknown)}: not fields of {type(self.record).__name__}"
                )
        for filled in self.extra:
            if filled.record is not None and not isinstance(filled.record, filled.kind):
                raise SpecError(
                    f"a {type(filled.record).__name__} for slot {filled.field!r} "
                    f"({filled.kind.__name__})"
                )
