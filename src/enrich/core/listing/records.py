"""Records built from values the parser made itself: no validation, one set of names per shape.

A 100,000-link list makes 100,000 entries, positions and items. Validating values the parser
built and typed itself checks nothing (pydantic's ``model_construct`` is for this), and
``model_construct`` itself loops over every field of the model at each call; `built` calls a
function written once per shape of values (`_maker`) that stores each field in turn. Each
record also carries the names of the fields it was given
(``model_fields_set``: a set of 700 bytes, 40% of a record); records of one shape share one
such set. Nothing in the project reads it (no ``exclude_unset``), and records are changed by
copy (`enrich.core.model.updated`), which copies the set; a record's field set in place would
add its name to its siblings' sets, which says only that they were given it.

A record's values are stored one field at a time, in the model's order, on a record made by
``cls.__new__``: CPython (3.11+) then keeps them in a values array whose names all the records of
the class share, 8 bytes a field, where a ``__dict__`` of its own costs about 40 (a `Position`
of 5 fields: 150 bytes). The names are shared only if the first record of the class sets its
fields in that order before many others are made (`share_names`, called when the parser is
imported, before any record exists); otherwise each record simply gets its own dictionary. They
are shared for at most 29 fields (`_SHARED_MAX`): an `Entry` (30 fields since ``deferred``)
gets a dictionary of its own, given at once (920 bytes; 1,670 when its fields are set one at a
time, past the 29th).
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


def share_names(*classes: type[BaseModel]) -> None:
    """Make one record of each class, its fields set in order: the names its records share."""
    for cls in classes:
        defaults, _ = _template(cls)
        record = cls.__new__(cls)
        for name, value in defaults.items():
            _store(record, name, value)


_store = object.__setattr__
# The most names CPython's shared keys hold (3.11: ``SHARED_KEYS_MAX_SIZE``, 30, less one): a
# record of a class with more fields has a dictionary of its own however its fields are set.
_SHARED_MAX = 29
_NAMES: dict[tuple[type[BaseModel], frozenset[str]], set[str]] = {}


def built(cls: type[M], /, **values: Any) -> M:
    """A record of ``cls`` holding ``values`` (already of the fields' types) and the defaults
    of the rest: what ``cls.model_construct(**values)`` makes, faster and smaller."""
    make = _MAKERS.get((cls, tuple(values)))
    if make is None:
        make = _MAKERS[cls, tuple(values)] = _maker(cls, frozenset(values))
    return make(values)  # type: ignore[no-any-return]


_MAKERS: dict[tuple[type[BaseModel], tuple[str, ...]], Callable[[dict[str, Any]], Any]] = {}


def _maker(cls: type[BaseModel], given: frozenset[str]) -> Callable[[dict[str, Any]], Any]:
    """The function that makes a record of ``cls`` from values of the fields ``given``: each
    field stored in the model's order, from the values, its default or its factory (written
    out once per shape: a loop over the fields costs twice as much as the stores)."""
    defaults, factories = _template(cls)
    missing = [n for n, info in cls.model_fields.items() if info.is_required() and n not in given]
    unknown = given - defaults.keys()
    assert not missing and not unknown, f"{cls.__name__}: {missing or sorted(unknown)}"
    assert cls.__pydantic_post_init__ is None and not cls.__pydantic_root_model__
    made = dict(factories)
    names = _NAMES.setdefault((cls, given), set(given))
    scope: dict[str, Any] = {"new": cls.__new__, "cls": cls, "store": _store, "names": names}
    lines = ["def make(values):", "    record = new(cls)"]
    own = len(defaults) > _SHARED_MAX  # its own dictionary whatever is done: given at once
    if own:
        lines.append("    data = {")
    for at, name in enumerate(defaults):
        if name in given:
            value = f"values[{name!r}]"
        elif name in made:
            scope[f"factory{at}"] = made[name]
            value = f"factory{at}()"
        else:
            scope[f"default{at}"] = defaults[name]
            value = f"default{at}"
        lines.append(
            f"        {name!r}: {value}," if own else f"    store(record, {name!r}, {value})"
        )
    if own:
        lines += ["    }", "    store(record, '__dict__', data)"]
    lines += [
        "    store(record, '__pydantic_fields_set__', names)",
        "    store(record, '__pydantic_extra__', None)",
        "    store(record, '__pydantic_private__', None)",
        "    return record",
    ]
    exec("\n".join(lines), scope)  # noqa: S102  # names and values are the model's own
    return scope["make"]  # type: ignore[no-any-return]
