"""The published diffs read back: ``diffs/YYYY-MM-DD.json``, newest first, for the views that
look back over several runs (the feed).

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

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}\.json")
_KEYS = ("first_run", "to", "summary", "events", "added")


def recent(out_dir: Path, count: int, before: str | None = None) -> tuple[Diff, ...]:
    """Up to ``count`` published diffs, newest first; ``before`` (a day, YYYY-MM-DD): only the
    days before it (the day a run is about to replace is not read)."""
    folder = out_dir / "diffs"
    if count <= 0 or not folder.is_dir():
        return ()
    days = sorted((p for p in folder.iterdir() if _DAY.fullmatch(p.name)), reverse=True)
    found: list[Diff] = []
    for path in days:
        if len(found) >= count:
            break
        if before is not None and path.stem >= before:
            continue
        try:
            data = json.loads(path.read_bytes())
            if not isinstance(data, dict) or any(k not in data for k in _KEYS):
                raise ValueError("not a diff")
            found.append(cast(Diff, data))
        except (OSError, ValueError) as exc:
            logger.warning("%s skipped: unreadable diff (%s)", path, exc)
    return tuple(found)
