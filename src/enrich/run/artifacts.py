"""The run in the Prefect UI: its summary, its entries, the list check, the changelog and the
top movers, as artifacts of the flow run (Markdown through `enrich.core.markdown`, so nothing
from a list or an upstream renders as a link or HTML)."""

from __future__ import annotations

from typing import Any

from prefect.artifacts import create_link_artifact, create_markdown_artifact, create_table_artifact

from enrich.core.changelog import changelog
from enrich.core.check import render
from enrich.core.markdown import md
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
        movers: list[dict[str, Any]] = [dict(row) for row in result.movers]
        description = (
            "The entries whose score moved most since the previous snapshot, with their star "
            "and download changes (score: enrich.core.score)"
        )
        if movers:
            create_table_artifact(key="enrich-top-movers", table=movers, description=description)
        else:  # said, rather than a table of one empty row (or last run's movers left standing)
            create_markdown_artifact(
                key="enrich-top-movers",
                markdown="No score, star or download count moved since the previous snapshot.\n",
                description=description,
            )


def for_failure(message: str) -> None:
    create_markdown_artifact(
        key="enrich-run-summary",
        markdown=f"# Nothing published\n\n{md(message)}\n",
        description="Why this run published nothing",
    )
