"""Semantic Scholar's Academic Graph API, as the fake answers it under ``/s2`` (S2_API_URL).

``POST /graph/v1/paper/batch?fields=…`` with ``{"ids": [...]}`` and ``GET /graph/v1/paper/{id}``,
in the real format, quirks included:

- a batch answer is a JSON list aligned with the ids, ``null`` for an id it does not know (the
  single-paper endpoint answers 404 ``{"error": "Paper with id … not found"}``);
- ids as the API takes them: ``ARXIV:``, ``DOI:`` (case-insensitive), ``ACL:``, ``CorpusId:``,
  ``PMID:``, ``MAG:``, ``URL:`` (arxiv.org and semanticscholar.org links), a bare paper id; the
  prefix in any case;
- ``fields`` selects what an item carries, plus ``paperId`` always; without it, ``paperId`` and
  ``title``; ``references`` and ``citations`` items carry ``paperId`` and ``title``, or
  ``paperId`` and the subfields asked (``references.externalIds``);
- 400 ``{"error": "Unrecognized or unsupported fields: [a, b]"}`` for a field it has not,
  ``{"error": "Unacceptable query params: [k=v]"}`` for another parameter, an error for more
  than 500 ids or a body without ``ids``, and ``{"error": "Response would exceed maximum
  size…"}`` for an answer past 10 MB or with more than 9,999 references and citations (the
  exact texts of the last three are not in any recorded answer: these are ours);
- ``x-api-key``: with `ScholarState.api_keys` set, a key not in it is answered 403
  ``{"message": "Forbidden"}``, as the API answers a bad key; no ETag, as the API sends none.

The papers are `enrich.sandbox.sample.scholar`'s, generated from the recorded facts (sample data,
labelled), and ``s2/papers/*.json`` of the data folders (whole items; a later folder's item
replaces a generated one with the same paper id). Faults (`enrich.sandbox.server.Fault`: a 429
with Retry-After, a malformed body, a gzip bomb, a drip) apply to these paths like any other.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import unquote, urlsplit

from enrich.core.links import ARXIV_ID
from enrich.sandbox.sample.generate import load_facts
from enrich.sandbox.sample.scholar import sample_papers

MAX_IDS = 500
MAX_BYTES = 10 * 1024 * 1024
MAX_NESTED = 9999
TOO_LARGE = (
    "Response would exceed maximum size. Please break your request into smaller batches, or make "
    "use of the limit and offset features."
)
PAPER_FIELDS = frozenset({
    "paperId", "corpusId", "externalIds", "url", "title", "abstract", "venue", "publicationVenue",
    "year", "referenceCount", "citationCount", "influentialCitationCount", "isOpenAccess",
    "openAccessPdf", "fieldsOfStudy", "s2FieldsOfStudy", "publicationTypes", "publicationDate",
    "journal", "citationStyles", "authors",
})  # fmt: skip
TOP_ONLY = frozenset({"citations", "references", "embedding", "tldr"})
AUTHOR_FIELDS = frozenset({"authorId", "externalIds", "url", "name", "affiliations", "homepage",
                           "paperCount", "citationCount", "hIndex"})  # fmt: skip
NESTED = {"citations": PAPER_FIELDS, "references": PAPER_FIELDS, "authors": AUTHOR_FIELDS,
          "embedding": frozenset({"specter_v1", "specter_v2"})}  # fmt: skip
_PREFIXES = {"arxiv": "ArXiv", "doi": "DOI", "acl": "ACL", "corpusid": "CorpusId",
             "pmid": "PubMed", "pmcid": "PubMedCentral", "mag": "MAG"}  # fmt: skip
_HEX = re.compile(r"^[0-9a-fA-F]{40}$")


class FakeAPI(Protocol):
    """What these routes need of `enrich.sandbox.server.FakeAPI` (which imports them)."""

    @property
    def data_dirs(self) -> list[Path]: ...


class Handler(Protocol):
    """What these routes need of the fake's request handler."""

    @property
    def fake(self) -> FakeAPI: ...

    @property
    def method(self) -> str: ...

    @property
    def headers(self) -> Any: ...  # an email.message.Message: .get(name)

    @property
    def query(self) -> dict[str, list[str]]: ...

    def body_json(self) -> Any: ...

    def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None: ...


@dataclass
class ScholarState:
    """What a test sets on the fake's Semantic Scholar, and what it saw."""

    api_keys: set[str] | None = None  # None: any key, or none, is accepted
    keys_seen: list[str | None] = field(default_factory=list)
    max_answer_bytes: int = MAX_BYTES
    # Ids answered ``null`` as if Semantic Scholar did not know them (ARXIV:…, DOI:…).
    unknown: set[str] = field(default_factory=set)


def state(fake: FakeAPI) -> ScholarState:
    """The fake's Semantic Scholar state (made on first use)."""
    found = fake.__dict__.get("scholar")
    if not isinstance(found, ScholarState):
        found = fake.__dict__["scholar"] = ScholarState()
    return found


