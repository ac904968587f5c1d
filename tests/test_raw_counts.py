"""What a run cost, counted from its raw folder (`RawStore.requests`, `RawStore.usage`): each
list of a catalog asks it of the one shared folder, so the count is kept per state of the folder
(issue 24: 680 lists reading 61,000 documents each); it follows every document added."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from enrich.store.raw import RawStore

GRAPHQL_A = {"exchanges": [{"request": "graphql", "status": 200, "query_id": "q1"},
                           {"request": "contributors", "status": 200}]}  # fmt: skip
GRAPHQL_B = {"exchanges": [{"request": "graphql", "status": 200, "query_id": "q1"},
                           {"request": "contributors", "status": 200, "reused": "branch"}]}  # fmt: skip
REST_304 = {"exchanges": [{"request": "repository", "status": 304}]}
PAGE = {"hops": [{"status": 301}, {"status": 200}]}


@pytest.mark.parametrize(
    ("documents", "counts"),
    [
        ({}, {"sent": 0, "not_modified": 0, "reused": 0}),
        ({"github:a/b": GRAPHQL_A}, {"sent": 2, "not_modified": 0, "reused": 0}),
        # one query for both repositories: counted once; a count reused is no request
        ({"github:a/b": GRAPHQL_A, "github:c/d": GRAPHQL_B},
         {"sent": 2, "not_modified": 0, "reused": 1}),
        ({"github:a/b": GRAPHQL_A, "github:e/f": REST_304},
         {"sent": 2, "not_modified": 1, "reused": 0}),
        ({"https://example.org/": PAGE}, {"sent": 2, "not_modified": 0, "reused": 0}),
    ],
)  # fmt: skip
def test_requests_are_counted_from_the_documents(
    tmp_path: Path, documents: dict[str, Any], counts: dict[str, int]
) -> None:
    store = RawStore(tmp_path / "run")
    for key, doc in documents.items():
        store.put("github", key, doc)
    assert store.requests("github") == counts
    assert RawStore(tmp_path / "run").requests("github") == counts  # asked again: the same


def test_a_count_follows_each_document_added(tmp_path: Path) -> None:
    store = RawStore(tmp_path / "run")
    store.put("github", "github:a/b", GRAPHQL_A)
    first = store.requests("github")
    first["sent"] = 99  # the caller's copy, not the one kept
    assert store.requests("github") == {"sent": 2, "not_modified": 0, "reused": 0}
    store.put("github", "github:e/f", REST_304)
    assert store.requests("github") == {"sent": 2, "not_modified": 1, "reused": 0}


def test_usage_is_each_tasks_and_follows_each_task_that_writes(tmp_path: Path) -> None:
    store = RawStore(tmp_path / "run")
    assert store.usage("github") == []
    spent = {"core": {"spent": 3, "limit": 5000, "remaining": 4997, "reset": None, "deferred": 0}}
    store.put_usage("github", spent)  # type: ignore[arg-type]
    store.put_usage("huggingface", {})
    assert store.usage("github") == [spent]
    store.put_usage("github", spent)  # type: ignore[arg-type]
    assert store.usage("github") == [spent, spent]
