"""The Hugging Face Hub's collections (`enrich.sources.collections`): the ``collection`` slot.

A collection is a Hub object that holds others (models, datasets, Spaces, papers, collections):
its counter is how many it holds (its upvotes are recorded, but ``upvotes`` is the paper
pages' column), its facts line the owner, the upvotes and the last update; it has no score."""

from __future__ import annotations

from enrich.core.links import Kind
from enrich.core.model import Entry, HubCollection
from enrich.core.spec import Shown, Slot, SourceSpec, counter
from enrich.core.wording import ago, compact


def _details(_: Entry, collection: HubCollection, shown: Shown) -> list[str]:
    out = [f"by {collection.owner}"]
    if collection.upvotes is not None:
        out.append(f"{compact(collection.upvotes)} upvotes")
    age = ago(shown.now, collection.last_updated)
    if age:
        out.append(f"updated {age}")
    return out


def _marks(_: Entry, collection: HubCollection) -> list[str]:
    return ["gated"] if collection.gated else []


COLLECTION = Slot(
    "collection",
    HubCollection,
    columns=(
        # Its title is the entry's display title when the list gives none: diffed there.
        counter("item_count", main=(Kind.COLLECTION,), symbol="▦", legend="▦ items held"),
    ),
    name=lambda collection: collection.title,
    link=lambda collection: collection.url,
    details=_details,
    marks=_marks,
)

COLLECTIONS = SourceSpec("collections", (Kind.COLLECTION,), COLLECTION)
