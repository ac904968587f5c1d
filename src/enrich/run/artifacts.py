"""The run in the Prefect UI: its summary, its entries, the list check, the changelog and the
top movers (with each counter whose spec asks for movers), as artifacts of the flow run
(Markdown through `enrich.core.markdown`, so nothing from a list or an upstream renders as a
link or HTML)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from prefect.artifacts import create_link_artifact, create_markdown_artifact, create_table_artifact

from enrich.core.changelog import changelog
from enrich.core.check import render
from enrich.core.markdown import md
from enrich.core.score import Mover
from enrich.core.spec import Registry
from enrich.core.specs import REGISTRY
from enrich.run.steps import RunResult
from enrich.run.summary import entry_rows, summary_markdown, view_links


def for_run(result: RunResult, public_url: str | None = None) -> None:
    """The run's summary and its entries, in the Prefect UI; with ``public_url`` (where the
    dataset folder is served), a link to the report and to the enriched list too."""
    create_markdown_artifact(
        key="enrich-run-summary",
        markdown=summary_markdown(result, public_url),
        description="Links to the report and the enriched list, counts per kind and status, "
        "requests per source, failures with reasons",
    )
    if public_url:
        for label, url in view_links(result, public_url).items():
            create_link_artifact(key=f"enrich-{label.replace(' ', '-')}", link=url, link_text=label)
    create_table_artifact(
        key="enrich-entries",
        table=entry_rows(result.snapshot),
        description="Every entry of the published snapshot",
    )
    if result.check is not None:
        create_markdown_artifact(
            key="enrich-check",
            markdown=render.markdown(result.check),
            description="What in the list is dead, moved, listed twice, unmaintained or stale",
        )
    if result.diff is not None:
        create_markdown_artifact(
            key="enrich-changelog",
            markdown=changelog(result.diff),
            description="What changed since the previous snapshot",
        )
        movers = mover_rows(result.movers)
        description = (
            "The entries whose score moved most since the previous snapshot, with the change "
            "of each counter their sources count (score: enrich.core.score)"
        )
        if movers:
            create_table_artifact(key="enrich-top-movers", table=movers, description=description)
        else:  # said, rather than a table of one empty row (or last run's movers left standing)
            create_markdown_artifact(
                key="enrich-top-movers",
                markdown="No score or count moved since the previous snapshot.\n",
                description=description,
            )


def mover_rows(movers: Sequence[Mover], registry: Registry = REGISTRY) -> list[dict[str, Any]]:
    """The movers as a table: one ``<counter>_delta`` column for each counter that moved in
    any row (`Registry.movers`, in its order: ``stars_delta``, ``citations_delta``…), so that
    a source's new counter shows with no name written here."""
    fields = [f for f in registry.movers if any(f in m["deltas"] for m in movers)]
    rows = []
    for mover in movers:
        row: dict[str, Any] = {k: v for k, v in mover.items() if k != "deltas"}
        rows.append(row | {f"{f}_delta": mover["deltas"].get(f) for f in fields})
    return rows


def for_failure(message: str) -> None:
    create_markdown_artifact(
        key="enrich-run-summary",
        markdown=f"# Nothing published\n\n{md(message)}\n",
        description="Why this run published nothing",
    )
