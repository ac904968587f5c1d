"""The upstream sources, one module each, all of one shape (`enrich.sources.base.Source`).

Adding a source is one module and one line in `SOURCES`.
"""

from __future__ import annotations

from enrich.sources.arxiv import ArxivSource
from enrich.sources.base import Outcome, Source
from enrich.sources.github import GitHubSource
from enrich.sources.huggingface import HubSource
from enrich.sources.web import WebSource

SOURCES: dict[str, Source] = {
    "arxiv": ArxivSource(),
    "github": GitHubSource(),
    "huggingface": HubSource(),
    "web": WebSource(),
}

__all__ = ["SOURCES", "Outcome", "Source"]
