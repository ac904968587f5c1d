"""What a source made of one entry: a status, the record when there is one, and why."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Generic, TypeVar

from pydantic import BaseModel

from enrich.core.model import Status

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
    extra: Mapping[str, BaseModel | None] = field(default_factory=dict)
