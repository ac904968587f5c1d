"""Every source by name: adding a source is one module and one line here (and its name in
`enrich.sources.NAMES`)."""

from __future__ import annotations

from enrich.sources import NAMES
from enrich.sources.arxiv import ArxivSource
from enrich.sources.base import Source
from enrich.sources.github import GitHubSource
from enrich.sources.huggingface import HubSource
from enrich.sources.papers import PaperSource
from enrich.sources.web import WebSource

SOURCES: dict[str, Source] = {
    "arxiv": ArxivSource(),
    "github": GitHubSource(),
    "huggingface": HubSource(),
    "web": WebSource(),
    "papers": PaperSource(),
}
assert tuple(SOURCES) == NAMES, "enrich.sources.NAMES must list every source"

__all__ = ["SOURCES"]
