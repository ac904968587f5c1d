"""The published diffs read back (the files under ``diffs/``; computing a diff is
`enrich.core.diff`, of stored snapshots `enrich.store.compare`), newest first, for the views that
look back over several runs (the feed): every run's own diff, ``diffs/runs/<run-id>.json``. A day's
file (``diffs/YYYY-MM-DD.json``, the day's latest run) is read only for a day with no run files (a
folder published before they existed), so a rerun never hides the run it followed.

Each file is this module's own output (`enrich.store.compare.to_json_bytes`), but a file that
no longer reads (hand-edited, truncated, an older layout) costs only itself: it is skipped with a
warning, and the views are rendered from the rest.
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from typing import cast

from enrich.core.diff import Diff

logger = logging.getLogger(__name__)

_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})\.json")
_RUN = re.compile(r"(\d{8})T\d+Z\.json")
_KEYS = ("first_run", "to", "summary", "events", "added")


def recent(out_dir: Path, count: int, before: str | None = None) -> tuple[Diff, ...]:
    """Up to ``count`` published diffs, newest first; ``before`` (a run id): only the runs
    before that one (the run being published or rendered is not read back)."""
    folder = out_dir / "diffs"
    if count <= 0 or not folder.is_dir():
        return ()
    runs = folder / "runs"
    # (sort key, path): run ids sort by time; a day's file stands for that day's last run.
    found: dict[str, Path] = {}
    if runs.is_dir():
        found = {p.stem: p for p in runs.iterdir() if _RUN.fullmatch(p.name)}
    days = {key[:8] for key in found}
    for path in folder.iterdir():
        match = _DAY.fullmatch(path.name)
        if match and "".join(match.groups()) not in days:
            found["".join(match.groups()) + "T~"] = path  # after any run id of that day
    diffs: list[Diff] = []
    for key in sorted(found, reverse=True):
        if len(diffs) >= count:
            break
        path = found[key]
        try:
            data = json.loads(path.read_bytes())
            if not isinstance(data, dict) or any(k not in data for k in _KEYS):
                raise ValueError("not a diff")
        except (OSError, ValueError) as exc:
            logger.warning("%s skipped: unreadable diff (%s)", path, exc)
            continue
        run_id = str(data["to"].get("run_id", "")) if isinstance(data["to"], dict) else ""
        if before is not None and run_id >= before:
            continue  # this run, or one after it (a rebuild of an older run)
        diffs.append(cast(Diff, data))
    return tuple(diffs)
