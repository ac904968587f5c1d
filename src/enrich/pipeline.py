"""The nightly job as plain functions: read the list, fetch each source, rebuild, publish.

`run` is the imperative shell (network, files). `build` is the functional core: list bytes +
raw documents + the previous snapshot -> the new snapshot, with no network; ``enrich rebuild``
calls it on a raw run folder and gets what the live run published.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from enrich import crosslinks
from enrich.diff import diff_snapshots
from enrich.errors import EnrichError, InputError, RejectedRunError
from enrich.fsutil import atomic_write_bytes, exclusive
from enrich.listing import parse_list
from enrich.listsource import read_list_source
from enrich.model import Entry, Snapshot, Status, utc_date
from enrich.ratelimit import merge as merge_usage
from enrich.raw import RawStore
from enrich.settings import Settings
from enrich.snapshot import assemble, publish, read_snapshot, to_arrow, to_json
from enrich.sources import SOURCES, Outcome
from enrich.sources.base import Progress

logger = logging.getLogger(__name__)

# Which Entry field holds each record type.
_FIELD = {"Paper": "paper", "Repo": "repo", "HubRepo": "hub", "WebPage": "web"}


class Reporter:
    """Progress callbacks; the CLI draws bars, the flow logs, tests ignore them."""

    def start(self, source: str, total: int) -> Progress:
        return lambda n: None

    def finish(self, source: str) -> None:
        pass


@dataclass
class RunResult:
    snapshot: Snapshot
    run_dir: Path
    published: list[Path] = field(default_factory=list)
    # per source: requests sent, answered 304, reused without a request
    requests: dict[str, dict[str, int]] = field(default_factory=dict)
    # per upstream rate limit ("github.core", "github.graphql"): spent, limit, remaining, reset
    rate_limits: dict[str, dict[str, Any]] = field(default_factory=dict)
    source_failures: dict[str, str] = field(default_factory=dict)
    diff: dict[str, Any] | None = None


def prepare(
    list_source: str,
    *,
    raw_root: Path,
    settings: Settings,
    sources: list[str] | None = None,
    skip: dict[str, str] | None = None,
    now: datetime | None = None,
    list_bytes: bytes | None = None,
) -> RawStore:
    """Read and parse the list, open the run's raw folder; an unusable list fails here."""
    started = now or datetime.now(UTC)
    unknown = sorted(set(sources or []) - set(SOURCES))
    if unknown:
        raise InputError(f"unknown source {', '.join(unknown)} (known: {', '.join(SOURCES)})")
    data = list_bytes if list_bytes is not None else read_list_source(list_source, settings)
    parse_list(data, list_source)
    run_id = started.strftime("%Y%m%dT%H%M%S%fZ")
    store = RawStore(raw_root / run_id)
    store.write_list(data)
    enabled = sources or list(SOURCES)
    skip = dict(skip or {})
    for name in SOURCES:
        if name not in enabled:
            skip.setdefault(name, "source disabled for this run")
    store.write_manifest(
        {
            "run_id": run_id,
            "started_at": started.isoformat(),
            "list_source": list_source,
            "skipped_sources": skip,
        }
    )
    return store


def plan(store: RawStore) -> dict[str, list[Entry]]:
    """The entries each source must fetch in this run (skipped and empty sources left out)."""
    manifest = store.manifest()
    parsed = parse_list(store.list_bytes(), manifest["list_source"])
    skipped = manifest.get("skipped_sources", {})
    todo = {
        name: [e for e in parsed.entries if e.kind in source.kinds]
        for name, source in SOURCES.items()
        if name not in skipped
    }
    return {name: entries for name, entries in todo.items() if entries}


def fetch_source(
    name: str,
    entries: list[Entry],
    store: RawStore,
    settings: Settings,
    progress: Progress | None = None,
) -> str | None:
    """Fetch one source's entries into the raw store.

    A source that fails entirely fails only its entries: the reason is recorded in the raw
    folder (the snapshot gives it to each of them) and returned, never raised.
    """
    try:
        SOURCES[name].fetch(entries, store, settings, progress or (lambda n: None))
    except Exception as exc:
        ours = isinstance(exc, EnrichError)
        message = str(exc) if ours else f"{type(exc).__name__}: {exc}"
        logger.error("source %s failed: %s", name, message, exc_info=not ours)
        store.put_failure(name, f"{name} failed: {message}")
        return message
    return None


def finish(
    store: RawStore,
    out_dir: Path,
    settings: Settings,
    outcomes: dict[str, Outcome] | None = None,
) -> RunResult:
    """Build the snapshot from the raw folder and publish it, unless the guard refuses it."""
    previous = _previous(out_dir)
    snapshot = build(store, previous, outcomes)
    guard(snapshot, settings.publish_max_failed_share, out_dir)
    table = to_arrow(snapshot)
    changes = diff_snapshots(previous, snapshot, table)
    published = publish(snapshot, out_dir, changes, table)
    return RunResult(
        snapshot=snapshot,
        run_dir=store.run_dir,
        published=published,
        diff=changes,
        requests={name: store.requests(name) for name in SOURCES},
        rate_limits={
            f"{name}.{resource}": used
            for name in SOURCES
            for resource, used in merge_usage(store.usage(name)).items()
        },
        source_failures=store.failures(),
    )


