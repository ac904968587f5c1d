"""The history: one row per entry per run day, as a Hive-partitioned Parquet dataset.

``history/date=YYYY-MM-DD/part-0.parquet`` holds, for each entry of that day's snapshot, its id,
kind, status, when it was observed, and every counter. A rerun replaces its own day's file
(atomically); earlier days are never rewritten. pyarrow, DuckDB and polars read the folder as one
table with a ``date`` column taken from the folder names::

    pl.read_parquet("data/enriched/history/**/*.parquet", hive_partitioning=True)
    duckdb.sql("select * from read_parquet('data/enriched/history/*/*.parquet',
                hive_partitioning = true)")
    pyarrow.dataset.dataset("data/enriched/history", partitioning="hive").to_table()
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import polars as pl
import pyarrow as pa

from enrich.core.diff import frame
from enrich.core.errors import InputError
from enrich.core.model import Header, utc_date
from enrich.core.spec import Registry
from enrich.core.specs import REGISTRY


def history_columns(registry: Registry = REGISTRY) -> tuple[str, ...]:
    """An entry's row: who, when, its paper's version, and every source's counters (their
    specs', in registry order)."""
    return ("id", "kind", "status", "observed_at", "version", *registry.counters)


HISTORY_COLUMNS = history_columns()


def partition(out_dir: Path, header: Header) -> Path:
    return day_file(out_dir / "history", utc_date(header.generated_at))


def day_file(folder: Path, day: str) -> Path:
    """A day's file of a Hive-partitioned history ``folder`` (a list's ``history/``, or one of
    the catalog's: `enrich.store.catalog`)."""
    return folder / f"date={day}" / "part-0.parquet"


def rows(table: pa.Table, header: Header, registry: Registry = REGISTRY) -> pa.Table:
    """The history rows of one snapshot (no ``date`` column: the folder name is the date)."""
    return rows_of(frame(table, registry), header, registry)


def rows_of(flat: pl.DataFrame, header: Header, registry: Registry = REGISTRY) -> pa.Table:
    """`rows` from the snapshot's compared fields (`enrich.core.diff.frame`), when the caller
    has them already (a run: its diff read the same frame)."""
    stamped = flat.with_columns(
        pl.lit(header.generated_at).cast(pl.Datetime("us", "UTC")).alias("observed_at")
    )
    return stamped.select(history_columns(registry)).sort("id").to_arrow()


# How far back the rows a run hands its views reach (`with_run`), in days before the run's day.
# The views read no further: the trend is over 30 days (`enrich.views.facts.TREND_DAYS`), and
# the sparklines draw at most 40 points. Reading every day instead made a night's cost grow with
# the history's age (a year: 365 files of the whole list, every night). The folder itself keeps
# every day (`read`, ``enrich history``), and the card counts them by name (`day_count`).
VIEW_DAYS = 90


def with_run(
    out_dir: Path,
    table: pa.Table,
    header: Header,
    registry: Registry = REGISTRY,
    day_rows: pa.Table | None = None,
    view_days: int | None = VIEW_DAYS,
) -> pl.DataFrame:
    """The rows of the last ``view_days`` days (None: every day; and any later ones) as they
    will be once this run is published: those days on disk, this run's day replaced by its rows
    (what the views of a run read). ``day_rows``: this run's rows (`rows`), when the caller has
    them already."""
    day = utc_date(header.generated_at)
    current = pl.from_arrow(day_rows if day_rows is not None else rows(table, header, registry))
    assert isinstance(current, pl.DataFrame)
    current = current.with_columns(pl.lit(day).alias("date"))
    since = "" if view_days is None else str(date.fromisoformat(day) - timedelta(days=view_days))
    files = [f for f in _files(out_dir / "history") if _day(f) >= since and _day(f) != day]
    if not files:
        return current
    before = _read(files).with_columns(pl.col("date").cast(pl.String))
    return pl.concat([before, current], how="diagonal_relaxed").sort("observed_at", "id")


def day_count(out_dir: Path, header: Header) -> int:
    """How many days the history holds once this run is published: its day folders that hold
    a file, this run's day among them (their names alone: no file is read)."""
    dates = {_day(f) for f in _files(out_dir / "history")}
    return len(dates | {utc_date(header.generated_at)})


def read(out_dir: Path, entry_id: str | None = None) -> pl.DataFrame:
    """Every day's rows (of one entry, when given), oldest first."""
    folder = out_dir / "history"
    if not any(folder.glob("date=*/*.parquet")):
        raise InputError(f"{folder}: no history yet (it is written by every run)")
    data = days(folder)
    if entry_id is not None:
        data = data.filter(pl.col("id") == entry_id)
    return data.sort("observed_at", "id")


def days(folder: Path) -> pl.DataFrame:
    """Every day's file as one table."""
    return _read(_files(folder))


def _files(folder: Path) -> list[Path]:
    """The day files of a history folder, newest day first."""
    return sorted(folder.glob("date=*/*.parquet"), reverse=True)


def _day(file: Path) -> str:
    return file.parent.name.removeprefix("date=")


def _read(files: list[Path]) -> pl.DataFrame:
    """Day files, newest first, as one table with their ``date``. Newest first: a day written
    before a counter existed (Hub upvotes: schema 1.3) lacks its column, which polars then
    fills with nulls; in the other order it would refuse the newer days' extra column."""
    return pl.read_parquet(files, hive_partitioning=True, missing_columns="insert")
