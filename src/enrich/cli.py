"""The ``enrich`` command: a thin layer over the library; each command calls one function.

Every `EnrichError` becomes one line on stderr and a non-zero exit (2 for bad input), never a
traceback.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from enrich.errors import EnrichError, InputError
from enrich.listing import ParsedList, parse_list
from enrich.model import Snapshot, Status
from enrich.pipeline import Reporter, build, read_list_source, run
from enrich.raw import RawStore
from enrich.settings import BUNDLED_LIST, Settings
from enrich.snapshot import assemble, publish, read_snapshot

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Turn a curated awesome list into an enriched, versioned dataset.",
    pretty_exceptions_enable=False,
)
out = Console()

ListArg = Annotated[Path, typer.Argument(help="The Markdown list file.")]
OutOpt = Annotated[Path, typer.Option("--out", help="Folder of the published dataset.")]
RawOpt = Annotated[Path, typer.Option("--raw", help="Folder of the raw layer.")]
SourcesOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--source", help="Enable only this source (repeatable): arxiv, github, huggingface, web."
    ),
]


def read_list(path: Path) -> ParsedList:
    return parse_list(read_list_source(str(path)), str(path))


@app.command()
def parse(
    list_file: ListArg,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Print the entries of a list (no network)."""
    parsed = read_list(list_file)
    if as_json:
        payload = {
            "source": parsed.source,
            "sha256": parsed.sha256,
            "entries": [e.model_dump(mode="json", exclude_none=True) for e in parsed.entries],
            "skipped": [s.model_dump(mode="json") for s in parsed.skipped],
        }
        sys.stdout.write(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
        return
    table = Table(title=f"{parsed.source}: {len(parsed.entries)} entries")
    for column in ("kind", "id", "title", "section", "line"):
        table.add_column(column, overflow="fold")
    for entry in parsed.entries:
        table.add_row(
            entry.kind.value,
            entry.id,
            entry.title or "",
            " › ".join(entry.section),
            ",".join(str(p.line) for p in entry.positions),
        )
    out.print(table)
    for skip in parsed.skipped:
        out.print(f"skipped line {skip.line}: {skip.url} ({skip.reason})", markup=False)


@app.command()
def snapshot(list_file: ListArg, out_dir: OutOpt = Path("data/enriched")) -> None:
    """Write the list's unenriched snapshot (no network)."""
    parsed = read_list(list_file)
    now = datetime.now(UTC)
    snap = assemble(
        parsed.entries,
        generated_at=now,
        run_id=now.strftime("%Y%m%dT%H%M%SZ"),
        list_source=parsed.source,
        list_sha256=parsed.sha256,
        skipped=parsed.skipped,
    )
    for path in publish(snap, out_dir):
        out.print(f"wrote {path}", markup=False)


@app.command("run")
def run_command(
    list_file: Annotated[Path, typer.Argument(help="The Markdown list file.")] = BUNDLED_LIST,
    out_dir: OutOpt = Path("data/enriched"),
    raw_dir: RawOpt = Path("data/raw"),
    source: SourcesOpt = None,
) -> None:
    """The nightly job once, against the configured (by default, live) APIs."""
    _run(str(list_file), Settings(), out_dir, raw_dir, source, {})


@app.command()
def demo(
    out_dir: OutOpt = Path("data/enriched"),
    raw_dir: RawOpt = Path("data/raw"),
) -> None:
    """The nightly job once, offline: the bundled list against the local fake API."""
    from enrich.sandbox.server import FakeAPI

    with FakeAPI() as api:
        out.print(f"local fake API (sample data) on {api.base_url}", markup=False)
        # A little arXiv spacing keeps the demo honest about the real job's pacing.
        settings = api.settings(arxiv_delay_seconds=0.5)
        skip = {"web": "offline demo: web pages are not fetched"}
        _run(str(BUNDLED_LIST), settings, out_dir, raw_dir, None, skip)


@app.command()
def rebuild(
    raw_run: Annotated[Path, typer.Argument(help="A raw run folder, data/raw/<run-id>.")],
    out_dir: OutOpt = Path("data/enriched"),
    previous: Annotated[
        Path | None, typer.Option("--previous", help="Snapshot to carry stale values from.")
    ] = None,
) -> None:
    """Re-derive a run's snapshot from its raw folder, with no network, and publish it."""
    prior = read_snapshot(previous) if previous else None
    snap = build(RawStore(raw_run), prior)
    for path in publish(snap, out_dir):
        out.print(f"wrote {path}", markup=False)


class _Bars(Reporter):
    def __init__(self, progress: Progress) -> None:
        self.progress = progress

    def start(self, source: str, total: int):  # type: ignore[no-untyped-def]
        task = self.progress.add_task(source, total=total)
        return lambda n: self.progress.advance(task, n)


def _run(
    list_source: str,
    settings: Settings,
    out_dir: Path,
    raw_dir: Path,
    sources: list[str] | None,
    skip: dict[str, str],
) -> None:
    columns = (
        TextColumn("{task.description:<12}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=out, transient=False) as progress:
        result = run(
            list_source,
            settings=settings,
            out_dir=out_dir,
            raw_root=raw_dir,
            sources=sources,
            skip=skip,
            reporter=_Bars(progress),
        )
    print_summary(result.snapshot)
    out.print(f"raw layer: {result.run_dir}", markup=False)
    for path in result.published:
        out.print(f"wrote {path}", markup=False)


def print_summary(snap: Snapshot) -> None:
    table = Table(title=f"{snap.header.entries} entries")
    statuses = [s.value for s in Status]
    table.add_column("kind")
    for status in statuses:
        table.add_column(status, justify="right")
    kinds = sorted({e.kind.value for e in snap.entries})
    for kind in kinds:
        row = [
            sum(1 for e in snap.entries if e.kind.value == kind and e.status.value == s)
            for s in statuses
        ]
        table.add_row(kind, *[str(n) if n else "" for n in row])
    out.print(table)
    for entry in snap.entries:
        if entry.status in (Status.ERROR, Status.STALE):
            out.print(f"{entry.status.value}: {entry.id}: {entry.status_reason}", markup=False)


def main() -> None:
    """Entry point: run the app, turning our errors into one line and an exit code."""
    level = os.environ.get("ENRICH_LOG_LEVEL", "WARNING").upper()
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    # PyGithub logs every redirect it follows at INFO; the summary says what matters.
    logging.getLogger("github").setLevel(max(logging.WARNING, logging.getLogger().level))
    try:
        app(standalone_mode=False)
    except EnrichError as exc:
        # Plain write: rich would wrap a long path onto a second line.
        sys.stderr.write(f"error: {exc}\n")
        sys.exit(2 if isinstance(exc, InputError) else 1)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        sys.stderr.write("aborted\n")
        sys.exit(130)
    except Exception as exc:  # click usage errors and the like
        import click

        if isinstance(exc, click.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        raise


if __name__ == "__main__":
    main()
