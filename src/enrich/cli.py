"""The ``enrich`` command: a thin layer over the library; each command calls one function.

Every `EnrichError` becomes one line on stderr and a non-zero exit (2 for bad input), never a
traceback.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from enrich.errors import EnrichError, InputError
from enrich.listing import ParsedList, parse_list
from enrich.settings import BUNDLED_LIST
from enrich.snapshot import assemble, publish

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Turn a curated awesome list into an enriched, versioned dataset.",
    pretty_exceptions_enable=False,
)
out = Console()

ListArg = Annotated[Path, typer.Argument(help="The Markdown list file.")]


def read_list(path: Path) -> ParsedList:
    """Read and parse a list file, with a one-line `InputError` for every bad path."""
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        raise InputError(f"{path}: is a folder, not a list file")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror})") from None
    return parse_list(data, str(path))


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
def snapshot(
    list_file: ListArg,
    out_dir: Annotated[Path, typer.Option("--out", help="Output folder.")] = Path("data/enriched"),
) -> None:
    """Write the list's (unenriched) snapshot: latest.json, latest.parquet, schema.json."""
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


@app.command()
def demo(
    out_dir: Annotated[Path, typer.Option("--out", help="Output folder.")] = Path("data/enriched"),
) -> None:
    """The nightly job once, offline, on the bundled list."""
    snapshot(BUNDLED_LIST, out_dir)


def main() -> None:
    """Entry point: run the app, turning our errors into one line and an exit code."""
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
