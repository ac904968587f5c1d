"""The pure half of every source's spec (`enrich.core.spec`), one module per source, and the
`REGISTRY` of them in the order runs start and apply them: a supplementary source (papers)
after the sources that decide its entries' status, and scholar after the papers source
(it asks a conference paper by its arXiv version). Adding a source is a module here (its slot
and spec), a field on `enrich.core.model.Entry`, one line below, and its fetch half in
`enrich.sources` (one line in `enrich.sources.registry`)."""

from __future__ import annotations

from enrich.core.spec import Registry
from enrich.core.specs.arxiv import ARXIV
from enrich.core.specs.collections import COLLECTIONS
from enrich.core.specs.github import GITHUB
from enrich.core.specs.huggingface import HUGGINGFACE
from enrich.core.specs.papers import PAPERS
from enrich.core.specs.scholar import SCHOLAR
from enrich.core.specs.web import WEBPAGES

REGISTRY = Registry((ARXIV, GITHUB, HUGGINGFACE, COLLECTIONS, WEBPAGES, PAPERS, SCHOLAR))

__all__ = ["REGISTRY"]
