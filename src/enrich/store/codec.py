"""The snapshot codec: a `Snapshot` as JSON and as Parquet bytes, and either read back.

``latest.json`` is meant to be diffed by ``git diff``: entries sorted by id, keys in the model's
field order, two-space indentation, one trailing newline. ``latest.parquet`` holds the same
entries, one row each, nested records as structs (schema from `enrich.store.arrowschema`); the
header is in the file's key-value metadata under ``enrich.header`` (and its main keys one by one).
``external.parquet`` holds the snapshot's external repositories the same way (`external_arrow`).
``links.json`` / ``links.parquet`` are the graph's table the same way (`enrich.core.graph`).
"""

from __future__ import annotations

import copy
import functools
import io
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.json as pa_json
import pyarrow.parquet as pq
from pydantic import BaseModel, ValidationError

from enrich.core.errors import InputError
from enrich.core.model import SCHEMA_VERSION, Entry, Header, Link, LinksDocument, Snapshot
from enrich.store.arrowschema import schema_for

HEADER_KEY = b"enrich.header"
EXTERNAL_FILE = "external.parquet"  # beside latest.parquet


def to_json(snapshot: Snapshot) -> bytes:
    # pydantic's serializer (Rust): the same bytes as json.dumps(indent=2, ensure_ascii=False)
    # of model_dump(mode="json"), several times faster.
    return (snapshot.model_dump_json(indent=2) + "\n").encode("utf-8")


def to_arrow(snapshot: Snapshot) -> pa.Table:
    """The entries as an Arrow table with the declared schema and the header as metadata."""
    return records_table(Entry, snapshot.entries, snapshot.header)


def records_table(model: type[BaseModel], records: Sequence[BaseModel], header: Header) -> pa.Table:
    """Records of one model as an Arrow table with the model's declared schema and the
    snapshot's header as metadata (so every table of the dataset says which run it is)."""
    metadata = {
        HEADER_KEY.decode(): header.model_dump_json(),
        "schema_version": header.schema_version,
        "generated_at": header.generated_at.isoformat(),
        "list_source": header.list_source,
        "list_sha256": header.list_sha256,
    }
    schema = schema_for(model, metadata)
    if not records:
        # Not `schema.empty_table()`: its `pa.array([])` imports pandas (~1 s, once a process,
        # in the first list's finish); the same table, the same Parquet bytes.
        return pa.Table.from_arrays([pa.nulls(0, f.type) for f in schema], schema=schema)
    # pydantic writes each record as JSON (Rust) and Arrow's JSON reader parses it against the
    # declared schema (C++): ~5x faster than building the table from Python dicts.
    lines = b"\n".join(record.model_dump_json().encode("utf-8") for record in records)
    table = pa_json.read_json(
        io.BytesIO(lines),
        read_options=pa_json.ReadOptions(block_size=len(lines) + 1),
        parse_options=pa_json.ParseOptions(
            explicit_schema=schema, unexpected_field_behavior="error"
        ),
    )
    return table.select(schema.names).cast(schema)


def external_arrow(snapshot: Snapshot) -> pa.Table:
    """The snapshot's external repositories (``external.parquet``): the entries' schema, the
    same header."""
    return to_arrow(Snapshot(header=snapshot.header, entries=snapshot.external))


def links_json(header: Header, links: Sequence[Link]) -> bytes:
    """The graph's table as JSON: the snapshot's header and the links, like ``latest.json``."""
    document = LinksDocument(header=header, links=list(links))
    return (document.model_dump_json(indent=2) + "\n").encode("utf-8")


def to_parquet(snapshot: Snapshot) -> bytes:
    return parquet_bytes(to_arrow(snapshot))


def parquet_bytes(table: pa.Table) -> bytes:
    buffer = io.BytesIO()
    pq.write_table(table, buffer, compression="zstd")
    return buffer.getvalue()


def json_schema() -> dict[str, Any]:
    return copy.deepcopy(_json_schema())


@functools.cache
def _json_schema() -> dict[str, Any]:
    """Made once per process: pydantic derives it anew at each call (~20 ms, every publish)."""
    schema = Snapshot.model_json_schema()
    schema["$id"] = f"enrich-snapshot-{SCHEMA_VERSION}"
    return schema


