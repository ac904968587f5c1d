"""Records the parser builds without validation (`listing.records.built`) are the records
validation would make: equal, dumped alike, with the defaults of the fields not given."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel

from enrich.core.links import Kind
from enrich.core.listing.records import built
from enrich.core.model import Entry, Item, ItemKind, Position, Status

POSITION = {"section": ["Papers"], "line": 12, "index": 3, "parent": None, "item": 2}
ITEM = {
    "index": 2, "kind": ItemKind.TABLE_ROW, "title": "Attention", "description": "Venue: NeurIPS",
    "section": ["Papers"], "line": 12, "columns": ["Title", "Venue"], "cells": ["Attention", "NeurIPS"],
}  # fmt: skip
ENTRY = {
    "id": "arxiv:1706.03762", "kind": Kind.PAPER, "source_id": "1706.03762",
    "url": "https://arxiv.org/abs/1706.03762v5", "urls": ["https://arxiv.org/abs/1706.03762v5"],
    "title": "Attention", "description": None, "section": ["Papers"], "listed_version": 5,
    "status": Status.PENDING,
}  # fmt: skip


@pytest.mark.parametrize(
    ("model", "values"),
    [
        (Position, POSITION),
        (Item, ITEM),
        (Item, {k: v for k, v in ITEM.items() if k not in ("columns", "cells", "title")}),
        (Entry, {**ENTRY, "positions": [Position(**POSITION)], "items": [Item(**ITEM)]}),
        (Entry, {**ENTRY, "positions": [], "same_item": ["github:google/trax"]}),
    ],
)
def test_a_built_record_is_the_validated_one(
    model: type[BaseModel], values: dict[str, Any]
) -> None:
    made = built(model, **values)
    checked = model(**values)
    assert type(made) is model and made == checked
    assert made.model_dump(mode="json") == checked.model_dump(mode="json")
    assert made.model_fields_set == checked.model_fields_set


def test_each_record_gets_its_own_default_lists() -> None:
    one, two = built(Entry, **ENTRY, positions=[]), built(Entry, **ENTRY, positions=[])
    assert one.items == [] and one.items is not two.items


def test_a_required_field_left_out_is_refused() -> None:
    with pytest.raises(AssertionError, match="Position"):
        built(Position, line=1, index=1)


def test_a_built_record_is_copied_pickled_and_updated_as_a_validated_one() -> None:
    """Built records keep their values in an array whose field names the class's records share
    (`records.share_names`), not in a dict of their own: a copy, a pickle and `updated` see the
    same fields, and changing a copy leaves the record and its siblings as they were."""
    import pickle

    from enrich.core.model import updated

    one, two = built(Entry, **ENTRY, positions=[]), built(Entry, **ENTRY, positions=[])
    changed = updated(one, title="Transformer", status=Status.OK)
    assert (changed.title, changed.status) == ("Transformer", Status.OK)
    assert one.title == two.title == "Attention" and one.status is Status.PENDING
    assert one.model_copy(update={"title": "T"}).title == "T" and one.title == "Attention"
    assert pickle.loads(pickle.dumps(one)) == one == Entry(**ENTRY, positions=[])
    assert list(vars(one)) == list(Entry.model_fields)


@pytest.mark.parametrize(
    ("model", "values", "most"),
    [
        # fields' names shared by the class's records: a values array, 8 bytes a field
        (Position, POSITION, 200),
        (Item, ITEM, 250),
        # 30 fields, past the 29 names CPython shares: a dictionary of its own, given at once,
        # and 5 new empty lists (its fields set one at a time past the 29th: 1,900 bytes)
        (Entry, {**ENTRY, "positions": []}, 1_400),
    ],
    ids=["position", "item", "entry"],
)
def test_a_built_record_stays_small(
    model: type[BaseModel], values: dict[str, Any], most: int
) -> None:
    """The records' own bytes, without the values they share with their siblings (100,000
    links make 100,000 of each: a few hundred bytes more each is tens of megabytes)."""
    import tracemalloc

    built(model, **values)  # the class's first record: its names
    tracemalloc.start()
    try:
        records = [built(model, **values) for _ in range(1_000)]
        size, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(records) == 1_000 and size / 1_000 < most
