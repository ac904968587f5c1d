"""Every source by name, in the order of `enrich.core.specs.REGISTRY` (its pure half): adding a
source is its spec there and one line here."""

from __future__ import annotations

from enrich.core.specs import REGISTRY
from enrich.sources.arxiv import ArxivSource
from enrich.sources.base import Source
from enrich.sources.collections import CollectionSource
from enrich.sources.github import GitHubSource
from enrich.sources.huggingface import HubSource
from enrich.sources.papers import PaperSource
from enrich.sources.scholar import ScholarSource
from enrich.sources.web import WebSource

_SOURCES: tuple[Source, ...] = (
    ArxivSource(),
    GitHubSource(),
    HubSource(),
    CollectionSource(),
    WebSource(),
    PaperSource(),
    ScholarSource(),
)
SOURCES: dict[str, Source] = {source.name: source for source in _SOURCES}
assert tuple(s.spec for s in _SOURCES) == REGISTRY.sources, "one source per spec, in its order"

__all__ = ["SOURCES"]
