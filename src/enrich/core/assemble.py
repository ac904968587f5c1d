"""Entries and their outcomes -> a snapshot: the last step of a run, and pure.

An entry whose fetch failed keeps its last good values (nothing lost): it is ``stale`` since
the run that fetched them, with this run's reason and the kind of failure. An entry whose source
was left out of the run (``skipped``) keeps them too, with when they were fetched: leaving a
source out never wipes its data. A partial answer keeps, field by field, what it could not read
(`enrich.core.outcome`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel

from enrich.core.model import (
    RECORD_FIELDS,
    Entry,
    Failure,
    Header,
    Skipped,
    Snapshot,
    Status,
    counts,
    utc_date,
)
from enrich.core.naming import display_title
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
    theirs).

    ``supplement``: the source adds these fields to an entry whose status another source
    decides (`apply_supplement`).

    An error over an earlier good fetch keeps that fetch's values, marked stale; a skip (the
    source left out of the run) keeps them as they were, ``skipped``, with when they were
    fetched. A partial record (``outcome.carry``) takes the fields it could not read from the
    earlier record; the entry is then stale since those were read, unless the part was only
    deferred (it stays ok). Without an earlier record the missing fields stay empty and the
    entry ``ok``, with the reason."""
    if outcome is None:
        return entry
    if supplement:
        return apply_supplement(entry, outcome, supplement, before)
    # Only an entry that had good values has any to keep (an error's record is not good; a
    # skipped entry's are the good ones it carried).
    good = before is not None and before.status in (Status.OK, Status.STALE, Status.SKIPPED)
    earlier = before if good and before is not None and before.fetched_at is not None else None
    kept_since = (earlier.stale_since or earlier.fetched_at) if earlier is not None else None
    if outcome.status == Status.SKIPPED and earlier is not None and earlier.fetched_at:
        # (stale_since: some kept values are older than fetched_at, when they were already.)
        return entry.model_copy(
            update={
                **{name: getattr(earlier, name) for name in RECORD_FIELDS},
                "status": Status.SKIPPED,
                "status_reason": f"{outcome.reason}; values of {utc_date(earlier.fetched_at)} kept",
                "fetched_at": earlier.fetched_at,
                "stale_since": earlier.stale_since,
            }
        )
    if outcome.status == Status.ERROR and earlier is not None:
        return entry.model_copy(
            update={
                **{name: getattr(earlier, name) for name in RECORD_FIELDS},
                "status": Status.STALE,
                "status_reason": outcome.reason,
                "failure": outcome.failure,
                "fetched_at": earlier.fetched_at,
                "stale_since": kept_since,
            }
        )
    failed = outcome.status in (Status.ERROR, Status.STALE)
    update: dict[str, Any] = {
        "status": outcome.status,
        "status_reason": outcome.reason,
        "fetched_at": outcome.fetched_at,
        "failure": outcome.failure if failed else None,
    }
    record = outcome.record
    if record is not None and outcome.carry:
        prior = getattr(earlier, field, None) if earlier is not None else None
        if isinstance(prior, type(record)):
            kept = {name: getattr(prior, name) for name in outcome.carry}
            record = record.model_copy(update=kept)
            if outcome.failure != Failure.DEFERRED and any(v is not None for v in kept.values()):
                update.update(
                    status=Status.STALE, failure=outcome.failure or Failure.MALFORMED,
                    stale_since=kept_since,
                )  # fmt: skip
    if record is not None:
        update[field] = record
    update.update(outcome.extra)
    return entry.model_copy(update=update)


def apply_supplement(
    entry: Entry, outcome: Outcome[BaseModel], fields: tuple[str, ...], before: Entry | None
) -> Entry:
    """What a supplementary source adds (``fields``: its field first, then its extra ones): the
    entry's status stays its primary source's. A fresh outcome sets its records (a null one
    clears a tie that no longer holds); a failed or skipped one (the source left out of the
    run) keeps each field's last good value, and says why when the primary source said
    nothing."""
    if outcome.status not in (Status.ERROR, Status.SKIPPED):
        update: dict[str, Any] = {fields[0]: outcome.record, **outcome.extra}
        return entry.model_copy(update=update)
    kept = {
        name: getattr(before, name)
        for name in fields
        if before is not None and getattr(entry, name) is None and getattr(before, name)
    }
    if kept and entry.status_reason is None and outcome.reason:
        fetched = getattr(kept.get(fields[0]), "fetched_at", None)
        of = f" of {utc_date(fetched)}" if isinstance(fetched, datetime) else ""
        kept["status_reason"] = f"{outcome.reason} (last good values{of} kept)"
    elif entry.status_reason is None and outcome.reason and outcome.status == Status.ERROR:
        kept["status_reason"] = outcome.reason
    return entry.model_copy(update=kept)


def assemble(
    entries: list[Entry],
    *,
    generated_at: datetime,
    run_id: str,
    list_source: str,
    list_sha256: str,
    skipped: list[Skipped] | None = None,
    list_title: str | None = None,
    external: list[Entry] | None = None,
) -> Snapshot:
    """A snapshot of ``entries`` (each with its `display_title`) and its header totals (pure);
    ``external``: the repositories outside the list it enriched (not counted in the header)."""
    ordered = _titled(entries)
    header = Header(
        generated_at=generated_at,
        run_id=run_id,
        list_source=list_source,
        list_title=list_title,
        list_sha256=list_sha256,
        entries=len(ordered),
        by_kind=counts([e.kind.value for e in ordered]),
        by_status=counts([e.status.value for e in ordered]),
        skipped_links=skipped or [],
    )
    return Snapshot(header=header, entries=ordered, external=_titled(external or []))


def _titled(entries: list[Entry]) -> list[Entry]:
    return sorted(
        (e.model_copy(update={"display_title": display_title(e)}) for e in entries),
        key=lambda e: e.id,
    )
