"""Entries and snapshots built by hand for tests, in one place: how an `Entry` wraps a source's
record, and how entries become a snapshot. A test file keeps only its own values (the counts
its expectations are worked out from); a change to `Entry`'s shape changes this file alone."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from enrich.core.assemble import assemble
from enrich.core.links import Kind, classify
from enrich.core.model import Entry, HubRepo, Paper, Repo, Snapshot, Status, WebPage

NIGHT = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)


def entry_for(url: str, **fields: Any) -> Entry:
    """The entry the list makes of one bare link (by default no section, no position), before any
    fetch."""
    ref = classify(url)
    fields = {"urls": [url], "section": [], "positions": [], **fields}
    return Entry(id=ref.entry_id, kind=ref.kind, source_id=ref.source_id, url=url, **fields)


def entry(kind: Kind, eid: str, url: str, *, source_id: str | None = None, urls: Iterable[str] = (),
          section: Iterable[str] = (), status: Status = Status.OK, **fields: Any) -> Entry:
    """An entry of ``kind``; ``source_id`` defaults to the id's part after the prefix."""
    fields.setdefault("positions", [])
    return Entry(id=eid, kind=kind, source_id=eid.split(":", 1)[-1] if source_id is None else source_id, url=url,
                 urls=list(urls), section=list(section), status=status, **fields)  # fmt: skip


def repo_entry(record: Repo, *, listed_as: str | None = None, **fields: Any) -> Entry:
    """A listed GitHub repository (``listed_as``: the name the list links, when renamed since)."""
    name = listed_as or record.full_name
    url = f"https://github.com/{name}"
    return entry(Kind.REPO, f"github:{name.lower()}", url, source_id=name, repo=record, **fields)


def paper_entry(record: Paper, *, url: str | None = None, **fields: Any) -> Entry:
    """A listed arXiv paper (``url``: the link as listed, by default its abstract page)."""
    pid = record.arxiv_id
    return entry(Kind.PAPER, f"arxiv:{pid}", url or f"https://arxiv.org/abs/{pid}", paper=record, **fields)


def hub_entry(record: HubRepo, **fields: Any) -> Entry:
    """A listed Hugging Face dataset (or model, by the record's ``repo_type``)."""
    rid = record.repo_id
    if record.repo_type == "dataset":
        return entry(Kind.DATASET, f"hf:dataset/{rid.lower()}", f"https://huggingface.co/datasets/{rid}",
                     source_id=rid, hub=record, **fields)  # fmt: skip
    return entry(Kind.MODEL, f"hf:model/{rid.lower()}", f"https://huggingface.co/{rid}", source_id=rid, hub=record,
                 **fields)  # fmt: skip


def web_entry(url: str, web: WebPage | None = None, **fields: Any) -> Entry:
    """A listed web page; its id is its URL."""
    return entry(Kind.WEB, url, url, source_id=url, web=web, **fields)


def snap(entries: list[Entry], when: datetime = NIGHT, *, list_source: str = "list.md") -> Snapshot:
    """The snapshot of a night at ``when`` (its run id the time), of a list nobody hashed."""
    return assemble(entries, generated_at=when, run_id=when.strftime("%Y%m%dT%H%M%SZ"),
                    list_source=list_source, list_sha256="0" * 64)  # fmt: skip
