"""The publish guard: a run that could not fetch what it fetched last night does not replace it.

It guards against regressions, not against the list: a link that is dead (404, 410, a host that
does not exist), blocked, or refused by its host is a fact about the list, published with its
failure marked, every night; so is a deferral (the rate limit could not cover it tonight). What
it refuses is a run in which the upstreams could not be *reached*: entries that were ``ok`` in
the previous snapshot and could not be fetched this time (connection errors, timeouts, 5xx,
rate limits, 401/403, malformed answers; `FETCH_FAILURES`) are more than
``publish_max_failed_share`` of those entries, or no entry at all could be fetched (the network
down), whatever the share. A partly refreshed entry (some fields kept, stale) was fetched. A
first run (nothing ``ok`` before) is refused only when more than that share of all its entries
could not be fetched.

One source failing as a whole (arXiv hanging, GitHub answering HTML) is not a refusal: its
entries keep their last values, ``stale`` with the reason, and refusing would throw away only
the other sources' fresh data. The run is published and names the source
(`failed_as_a_whole`, in the run's summary and state message).

The refused attempt is written to ``rejected/`` beside the dataset and ``latest.*`` stays as
it was (`RejectedRunError`, one line).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from pydantic import BaseModel

from enrich.core.errors import RejectedRunError
from enrich.core.model import Entry, Failure, Snapshot, Status, utc_date
from enrich.core.outcome import Outcome
from enrich.store.codec import to_json
from enrich.store.files import atomic_write_bytes

# The failures that say this run could not fetch an entry (None: a failure of unknown kind).
FETCH_FAILURES = frozenset({Failure.UNREACHABLE, Failure.UNAUTHORIZED, Failure.MALFORMED, None})
# A source is said to have failed as a whole from this many entries (one entry failing is that
# entry's trouble).
WHOLE_SOURCE_MIN = 2


def unfetched(entry: Entry) -> bool:
    """Whether this run could not fetch ``entry`` (not a fact about its link, not deferred,
    not partly refreshed)."""
    if entry.status not in (Status.ERROR, Status.STALE) or entry.failure not in FETCH_FAILURES:
        return False
    refreshed = (
        entry.status == Status.STALE
        and entry.fetched_at is not None
        and entry.stale_since is not None
        and entry.fetched_at > entry.stale_since
    )
    return not refreshed


def verdict(
    snapshot: Snapshot, max_failed_share: float, previous: Snapshot | None = None
) -> str | None:
    """Why the run must not be published, or None."""
    tried = [e for e in snapshot.entries if e.status not in (Status.SKIPPED, Status.PENDING)]
    if not tried:
        return None
    failed = [e for e in tried if unfetched(e)]
    was_ok = {e.id for e in previous.entries if e.status == Status.OK} if previous else set()
    base = [e for e in tried if e.id in was_ok]
    if base:
        regressed = [e for e in base if unfetched(e)]
        if len(regressed) / len(base) > max_failed_share:
            return (
                f"{len(regressed)} of {len(base)} entries that were ok could not be fetched "
                f"({len(regressed) / len(base):.0%} > {max_failed_share:.0%}; "
                f"most often: {_most_often(regressed)})"
            )
    elif len(failed) / len(tried) > max_failed_share:
        # A first run, or nothing worked last night: the run is judged on its own.
        return (
            f"{len(failed)} of {len(tried)} entries could not be fetched "
            f"({len(failed) / len(tried):.0%} > {max_failed_share:.0%}; "
            f"most often: {_most_often(failed)})"
        )
    if len(failed) == len(tried):  # whatever the share: a run that refreshed nothing
        return (
            f"nothing could be fetched: none of the {len(tried)} entries "
            f"(most often: {_most_often(failed)})"
        )
    return None


def failed_as_a_whole(outcomes: Iterable[Outcome[BaseModel]]) -> str | None:
    """Why one source failed as a whole this run, or None: none of its entries (at least
    `WHOLE_SOURCE_MIN`) could be fetched. Not a refusal (see the module): what the run's
    summary says."""
    made = list(outcomes)
    lost = [o for o in made if o.status == Status.ERROR and o.failure in FETCH_FAILURES]
    if len(made) < WHOLE_SOURCE_MIN or len(lost) < len(made):
        return None
    reason = Counter(o.reason or "unknown" for o in lost).most_common(1)[0][0]
    return f"none of its {len(made)} entries could be fetched (most often: {reason})"


def guard(
    snapshot: Snapshot, max_failed_share: float, out_dir: Path, previous: Snapshot | None = None
) -> None:
    """Refuse to publish a run that regressed (see the module); keep the attempt aside."""
    why = verdict(snapshot, max_failed_share, previous)
    if why is None:
        return
    day = utc_date(snapshot.header.generated_at)
    rejected = out_dir / "rejected" / f"{day}-{snapshot.header.run_id}.json"
    atomic_write_bytes(rejected, to_json(snapshot))
    raise RejectedRunError(f"run rejected, latest.* kept: {why}; the attempt is in {rejected}")


def _most_often(entries: list[Entry]) -> str:
    return Counter(e.status_reason or "unknown" for e in entries).most_common(1)[0][0]