class ScholarRoutes:
    def __init__(self, handler: Handler) -> None:
        self.h = handler
        self.fake = handler.fake
        self.state = state(self.fake)

    def route(self, path: str) -> None:
        key = self.h.headers.get("x-api-key")
        self.state.keys_seen.append(key)
        if key is not None and self.state.api_keys is not None and key not in self.state.api_keys:
            return self._json(403, {"message": "Forbidden"})
        extra = [f"{k}={v[0]}" for k, v in self.h.query.items() if k != "fields"]
        if extra:
            return self._error(400, f"Unacceptable query params: [{', '.join(extra)}]")
        fields = self._fields()
        if isinstance(fields, str):
            return self._error(400, f"Unrecognized or unsupported fields: [{fields}]")
        if path == "/graph/v1/paper/batch" and self.h.method == "POST":
            return self.batch(fields)
        match = re.fullmatch(r"/graph/v1/paper/(.+)", path)
        if match and self.h.method in ("GET", "HEAD"):
            return self.paper(unquote(match.group(1)), fields)
        return self._error(404, "Endpoint not found")

    def batch(self, fields: list[str]) -> None:
        try:
            body = self.h.body_json()
        except ValueError:
            body = None
        ids = body.get("ids") if isinstance(body, dict) else None
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            return self._error(400, 'Invalid request body: expected {"ids": [...]}')
        if len(ids) > MAX_IDS:
            return self._error(400, f"Cannot process more than {MAX_IDS} paper ids at a time")
        index = _index(tuple(self.fake.data_dirs))
        forgotten = {_key(i) for i in self.state.unknown}
        items = [None if _key(i) in forgotten else _select(index.get(_key(i)), fields) for i in ids]
        nested = sum(len(i.get(k) or []) for i in items if i for k in ("references", "citations"))
        data = json.dumps(items).encode("utf-8")
        if nested > MAX_NESTED or len(data) > self.state.max_answer_bytes:
            return self._error(400, TOO_LARGE)
        self.h._send(200, data)

    def paper(self, paper_id: str, fields: list[str]) -> None:
        found = _index(tuple(self.fake.data_dirs)).get(_key(paper_id))
        if found is None:
            return self._error(404, f"Paper with id {paper_id} not found")
        self._json(200, _select(found, fields))

    def _fields(self) -> list[str] | str:
        """The fields asked (paperId and title without any), or the unknown ones, joined."""
        raw = self.h.query.get("fields", [""])[0]
        asked = [f.strip() for f in raw.split(",") if f.strip()] or ["title"]
        bad = [f for f in asked if not _known(f)]
        return ", ".join(bad) if bad else asked

    def _error(self, status: int, message: str) -> None:
        self._json(status, {"error": message})

    def _json(self, status: int, data: Any) -> None:
        self.h._send(status, json.dumps(data).encode("utf-8"))


def _known(name: str) -> bool:
    top, _, sub = name.partition(".")
    if not sub:
        return top in PAPER_FIELDS or top in TOP_ONLY
    return top in NESTED and sub in NESTED[top]


def _select(paper: dict[str, Any] | None, fields: list[str]) -> dict[str, Any] | None:
    """``paper`` with the fields asked (and paperId); nested lists with their subfields."""
    if paper is None:
        return None
    out: dict[str, Any] = {"paperId": paper["paperId"]}
    subfields: dict[str, list[str]] = {}
    for name in fields:
        top, _, sub = name.partition(".")
        if sub:
            subfields.setdefault(top, []).append(sub)
        else:
            subfields.setdefault(top, [])
    for top, subs in subfields.items():
        value = paper.get(top)
        if top in ("references", "citations"):
            wanted = subs or ["title"]
            value = [{"paperId": v.get("paperId"), **{s: v.get(s) for s in wanted}}
                     for v in value or []]  # fmt: skip
        elif top == "authors":
            wanted = subs or ["authorId", "name"]
            value = [{s: a.get(s) for s in wanted} for a in value or []]
        out[top] = value
    return out


def _key(paper_id: str) -> str:
    """An id as the index keys it: ``ArXiv:…``, ``DOI:…`` (lower-case), a bare paper id."""
    text = paper_id.strip()
    if _HEX.match(text):
        return text.lower()
    prefix, sep, rest = text.partition(":")
    if not sep:
        return f"?:{text}"
    if prefix.lower() == "url":
        return _url_key(rest)
    name = _PREFIXES.get(prefix.lower())
    if name is None:
        return f"?:{text}"
    return f"{name}:{rest.lower() if name == 'DOI' else rest}"


def _url_key(url: str) -> str:
    parts = urlsplit(url)
    host = parts.netloc.lower().removeprefix("www.")
    segments = [s for s in parts.path.split("/") if s]
    if host == "arxiv.org" and len(segments) >= 2 and segments[0] in ("abs", "pdf"):
        match = ARXIV_ID.match("/".join(segments[1:]).removesuffix(".pdf"))
        return f"ArXiv:{match.group('id')}" if match else f"?:{url}"
    if host == "semanticscholar.org" and segments and _HEX.match(segments[-1]):
        return segments[-1].lower()
    return f"?:{url}"


def _index(data_dirs: tuple[Path, ...]) -> dict[str, dict[str, Any]]:
    """Every paper by each of its ids: the generated sample papers, then the data folders'
    (read again when a file there changes)."""
    files = tuple(
        (path, path.stat().st_mtime_ns)
        for root in data_dirs for path in sorted((root / "s2" / "papers").glob("*.json"))
    )  # fmt: skip
    return _indexed(files)


@functools.lru_cache(maxsize=1)
def _generated() -> dict[str, dict[str, Any]]:
    return {p["paperId"]: p for p in sample_papers(load_facts())}


@functools.lru_cache(maxsize=16)
def _indexed(files: tuple[tuple[Path, int], ...]) -> dict[str, dict[str, Any]]:
    papers = dict(_generated())
    for path, _ in files:
        item = json.loads(path.read_text(encoding="utf-8"))
        papers[item["paperId"]] = item
    index: dict[str, dict[str, Any]] = {}
    for paper in papers.values():
        index[paper["paperId"].lower()] = paper
        for name, value in (paper.get("externalIds") or {}).items():
            if value is not None:
                index[f"{name}:{str(value).lower() if name == 'DOI' else value}"] = paper
    return index
