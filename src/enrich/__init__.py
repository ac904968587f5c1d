"""enrich: turn a curated awesome list into an enriched, versioned dataset.

The public API, imported lazily (``import enrich`` loads nothing heavy; each name loads its own
module on first use)::

    enrich.parse_list(data, source)            Markdown -> entries (`enrich.core.listing`)
    enrich.classify(url)                       URL -> kind and stable id (`enrich.core.links`)
    enrich.run_job(Job(...))                   the nightly job once (`enrich.run.job`)
    enrich.read_snapshot(path)                 a published snapshot, JSON or Parquet

Layers, imports pointing one way (checked by the import-linter contract in pyproject.toml)::

    cli  ->  run  ->  sources | store  ->  core
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "SCHEMA_VERSION": "enrich.core.model",
    "Entry": "enrich.core.model",
    "Snapshot": "enrich.core.model",
    "Status": "enrich.core.model",
    "Kind": "enrich.core.links",
    "SourceRef": "enrich.core.links",
    "classify": "enrich.core.links",
    "normalize_url": "enrich.core.links",
    "ParsedList": "enrich.core.listing",
    "parse_list": "enrich.core.listing",
    "assemble": "enrich.core.assemble",
    "BlockedURLError": "enrich.core.errors",
    "ConfigError": "enrich.core.errors",
    "EnrichError": "enrich.core.errors",
    "InputError": "enrich.core.errors",
    "NotFoundError": "enrich.core.errors",
    "PublishError": "enrich.core.errors",
    "SourceError": "enrich.core.errors",
    "TransientError": "enrich.core.errors",
    "Settings": "enrich.core.settings",
    "read_snapshot": "enrich.store.codec",
    "publish": "enrich.store.publish",
    "Job": "enrich.run.job",
    "run_job": "enrich.run.job",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'enrich' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