def read_snapshot(path: Path) -> Snapshot:
    """Read a snapshot from a JSON or Parquet file; `InputError` for anything unreadable.

    The schema version is checked before the records are validated, so a file from a newer
    enrich says so rather than failing on its first unknown field.
    """
    if not path.is_file():
        raise InputError(f"{path}: no such snapshot file")
    try:
        if path.suffix == ".parquet":
            table = pq.read_table(path)
            raw_header = json.loads((table.schema.metadata or {}).get(HEADER_KEY, b"null"))
            rows: list[Any] = table.to_pylist()
            # latest.parquet's external repositories are the file beside it (`external_arrow`).
            beside = path.with_name(EXTERNAL_FILE)
            outside: Any = (
                pq.read_table(beside).to_pylist()
                if path.name == "latest.parquet" and beside.is_file()
                else []
            )
        else:
            document = json.loads(path.read_bytes())
            raw_header, rows = document.get("header"), document.get("entries")
            outside = document.get("external", [])
        if not isinstance(raw_header, dict) or not isinstance(rows, list):
            raise ValueError("no snapshot header or entries")
        _check_version(path, str(raw_header.get("schema_version", "")))
        return Snapshot(
            header=Header.model_validate(raw_header),
            entries=[Entry.model_validate(row) for row in rows],
            external=[Entry.model_validate(row) for row in outside],
        )
    except (ValidationError, ValueError, OSError, AttributeError, pa.ArrowException) as exc:
        raise _unreadable(path, exc) from None


# What a plan reads of an entry published before (`enrich.core.budget.planned`): these fields,
# and of its repository record only that it exists and its contributor count.
_PLANNED = ("id", "kind", "source_id", "url", "status", "fetched_at", "deferred")
_PLANNED_REPO = ("repo_id", "full_name", "html_url", "contributors")


def read_planned(path: Path) -> list[Entry]:
    """A JSON snapshot's entries holding only what a plan reads of them (`_PLANNED`; the rest
    empty), the rest of each entry neither validated nor kept. A catalog's warm night reads
    every list's previous snapshot for these fields alone: validating 100,000 whole entries
    was most of its preparation (280 s of a quiet night). `InputError` as `read_snapshot`."""
    if not path.is_file():
        raise InputError(f"{path}: no such snapshot file")
    try:
        document = orjson.loads(path.read_bytes())
        raw_header, rows = document.get("header"), document.get("entries")
        if not isinstance(raw_header, dict) or not isinstance(rows, list):
            raise ValueError("no snapshot header or entries")
        _check_version(path, str(raw_header.get("schema_version", "")))
        return [Entry.model_validate(_planned_row(row)) for row in rows]
    except (ValidationError, ValueError, OSError, AttributeError, TypeError) as exc:
        raise _unreadable(path, exc) from None


def _planned_row(row: dict[str, Any]) -> dict[str, Any]:
    kept: dict[str, Any] = {key: row[key] for key in _PLANNED if key in row}
    repo = row.get("repo")
    if isinstance(repo, dict):
        kept["repo"] = {**{key: repo[key] for key in _PLANNED_REPO if key in repo},
                        "stars": 0, "forks": 0, "watchers": 0, "open_issues": 0}  # fmt: skip
    return {**kept, "urls": [], "section": [], "positions": []}


def read_table(path: Path, columns: list[str] | None = None) -> tuple[Header, pa.Table]:
    """A snapshot file as its header and an Arrow table of its entries.

    Parquet is read as columns without building a Python object per entry (what the diff of
    two large snapshots needs); JSON goes through `read_snapshot` and `to_arrow`.
    """
    if path.suffix != ".parquet":
        snapshot = read_snapshot(path)
        return snapshot.header, to_arrow(snapshot)
    if not path.is_file():
        raise InputError(f"{path}: no such snapshot file")
    try:
        metadata = pq.read_schema(path).metadata or {}
        raw_header = json.loads(metadata.get(HEADER_KEY, b"null"))
        if not isinstance(raw_header, dict):
            raise ValueError("no snapshot header")
        table = pq.read_table(path, columns=columns)
        _check_version(path, str(raw_header.get("schema_version", "")))
        return Header.model_validate(raw_header), table
    except (ValidationError, ValueError, OSError, pa.ArrowException) as exc:
        raise _unreadable(path, exc) from None


def _unreadable(path: Path, exc: BaseException) -> InputError:
    """The one-line error of a snapshot file that does not read: its error's first line."""
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return InputError(f"{path}: not a readable snapshot ({first})")


def _check_version(path: Path, version: str) -> None:
    major = version.split(".")[0]
    if major != SCHEMA_VERSION.split(".")[0]:
        raise InputError(
            f"{path}: schema version {version} is not readable by this enrich "
            f"(reads {SCHEMA_VERSION.split('.')[0]}.x)"
        )
