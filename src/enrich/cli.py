"""The ``enrich`` command: a thin layer over the library; each command calls one function.

Every `EnrichError` becomes one line on stderr and a non-zero exit (2 for bad input), never a
traceback; a usage error is typer's usage message and exit 2; SIGTERM or Ctrl-C during a run
ends it at once with one line (exit 143 or 130). Heavy modules (Prefect, pyarrow, polars, the
clients) are imported inside the commands that use them, so ``enrich parse`` starts fast.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NamedTuple

import typer
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from enrich.core.errors import ConfigError, EnrichError, InputError
from enrich.core.listing import ParsedList, parse_list
from enrich.core.model import Status
from enrich.core.settings import BUNDLED_LIST, CHECKOUT_LIST
from enrich.sources.listfile import (
    BUNDLED,
    as_given,
    default_list_source,
    is_remote,
    local_path,
    read_list_source,
)

if TYPE_CHECKING:
    from rich.progress import Progress

    from enrich.run.summary import RunSummary

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Turn a curated awesome list into an enriched, versioned dataset.",
    pretty_exceptions_enable=False,
)
out = Console()

# Help texts go through rich markup: "[@REF]" would be read as a style tag and vanish.
LIST_SOURCES = r"a list file, an https URL, or github:OWNER/REPO/PATH\[@REF]"
ListArg = Annotated[str, typer.Argument(help=f"The list: {LIST_SOURCES}.")]
# Which list a command reads when given none (`enrich.sources.listfile.default_list_source`).
DEFAULT_LIST = f"{CHECKOUT_LIST} under this folder, else bundled:{BUNDLED_LIST.name}"
QuietOpt = Annotated[
    bool, typer.Option("--quiet", "-q", help="No progress and no summary, only errors (cron).")
]
OutOpt = Annotated[Path, typer.Option("--out", help="Folder of the published dataset.")]
RawOpt = Annotated[Path, typer.Option("--raw", help="Folder of the raw layer.")]
SourcesOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--source",
        help="Enable only this source (repeatable): arxiv, github, huggingface, collections, "
        "web, papers, scholar.",
    ),
]


def read_list(source: str) -> ParsedList:
    """Any list source `enrich run` reads (a path, an https URL, ``github:…``), parsed."""
    return parse_list(read_list_source(source), source)


def _show_version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        out.print(f"enrich {version('enrich')}", markup=False)
        raise typer.Exit()


@app.callback()
def _options(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_show_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """Turn a curated awesome list into an enriched, versioned dataset."""


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
        title, item = Text(entry.title or ""), entry.items[0].title if entry.items else None
        if item and item != entry.title:
            title.append(f"\nin: {item}", "dim")  # the item's title, when it is another
        table.add_row(
            entry.kind.value,
            entry.id,
            title,
            " › ".join(entry.section),
            ",".join(str(p.line) for p in entry.positions),
        )
    out.print(table)
    for skip in parsed.skipped:
        out.print(f"skipped line {skip.line}: {skip.url} ({skip.reason})", markup=False)


@app.command()
def snapshot(
    list_file: ListArg,
    out_dir: Annotated[
        Path,
        typer.Option(
            "--out", help="Folder to write (required; never a folder holding an enriched dataset)."
        ),
    ],
) -> None:
    """Write the list's unenriched snapshot (no network but the list's own source)."""
    from enrich.core.assemble import assemble
    from enrich.core.graph import with_graph
    from enrich.store.files import exclusive
    from enrich.store.publish import publish, refuse_enriched

    parsed = read_list(as_given(list_file))
    refuse_enriched(out_dir)
    now = datetime.now(UTC)
    snap = assemble(
        with_graph(list(parsed.entries))[0],  # the ties the list itself makes (same_item, code)
        generated_at=now,
        run_id=now.strftime("%Y%m%dT%H%M%SZ"),
        list_source=parsed.source,
        list_title=parsed.title,
        list_sha256=parsed.sha256,
        skipped=list(parsed.skipped),
    )
    with exclusive(out_dir):
        refuse_enriched(out_dir)  # again, under the lock: a run may have published meanwhile
        written = publish(snap, out_dir)
    out.print(f"wrote {len(written)} files to {out_dir}", markup=False)


TaskRunnerOpt = Annotated[
    str, typer.Option("--task-runner", help="threads (this process) or dask (ENRICH_DASK_ADDRESS).")
]


@app.command("run")
def run_command(
    list_sources: Annotated[
        list[str] | None,
        typer.Argument(
            help=f"The list ({LIST_SOURCES}); several: a catalog run.", show_default=DEFAULT_LIST
        ),
    ] = None,
    out_dir: OutOpt = Path("data/enriched"),
    raw_dir: RawOpt = Path("data/raw"),
    source: SourcesOpt = None,
    task_runner: TaskRunnerOpt = "threads",
    follow: Annotated[
        bool, typer.Option("--follow", help="Also every list the lists link (a catalog run).")
    ] = False,
    max_lists: Annotated[
        int, typer.Option("--max-lists", min=1, help="A catalog run reads at most N lists.")
    ] = 50,
    quiet: QuietOpt = False,
) -> None:
    """The nightly flow once, on Prefect's embedded local API, against the live APIs. Several
    lists, or --follow: a catalog run (each list under OUT/lists/<slug>/, OUT/catalog/)."""
    from enrich.run.steps import check_sources

    check_sources(source)  # arguments first: a typo never starts Prefect
    given = list_sources or []
    if len(given) > 1 or follow:
        _preflight_folders(out_dir, raw_dir, task_runner)
        lists = [as_given(s) for s in given] or [as_given(default_list_source())]
        _run_catalog_flow(lists, out_dir, raw_dir, source, task_runner, follow, max_lists, quiet)
        return
    ready = _preflight(given[0] if given else None, out_dir, raw_dir, task_runner)
    _run_flow(ready, out_dir, raw_dir, source, None, task_runner, quiet)


def _run_catalog_flow(
    list_sources: list[str],
    out_dir: Path,
    raw_dir: Path,
    sources: list[str] | None,
    task_runner: str,
    follow: bool,
    max_lists: int,
    quiet: bool,
) -> None:
    """A catalog run in this process (`_run_flow` for several lists): one line per list."""
    quiet_prefect_console()
    if quiet:
        _console.setLevel(logging.ERROR)
    from enrich.run.flow import check_api, enrich_awesome_list

    check_api()
    with _stoppable():
        state = enrich_awesome_list(
            out_dir=str(out_dir), raw_dir=str(raw_dir), sources=sources, task_runner=task_runner,
            list_sources=list_sources, follow=follow, max_lists=max_lists, return_state=True,
        )  # fmt: skip
    if not state.is_completed():
        raise EnrichError(state.message or f"flow run ended {state.name}")
    said: Any = state.result()
    if quiet:
        return
    for slug, one in said["lists"].items():
        out.print(f"lists/{slug}: {one['entries']} entries from {one['list_source']}", markup=False)
    for name, why in said["failed"].items():
        out.print(f"not published: {name}: {why}", markup=False, soft_wrap=True)
    out.print(f"catalog: {out_dir / 'catalog'}", markup=False)
    if said.get("hub"):
        from enrich.run.summary import hub_line

        out.print(hub_line(said["hub"]), markup=False, soft_wrap=True)


DEMO_NOTICE = (
    "Sample data: built by enrich demo from the local fake API's generated sample data, "
    "not from the live APIs."
)


class Ready(NamedTuple):
    """The list as `_preflight` read it: the run takes it as it is (neither read nor parsed
    again)."""

    source: str  # as the run names it (`as_given`)
    data: bytes
    parsed: ParsedList


def _preflight(list_source: str | None, out_dir: Path, raw_dir: Path, task_runner: str) -> Ready:
    """Every input checked before Prefect starts (one line and exit 2 rather than a flow run
    that fails ten seconds later): the task runner, the folders, and the list itself, read and
    parsed (a URL too)."""
    _preflight_folders(out_dir, raw_dir, task_runner)
    given = as_given(list_source or default_list_source())
    data = read_list_source(given)
    return Ready(given, data, parse_list(data, given))


def _preflight_folders(out_dir: Path, raw_dir: Path, task_runner: str) -> None:
    """The task runner and the folders a run writes, checked before Prefect starts."""
    if task_runner not in ("threads", "dask"):
        raise InputError(f"--task-runner {task_runner}: expected threads or dask")
    if task_runner == "dask":
        from enrich.run.flow import dask_runner

        try:
            dask_runner()
        except ConfigError as exc:
            raise InputError(f"--task-runner {exc}") from None
    _check_writable(out_dir, lock_beside=True)
    _check_writable(raw_dir)


def _check_writable(folder: Path, lock_beside: bool = False) -> None:
    """A folder a run writes can be written (and the folder above it, ``lock_beside``, where
    the dataset's lock is): a file is made and removed in it, or in the nearest folder above
    it that exists (where the run would create it). Tried, not asked (`os.access`): root may
    write where the mode says no, and no one writes on a read-only mount."""
    import tempfile

    where = folder.absolute()
    if where.exists() and not where.is_dir():
        raise InputError(f"{folder}: is a file, not a folder")
    if where.is_dir():
        probes = [where, where.parent] if lock_beside else [where]
    else:
        above = where.parent
        while not above.exists():
            above = above.parent
        if not above.is_dir():
            raise InputError(f"{folder}: {above} is a file, not a folder")
        probes = [above]
    for probe in probes:
        try:
            with tempfile.TemporaryFile(dir=probe, prefix=".enrich-probe-"):
                pass
        except OSError as exc:
            raise InputError(f"{folder}: cannot write in {probe} ({exc.strerror})") from None


@app.command()
def demo(
    out_dir: OutOpt = Path("data/enriched"),
    raw_dir: RawOpt = Path("data/raw"),
    task_runner: TaskRunnerOpt = "threads",
    list_file: Annotated[
        str | None,
        typer.Option("--list", help=f"Another list: {LIST_SOURCES}.", show_default=DEFAULT_LIST),
    ] = None,
    data: Annotated[
        list[Path] | None,
        typer.Option("--data", help="A sample-data folder layered over the bundled one."),
    ] = None,
    quiet: QuietOpt = False,
) -> None:
    """The nightly flow once, offline: the bundled list against the local fake API."""
    from enrich.sandbox.coverage import NO_SAMPLE, notice, without_sample
    from enrich.sandbox.server import ANONYMOUS_RATE_LIMIT, FakeAPI

    for folder in data or []:
        if not folder.is_dir():
            raise InputError(f"{folder}: not a sample-data folder")
    early = None
    if list_file is None or not is_remote(list_file):  # a URL is read from the fake, below
        early = _preflight(list_file, out_dir, raw_dir, task_runner)
    # The demo is anonymous, so its fake GitHub allows what GitHub allows anonymously.
    with FakeAPI(data or [], anonymous_limit=ANONYMOUS_RATE_LIMIT) as api:
        # A little arXiv spacing keeps the demo honest about the real job's pacing.
        for name in ("GITHUB_TOKEN", "GH_TOKEN", "HF_TOKEN"):
            os.environ.pop(name, None)
        os.environ.update(api.environment(arxiv_delay_seconds=0.5))
        ready = early or _preflight(list_file, out_dir, raw_dir, task_runner)
        if not quiet:
            out.print(f"local fake API (sample data) on {api.base_url}", markup=False)
        # The card, Croissant file and feed say what this is: sample data, not live facts.
        os.environ.setdefault("ENRICH_DATASET_NOTICE", DEMO_NOTICE)
        if list_file is None:  # the first list, jordimas/awesome-RLHF-language-models: CC0
            os.environ.setdefault("ENRICH_DATASET_LICENSE", "cc0-1.0")
        skip = {"web": "offline demo: web pages are not fetched"}
        entries = list(ready.parsed.entries)  # those the sample data cannot answer
        missing = without_sample(api, entries)
        if missing:
            sys.stderr.write(notice(missing, len(entries)) + "\n")
        skip |= {entry.id: NO_SAMPLE for entry in missing}
        _run_flow(ready, out_dir, raw_dir, None, skip, task_runner, quiet)


@app.command()
def serve(
    list_source: Annotated[
        str | None,
        typer.Option(
            "--list",
            help=f"The deployment's default list: {LIST_SOURCES}.",
            show_default=DEFAULT_LIST,
        ),
    ] = None,
    out_dir: OutOpt = Path("data/enriched"),
    raw_dir: RawOpt = Path("data/raw"),
    cron: Annotated[str, typer.Option(help="Schedule, in UTC.")] = "0 3 * * *",
) -> None:
    """Serve the `nightly` deployment (cron, UTC) until stopped; needs a Prefect server."""
    from enrich.run.flow import serve_nightly

    # Served flow runs start in this folder, as prefect.yaml's start in the checkout: paths
    # stay as given, and the list is named alike whichever way the deployment runs.
    given = as_given(list_source or default_list_source())
    if not is_remote(given):  # a local list that is not there fails now, not every night
        parse_list(read_list_source(given), given)
    _check_writable(out_dir, lock_beside=True)
    _check_writable(raw_dir)
    serve_nightly(given, str(out_dir), str(raw_dir), cron)


@app.command()
def rebuild(
    raw_run: Annotated[Path, typer.Argument(help="A raw run folder, data/raw/<run-id>.")],
    out_dir: OutOpt = Path("data/enriched"),
    previous: Annotated[
        Path | None, typer.Option("--previous", help="Snapshot to carry stale values from.")
    ] = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force", help="Publish even past the publish guard, or over a newer run's latest.*."
        ),
    ] = False,
) -> None:
    """Re-derive a run's snapshot from its raw folder, with no network, and publish it, compared
    with the snapshot published before that run (the publish guard applies, as to a run, and a
    run older than latest.* is refused; --force bypasses both). A catalog run's folder: every
    list under OUT/lists/<slug>/ and OUT/catalog/, as the run wrote them."""
    from enrich.core.settings import Settings
    from enrich.run.job import CatalogResult
    from enrich.run.rebuild import rebuild as rebuild_run
    from enrich.store.codec import read_snapshot

    prior = read_snapshot(previous) if previous else None
    result = rebuild_run(raw_run, out_dir, Settings(), prior, force=force)
    if not isinstance(result, CatalogResult):
        where_to_look([str(p) for p in result.published], out_dir)
        return
    for slug, one in result.results.items():
        out.print(f"lists/{slug}: {one.summary['entries']} entries", markup=False)
    for name, why in result.failed.items():
        out.print(f"not published: {name}: {why}", markup=False, soft_wrap=True)
    out.print(f"catalog: {out_dir / 'catalog'}", markup=False)


@app.command()
def prune(
    out_dir: OutOpt = Path("data/enriched"),
    raw_dir: RawOpt = Path("data/raw"),
    keep_runs: Annotated[
        int | None,
        typer.Option("--keep-runs", min=1, help="Raw runs kept, newest first.", show_default="7"),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="List what would be removed; remove nothing.")
    ] = False,
) -> None:
    """Remove the raw runs and the snapshots past the retention policy (ENRICH_KEEP_*): the raw
    layer of the newest runs, every day's snapshot for 90 days, then weekly; never latest.*,
    history/ or diffs/. Works on one list's folder and on a catalog's."""
    from enrich.core.settings import Settings
    from enrich.run.retention import prune as prune_folders

    settings = Settings()
    if keep_runs is not None:
        settings = settings.model_copy(update={"keep_runs": keep_runs})
    done = prune_folders(out_dir, raw_dir, settings, dry_run=dry_run)
    if dry_run:
        for removal in done.removed:
            out.print(f"{removal.path}  ({removal.why})", markup=False, soft_wrap=True)
    out.print(done.line(), markup=False, soft_wrap=True)


@app.command("publish")
def publish_command(
    to: Annotated[str, typer.Option("--to", help="The Hub dataset repository, OWNER/NAME.")],
    data: Annotated[Path, typer.Option("--data", help="Folder of the published dataset.")] = Path(
        "data/enriched"
    ),
) -> None:
    """Upload the published dataset to a Hub dataset repository, in one commit of what changed
    (HF_TOKEN, or the Prefect Secret block named by ENRICH_HF_TOKEN_BLOCK)."""
    from enrich.run.summary import hub_line, hub_summary
    from enrich.run.upload import publish_to_hub

    out.print(hub_line(hub_summary(publish_to_hub(data, to))), markup=False)


@app.command()
def diff(
    old: Annotated[Path, typer.Argument(help="The older snapshot (JSON or Parquet).")],
    new: Annotated[Path, typer.Argument(help="The newer snapshot (JSON or Parquet).")],
    as_json: Annotated[bool, typer.Option("--json", help="The machine-readable diff.")] = False,
) -> None:
    """What changed between two snapshot files, as a changelog (or JSON)."""
    from enrich.core.changelog import changelog
    from enrich.core.settings import Settings
    from enrich.store.compare import diff_files, to_json_bytes

    changes = diff_files(old, new, hub_adoption_min=Settings().hub_adoption_min)
    if as_json:
        sys.stdout.write(to_json_bytes(changes).decode("utf-8"))
    else:
        sys.stdout.write(changelog(changes))


@app.command()
def history(
    entry: Annotated[
        str,
        typer.Argument(
            help="An entry: its id (github:lvwerra/trl), a repository's current name "
            "(github:huggingface/trl, huggingface/trl), or its URL."
        ),
    ],
    out_dir: OutOpt = Path("data/enriched"),
    as_json: Annotated[bool, typer.Option("--json", help="JSON rows instead of a table.")] = False,
) -> None:
    """One entry's counters over time, from the published history."""
    from enrich.store.history import read
    from enrich.store.lookup import resolve

    every = read(out_dir)
    entry_id = resolve(out_dir, entry, every["id"].unique().to_list())
    rows = every.filter(every["id"] == entry_id)
    rows = rows.select([c for c in rows.columns if not rows[c].is_null().all()])
    rows = rows.drop("date", "kind").with_columns(
        rows["observed_at"].dt.strftime("%Y-%m-%d %H:%M").alias("observed_at")
    )
    if as_json:
        sys.stdout.write(json.dumps(rows.to_dicts(), indent=2) + "\n")
        return
    table = Table(title=entry_id, box=box.SIMPLE_HEAD)
    for column in rows.columns:
        if column != "id":  # a long name on two lines (commits_ / 30d), never cut
            numeric = rows[column].dtype.is_numeric()
            table.add_column(
                "_\n".join(column.split("_")), justify="right" if numeric else "left", no_wrap=True
            )
    for row in rows.drop("id").iter_rows():
        table.add_row(*["" if v is None else str(v) for v in row])
    _print_whole(table)


def _print_whole(table: Table) -> None:
    """Print at the table's natural width when the terminal is narrower: a terminal wraps the
    lines, where rich would cut the columns (and their names) short."""
    from rich.measure import Measurement

    natural = Measurement.get(out, out.options.update(max_width=10_000), table).maximum
    Console(file=out.file, width=max(out.width, natural)).print(table)


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
    list_file: Annotated[
        str | None,
        typer.Argument(help="The Markdown list file (a local path).", show_default=DEFAULT_LIST),
    ] = None,
    data_dir: Annotated[
        Path, typer.Option("--data", help="Folder of the published dataset.")
    ] = Path("data/enriched"),
    output: CheckFormat = "markdown",
    fix: Annotated[
        bool, typer.Option("--fix", help="Print the patch that rewrites moved links (a diff).")
    ] = False,
    write: Annotated[
        bool,
        typer.Option("--write", help="With --fix: patch the list file named (FILE is required)."),
    ] = False,
    fail_on: FailOnOpt = None,
) -> None:
    """What in the list is dead, moved, listed twice, unmaintained or stale, from the published
    dataset (no network); exit 1 when a --fail-on finding is there, 0 when clean."""
    from enrich.core.check import ATTENTION, FindingKind, render
    from enrich.core.settings import Settings
    from enrich.run.check import check_list, fix_list, patch_name

    if output not in ("markdown", "json", "github"):
        raise InputError(f"--format {output}: expected markdown, json or github")
    if write and not fix:
        raise InputError("--write replaces the list with the patch: give --fix too")
    if write and list_file is None:  # never a file the user did not name
        raise InputError("--write patches the list file you name: enrich check FILE --fix --write")
    kinds = _finding_kinds(fail_on, [k.value for k in FindingKind], [k.value for k in ATTENTION])
    if list_file is not None and list_file.startswith(("github:", "https:", "http:")):
        raise InputError(f"{list_file}: enrich check reads (and patches) a local file, no URL")
    source = as_given(list_file or default_list_source())
    if write and source.startswith(BUNDLED):
        raise InputError(
            f"{list_file}: the list bundled in the package is never rewritten; check a copy of it"
        )
    path = local_path(source)
    data = read_list_source(source)
    report = check_list(data, source, data_dir, Settings())
    if fix:
        name, top = patch_name(path)
        patched = fix_list(path, data, report, write, name)
        sys.stdout.write(patched.diff)
        rewrites = len(report.rewrites())
        done = f"wrote {list_file}" if patched.written else "--write replaces the file"
        if source.startswith(BUNDLED):
            done = "the list bundled in the package is never rewritten: check a copy of it"
        elif top is not None and patched.diff:  # the patch's paths are the git work tree's
            done += f"; git apply the patch in {top}"
        said = f"{rewrites} link(s) rewritten; {done}" if rewrites else "nothing to fix"
        sys.stderr.write(said + "\n")
    elif output == "json":
        sys.stdout.write(render.json_text(report))
    elif output == "github":
        sys.stdout.write(render.github(report, patch_name(path)[0]))
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
        typer.Option(
            "--min-score",
            help="Leave out of list.md the entries below this percentile of their kind (0-100).",
        ),
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
        if exc.errors()[0]["loc"][:1] == ("list_min_score",):
            raise InputError(f"--min-score {min_score:g}: expected a percentile, 0 to 100") from exc
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
    ready: Ready,
    out_dir: Path,
    raw_dir: Path,
    sources: list[str] | None,
    skip: dict[str, str] | None,
    task_runner: str,
    quiet: bool = False,
) -> None:
    """The flow once in this process, on the list `_preflight` read (``ready``): progress
    bars, then the summary (neither with ``quiet``)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    quiet_prefect_console()
    if quiet:
        _console.setLevel(logging.ERROR)
    from enrich.run.flow import check_api, enrich_awesome_list, given_list, reporting

    check_api()  # a configured server that is down: one line now, not a crash mid-run
    columns = (
        TextColumn("{task.description:<12}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    list_source = ready.source
    with (
        _stoppable(),
        Progress(*columns, console=out, transient=False, disable=quiet) as progress,
        reporting(_Bars(progress)),
        given_list(ready.parsed, ready.data),
    ):
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
    if not quiet:
        print_summary(summary, out_dir)


# Entries in error or stale listed one by one in the summary; the rest are counted (all of them
# are in the report, and in check.md).
SHOWN_PROBLEMS = 10


def print_summary(summary: RunSummary, out_dir: Path) -> None:
    """The run in a screenful: counts by kind and status (its title names each source that
    failed), requests, rate limits, what failed, then what was published and, last, where to
    look."""
    from enrich.run.summary import failed_sources

    table = Table(
        title=f"{summary['entries']} entries" + failed_sources(summary["source_failures"])
    )
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
    out.print(f"requests: {requests}", markup=False, soft_wrap=True)
    for name, used in summary.get("rate_limits", {}).items():
        left = f", {used['remaining']} of {used['limit']} left" if used["limit"] else ""
        if used.get("deferred"):  # work the budget could not cover: done on a later night
            left += f", {used['deferred']} deferred to a later night (resets {used['reset']})"
        out.print(f"rate limit {name}: spent {used['spent']}{left}", markup=False, soft_wrap=True)
    for name, why in summary["source_failures"].items():
        out.print(f"source {name} failed: {why}", markup=False, soft_wrap=True)
    problems = list(summary["problems"].items())
    for entry_id, why in problems[:SHOWN_PROBLEMS]:
        out.print(f"{entry_id}: {why}", markup=False, soft_wrap=True)
    if len(problems) > SHOWN_PROBLEMS:
        more = len(problems) - SHOWN_PROBLEMS
        out.print(
            f"… and {more} more stale or in error (the report lists them)",
            markup=False,
            soft_wrap=True,
        )
    if summary.get("hub"):
        from enrich.run.summary import hub_line

        out.print(hub_line(summary["hub"]), markup=False, soft_wrap=True)  # type: ignore[arg-type]
    where_to_look(summary["published"], out_dir)


def where_to_look(published: list[str], out_dir: Path) -> None:
    """The last lines of a run: how much it published, and the report to open (whole lines,
    however long the path: rich would wrap them at the terminal's width)."""
    out.print(f"published {len(published)} files to {out_dir}", markup=False, soft_wrap=True)
    report = next((p for p in map(Path, published) if p == out_dir / "index.html"), None)
    if report is not None:
        out.print(f"open {report}", markup=False, soft_wrap=True)


class Stopped(BaseException):
    """SIGTERM or Ctrl-C during a run. Not an `Exception`, so that no ``except Exception`` on
    its way out (a fetch task's crash isolation) takes it for a failure and carries on."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


@contextmanager
def _stoppable() -> Iterator[None]:
    """SIGTERM and SIGINT raise `Stopped` in the main thread for the duration. Inside the flow
    Prefect's own handler turns SIGTERM into its `TerminationSignal`, marks the flow run
    crashed, then hands the signal back to this one; the flow abandons its task threads
    (`enrich.run.flow`), so a request that hangs cannot hold the run."""

    def stop(signum: int, frame: object) -> None:
        raise Stopped(signum)

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _exit_now(code: int) -> None:
    """Exit without joining the threads of abandoned requests (they may hang for as long as
    their upstream does): the exit handlers run (Prefect stops the local API it started), the
    kernel releases the output folder's lock, the temp files are swept by the next run."""
    import atexit

    sys.stdout.flush()
    sys.stderr.flush()
    atexit._run_exitfuncs()
    os._exit(code)


def prepare_environment() -> str:
    """Prefect's settings for the CLI, set before Prefect is imported; returns the log level.

    No telemetry, and time for the embedded API's first start (migrations)."""
    level = os.environ.get("ENRICH_LOG_LEVEL", "WARNING").upper()
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    return level


def quiet_prefect_console() -> None:
    """The one-shot commands (`run`, `demo`) show Prefect's console logs only when asked
    (``ENRICH_LOG_LEVEL``): the progress bars, the summary and the one-line error say what
    matters. Not `serve`: its flow runs log to the Prefect server like any flow's."""
    level = os.environ.get("ENRICH_LOG_LEVEL", "CRITICAL").upper()
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", level)


class _Ours(logging.Filter):
    """The console shows enrich's own log lines, and other libraries' from ERROR up: their
    warnings are per request (a retry, a slow answer, a service still flushing at exit), and
    the run's summary says what they came to. ``ENRICH_LOG_LEVEL`` set: everything, at that
    level."""

    def __init__(self, everything: bool) -> None:
        super().__init__()
        self.everything = everything

    def filter(self, record: logging.LogRecord) -> bool:
        ours = record.name == "enrich" or record.name.startswith("enrich.")
        return self.everything or ours or record.levelno >= logging.ERROR


class ConsoleHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """A handler writing to ``sys.stderr`` as it is when a line is logged (not when the handler
    was made): the same one serves every `main` of a process. (Its name must not start with
    ``_``: Prefect's logging setup replaces the root's handlers unless one looks like a
    user's, and a class named ``_…`` does not.)"""

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, value: Any) -> None:
        pass


