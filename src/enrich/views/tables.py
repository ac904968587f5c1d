"""The tables of the published dataset and their columns, as the card and the Croissant file
declare them: one `Table` per Hub config / Croissant record set.

Columns are derived from the models (`enrich.core.model`, the same source as the Parquet
schema) and, for the history, from the rows this run publishes; nothing is written by hand, so
the card's field table and ``croissant.json`` cannot drift from the files (a test holds each
declared column against the Parquet schema of the file beside it). Adding a table is one line
in `tables`.
"""

from __future__ import annotations

import functools
import types
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Any, Union, get_args, get_origin

import polars as pl
from pydantic import AwareDatetime, BaseModel

from enrich.core.diff import PATHS
from enrich.core.model import Entry, Link

if TYPE_CHECKING:
    from enrich.views import Published

# Scalar annotation -> (the type as Arrow names it, Croissant's dataType).
_SCALARS: dict[Any, tuple[str, str]] = {
    str: ("string", "sc:Text"),
    int: ("int64", "sc:Integer"),
    float: ("double", "sc:Float"),
    bool: ("bool", "sc:Boolean"),
    datetime: ("timestamp[us, tz=UTC]", "sc:DateTime"),
    AwareDatetime: ("timestamp[us, tz=UTC]", "sc:DateTime"),
}


@dataclass(frozen=True)
class Column:
    """One column, or one field of a struct column (``children``)."""

    name: str
    type: str  # the leaf type as Arrow names it ("string", "int64"...), or "struct"
    croissant: str  # Croissant / schema.org dataType of the leaf ("sc:Text"...), "" for a struct
    description: str = ""
    repeated: bool = False  # a list of `type`
    children: tuple[Column, ...] = ()

    @property
    def display_type(self) -> str:
        inner = "struct" if self.children else self.type
        return f"list<{inner}>" if self.repeated else inner


@dataclass(frozen=True)
class Table:
    """A table of the dataset: its Hub config name, its file (or glob over a file set) and its
    columns. ``default`` is the config `datasets.load_dataset(folder)` loads."""

    config: str
    files: str
    description: str
    columns: tuple[Column, ...]
    default: bool = False

    @property
    def is_file_set(self) -> bool:
        return "*" in self.files


def tables(published: Published) -> list[Table]:
    """Every table of the dataset, the default first."""
    return list(_tables(tuple(published.history.schema.items())))


@functools.lru_cache(maxsize=8)
def _tables(history: tuple[tuple[str, pl.DataType], ...]) -> tuple[Table, ...]:
    """Made once per process for a history's columns (the same every night): every list of a
    catalog, and every view of a list, declares the same tables."""
    return (
        Table(
            "latest",
            "latest.parquet",
            "One row per entry of the list, enriched from its upstream (the newest snapshot).",
            model_columns(Entry),
            default=True,
        ),
        Table(
            "history",
            "history/*/*.parquet",
            "One row per entry per run day: status, version and every counter "
            "(Hive-partitioned by date=YYYY-MM-DD).",
            _history_columns(history),
        ),
        Table(
            "external",
            "external.parquet",
            "One row per repository the list does not link that is a listed paper's code "
            "(its Hub paper page or arXiv comment names it), enriched like an entry.",
            model_columns(Entry),
        ),
        Table(
            "links",
            "links.parquet",
            "The graph: one row per typed tie between entries (code, cites, same_as, "
            "same_item), with its evidence; one end may be external to the list.",
            model_columns(Link),
        ),
    )


@functools.cache
def model_columns(model: type[BaseModel]) -> tuple[Column, ...]:
    """The columns of a model's table, nested models as struct columns (what
    `enrich.store.arrowschema` declares for Parquet). Made once per model per process: the
    models do not change while it runs."""
    return tuple(_column(name, info.annotation, info.description or "")
                 for name, info in model.model_fields.items())  # fmt: skip


def _column(name: str, annotation: Any, description: str) -> Column:
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        (inner,) = [a for a in get_args(annotation) if a is not type(None)]
        return _column(name, inner, description)
    if origin is list:
        (item,) = get_args(annotation)
        column = _column(name, item, description)
        return Column(
            name, column.type, column.croissant, column.description, True, column.children
        )
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        doc = description or _first_line(annotation.__doc__)
        return Column(name, "struct", "", doc, children=model_columns(annotation))
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        values = ", ".join(str(m.value) for m in annotation)
        return Column(name, "string", "sc:Text", description or f"one of {values}")
    arrow, croissant = _SCALARS[annotation]
    return Column(name, arrow, croissant, description)


_CROISSANT = {arrow: croissant for arrow, croissant in _SCALARS.values()}


def _polars_type(dtype: pl.DataType) -> str:
    if isinstance(dtype, pl.Datetime):
        return "timestamp[us, tz=UTC]"
    names = {pl.String: "string", pl.Int64: "int64", pl.Float64: "double", pl.Boolean: "bool"}
    return names[dtype.base_type()]


def _history_columns(schema: tuple[tuple[str, pl.DataType], ...]) -> tuple[Column, ...]:
    """The columns of the history partitions (``schema``: the rows this run writes; ``date`` is
    the partition folder, not a column of the files), described by the entry fields they copy."""
    described = {c.name: c for c in _leaves(model_columns(Entry))}
    columns = []
    for name, dtype in schema:
        if name == "date":
            continue
        arrow = _polars_type(dtype)
        source = described.get(PATHS.get(name, name))
        description = source.description if source else ""
        if name == "observed_at":
            description = "When that day's snapshot was taken (its generated_at)"
        columns.append(Column(name, arrow, _CROISSANT[arrow], description))
    return tuple(columns)


def _leaves(columns: tuple[Column, ...], prefix: str = "") -> list[Column]:
    """Every leaf column, named by its dotted path (``repo.stars``)."""
    found = []
    for column in columns:
        path = f"{prefix}{column.name}"
        if column.children:
            found += _leaves(column.children, f"{path}.")
        else:
            found.append(Column(path, column.type, column.croissant, column.description))
    return found


def flat(columns: tuple[Column, ...], prefix: str = "") -> list[tuple[str, Column]]:
    """Every column and nested field with its dotted path, parents before their fields."""
    rows: list[tuple[str, Column]] = []
    for column in columns:
        path = f"{prefix}{column.name}"
        rows.append((path, column))
        if column.children:
            rows += flat(column.children, f"{path}[]." if column.repeated else f"{path}.")
    return rows


def _first_line(doc: str | None) -> str:
    return (doc or "").strip().split("\n")[0]
