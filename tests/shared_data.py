"""Where the tests find the shared material that is never copied into the project.

``ENRICH_SHARED`` names the folder; by default it is ``../shared`` beside the checkout (where CI
puts it). Tests that read it skip, saying why, when it is absent."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("ENRICH_SHARED") or ROOT.parent / "shared")
REAL_LISTS = SHARED / "lists" / "real"
ABSENT = (
    f"{REAL_LISTS} is absent: the real lists are other people's files, read in place from the "
    "shared folder (ENRICH_SHARED, default ../shared beside the checkout), never copied"
)


def real_lists() -> list[Path]:
    """The real lists (the folder's README aside), by name."""
    if not REAL_LISTS.is_dir():
        return []
    return [p for p in sorted(REAL_LISTS.glob("*.md")) if p.name != "README.md"]
