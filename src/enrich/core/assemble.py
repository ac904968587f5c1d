"""Entries and their outcomes -> a snapshot: the last step of a run, and pure.

An entry whose fetch failed keeps its last good values (nothing lost): it is ``stale`` since
the run that fetched them, with this run's reason and the kind of failure. An entry whose source
was left out of the run (``skipped``) keeps them too, with when they were fetched: leaving a
source out never wipes its data. A partial answer keeps, field by field, what it could not read
(`enrich.core.outcome`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeVar

from pydantic import BaseModel

from enrich.core.model import (
    Deferred,
    Entry,
    Failure,
    Header,
    Skipped,
    Snapshot,
    Status,
    counts,
    updated,
    utc_date,
)
from enrich.core.naming import display_title
from enrich.core.outcome import Outcome
from enrich.core.spec import Registry, SourceSpec, SpecError
from enrich.core.specs import REGISTRY

R = TypeVar("R", bound=BaseModel)


def apply_outcome(
    entry: Entry,
    outcome: Outcome[R] | None,
    spec: SourceSpec[R],
    before: Entry | None,
    registry: Registry = REGISTRY,
) -> Entry:
    """``entry`` with what its source (``spec``) made of it: ``record`` goes to the source's
    slot, ``extra`` to theirs. An outcome that does not fit the spec (a record of another
    class, a slot the source does not fill, a carried field its record lacks) raises
    `enrich.core.spec.SpecError`; a value the entry model refuses, `pydantic.ValidationError`.

    A supplementary source adds its slots to an entry whose status another source decides
    (`apply_supplement`).

    An error over an earlier good fetch keeps that fetch's values, marked stale; a skip (the
    source left out of the run) keeps them as they were, ``skipped``, with when they were
    fetched. A partial record (``outcome.carry``) takes the fields it could not read from the
    earlier record; the entry is then stale since those were read, unless the part was only
    deferred (it stays ok). Without an earlier record the missing fields stay empty and the
    entry ``ok``, with the reason."""
    if outcome is None:
        return entry
    _check(spec, outcome)
    if spec.supplement:
        return apply_supplement(entry, outcome, spec, before)
    # Only an entry that had good values has any to keep (an error's record is not good; a
    # skipped entry's are the good ones it carried).
    good = before is not None and before.status in (Status.OK, Status.STALE, Status.SKIPPED)
    earlier = before if good and before is not None and before.fetched_at is not None else None
    kept_since = (earlier.stale_since or earlier.fetched_at) if earlier is not None else None
    records = registry.record_fields
    marks = list(earlier.deferred) if earlier is not None else []
    if outcome.status == Status.SKIPPED and earlier is not None and earlier.fetched_at:
        # (stale_since: some kept values are older than fetched_at, when they were already.)
        return updated(
            entry,
            **{name: getattr(earlier, name) for name in records},
            status=Status.SKIPPED,
            status_reason=f"{outcome.reason}; values of {utc_date(earlier.fetched_at)} kept",
            fetched_at=earlier.fetched_at,
            stale_since=earlier.stale_since,
            deferred=marks,
        )
    deferred = outcome.status == Status.ERROR and outcome.failure == Failure.DEFERRED
    if deferred:  # the whole record left for a later night: carried with its age
        mark = Deferred(field=spec.slot.field, fetched_at=kept_since)
        marks = [mark, *(m for m in marks if m.field != spec.slot.field)]
    if outcome.status == Status.ERROR and earlier is not None:
        return updated(
            entry,
            **{name: getattr(earlier, name) for name in records},
            status=Status.STALE,
            status_reason=outcome.reason,
            failure=outcome.failure,
            fetched_at=earlier.fetched_at,
            stale_since=kept_since,
            deferred=marks,
        )
    if deferred:  # never fetched and not asked tonight: pending, not failed
        return updated(
            entry, status=Status.PENDING, status_reason=outcome.reason,
            failure=Failure.DEFERRED, deferred=marks,
        )  # fmt: skip
    failed = outcome.status in (Status.ERROR, Status.STALE)
    update: dict[str, Any] = {
        "status": outcome.status,
        "status_reason": outcome.reason,
        "fetched_at": outcome.fetched_at,
        "failure": outcome.failure if failed else None,
    }
    record = outcome.record
    if record is not None and outcome.carry:
        prior = spec.slot.of(earlier) if earlier is not None else None
        kept = (
            {name: getattr(prior, name) for name in outcome.carry}
            if isinstance(prior, type(record)) else {}
        )  # fmt: skip
        if outcome.failure == Failure.DEFERRED:  # each field carried with the age of its value
            update["deferred"] = _deferred_marks(outcome.carry, kept, earlier)
        if kept:
            record = updated(record, **kept)
            if outcome.failure != Failure.DEFERRED and any(v is not None for v in kept.values()):
                update.update(
                    status=Status.STALE, failure=outcome.failure or Failure.MALFORMED,
                    stale_since=kept_since,
                )  # fmt: skip
    if record is not None:
        update[spec.slot.field] = record
    update.update({filled.field: filled.record for filled in outcome.extra})
    return updated(entry, **update)


def _deferred_marks(
    fields: tuple[str, ...], kept: dict[str, Any], earlier: Entry | None
) -> list[Deferred]:
    """The marks of fields deferred tonight: a field deferred before keeps the age it had; one
    carried from the last fetch is as old as that fetch; one with no value was never fetched."""
    before = {m.field: m for m in earlier.deferred} if earlier is not None else {}
    marks = []
    for name in fields:
        if name in before:
            marks.append(before[name])
        elif kept.get(name) is not None and earlier is not None:
            marks.append(Deferred(field=name, fetched_at=earlier.stale_since or earlier.fetched_at))
        else:
            marks.append(Deferred(field=name))
    return marks


def _check(spec: SourceSpec[Any], outcome: Outcome[BaseModel]) -> None:
    """Refuse an outcome that does not fit ``spec``: a record of another class than its slot's,
    a slot the source does not fill (`SpecError`). (`Outcome` checks its own ``carry``.)"""
    if outcome.record is not None and not isinstance(outcome.record, spec.slot.record):
        raise SpecError(
            f"{spec.name}: a {type(outcome.record).__name__} record for slot "
            f"{spec.slot.field!r} ({spec.slot.record.__name__})"
        )
    extra = {slot.field: slot.record for slot in spec.extra}
    for filled in outcome.extra:
        if extra.get(filled.field) is not filled.kind:
            raise SpecError(f"{spec.name}: fills slot {filled.field!r}, not its own")


def apply_supplement(
    entry: Entry, outcome: Outcome[BaseModel], spec: SourceSpec[Any], before: Entry | None
) -> Entry:
    """What a supplementary source adds (its slots: its own first, then its extra ones): the
    entry's status stays its primary source's. A fresh outcome sets its records (a null one
    clears a tie that no longer holds); a failed or skipped one (the source left out of the
    run) keeps each slot's last good value, and says why when the primary source said
    nothing."""
    if outcome.status not in (Status.ERROR, Status.SKIPPED):
        filled = {filled.field: filled.record for filled in outcome.extra}
        return updated(entry, **{spec.slot.field: outcome.record}, **filled)
    fields = [slot.field for slot in spec.slots]
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
    return updated(entry, **kept)


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
    registry: Registry = REGISTRY,
) -> Snapshot:
    """A snapshot of ``entries`` (each with its `display_title`) and its header totals (pure);
    ``external``: the repositories outside the list it enriched (not counted in the header)."""
    ordered = _titled(entries, registry)
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
    return Snapshot(header=header, entries=ordered, external=_titled(external or [], registry))


def _titled(entries: list[Entry], registry: Registry) -> list[Entry]:
    return sorted(
        (updated(e, display_title=display_title(e, registry)) for e in entries),
        key=lambda e: e.id,
    )
