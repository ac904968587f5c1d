"""The run in the Prefect UI: its summary, its entries, the changelog and the top movers, as
artifacts of the flow run (Markdown through `enrich.core.markdown`, so nothing from a list or
an upstream renders as a link or HTML)."""

from __future__ import annotations

from typing import Any

from prefect.artifacts import create_markdown_artifact, create_table_artifact

from enrich.core.changelog import changelog, top_movers
from enrich.core.markdown import md
from enrich.run.report import entry_rows, summary_markdown
from enrich.run.steps import RunResult


def for_run(result: RunResult) -> None:
    """The run's summary and its entries, in the Prefect UI."""
    create_markdown_artifact(
        key="enrich-run-summary",
        markdown=summary_markdown(result),
        description="Counts per kind and status, requests per source, failures with reasons",
    )
    create_table_artifact(
        key="enrich-entries",
        table=entry_rows(result.snapshot),
        description="Every entry of the published snapshot",
    )
    if result.diff is not None:
        create_markdown_artifact(
            key="enrich-changelog",
            markdown=changelog(result.diff),
            description="What changed since the previous snapshot",
        )
        movers: list[dict[str, Any]] = [
            dict(row)
            for row in top_movers(result.diff, "stars") + top_movers(result.diff, "downloads")
        ]
        description = "Largest star and download changes since the previous snapshot"
        if movers:
            create_table_artifact(key="enrich-top-movers", table=movers, description=description)
        else:  # said, rather than a table of one empty row (or last run's movers left standing)
            create_markdown_artifact(
                key="enrich-top-movers",
                markdown="No star or download count moved since the previous snapshot.\n",
                description=description,
            )


def for_failure(message: str) -> None:
    create_markdown_artifact(
        key="enrich-run-summary",
        markdown=f"# Nothing published\n\n{md(message)}\n",
        description="Why this run published nothing",
    )
