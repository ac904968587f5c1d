"""Hugging Face Hub collections, read as huggingface_hub reads them.

Per collection: one ``GET /api/collections/{owner}/{slug}`` (what ``HfApi.get_collection``
sends), with the library's headers and error mapping, sent through `enrich.sources.hubhttp`
(bounded in time and decoded size, every wait paid from the run's retry budget) rather than
through ``get_collection`` itself, whose process-wide client has no total deadline and no size
cap. A redirect is followed only on the configured endpoint (a collection whose title, and so
whose slug, changed). The answer is kept as received; normalize checks the fields it reads
(`_Answer`), then builds the library's own ``Collection`` (its items, their ids and notes) and
the record from it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

from huggingface_hub.hf_api import Collection
from huggingface_hub.utils import build_hf_headers, hf_raise_for_status  # type: ignore[attr-defined]
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr, ValidationError

from enrich.core.errors import BlockedURLError
from enrich.core.failures import failure_of
from enrich.core.links import hub_object_id
from enrich.core.model import CollectionItem, Entry, Failure, HubCollection, Status
from enrich.core.outcome import Outcome
from enrich.core.rawdocs import CollectionDocument, exchange
from enrich.core.spec import SourceSpec
from enrich.core.specs.collections import COLLECTIONS
from enrich.sources.base import (
    Count,
    FetchContext,
    RawSink,
    SourceBase,
    fetch_each,
    load_json,
    malformed,
    per_entry,
)
from enrich.sources.hubhttp import HubHTTP, offline
from enrich.sources.huggingface import hub_error_info

_HUB = "https://huggingface.co"


class CollectionSource(SourceBase[HubCollection]):
    spec: SourceSpec[HubCollection] = COLLECTIONS
    per_entry_documents: bool = True

    def fetch(self, entries: list[Entry], raw: RawSink, ctx: FetchContext) -> None:
        why = offline()
        if why is not None:  # huggingface_hub's offline mode: nothing asked, each entry skipped
            fetch_each(self.name, entries, raw, ctx, 1, lambda entry: CollectionDocument(
                entry_id=entry.id, exchanges=[], skipped=why))  # fmt: skip
            return

        def one(entry: Entry) -> CollectionDocument:
            # One Hub: a collection holds one of the Hub's request slots, as a repository does.
            with ctx.slots.slot("huggingface"):
                return _fetch_one(entry, ctx, http)

        with HubHTTP(ctx.settings, ctx.budget) as http:
            fetch_each(self.name, entries, raw, ctx, ctx.settings.hub_concurrency, one)

    def normalize(
        self, entries: list[Entry], documents: list[CollectionDocument]
    ) -> dict[str, Outcome[HubCollection]]:
        return per_entry(entries, documents, _outcome)


def api_url(endpoint: str, source_id: str) -> str:
    """``{endpoint}/api/collections/{owner}/{slug}``, the slug one escaped segment (emoji)."""
    owner, _, slug = source_id.partition("/")
    return f"{endpoint.rstrip('/')}/api/collections/{quote(owner, safe='')}/{quote(slug, safe='')}"


def _fetch_one(entry: Entry, ctx: FetchContext, http: HubHTTP) -> CollectionDocument:
    settings = ctx.settings
    doc = CollectionDocument(entry_id=entry.id, exchanges=[])
    token = settings.hf_token.get_secret_value() if settings.hf_token else None
    url = api_url(settings.hf_endpoint, entry.source_id)
    home = _origin(url)
    try:
        for _ in range(settings.web_max_redirects + 1):
            response = http.get(url, build_hf_headers(token=token))
            if not response.has_redirect_location:
                break
            target = urljoin(url, response.headers["location"])
            if _origin(target) != home:
                raise BlockedURLError(f"refused: the Hub redirected the collection to {target}")
            url = target
        else:
            raise BlockedURLError(f"refused: more than {settings.web_max_redirects} redirects")
        try:
            body: Any = (
                load_json(response.content) if response.status_code == 200 else response.text
            )
        except ValueError:
            body = response.text
        now = ctx.clock.now()
        doc["exchanges"].append(
            exchange("collection", url, response.status_code, response.headers, body, now)
        )
        hf_raise_for_status(response)
    except Exception as exc:
        doc["error"] = hub_error_info(exc)
    return doc


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    return parts.scheme, (parts.hostname or "").lower(), parts.port


class _Owner(BaseModel):
    model_config = ConfigDict(extra="allow")

    name: StrictStr
    type: StrictStr | None = None


class _ItemAnswer(BaseModel):
    """An item as ``CollectionItem`` reads it: its object id, id, type and position."""

    model_config = ConfigDict(extra="allow")

    object_id: StrictStr = Field(alias="_id")
    id: StrictStr
    type: StrictStr
    position: StrictInt
    slug: StrictStr | None = None


class _Answer(BaseModel):
    """The fields of the Hub's answer that the record is built from, as the Hub types them:
    an answer that does not match is malformed, never a record with a wrong value."""

    model_config = ConfigDict(extra="allow")

    slug: StrictStr
    title: StrictStr
    owner: _Owner
    items: list[_ItemAnswer]
    lastUpdated: StrictStr  # the Hub spells them so
    position: StrictInt
    private: StrictBool
    theme: StrictStr
    upvotes: Count
    description: StrictStr | None = None
    gating: Any = None


def _outcome(entry: Entry, doc: CollectionDocument) -> Outcome[HubCollection]:
    if doc.get("skipped"):
        return Outcome(Status.SKIPPED, reason=doc["skipped"])
    if doc.get("error"):
        error = doc["error"]
        return Outcome(Status.ERROR, reason=error["message"], failure=failure_of(error))
    answer = doc["exchanges"][-1]
    body = answer["body"]
    try:
        checked = _Answer.model_validate(body)
    except ValidationError as exc:
        return Outcome(Status.ERROR, reason=malformed("the Hub", exc), failure=Failure.MALFORMED)
    # The page as the Hub publishes it (a mirror or the fake answers for it, under its name).
    collection = Collection(**{**body, "owner": checked.owner.name, "endpoint": _HUB})
    items = [
        CollectionItem(
            type=item.item_type,
            item_id=item.item_id,
            entry_id=hub_object_id(item.item_type, item.item_id),
            position=item.position,
            note=item.note,
        )
        for item in collection.items
    ]
    record = HubCollection(
        slug=collection.slug,
        title=collection.title,
        owner=collection.owner,
        owner_type=checked.owner.type,
        description=(collection.description or "").strip() or None,
        upvotes=collection.upvotes,
        item_count=len(items),
        items=items,
        last_updated=collection.last_updated,
        private=collection.private,
        gated=checked.gating not in (None, False),
        theme=collection.theme,
        url=collection.url,
    )
    fetched_at = datetime.fromisoformat(answer["fetched_at"])
    return Outcome(Status.OK, record, fetched_at=fetched_at)
