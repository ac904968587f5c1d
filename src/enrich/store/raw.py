"""The raw store: what each upstream returned during one run, kept as received.

Layout of one run folder (``data/raw/<run-id>/``)::

    manifest.json             run id, start time, list source, skipped sources, raw format
    list.md                   the list's bytes as read
    <source>/<key>.json       one document per entry (or per batch, for arXiv), see `rawdocs`
    failures/<source>.json    why a source failed as a whole, when it did
    external.json             the repositories outside the list this run enriched (their
                              documents are the github source's, under their entry ids)

File names come from `enrich.store.files.safe_name`, so no id can name a path outside the folder.
Documents are written once and never changed: the snapshot is rebuilt from them. Their shapes
are `enrich.core.rawdocs`; the manifest's ``raw_format`` says which version wrote them, and a
folder of another format is skipped by warm-run reuse and refused by `manifest`.
"""

from __future__ import annotations

import copy
import json
import os
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, cast

from enrich.core.errors import InputError, RawFormatError
from enrich.core.rawdocs import (
    RAW_FORMAT,
    READABLE,
    ExternalPlan,
    Manifest,
    RequestCounts,
    Usage,
)
from enrich.store.files import atomic_write_bytes, safe_name

# A folder's state: its path, mtime and number of files. Documents are written once, by new
# names (a rewrite is a rename, which moves the folder's mtime): the same state holds the same
# documents. What was read from a state is kept (a few states; the newest replace the oldest).
State = tuple[str, int, int]
_COUNTED: dict[State, RequestCounts] = {}
_USAGES: dict[State, list[Any]] = {}
_KEPT = 16


def _state(folder: Path) -> State | None:
    try:
        return (str(folder.resolve()), folder.stat().st_mtime_ns, len(os.listdir(folder)))
    except (FileNotFoundError, NotADirectoryError):
        return None


def _remember(cache: dict[State, Any], state: State, value: Any) -> None:
    if len(cache) >= _KEPT:
        cache.pop(next(iter(cache)))
    cache[state] = value


