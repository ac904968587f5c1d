"""Records built from values the parser made itself: no validation, one set of names per shape.

A 100,000-link list makes 100,000 entries, positions and items. Validating values the parser
built and typed itself checks nothing (pydantic's ``model_construct`` is for this), and
``model_construct`` itself loops over every field of the model at each call; `built` copies a
template of the defaults instead. Each record also carries the names of the fields it was given
(``model_fields_set``: a set of 700 bytes, 40% of a record); records of one shape share one
such set. Nothing in the project reads it (no ``exclude_unset``), and records are changed by
copy (`enrich.core.model.updated`), which copies the set; a record's field set in place would
add its name to its siblings' sets, which says only that they were given it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)


@functools.cache
def _template(
    cls: type[BaseModel],
) -> tuple[dict[str, Any], tuple[tuple[str, Callable[[], Any]], ...]]:
    """The model's fields in order with their defaults, and those made by a factory."""
    defaults: dict[str, Any] = {}
    factories: list[tuple[str, Callable[[], Any]]] = []
    for name, info in cls.model_fields.items():
        if info.default_factory is not None:
            assert not info.default_factory_takes_validated_data, f"{cls.__name__}.{name}"
            defaults[name] = None  # its place in the order; made anew for each record
            factories.append((name, info.default_factory))  # type: ignore[arg-type]
        else:
            defaults[name] = info.default
    return defaults, tuple(factories)


_NAMES: dict[tuple[type[BaseModel], frozenset[str]], set[str]] = {}


def built(cls: type[M], /, **values: Any) -> M:
    """A record of ``cls`` holding ``values`` (already of the fields' types) and the defaults
    of the rest: what ``cls.model_construct(**values)`` makes, faster and smaller."""
    defaults, factories = _template(cls)
    data = defaults.copy()
    data.update(values)
    for name, factory in factories:
        if name not in values:
            data[name] = factory()
    shape = (cls, frozenset(values))
    names = _NAMES.get(shape)
    if names is None:
        missing = [
            n for n, info in cls.model_fields.items() if info.is_required() and n not in values
        ]
        assert not missing and len(data) == len(defaults), f"{cls.__name__}: {missing or values}"
        assert cls.__pydantic_post_init__ is None and not cls.__pydantic_root_model__
        names = _NAMES[shape] = set(values)
    record = cls.__new__(cls)
    object.__setattr__(record, "__dict__", data)
    object.__setattr__(record, "__pydantic_fields_set__", names)
    object.__setattr__(record, "__pydantic_extra__", None)
    object.__setattr__(record, "__pydantic_private__", None)
    return record
