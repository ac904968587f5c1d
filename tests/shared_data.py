"""Where the tests find the shared material that is never copied into the project.

``ENRICH_SHARED`` names the folder; by default it is ``../shared`` beside the checkout (where CI
puts it). Tests that read it skip, saying why, when it is absent."""

from __future__ import annotations

import functools
import os
from pathlib import Path

from enrich.core.listing import ParsedList, parse_list

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


@functools.cache
def real_list_bytes(name: str) -> bytes:
    """A real list's bytes, read once per test process."""
    return (REAL_LISTS / name).read_bytes()


@functools.cache
def parsed_real_list(name: str) -> ParsedList:
    """A real list parsed under its file name, once per test process: the forty lists are 6 MB,
    ~7 s of CPU to parse, and several modules ask questions of the same parse. Shared: a test
    reads it and never changes it (``model_copy(update=…)`` for a changed entry)."""
    return parse_list(real_list_bytes(name), name)