class RawStore:
    """One run's raw folder."""

    def __init__(self, run_dir: Path) -> None:
        self.run_dir = run_dir

    def put(self, source: str, key: str, document: Mapping[str, Any]) -> Path:
        path = self.run_dir / safe_name(source) / f"{safe_name(key)}.json"
        data = json.dumps(document, indent=1, ensure_ascii=False, sort_keys=False)
        atomic_write_bytes(path, (data + "\n").encode("utf-8"))
        return path

    def documents(self, source: str, keys: set[str] | None = None) -> list[Any]:
        """The source's documents: all of them, or those stored under ``keys``."""
        folder = self.run_dir / safe_name(source)
        if not folder.is_dir():
            return []
        if keys is None:
            paths = sorted(folder.glob("*.json"))
        else:
            paths = [
                p for p in (folder / f"{safe_name(k)}.json" for k in sorted(keys)) if p.is_file()
            ]
        return [json.loads(p.read_text(encoding="utf-8")) for p in paths]

    def put_failure(self, source: str, message: str) -> None:
        """Record that a whole source failed, so the snapshot can say why its entries did."""
        data = json.dumps({"source": source, "message": message}, ensure_ascii=False) + "\n"
        atomic_write_bytes(self.run_dir / "failures" / f"{safe_name(source)}.json", data.encode())

    def failures(self) -> dict[str, str]:
        folder = self.run_dir / "failures"
        docs = [json.loads(p.read_text("utf-8")) for p in sorted(folder.glob("*.json"))]
        return {doc["source"]: doc["message"] for doc in docs}

    def requests(self, source: str) -> RequestCounts:
        """What ``source`` cost this run, from its raw documents: requests ``sent`` (each
        answered; retries not counted; a GraphQL batch once), answered ``not_modified`` (304,
        free of rate limit), and ``reused`` answers no request was needed for.

        Documents are read one at a time, and the count is kept per state of the folder (its
        mtime and number of files): a catalog's lists share one raw folder and each list's
        finish asks this again (680 lists reading 61,000 documents each, measured)."""
        folder = self.run_dir / safe_name(source)
        state = _state(folder)
        if state is None:
            return RequestCounts(sent=0, not_modified=0, reused=0)
        counted = _COUNTED.get(state)
        if counted is not None:
            return RequestCounts(**counted)
        sent = not_modified = reused = 0
        queries: set[str] = set()
        for path in sorted(folder.glob("*.json")):
            doc = json.loads(path.read_text(encoding="utf-8"))
            exchanges = doc.get("exchanges", doc.get("hops"))
            if not isinstance(exchanges, list):
                exchanges = [doc] if "status" in doc else []
            card = doc.get("card")
            if isinstance(card, dict) and (card.get("reused") or card.get("status")):
                exchanges = [*exchanges, card]
            for x in exchanges:
                if x.get("reused"):
                    reused += 1
                elif x.get("query_id"):
                    queries.add(x["query_id"])
                elif x.get("status") == 304:
                    not_modified += 1
                elif x.get("status"):
                    sent += 1
        counts = RequestCounts(sent=sent + len(queries), not_modified=not_modified, reused=reused)
        _remember(_COUNTED, state, counts)
        return RequestCounts(**counts)

    def previous(
        self, source: str, keys: set[str], usable: Callable[[Any], bool], runs: int = 7
    ) -> dict[str, Any]:
        """The newest usable document per key from the runs before this one (``runs`` back):
        what a warm run revalidates (ETags) or reuses (a card at an unchanged commit). Runs
        written in another raw format are skipped, never misread."""
        found: dict[str, Any] = {}
        if not self.run_dir.parent.is_dir():
            return found
        earlier = sorted(
            (p for p in self.run_dir.parent.iterdir()
             if p.name < self.run_dir.name and _readable(p)),
            reverse=True,
        )[:runs]  # fmt: skip
        for run in earlier:
            folder = run / safe_name(source)
            for key in keys - found.keys():
                path = folder / f"{safe_name(key)}.json"
                try:
                    doc = json.loads(path.read_text(encoding="utf-8"))
                except (OSError, ValueError):
                    continue
                if isinstance(doc, dict) and usable(doc):
                    found[key] = doc
        return found

    def put_usage(self, source: str, usage: Mapping[str, Usage]) -> None:
        """What one fetch task spent of an upstream's rate limits (tasks write one file each)."""
        data = json.dumps({"source": source, "usage": usage}, ensure_ascii=False) + "\n"
        name = f"{safe_name(source)}-{uuid.uuid4().hex[:12]}.json"
        atomic_write_bytes(self.run_dir / "usage" / name, data.encode())

    def usage(self, source: str) -> list[dict[str, Usage]]:
        """What each fetch task of ``source`` spent (kept per state of the folder, as
        `requests` is)."""
        folder = self.run_dir / "usage"
        state = _state(folder)
        if state is None:
            return []
        docs = _USAGES.get(state)
        if docs is None:
            docs = [json.loads(p.read_text("utf-8")) for p in sorted(folder.glob("*.json"))]
            _remember(_USAGES, state, docs)
        return [copy.deepcopy(doc["usage"]) for doc in docs if doc["source"] == source]

    def write_manifest(self, manifest: Manifest) -> Manifest:
        """Write the run's manifest, stamped with the raw format; returns it as written (what
        `manifest` reads back), so the run that wrote it need not read it."""
        stamped = cast(Manifest, {**manifest, "raw_format": RAW_FORMAT})
        data = json.dumps(stamped, indent=2, ensure_ascii=False) + "\n"
        atomic_write_bytes(self.run_dir / "manifest.json", data.encode("utf-8"))
        return stamped

    def manifest(self) -> Manifest:
        """The run's manifest; `RawFormatError` for a folder this version cannot read."""
        path = self.run_dir / "manifest.json"
        if not path.is_file():
            raise InputError(f"{self.run_dir}: not a raw run folder (no manifest.json)")
        try:
            result = json.loads(path.read_text(encoding="utf-8"))
        except ValueError:
            raise InputError(f"{self.run_dir}: manifest.json is not JSON") from None
        found = result.get("raw_format", 1) if isinstance(result, dict) else None
        if found not in READABLE:
            raise RawFormatError(
                f"{self.run_dir}: raw format {found} is not readable by this enrich "
                f"(reads {', '.join(map(str, sorted(READABLE)))}); rebuild it with the version "
                "that wrote it"
            )
        return cast(Manifest, result)

    def write_external(self, plan: ExternalPlan) -> None:
        data = json.dumps(plan, indent=1, ensure_ascii=False) + "\n"
        atomic_write_bytes(self.run_dir / "external.json", data.encode("utf-8"))

    def external(self) -> ExternalPlan | None:
        """The external repositories this run planned, or None when it planned none (the
        setting was 0, GitHub was skipped, or the folder predates them)."""
        path = self.run_dir / "external.json"
        if not path.is_file():
            return None
        return cast(ExternalPlan, json.loads(path.read_text(encoding="utf-8")))

    def write_list(self, data: bytes) -> None:
        atomic_write_bytes(self.run_dir / "list.md", data)

    def list_bytes(self) -> bytes:
        return (self.run_dir / "list.md").read_bytes()


def _readable(run_dir: Path) -> bool:
    """A run folder whose documents this version reads (its format is one of `READABLE`)."""
    try:
        manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(manifest, dict) and manifest.get("raw_format", 1) in READABLE
