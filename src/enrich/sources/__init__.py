"""The upstream sources, one module (or package) each, all of one shape
(`enrich.sources.base.Source`); `enrich.sources.registry.SOURCES` has them by name.

This package imports nothing heavy: reading a list (`listfile`) must not load every client.
"""

from __future__ import annotations

# The names of the sources, in the order runs start them (`registry` checks it has each).
# A supplementary source (papers) comes after the sources that decide its entries' status.
NAMES = ("arxiv", "github", "huggingface", "web", "papers")
