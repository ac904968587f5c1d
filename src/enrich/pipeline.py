"""The nightly job as plain functions: read the list, fetch each source, rebuild, publish.

`run` is the imperative shell (network, files). `build` is the functional core: list bytes +
raw documents + the previous snapshot -> the new snapshot, with no network; ``enrich rebuild``
calls it on a raw run folder and gets what the live run published.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from enrich import crosslinks
from enrich.errors import EnrichError, InputError
from enrich.listing import parse_list
from enrich.model import Entry, Snapshot, Status
from enrich.raw import RawStore
from enrich.settings import Settings
from enrich.snapshot import assemble, publish, read_snapshot
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


def read_list_source(source: str) -> bytes:
    """The list's bytes from a local path, with a one-line `InputError` for every bad path."""
    path = Path(source)
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        raise InputError(f"{path}: is a folder, not a list file")
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror})") from None


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
    """Run the whole job once. ``skip`` maps a source name to why it is not fetched."""
    reporter = reporter or Reporter()
    started = now or datetime.now(UTC)
    data = list_bytes if list_bytes is not None else read_list_source(list_source)
    parsed = parse_list(data, list_source)
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
    for name, source in SOURCES.items():
        todo = [e for e in parsed.entries if e.kind in source.kinds]
        if name in skip or not todo:
            continue
        progress = reporter.start(name, len(todo))
        try:
            source.fetch(todo, store, settings, progress)
        except EnrichError as exc:  # a source that fails entirely fails only its entries
            logger.error("source %s failed: %s", name, exc)
        except Exception:
            logger.exception("source %s failed", name)
        finally:
            reporter.finish(name)
    previous = _previous(out_dir)
    snapshot = build(store, previous)
    published = publish(snapshot, out_dir)
    return RunResult(snapshot=snapshot, run_dir=store.run_dir, published=published)


def _previous(out_dir: Path) -> Snapshot | None:
    path = out_dir / "latest.json"
    if not path.is_file():
        return None
    try:
        return read_snapshot(path)
    except EnrichError as exc:
        logger.warning("previous snapshot unreadable, starting a fresh history: %s", exc)
        return None


def build(store: RawStore, previous: Snapshot | None = None) -> Snapshot:
    """The snapshot of one raw run folder (pure over the folder's contents)."""
    manifest = store.manifest()
    parsed = parse_list(store.list_bytes(), manifest["list_source"])
    skipped: dict[str, str] = manifest.get("skipped_sources", {})
    outcomes: dict[str, Outcome] = {}
    for name, source in SOURCES.items():
        todo = [e for e in parsed.entries if e.kind in source.kinds]
        if name in skipped:
            outcomes.update({e.id: Outcome(Status.SKIPPED, reason=skipped[name]) for e in todo})
            continue
        found = source.normalize(todo, store.documents(name))
        for entry in todo:
            outcomes[entry.id] = found.get(entry.id) or Outcome(
                Status.ERROR, reason="no answer recorded"
            )
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
