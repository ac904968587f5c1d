"""Hub collections: a Hub object of their own, read from ``/api/collections/{owner}/{slug}`` (the
fake answers in the Hub's format with its generated sample collection), recorded with their
items, and tied to the listed entries they hold (``collects``)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from builders import entry, entry_for, hub_entry
from conftest import fetch_source, run, write_json
from enrich.core.graph import with_graph
from enrich.core.links import Kind, hub_object_id
from enrich.core.model import (
    CollectionItem,
    Evidence,
    Failure,
    HubCollection,
    HubRepo,
    Relation,
    Status,
)
from enrich.core.settings import Settings
from enrich.sandbox.sample.generate import load_facts, sample_collection
from enrich.sandbox.server import FakeAPI, Fault
from enrich.store.raw import RawStore

SAMPLE = sample_collection(load_facts())
SAMPLE_URL = f"https://huggingface.co/collections/{SAMPLE['slug']}"


def test_the_sample_collection_is_read_as_the_hub_answers_it(fake: FakeAPI, settings: Settings, tmp_path: Path) -> None:
    listed = entry_for(SAMPLE_URL)
    outcome = fetch_source("collections", [listed], settings, RawStore(tmp_path / "raw"))[listed.id]
    assert outcome.status is Status.OK, outcome.reason
    record = outcome.record
    assert isinstance(record, HubCollection)
    assert (record.slug, record.title, record.owner, record.owner_type) == (
        SAMPLE["slug"], "RLHF preference data (sample)", "enrich-sample", "org")
    assert record.upvotes == SAMPLE["upvotes"] and record.description is not None
    assert "Sample collection" in record.description
    assert record.last_updated == datetime(2026, 11, 20, 10, 30, tzinfo=UTC)
    assert record.url == SAMPLE_URL and not record.private and not record.gated
    assert record.item_count == 5
    assert [(i.type, i.item_id, i.entry_id, i.position) for i in record.items] == [
        ("dataset", "Anthropic/hh-rlhf", "hf:dataset/anthropic/hh-rlhf", 0),
        ("dataset", "stanfordnlp/SHP", "hf:dataset/stanfordnlp/shp", 1),
        ("paper", "2204.05862", "arxiv:2204.05862", 2),
        ("paper", "1909.08593", "arxiv:1909.08593", 3),
        ("model", "sample-org/rlhf-reward-model", "hf:model/sample-org/rlhf-reward-model", 4),
    ]
    assert record.items[0].note is not None and record.items[0].note.startswith("Sample note")
    assert [r.path for r in fake.requests("hf")] == [f"/hf/api/collections/{SAMPLE['slug']}"]


def _answer(slug: str, **changes: Any) -> dict[str, Any]:
    return {**SAMPLE, "slug": slug, **changes}


# (what the fake holds for the slug asked, the status, the failure, what the reason says)
ANSWERS = [
    (None, Status.ERROR, Failure.NOT_FOUND, "404"),
    ({"upvotes": "many"}, Status.ERROR, Failure.MALFORMED, "upvotes"),
    ({"items": [{"id": "x/y", "type": "model"}]}, Status.ERROR, Failure.MALFORMED, "items.0._id"),
    ({"owner": "enrich-sample"}, Status.ERROR, Failure.MALFORMED, "owner"),
    ({"gating": {"mode": "manual"}, "description": "   "}, Status.OK, None, None),
]


@pytest.mark.parametrize(("changes", "status", "failure", "reason"), ANSWERS)
def test_each_answer_costs_its_entry_at_most(
    changes: dict[str, Any] | None, status: Status, failure: Failure | None, reason: str | None,
    settings: Settings, extra_data: Path, tmp_path: Path,
) -> None:
    slug = "enrich-sample/⭐-odd-answers-0123456789abcdef01234567"
    if changes is not None:
        write_json(extra_data / f"huggingface/collections/{slug}.json", _answer(slug, **changes))
    listed = entry_for("https://huggingface.co/collections/enrich-sample/%E2%AD%90-odd-answers-0123456789abcdef01234567")
    assert listed.kind is Kind.COLLECTION
    outcome = fetch_source("collections", [listed], settings, RawStore(tmp_path / "raw"))[listed.id]
    assert (outcome.status, outcome.failure) == (status, failure)
    if reason is not None:
        assert outcome.reason is not None and reason in outcome.reason
    else:
        assert outcome.record is not None and outcome.record.gated and outcome.record.description is None


@pytest.mark.parametrize(
    ("location", "status", "failure"),
    [
        # a renamed collection: the Hub sends its new slug, on its own host
        ("/hf/api/collections/{slug}", Status.OK, None),
        # anywhere else is not where the API answers for it: never followed
        ("https://elsewhere.example/api/collections/{slug}", Status.ERROR, Failure.REJECTED),
    ],
)
def test_a_redirect_is_followed_on_the_hub_only(
    location: str, status: Status, failure: Failure | None, fake: FakeAPI, settings: Settings, tmp_path: Path
) -> None:
    old = "enrich-sample/old-title-" + SAMPLE["slug"].rsplit("-", 1)[1]
    fake.faults.append(Fault(f"/hf/api/collections/{old}$", 301, times=1, body=b"",
                             headers={"Location": location.format(slug=SAMPLE["slug"])}))  # fmt: skip
    listed = entry_for(f"https://huggingface.co/collections/{old}")
    assert listed.id == entry_for(SAMPLE_URL).id  # one collection: the id is its object id
    outcome = fetch_source("collections", [listed], settings, RawStore(tmp_path / "raw"))[listed.id]
    assert (outcome.status, outcome.failure) == (status, failure)
    if status is Status.OK:
        assert outcome.record is not None and outcome.record.slug == SAMPLE["slug"]


@pytest.mark.parametrize(
    ("item_type", "item_id", "entry_id"),
    [
        ("model", "meta-llama/Llama-3.1-8B", "hf:model/meta-llama/llama-3.1-8b"),
        ("model", "gpt2", "hf:model/gpt2"),  # the Hub's first models had no owner
        ("dataset", "Anthropic/hh-rlhf", "hf:dataset/anthropic/hh-rlhf"),
        ("space", "HuggingFaceH4/open_llm_leaderboard", "hf:space/huggingfaceh4/open_llm_leaderboard"),
        ("paper", "2307.09288", "arxiv:2307.09288"),
        ("collection", "Qwen/qwen25-66e81a666513e518adb90d9e", "hf:collection/qwen/66e81a666513e518adb90d9e"),
        ("collection", "nvidia/nemotron-post-training-v3", "hf:collection/nvidia/nemotron-post-training-v3"),
        ("bucket", "someone/bucket-1", None),  # a type no entry has
        ("model", "a/b/c", None),
        ("paper", "not-an-arxiv-id", None),
    ],
)
def test_an_item_has_the_id_it_would_have_as_an_entry(item_type: str, item_id: str, entry_id: str | None) -> None:
    assert hub_object_id(item_type, item_id) == entry_id


def _collection(*items: tuple[str, str]) -> HubCollection:
    held = [CollectionItem(type=t, item_id=i, entry_id=hub_object_id(t, i), position=n)
            for n, (t, i) in enumerate(items)]  # fmt: skip
    return HubCollection(slug="o/c-0123456789abcdef01234567", title="C", owner="o", item_count=len(held), items=held)


def test_a_collection_ties_to_the_listed_entries_it_holds() -> None:
    dataset = hub_entry(HubRepo(repo_type="dataset", repo_id="Anthropic/hh-rlhf"))
    paper = entry(Kind.PAPER, "arxiv:2204.05862", "https://arxiv.org/abs/2204.05862")
    inner = entry_for("https://huggingface.co/collections/o/inner-aaaaaaaaaaaaaaaaaaaaaaaa")
    outer = entry_for(
        "https://huggingface.co/collections/o/c-0123456789abcdef01234567",
        collection=_collection(("dataset", "Anthropic/hh-rlhf"), ("paper", "2204.05862"),
                               ("collection", "o/renamed-aaaaaaaaaaaaaaaaaaaaaaaa"),
                               ("model", "not/listed"), ("bucket", "x/y")),
    )  # fmt: skip
    tied, edges = with_graph([outer, dataset, paper, inner])
    assert [(e.source, e.relation, e.target, e.evidence) for e in edges] == [
        (outer.id, Relation.COLLECTS, "arxiv:2204.05862", [Evidence.HUB_COLLECTION]),
        (outer.id, Relation.COLLECTS, "hf:collection/o/aaaaaaaaaaaaaaaaaaaaaaaa", [Evidence.HUB_COLLECTION]),
        (outer.id, Relation.COLLECTS, "hf:dataset/anthropic/hh-rlhf", [Evidence.HUB_COLLECTION]),
    ]
    by_id = {e.id: e for e in tied}
    assert [(t.relation, t.direction, t.other) for t in by_id[dataset.id].ties] == [
        (Relation.COLLECTS, "in", outer.id)
    ]


def test_a_run_publishes_the_collection_and_its_ties(settings: Settings, tmp_path: Path) -> None:
    listed = tmp_path / "list.md"
    listed.write_text(
        "# Sample list\n\n"
        f"- [RLHF data]({SAMPLE_URL}): a collection of what follows.\n"
        "- [HH-RLHF](https://huggingface.co/datasets/Anthropic/hh-rlhf): preferences.\n",
        encoding="utf-8",
    )
    result = run(str(listed), settings=settings, out_dir=tmp_path / "out", raw_root=tmp_path / "raw",
                 sources=["huggingface", "collections"])  # fmt: skip
    out = tmp_path / "out"
    latest = json.loads((out / "latest.json").read_text(encoding="utf-8"))
    found = {e["id"]: e for e in latest["entries"]}
    collection_id = f"hf:collection/enrich-sample/{SAMPLE['slug'].rsplit('-', 1)[1]}"
    assert found[collection_id]["kind"] == "collection" and found[collection_id]["status"] == "ok"
    assert found[collection_id]["collection"]["item_count"] == 5
    table = pq.read_table(out / "latest.parquet").to_pylist()
    row = next(r for r in table if r["id"] == collection_id)
    assert row["collection"]["title"] == "RLHF preference data (sample)"
    assert [i["entry_id"] for i in row["collection"]["items"]][:2] == ["hf:dataset/anthropic/hh-rlhf", "hf:dataset/stanfordnlp/shp"]
    links = pq.read_table(out / "links.parquet").to_pylist()
    assert [(r["source"], r["relation"], r["target"]) for r in links if r["relation"] == "collects"] == [
        (collection_id, "collects", "hf:dataset/anthropic/hh-rlhf")
    ]
    schema = json.loads((out / "schema.json").read_text(encoding="utf-8"))
    assert "HubCollection" in json.dumps(schema)
    shown = (out / "list.md").read_text(encoding="utf-8")
    assert f"[RLHF data](<{SAMPLE_URL}>) · ▦ 5 · by enrich-sample · {SAMPLE['upvotes']} upvotes" in shown
    assert "1 Hub collection, 1 dataset" in shown
    assert {c.name: c.count for c in result.snapshot.header.by_kind} == {"collection": 1, "dataset": 1}
