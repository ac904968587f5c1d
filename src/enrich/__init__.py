"""enrich: turn a curated awesome list into an enriched, versioned dataset."""

from __future__ import annotations

from enrich.errors import (
    BlockedURLError,
    ConfigError,
    EnrichError,
    InputError,
    NotFoundError,
    PublishError,
    SourceError,
    TransientError,
)
from enrich.links import Kind, SourceRef, classify, normalize_url
from enrich.listing import ParsedList, parse_list
from enrich.model import SCHEMA_VERSION, Entry, Snapshot, Status
from enrich.snapshot import assemble, publish, read_snapshot

__all__ = [
    "SCHEMA_VERSION",
    "BlockedURLError",
    "ConfigError",
    "EnrichError",
    "Entry",
    "InputError",
    "Kind",
    "NotFoundError",
    "ParsedList",
    "PublishError",
    "Snapshot",
    "SourceError",
    "SourceRef",
    "Status",
    "TransientError",
    "assemble",
    "classify",
    "normalize_url",
    "parse_list",
    "publish",
    "read_snapshot",
]
