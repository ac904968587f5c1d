"""The ``enrich`` command: a thin layer over the library; each command calls one function.

Every `EnrichError` becomes one line on stderr and a non-zero exit (2 for bad input), never a
traceback. Heavy modules (Prefect, pyarrow, polars, the clients) are imported inside the
commands that use them, so ``enrich parse`` starts fast.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from enrich.core.errors import EnrichError, InputError
from enrich.core.listing import ParsedList, parse_list
from enrich.core.model import Status
from enrich.core.settings import BUNDLED_LIST
from enrich.sources.listfile import read_list_source

if TYPE_CHECKING:
    from rich.progress import Progress

    from enrich.run.report import RunSummary

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
        "--source",
        help="Enable only this source (repeatable): arxiv, github, huggingface, web, papers.",
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
    from enrich.core.assemble import assemble
    from enrich.store.files import exclusive
    from enrich.store.publish import publish

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
    with exclusive(out_dir):
        written = publish(snap, out_dir)
    for path in written:
        out.print(f"wrote {path}", markup=False)


TaskRunnerOpt = Annotated[
    str, typer.Option("--task-runner", help="threads (this process) or dask (ENRICH_DASK_ADDRESS).")
]


@app.command("run")
def run_command(
    list_source: Annotated[
        str,
        typer.Argument(help="A list file, an https URL, or github:OWNER/REPO/PATH[@REF]."),
    ] = str(BUNDLED_LIST),
    out_dir: OutOpt = Path("data/enriched"),
    raw_dir: RawOpt = Path("data/raw"),
    source: SourcesOpt = None,
    task_runner: TaskRunnerOpt = "threads",
) -> None:
    """The nightly flow once, on Prefect's embedded local API, against the live APIs."""
    if not list_source.startswith(("github:", "https://", "http://")):
        read_list(Path(list_source))  # a bad local path fails now, before Prefect starts
    _run_flow(list_source, out_dir, raw_dir, source, None, task_runner)


DEMO_NOTICE = (
    "Sample data: built by enrich demo from the local fake API's generated sample data, "
    "not from the live APIs."
)


@app.command()
def demo(
    out_dir: OutOpt = Path("data/enriched"),
    raw_dir: RawOpt = Path("data/raw"),
    task_runner: TaskRunnerOpt = "threads",
    list_file: Annotated[
        Path, typer.Option("--list", help="Another list file (default: the bundled list).")
    ] = BUNDLED_LIST,
    data: Annotated[
        list[Path] | None,
        typer.Option("--data", help="A sample-data folder layered over the bundled one."),
    ] = None,
) -> None:
    """The nightly flow once, offline: the bundled list against the local fake API."""
    from enrich.sandbox.server import FakeAPI

    read_list(list_file)
    for folder in data or []:
        if not folder.is_dir():
            raise InputError(f"{folder}: not a sample-data folder")
    with FakeAPI(data or []) as api:
        out.print(f"local fake API (sample data) on {api.base_url}", markup=False)
        # A little arXiv spacing keeps the demo honest about the real job's pacing.
        for name in ("GITHUB_TOKEN", "GH_TOKEN", "HF_TOKEN"):
            os.environ.pop(name, None)
        os.environ.update(api.environment(arxiv_delay_seconds=0.5))
        # The card, Croissant file and feed say what this is: sample data, not live facts.
        os.environ.setdefault("ENRICH_DATASET_NOTICE", DEMO_NOTICE)
        if list_file == BUNDLED_LIST:  # jordimas/awesome-RLHF-language-models is CC0
            os.environ.setdefault("ENRICH_DATASET_LICENSE", "cc0-1.0")
        skip = {"web": "offline demo: web pages are not fetched"}
        _run_flow(str(list_file), out_dir, raw_dir, None, skip, task_runner)


