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
    entry: Entry,
    outcome: Outcome[BaseModel] | None,
    field: str,
    before: Entry | None,
    *,
    supplement: tuple[str, ...] = (),
) -> Entry:
    """``entry`` with what its source made of it (``record`` goes to ``field``, ``extra`` to
    theirs); an error over an earlier good fetch keeps that fetch's values, marked stale.

    ``supplement``: the source adds these fields to an entry whose status another source
    decides (`apply_supplement`)."""
    if outcome is None:
        return entry
    if supplement:
        return apply_supplement(entry, outcome, supplement, before)
    update: dict[str, Any] = {
        "status": outcome.status,
        "status_reason": outcome.reason,
        "fetched_at": outcome.fetched_at,
    }
    if outcome.record is not None:
        update[field] = outcome.record
    update.update(outcome.extra)
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


def apply_supplement(
    entry: Entry, outcome: Outcome[BaseModel], fields: tuple[str, ...], before: Entry | None
) -> Entry:
    """What a supplementary source adds (``fields``: its field first, then its extra ones): the
    entry's status stays its primary source's. A fresh outcome sets its records (a null one
    clears a tie that no longer holds); a failed one keeps each field's last good value, and
    says why when the primary source said nothing; a skipped one adds nothing."""
    if outcome.status == Status.SKIPPED:
        return entry
    if outcome.status != Status.ERROR:
        update: dict[str, Any] = {fields[0]: outcome.record, **outcome.extra}
        return entry.model_copy(update=update)
    kept = {
        name: getattr(before, name)
        for name in fields
        if before is not None and getattr(entry, name) is None and getattr(before, name)
    }
    if entry.status_reason is None and outcome.reason:
        kept["status_reason"] = outcome.reason + (" (last good values kept)" if kept else "")
    return entry.model_copy(update=kept)


def assemble(
    entries: list[Entry],
    *,
    generated_at: datetime,
    run_id: str,
    list_source: str,
    list_sha256: str,
    skipped: list[Skipped] | None = None,
) -> Snapshot:
    """A snapshot of ``entries`` with its header totals (pure)."""
    ordered = sorted(entries, key=lambda e: e.id)
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
