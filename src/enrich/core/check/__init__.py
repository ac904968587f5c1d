"""``enrich check``: what in a list is dead, moved, duplicated, unmaintained or stale, from what
the nightly runs published, and the byte-exact patch that fixes what can be fixed. Pure: the
caller reads the list and the published dataset (`enrich.store.published`).

::

    check(list bytes, snapshot, runs, rules) -> Report     findings, each with its list lines
    apply(list bytes, report.rewrites())     -> bytes      only the reported URLs rewritten
    unified_diff(before, after, name)        -> str
    render.markdown / render.github / render.json_text     the report's three formats
"""

from __future__ import annotations

from enrich.core.check import render
from enrich.core.check.findings import Runs, check
from enrich.core.check.model import ATTENTION, Finding, FindingKind, Report, Rewrite, Rules, Run
from enrich.core.check.patch import apply, unified_diff

__all__ = [
    "ATTENTION",
    "Finding",
    "FindingKind",
    "Report",
    "Rewrite",
    "Rules",
    "Run",
    "Runs",
    "apply",
    "check",
    "render",
    "unified_diff",
]
