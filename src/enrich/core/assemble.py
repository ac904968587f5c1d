"""Entries and their outcomes -> a snapshot: the last step of a run, and pure.

An entry whose fetch failed keeps its last good values (nothing lost): it is ``stale`` since
the run that fetched them, with this run's reason.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel

from enrich.core.model import RECORD_FIELDS, Entry, Header, Skipped, Snapshot, Status, counts
from enrich.core.outcome import Outcome


def apply_outcome(
    entry: Entry, outcome: Outcome[BaseModel] | None, field: str, before: Entry | None
) -> Entry:
    """``entry`` with what its source made of it (``record`` goes to ``field``); an error over
    an earlier good fetch keeps that fetch's values, marked stale."""
    if outcome is None:
        return entry
    update: dict[str, Any] = {
        "status": outcome.status,
        "status_reason": outcome.reason,
        "fetched_at": outcome.fetched_at,
    }
    if outcome.record is not None:
        update[field] = outcome.record
    failed = outcome.status == Status.ERROR
    if failed and before is not None and before.fetched_at is not None:
        kept = {name: getattr(before, name) for name in RECORD_FIELDS}
        update = {
            **kept,
            "status": Status.STALE,
            "status_reason": outcome.reason,
            "fetched_at": before.fetched_at,
            "stale_since": before.fetched_at,
        }
    return entry.model_copy(update=update)


def display_title(entry: Entry) -> str:
    """What to call an entry: the list's own title, else the upstream's name for it (a bare URL
    has no link text: ``CarperAI/trlx``, not ``github:carperai/trlx``), else what the upstream
    is asked (``source_id``). The list's ``title`` stays as the list wrote it."""
    if entry.title:
        return entry.title
    names = (
        entry.repo.full_name if entry.repo else None,
        entry.paper.title if entry.paper else None,
        entry.hub.repo_id if entry.hub else None,
        entry.web.title if entry.web else None,
    )
    return next((name for name in names if name), entry.source_id)


def assemble(
    entries: list[Entry],
    *,
    generated_at: datetime,
    run_id: str,
    list_source: str,
    list_sha256: str,
    skipped: list[Skipped] | None = None,
) -> Snapshot:
    """A snapshot of ``entries`` (each with its `display_title`) and its header totals (pure)."""
    ordered = sorted(
        (e.model_copy(update={"display_title": display_title(e)}) for e in entries),
        key=lambda e: e.id,
    )
    header = Header(
        generated_at=generated_at,
        run_id=run_id,
        list_source=list_source,
        list_sha256=list_sha256,
        entries=len(ordered),
        by_kind=counts([e.kind.value for e in ordered]),
        by_status=counts([e.status.value for e in ordered]),
        skipped_links=skipped or [],
    )
    return Snapshot(header=header, entries=ordered)