@app.command()
def serve(
    list_source: Annotated[
        str, typer.Option("--list", help="List source of the deployment's default parameters.")
    ] = str(BUNDLED_LIST),
    out_dir: OutOpt = Path("data/enriched"),
    raw_dir: RawOpt = Path("data/raw"),
    cron: Annotated[str, typer.Option(help="Schedule, in UTC.")] = "0 3 * * *",
) -> None:
    """Serve the `nightly` deployment (cron, UTC) until stopped; needs a Prefect server."""
    from enrich.run.flow import serve_nightly

    if Path(list_source).exists():  # flow runs start in their own working folder
        list_source = str(Path(list_source).resolve())
    serve_nightly(list_source, str(out_dir.resolve()), str(raw_dir.resolve()), cron)


@app.command()
def rebuild(
    raw_run: Annotated[Path, typer.Argument(help="A raw run folder, data/raw/<run-id>.")],
    out_dir: OutOpt = Path("data/enriched"),
    previous: Annotated[
        Path | None, typer.Option("--previous", help="Snapshot to carry stale values from.")
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Publish even if the publish guard refuses it.")
    ] = False,
) -> None:
    """Re-derive a run's snapshot from its raw folder, with no network, and publish it (the
    publish guard applies, as to a run; --force bypasses it)."""
    from enrich.core.settings import Settings
    from enrich.run.job import rebuild as rebuild_run
    from enrich.store.codec import read_snapshot

    prior = read_snapshot(previous) if previous else None
    result = rebuild_run(raw_run, out_dir, Settings(), prior, force=force)
    for path in result.published:
        out.print(f"wrote {path}", markup=False)


@app.command("publish")
def publish_command(
    to: Annotated[str, typer.Option("--to", help="The Hub dataset repository, OWNER/NAME.")],
    data: Annotated[Path, typer.Option("--data", help="Folder of the published dataset.")] = Path(
        "data/enriched"
    ),
) -> None:
    """Upload the published dataset to a Hub dataset repository, in one commit of what changed
    (HF_TOKEN, or the Prefect Secret block named by ENRICH_HF_TOKEN_BLOCK)."""
    from enrich.run.publishing import publish_to_hub
    from enrich.run.report import hub_line, hub_summary

    out.print(hub_line(hub_summary(publish_to_hub(data, to))), markup=False)


@app.command()
def diff(
    old: Annotated[Path, typer.Argument(help="The older snapshot (JSON or Parquet).")],
    new: Annotated[Path, typer.Argument(help="The newer snapshot (JSON or Parquet).")],
    as_json: Annotated[bool, typer.Option("--json", help="The machine-readable diff.")] = False,
) -> None:
    """What changed between two snapshot files, as a changelog (or JSON)."""
    from enrich.core.changelog import changelog
    from enrich.store.compare import diff_files, to_json_bytes

    changes = diff_files(old, new)
    if as_json:
        sys.stdout.write(to_json_bytes(changes).decode("utf-8"))
    else:
        sys.stdout.write(changelog(changes))


@app.command()
def history(
    entry_id: Annotated[str, typer.Argument(help="An entry id, e.g. github:huggingface/trl.")],
    out_dir: OutOpt = Path("data/enriched"),
    as_json: Annotated[bool, typer.Option("--json", help="JSON rows instead of a table.")] = False,
) -> None:
    """One entry's counters over time, from the published history."""
    from enrich.store.history import read

    rows = read(out_dir, entry_id)
    if rows.is_empty():
        raise InputError(f"{entry_id}: not in the history of {out_dir}")
    rows = rows.select([c for c in rows.columns if not rows[c].is_null().all()])
    rows = rows.drop("date", "kind").with_columns(
        rows["observed_at"].dt.strftime("%Y-%m-%d %H:%M").alias("observed_at")
    )
    if as_json:
        sys.stdout.write(json.dumps(rows.to_dicts(), indent=2) + "\n")
        return
    table = Table(title=entry_id)
    for column in rows.columns:
        if column != "id":
            table.add_column(column, justify="right" if rows[column].dtype.is_numeric() else "left")
    for row in rows.drop("id").iter_rows():
        table.add_row(*["" if v is None else str(v) for v in row])
    out.print(table)


