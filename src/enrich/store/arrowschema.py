"""The Parquet schema, declared from the pydantic models rather than inferred from data.

Inference would type a column from whatever the first night happened to hold (an all-null
``latest_release`` becomes ``null``, an empty ``topics`` list ``list<null>``), and readers would
see the schema flip between nights. Deriving it from the model annotations gives one fixed
schema: nested records are structs, lists are lists, enums are strings, datetimes are UTC
microsecond timestamps.
"""

from __future__ import annotations

import types
from datetime import datetime
from enum import Enum
from typing import Any, Union, get_args, get_origin

import pyarrow as pa
from pydantic import AwareDatetime, BaseModel

TIMESTAMP = pa.timestamp("us", tz="UTC")

_SCALARS: dict[Any, pa.DataType] = {
    str: pa.string(),
    int: pa.int64(),
    float: pa.float64(),
    bool: pa.bool_(),
    datetime: TIMESTAMP,
    AwareDatetime: TIMESTAMP,
}


def arrow_type(annotation: Any) -> tuple[pa.DataType, bool]:
    """(arrow type, nullable) of one model annotation."""
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        if len(args) != 1:
            raise TypeError(f"unsupported union {annotation!r}")
        return arrow_type(args[0])[0], True
    if origin is list:
        (item,) = get_args(annotation)
        item_type, _ = arrow_type(item)
        return pa.list_(pa.field("element", item_type, nullable=True)), False
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return pa.struct(model_fields(annotation)), False
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return pa.string(), False
    if annotation in _SCALARS:
        return _SCALARS[annotation], False
    raise TypeError(f"no arrow type for {annotation!r}")


def model_fields(model: type[BaseModel]) -> list[pa.Field]:
    fields = []
    for name, info in model.model_fields.items():
        arrow, _ = arrow_type(info.annotation)
        # Every column is nullable: a struct that is null (an entry with no repo) has null
        # children, and Parquet writers reject nulls in a non-nullable child.
        fields.append(pa.field(name, arrow, nullable=True))
    return fields


def schema_for(model: type[BaseModel], metadata: dict[str, str] | None = None) -> pa.Schema:
    return pa.schema(model_fields(model), metadata=metadata)
