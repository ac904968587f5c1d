"""The upstream sources, one module (or package) each, all of one shape
(`enrich.sources.base.Source`); `enrich.sources.registry.SOURCES` has them by name.

This package imports nothing heavy: reading a list (`listfile`) must not load every client.
"""

from __future__ import annotations

from enrich.core.specs import REGISTRY

# The names of the sources, in the order runs start them (their specs' order,
# `enrich.core.specs.REGISTRY`): a supplementary source (papers) after the sources that decide
# its entries' status.
NAMES = REGISTRY.names