CheckFormat = Annotated[
    str, typer.Option("--format", help="markdown, json, or github (workflow-command annotations).")
]
FailOnOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--fail-on",
        help="Finding kinds that make the exit code 1 (repeatable or comma-separated; "
        "dead, moved, duplicate, unmaintained, stale, flaky, all, none). "
        "Default: dead, moved, duplicate.",
    ),
]


@app.command("check")
def check_command(
    list_file: Annotated[Path, typer.Argument(help="The Markdown list file.")] = BUNDLED_LIST,
    data_dir: Annotated[
        Path, typer.Option("--data", help="Folder of the published dataset.")
    ] = Path("data/enriched"),
    output: CheckFormat = "markdown",
    fix: Annotated[
        bool, typer.Option("--fix", help="Print the patch that rewrites moved links (a diff).")
    ] = False,
    write: Annotated[
        bool, typer.Option("--write", help="With --fix: replace the list file with the patch.")
    ] = False,
    fail_on: FailOnOpt = None,
) -> None:
    """What in the list is dead, moved, listed twice, unmaintained or stale, from the published
    dataset (no network); exit 1 when a --fail-on finding is there, 0 when clean."""
    from enrich.core.check import ATTENTION, FindingKind, render
    from enrich.core.settings import Settings
    from enrich.run.check import check_list, fix_list

    if output not in ("markdown", "json", "github"):
        raise InputError(f"--format {output}: expected markdown, json or github")
    if write and not fix:
        raise InputError("--write replaces the list with the patch: give --fix too")
    kinds = _finding_kinds(fail_on, [k.value for k in FindingKind], [k.value for k in ATTENTION])
    if str(list_file).startswith(("github:", "https:", "http:")):
        raise InputError(f"{list_file}: enrich check reads (and patches) a local file, no URL")
    data = read_list_source(str(list_file))
    report = check_list(data, str(list_file), data_dir, Settings())
    if fix:
        patched = fix_list(list_file, data, report, write)
        sys.stdout.write(patched.diff)
        rewrites = len(report.rewrites())
        done = f"wrote {list_file}" if patched.written else "--write replaces the file"
        said = f"{rewrites} link(s) rewritten; {done}" if rewrites else "nothing to fix"
        sys.stderr.write(said + "\n")
    elif output == "json":
        sys.stdout.write(render.json_text(report))
    elif output == "github":
        sys.stdout.write(render.github(report, list_file.as_posix()))
    else:
        sys.stdout.write(render.markdown(report))
    failing = report.failing([FindingKind(k) for k in kinds], fixed=fix and write)
    if failing:
        raise typer.Exit(1)


def _finding_kinds(given: list[str] | None, known: list[str], default: list[str]) -> list[str]:
    """``--fail-on`` values: repeatable, comma-separated, ``all`` or ``none``."""
    if not given:
        return default
    kinds: list[str] = []
    for value in ",".join(given).split(","):
        name = value.strip().lower()
        if name == "all":
            kinds += known
        elif name != "none" and name not in known:
            raise InputError(f"--fail-on {name}: expected one of {', '.join(known)}, all, none")
        elif name in known:
            kinds.append(name)
    return kinds


@app.command()
def render(
    out_dir: OutOpt = Path("data/enriched"),
    sort: Annotated[
        str | None,
        typer.Option("--sort", help="Order within list.md's sections: list, stars or score."),
    ] = None,
    min_score: Annotated[
        float | None,
        typer.Option("--min-score", help="Leave entries scoring below out of list.md."),
    ] = None,
) -> None:
    """Regenerate the views (list.md, index.html, …) from the published files (no network)."""
    from pydantic import ValidationError

    from enrich.core.settings import Settings
    from enrich.run.render import render as render_views

    overrides: dict[str, object] = {}
    if sort is not None:
        overrides["list_sort"] = sort
    if min_score is not None:
        overrides["list_min_score"] = min_score
    try:
        settings = Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        raise InputError(f"--sort {sort}: expected list, stars or score") from exc
    for path in render_views(out_dir, settings):
        out.print(f"wrote {path}", markup=False)


