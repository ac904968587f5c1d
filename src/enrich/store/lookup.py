"""Which entry a user means: an id, a repository's current or listed name, or a URL.

``enrich history github:huggingface/trl`` must find the entry listed as ``lvwerra/trl`` (its id
is the listed name, ``github:lvwerra/trl``; GitHub renamed it since), and a URL pasted from the
browser must find its entry. The published ``latest.parquet`` knows every entry's id, URLs and
current names; only those columns are read.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pyarrow.parquet as pq

from enrich.core.errors import InputError, RejectedURLError
from enrich.core.links import classify

# What a query is compared with (case-insensitively), besides the id itself.
_NAMES = ("repo.full_name", "repo.renamed_from", "hub.repo_id")
_URLS = ("url", "repo.html_url")


def resolve(out_dir: Path, query: str, known: Iterable[str]) -> str:
    """The id of the entry ``query`` names; ``known`` are the ids the caller holds rows for (an
    exact id among them needs no snapshot: an entry the list dropped keeps its history)."""
    query = query.strip()
    ids = set(known)
    if query in ids:
        return query
    rows = _rows(out_dir / "latest.parquet")
    matches = sorted({str(row["id"]) for row in rows if _matches(row, query)})
    if len(matches) > 1:
        raise InputError(f"{query}: ambiguous, it names {', '.join(matches)}")
    if matches:
        return matches[0]
    raise InputError(f"{query}: not in the history of {out_dir}")


def _rows(path: Path) -> list[dict[str, object]]:
    if not path.is_file():
        return []
    columns = ["id", "urls", *_NAMES, *_URLS]
    table = pq.read_table(path, columns=columns)
    by_leaf = {c.rsplit(".", 1)[-1]: c for c in columns}  # pyarrow names them by their leaf
    rows: list[dict[str, object]] = table.rename_columns(
        [by_leaf[n] for n in table.column_names]
    ).to_pylist()
    return rows


def _matches(row: dict[str, object], query: str) -> bool:
    wanted = query.casefold()
    if str(row["id"]).casefold() == wanted:
        return True
    name = wanted.removeprefix("github:")
    if any(isinstance(row[c], str) and str(row[c]).casefold() == name for c in _NAMES):
        return True
    if "://" not in query:
        return False
    urls = [row[c] for c in _URLS] + list(row["urls"] or [])  # type: ignore[call-overload]
    if any(isinstance(u, str) and u.rstrip("/").casefold() == wanted.rstrip("/") for u in urls):
        return True
    try:
        return classify(query).entry_id == row["id"]
    except RejectedURLError:
        return False