_console = ConsoleHandler()
_console.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))


def _log_to_console(level: str) -> None:
    """Log lines to stderr, as `_Ours` lets them through (``--quiet``: errors only)."""
    _console.filters = [_Ours(everything="ENRICH_LOG_LEVEL" in os.environ)]
    _console.setLevel(logging.NOTSET)
    root = logging.getLogger()
    root.addHandler(_console)  # once: adding it again changes nothing
    root.setLevel(level)


def main(args: list[str] | None = None, prog_name: str = "enrich") -> None:
    """Entry point: run the app; a usage error is typer's message and exit 2, our errors one
    line and exit 2 (bad input) or 1, a stopped run one line and 128 + the signal."""
    level = prepare_environment()
    _log_to_console(level)
    try:
        app(args=args, prog_name=prog_name)  # standalone: typer prints usage errors, exits 2
    except EnrichError as exc:
        # Plain write: rich would wrap a long path onto a second line.
        sys.stderr.write(f"error: {exc}\n")
        sys.exit(2 if isinstance(exc, InputError) else 1)
    except Stopped as stop:
        name = signal.Signals(stop.signum).name
        sys.stderr.write(f"error: stopped by {name}: run abandoned, no file left half-written\n")
        _exit_now(128 + stop.signum)


if __name__ == "__main__":
    main()