class _Bars:
    """A reporter (`enrich.run.job.Reporter`) drawing one rich progress bar per source."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress

    def start(self, source: str, total: int) -> Callable[[int], None]:
        task = self.progress.add_task(source, total=total)
        return lambda n: self.progress.advance(task, n)

    def finish(self, source: str) -> None:
        pass


def _run_flow(
    list_source: str,
    out_dir: Path,
    raw_dir: Path,
    sources: list[str] | None,
    skip: dict[str, str] | None,
    task_runner: str,
) -> None:
    if task_runner not in ("threads", "dask"):
        raise InputError(f"--task-runner {task_runner}: expected threads or dask")
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from enrich.run.flow import enrich_awesome_list, reporting

    columns = (
        TextColumn("{task.description:<12}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=out, transient=False) as progress, reporting(_Bars(progress)):
        state = enrich_awesome_list(
            list_source=list_source,
            out_dir=str(out_dir),
            raw_dir=str(raw_dir),
            sources=sources,
            skip=skip,
            task_runner=task_runner,
            return_state=True,
        )
    if not state.is_completed():
        raise EnrichError(state.message or f"flow run ended {state.name}")
    summary: RunSummary = state.result()  # type: ignore[assignment]
    print_summary(summary)


def print_summary(summary: RunSummary) -> None:
    table = Table(title=f"{summary['entries']} entries")
    statuses = [s.value for s in Status]
    table.add_column("kind")
    for status in statuses:
        table.add_column(status, justify="right")
    for kind, row in summary["by_kind_status"].items():
        table.add_row(kind, *[str(row.get(s, "")) for s in statuses])
    out.print(table)
    requests = ", ".join(
        f"{name} {n['sent']}" + (f" (+{n['not_modified']} 304, {n['reused']} reused)"
                                 if n["not_modified"] or n["reused"] else "")
        for name, n in summary["requests"].items()
    )  # fmt: skip
    out.print(f"requests: {requests}", markup=False)
    for name, used in summary.get("rate_limits", {}).items():
        left = f", {used['remaining']} of {used['limit']} left" if used["limit"] else ""
        if used.get("deferred"):  # work the budget could not cover: done on a later night
            left += f", {used['deferred']} deferred to a later night (resets {used['reset']})"
        out.print(f"rate limit {name}: spent {used['spent']}{left}", markup=False)
    for name, why in summary["source_failures"].items():
        out.print(f"source {name} failed: {why}", markup=False)
    for entry_id, why in summary["problems"].items():
        out.print(f"{entry_id}: {why}", markup=False)
    for path in summary["published"]:
        out.print(f"wrote {path}", markup=False)
    if summary.get("hub"):
        from enrich.run.report import hub_line

        out.print(hub_line(summary["hub"]), markup=False)  # type: ignore[arg-type]


def prepare_environment() -> str:
    """Prefect's settings for the CLI, set before Prefect is imported; returns the log level.

    Its console logging only when asked for (the summary and the one-line error say what
    matters), no telemetry, and time for the embedded API's first start (migrations)."""
    level = os.environ.get("ENRICH_LOG_LEVEL", "WARNING").upper()
    prefect_level = level if "ENRICH_LOG_LEVEL" in os.environ else "CRITICAL"
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", prefect_level)
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    return level


def main() -> None:
    """Entry point: run the app, turning our errors into one line and an exit code."""
    level = prepare_environment()
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    # PyGithub logs every redirect it follows at INFO; the summary says what matters.
    logging.getLogger("github").setLevel(max(logging.WARNING, logging.getLogger().level))
    try:
        code = app(standalone_mode=False)  # a command's typer.Exit(n) comes back as n
        if isinstance(code, int) and code:
            sys.exit(code)
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