def guard(snapshot: Snapshot, max_failed_share: float, out_dir: Path) -> None:
    """Refuse to publish a run in which too many entries failed; keep the attempt aside."""
    tried = [e for e in snapshot.entries if e.status not in (Status.SKIPPED, Status.PENDING)]
    failed = [e for e in tried if e.status in (Status.ERROR, Status.STALE)]
    if not tried or len(failed) / len(tried) <= max_failed_share:
        return
    day = utc_date(snapshot.header.generated_at)
    rejected = out_dir / "rejected" / f"{day}-{snapshot.header.run_id}.json"
    atomic_write_bytes(rejected, to_json(snapshot))
    top = Counter(e.status_reason or "unknown" for e in failed).most_common(1)[0][0]
    raise RejectedRunError(
        f"run rejected, latest.* kept: {len(failed)} of {len(tried)} entries failed "
        f"({len(failed) / len(tried):.0%} > {max_failed_share:.0%}; most often: {top}); "
        f"the attempt is in {rejected}"
    )


def run(
    list_source: str,
    *,
    settings: Settings,
    out_dir: Path,
    raw_root: Path,
    sources: list[str] | None = None,
    skip: dict[str, str] | None = None,
    reporter: Reporter | None = None,
    now: datetime | None = None,
    list_bytes: bytes | None = None,
) -> RunResult:
    """Run the whole job once in this process; `enrich.flow` runs the same steps as tasks.

    ``skip`` maps a source name to why it is not fetched.
    """
    reporter = reporter or Reporter()
    with exclusive(out_dir):
        store = prepare(
            list_source, raw_root=raw_root, settings=settings, sources=sources, skip=skip,
            now=now, list_bytes=list_bytes,
        )  # fmt: skip
        for name, entries in plan(store).items():
            progress = reporter.start(name, len(entries))
            try:
                fetch_source(name, entries, store, settings, progress)
            finally:
                reporter.finish(name)
        return finish(store, out_dir, settings)


def _previous(out_dir: Path) -> Snapshot | None:
    path = out_dir / "latest.json"
    if not path.is_file():
        return None
    try:
        return read_snapshot(path)
    except EnrichError as exc:
        logger.warning("previous snapshot unreadable, starting a fresh history: %s", exc)
        return None


def normalize_source(name: str, entries: list[Entry], store: RawStore) -> dict[str, Outcome]:
    """``entries``' outcomes from their raw documents: pure, so a fetch task can compute them
    while slower sources are still fetching, and `build` get the same answer from the folder."""
    source = SOURCES[name]
    keys = {e.id for e in entries} if source.per_entry_documents else None
    return source.normalize(entries, store.documents(name, keys))


def build(
    store: RawStore,
    previous: Snapshot | None = None,
    outcomes: dict[str, Outcome] | None = None,
) -> Snapshot:
    """The snapshot of one raw run folder (pure over the folder's contents). ``outcomes``: what
    `normalize_source` already made of some entries (by id); the rest are normalized here."""
    manifest = store.manifest()
    parsed = parse_list(store.list_bytes(), manifest["list_source"])
    skipped: dict[str, str] = manifest.get("skipped_sources", {})
    failures = store.failures()
    known = outcomes or {}
    outcomes = {}
    for name, source in SOURCES.items():
        todo = [e for e in parsed.entries if e.kind in source.kinds]
        if name in skipped:
            outcomes.update({e.id: Outcome(Status.SKIPPED, reason=skipped[name]) for e in todo})
            continue
        rest = [e for e in todo if e.id not in known]
        found = normalize_source(name, rest, store) if rest else {}
        missing = Outcome(Status.ERROR, reason=failures.get(name, "no answer recorded"))
        outcomes.update({e.id: known.get(e.id) or found.get(e.id) or missing for e in todo})
    before = {e.id: e for e in previous.entries} if previous else {}
    entries = [_apply(e, outcomes.get(e.id), before.get(e.id)) for e in parsed.entries]
    started = datetime.fromisoformat(manifest["started_at"])
    return assemble(
        crosslinks.link(entries),
        generated_at=started,
        run_id=manifest["run_id"],
        list_source=manifest["list_source"],
        list_sha256=parsed.sha256,
        skipped=parsed.skipped,
    )


def _apply(entry: Entry, outcome: Outcome | None, before: Entry | None) -> Entry:
    if outcome is None:
        return entry
    update: dict[str, Any] = {
        "status": outcome.status,
        "status_reason": outcome.reason,
        "fetched_at": outcome.fetched_at,
    }
    if outcome.record is not None:
        update[_FIELD[type(outcome.record).__name__]] = outcome.record
    failed = outcome.status == Status.ERROR
    if failed and before is not None and before.fetched_at is not None:
        # Nothing lost: keep the last good values, say since when and why they are old.
        kept = {name: getattr(before, name) for name in _FIELD.values()}
        update = {
            **kept,
            "status": Status.STALE,
            "status_reason": outcome.reason,
            "fetched_at": before.fetched_at,
            "stale_since": before.fetched_at,
        }
    return entry.model_copy(update=update)
