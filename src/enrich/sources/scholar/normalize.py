"""The scholar source's documents -> one outcome per paper. Pure.

Each entry is read from the newest batch that asked for it (a batch split in halves counts
through its halves). An answer counts only for the ids its request asked, by position: the
batch answer is a list aligned with the ids.

- an item: the paper's record (``ok``);
- ``null``: Semantic Scholar does not know the id: a record saying so (``found`` false, ``ok``):
  a fact about the paper, not a failure;
- an item that is not what the API sends: that paper's error (``malformed``), its neighbours
  unharmed;
- a batch that failed (429 all night, 5xx, no answer, a malformed list): every paper of that
  batch is an error with the failure's kind, and as a supplementary source's error keeps its
  last good values (stale);
- a paper not asked (no id Semantic Scholar takes): skipped.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from enrich.core.failures import failure_of
from enrich.core.model import Entry, Failure, ScholarPaper, Status
from enrich.core.outcome import Outcome
from enrich.sources.base import in_range, parse_time, unreadable
from enrich.sources.scholar.ids import s2_id, why_not_asked
from enrich.sources.scholar.record import read_paper, unknown


def normalize(entries: list[Entry], documents: list[Any]) -> dict[str, Outcome[ScholarPaper]]:
    latest = _latest(documents)
    outcomes: dict[str, Outcome[ScholarPaper]] = {}
    for entry in entries:
        doc = latest.get(entry.id)
        if doc is None:
            if s2_id(entry) is None:
                outcomes[entry.id] = Outcome(Status.SKIPPED, reason=why_not_asked(entry))
            continue
        try:
            outcomes[entry.id] = in_range(_outcome(doc, str(doc["asked"][entry.id])))
        except Exception as exc:
            outcomes[entry.id] = unreadable(exc)
    return outcomes


def _latest(documents: list[Any]) -> dict[str, Mapping[str, Any]]:
    """The newest answered batch per entry id (split batches are read through their halves)."""
    usable = [
        d for d in documents
        if isinstance(d, Mapping) and isinstance(d.get("asked"), Mapping) and not d.get("split")
    ]  # fmt: skip
    latest: dict[str, Mapping[str, Any]] = {}
    for doc in sorted(usable, key=lambda d: str(d.get("fetched_at"))):
        for entry_id in doc["asked"]:
            latest[str(entry_id)] = doc
    return latest


def _outcome(doc: Mapping[str, Any], asked_as: str) -> Outcome[ScholarPaper]:
    fetched_at = parse_time(doc.get("fetched_at"))
    error = doc.get("error")
    if isinstance(error, Mapping):
        message = str(error.get("message") or "no answer")
        # The client's own messages already name the service; the API's ("Too Many
        # Requests…") do not.
        named = message.startswith("Semantic Scholar")
        reason = message if named else f"Semantic Scholar: {message}"
        return Outcome(Status.ERROR, reason=reason, failure=failure_of(error))
    ids = [str(i) for i in doc["ids"]]
    body = doc["body"]
    if doc.get("status") != 200 or not isinstance(body, list) or len(body) != len(ids):
        reason = "Semantic Scholar sent a malformed answer (not a list aligned with the ids)"
        return Outcome(Status.ERROR, reason=reason, failure=Failure.MALFORMED)
    item = body[ids.index(asked_as)]
    if item is None:
        return Outcome(Status.OK, unknown(asked_as, fetched_at), fetched_at=fetched_at)
    try:
        record = read_paper(asked_as, item, fetched_at)
    except (ValueError, TypeError, AttributeError, KeyError) as exc:
        reason = f"Semantic Scholar sent a malformed paper ({type(exc).__name__}: {exc})"
        return Outcome(Status.ERROR, reason=" ".join(reason.split())[:200],
                       failure=Failure.MALFORMED)  # fmt: skip
    return Outcome(Status.OK, record, fetched_at=fetched_at)
