"""``enrich check`` wired to files: the list and the published dataset in, the report (and the
patched list) out. The same function serves the command and the nightly run, which checks its
own list right after publishing and writes ``check.md`` / ``check.json`` beside the dataset.
"""

from __future__ import annotations

import hashlib
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from enrich.core.check import Report, Rules, apply, check, render, unified_diff
from enrich.core.errors import EnrichError, InputError
from enrich.core.listing import ParsedList
from enrich.core.model import Snapshot
from enrich.core.settings import Settings
from enrich.run.state import Listing
from enrich.store.files import atomic_write_bytes
from enrich.store.published import read_latest, recent_runs

logger = logging.getLogger(__name__)


def rules(settings: Settings) -> Rules:
    return Rules(
        dead_after_runs=settings.check_dead_after_runs,
        stale_after_runs=settings.check_stale_after_runs,
        unmaintained_days=settings.check_unmaintained_days,
    )


def check_list(
    data: bytes,
    source: str,
    out_dir: Path,
    settings: Settings,
    latest: Snapshot | None = None,
    parsed: ParsedList | None = None,
) -> Report:
    """The report on the list ``data`` from the dataset published in ``out_dir``; ``latest``:
    its ``latest.json``, and ``parsed``: ``data`` parsed, when the caller holds them already
    (the run that just published it)."""
    given = rules(settings)
    latest = latest if latest is not None else read_latest(out_dir)
    days = max(given.dead_after_runs, given.stale_after_runs + 1)
    runs = recent_runs(out_dir, latest, days=days, reasons=days)
    report = check(data, source, latest, runs, given, parsed)
    if report.checked == 0:  # a dataset of another list: "clean" would be a lie
        raise InputError(
            f"{out_dir}: the published dataset has none of the entries of {source} "
            f"(it is of {latest.header.list_source}): run `enrich run {source}` first"
        )
    return report


@dataclass(frozen=True)
class Fix:
    diff: str  # unified diff; empty when nothing is rewritten
    patched: bytes
    written: bool


def patch_name(path: Path, start: Path | None = None) -> tuple[str, Path | None]:
    """How a patch names the list so that ``git apply`` (and ``patch -p1``) take it: relative to
    the current folder when the file is under it; else relative to the top of the git work tree
    holding it (returned too: where to apply it); else by its name, in its own folder. Never
    absolute (``a//home/…``) nor with ``..``, which ``git apply`` rejects."""
    where = Path(os.path.abspath(path))  # ".." folded: "../x.md" is not under here
    here = Path(os.path.abspath(start or Path.cwd()))
    if where.is_relative_to(here):
        return where.relative_to(here).as_posix(), None
    for folder in where.parents:
        if (folder / ".git").exists():
            return where.relative_to(folder).as_posix(), folder
    return where.name, where.parent


def fix_list(path: Path, data: bytes, report: Report, write: bool, name: str | None = None) -> Fix:
    """The list with the report's rewrites made; with ``write``, replacing ``path`` atomically
    (refused if the file changed since it was read: the rewrites name its lines). ``name``:
    the file's name in the diff (`patch_name`)."""
    patched = apply(data, report.rewrites())
    diff = unified_diff(data, patched, name or patch_name(path)[0])
    if not write or patched == data:
        return Fix(diff, patched, False)
    now = path.read_bytes()
    if hashlib.sha256(now).hexdigest() != report.list_sha256:
        raise InputError(f"{path}: changed while it was checked; run enrich check again")
    atomic_write_bytes(path, patched)
    return Fix(diff, patched, True)


def publish_check(
    listing: Listing, out_dir: Path, settings: Settings, latest: Snapshot | None = None
) -> tuple[Report, list[Path]]:
    """The nightly step after publish: the run's own list (``list.md`` of its raw folder, as
    the run parsed it) checked against what was just published (``latest``: that snapshot, not
    read back: the read-back copy was the run's peak of memory), written as ``check.md`` and
    ``check.json``."""
    data, source = listing.list_bytes(), listing.manifest["list_source"]
    report = check_list(data, source, out_dir, settings, latest, listing.parsed)
    files = {
        out_dir / "check.md": render.markdown(report).encode("utf-8"),
        out_dir / "check.json": render.json_text(report).encode("utf-8"),
    }
    for path, content in files.items():
        atomic_write_bytes(path, content)
    logger.info("check: %s", render.summary(report))
    return report, list(files)


def try_publish_check(
    listing: Listing, out_dir: Path, settings: Settings, latest: Snapshot | None = None
) -> tuple[Report | None, list[Path]]:
    """`publish_check`, whose failure is logged and costs only the report: the dataset is
    already published when it runs."""
    try:
        return publish_check(listing, out_dir, settings, latest)
    except Exception as exc:
        ours = isinstance(exc, EnrichError)
        logger.warning("check not written: %s", exc, exc_info=not ours)
        return None, []
