"""Hugging Face datasets, models and spaces, through ``huggingface_hub``.

Per repository: one ``/api/{datasets,models,spaces}/{id}`` request with ``expand[]`` naming
every property we record (with ``expand`` the Hub returns only what was asked, and all-time
downloads come only when asked), with the library's headers and error mapping, sent through
`enrich.sources.hubhttp` (every request bounded in time and decoded size, every wait paid from
the run's retry budget); then the card (README.md) at the exact commit ``sha``, one GET of the URL
``hf_hub_url`` builds. ``hf_hub_download`` would add a HEAD per file; and a file at a commit
never changes, so when the sha is the one of the last good run, that run's card is reused and
nothing is downloaded: two requests per repository cold, one warm.

Redirects are followed by hand: those that stay on the configured endpoint with the token;
the card's to another host (a CDN) only after `enrich.sources.addresses` has checked that host,
without the token, connected to the checked address. The card is read up to the size cap
(``web_max_bytes``) and dropped past it; bytes that are not UTF-8 text are not a card.

The raw JSON is kept as received; normalize checks the fields it reads (`_Info`), builds the
library's own ``DatasetInfo`` / ``ModelInfo`` / ``SpaceInfo`` from it and parses the card with
``RepoCard``. A gated repository's public metadata is recorded and its status says why the card
could not be read. A part that could not be read (no ``sha``; a card too large, not text, or not
reachable) keeps the last good value (`enrich.core.outcome`: carried, the entry stale).

With ``HF_HUB_OFFLINE`` set (`enrich.sources.hubhttp.offline`) nothing is asked: each entry is
``skipped`` with the reason, as the library's own calls refuse to go out.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any
from urllib.parse import urljoin, urlsplit

import yaml
from huggingface_hub import RepoCard, constants, hf_hub_url
from huggingface_hub.errors import (
    EntryNotFoundError,
    GatedRepoError,
    HfHubHTTPError,
    RepositoryNotFoundError,
)
from huggingface_hub.hf_api import DatasetInfo, ModelInfo, SpaceInfo
from huggingface_hub.repocard import REGEX_YAML_BLOCK
from huggingface_hub.utils import build_hf_headers, hf_raise_for_status  # type: ignore[attr-defined]
from markdown_it import MarkdownIt
from pydantic import BaseModel, ConfigDict, StrictBool, StrictStr, ValidationError

from enrich.core.errors import (
    BlockedURLError,
    ErrorTable,
    MalformedBodyError,
    NotFoundError,
    RedirectLoopError,
    RejectedError,
    SourceError,
    TooLargeError,
    UnreachableError,
    translate,
)
from enrich.core.failures import failure_of
from enrich.core.links import Kind
from enrich.core.model import Card, Entry, Failure, HubRepo, Status
from enrich.core.outcome import Outcome
from enrich.core.rawdocs import OK, ErrorInfo, HubCard, HubDocument, describe, exchange
from enrich.core.settings import Settings
from enrich.core.spec import SourceSpec
from enrich.core.specs.huggingface import HUGGINGFACE
from enrich.sources.addresses import check_address, pinned
from enrich.sources.base import (
    Count,
    FetchContext,
    RawSink,
    SourceBase,
    fetch_each,
    load_json,
    malformed,
    parse_time,
    per_entry,
)
from enrich.sources.clock import RunClock
from enrich.sources.hubhttp import HubHTTP, offline

logger = logging.getLogger(__name__)

# The job asks the Hub only for what it records. With telemetry on, building the User-Agent
# fetches the library's agent-harness registry (``/api/agent-harnesses``) once per thread that
# gets there first: requests that record nothing.
constants.HF_HUB_DISABLE_TELEMETRY = True

_PLURAL = {Kind.DATASET: "datasets", Kind.MODEL: "models", Kind.SPACE: "spaces"}
_EXPAND = {
    Kind.DATASET: ["author", "cardData", "createdAt", "disabled", "downloads", "downloadsAllTime",
                   "gated", "lastModified", "likes", "private", "sha", "tags"],
    Kind.MODEL: ["author", "cardData", "createdAt", "disabled", "downloads", "downloadsAllTime",
                 "gated", "lastModified", "likes", "private", "sha", "tags", "pipeline_tag"],
    Kind.SPACE: ["author", "cardData", "createdAt", "disabled", "lastModified", "likes",
                 "private", "sha", "tags", "sdk"],
}  # fmt: skip
_INFO = {Kind.DATASET: DatasetInfo, Kind.MODEL: ModelInfo, Kind.SPACE: SpaceInfo}


class HubSource(SourceBase[HubRepo]):
    spec: SourceSpec[HubRepo] = HUGGINGFACE
    per_entry_documents: bool = True

    def fetch(self, entries: list[Entry], raw: RawSink, ctx: FetchContext) -> None:
        settings = ctx.settings
        why = offline()
        if why is not None:  # huggingface_hub's offline mode: nothing asked, each entry skipped
            fetch_each(self.name, entries, raw, ctx, 1, lambda entry: HubDocument(
                entry_id=entry.id, kind=entry.kind.value, exchanges=[], skipped=why))  # fmt: skip
            return
        previous = raw.previous(self.name, {e.id for e in entries}, _has_card)
        with HubHTTP(settings, ctx.budget) as http:
            fetch_each(
                self.name, entries, raw, ctx, settings.hub_concurrency,
                lambda entry: _fetch_one(entry, ctx, http, previous.get(entry.id)),
            )  # fmt: skip

    def normalize(
        self, entries: list[Entry], documents: list[HubDocument]
    ) -> dict[str, Outcome[HubRepo]]:
        return per_entry(entries, documents, _outcome)


def _has_card(doc: Any) -> bool:
    return not doc.get("error") and "sha" in (doc.get("card") or {})


def _http(exc: BaseException) -> SourceError:
    response = getattr(exc, "response", None)
    status = response.status_code if response is not None else 0
    return SourceError(f"Hub answered HTTP {status}", source="huggingface", status=status)


def _refused(exc: BaseException) -> SourceError:
    # A redirect the run refused to follow (off the Hub, a loop): the repository moved where
    # the API does not answer for it, a fact about the link (`enrich.core.failures`).
    return RejectedError(str(exc), source="huggingface")


# huggingface_hub's (and httpx2's) exceptions as ours: the boundary of the source. Ours (timed
# out, too large, a refused wait) pass as they are, but for the refused redirects.
HUB_ERRORS: ErrorTable = (
    (RepositoryNotFoundError,
     lambda e: NotFoundError("not found on the Hub (deleted or private)", source="huggingface")),
    (HfHubHTTPError, _http),
    (Exception,
     lambda e: UnreachableError(f"Hub unreachable ({type(e).__name__})", source="huggingface")),
)  # fmt: skip


def hub_error_info(exc: Exception) -> ErrorInfo:
    """A failed request as an entry's error (`HUB_ERRORS`)."""
    if isinstance(exc, BlockedURLError | RedirectLoopError):
        exc = _refused(exc)
    return describe(translate(exc, HUB_ERRORS))


def _fetch_one(
    entry: Entry, ctx: FetchContext, http: HubHTTP, previous: HubDocument | None
) -> HubDocument:
    settings = ctx.settings
    doc = HubDocument(entry_id=entry.id, kind=entry.kind.value, exchanges=[])
    token = settings.hf_token.get_secret_value() if settings.hf_token else None
    endpoint = settings.hf_endpoint.rstrip("/")
    url = f"{endpoint}/api/{_PLURAL[entry.kind]}/{entry.source_id}"
    before = previous["exchanges"][-1] if previous and previous["exchanges"] else None
    etag = before.get("etag") if before and before["status"] in OK else None
    try:
        response, body = _info(url, entry, ctx, http, token, etag)
        now = ctx.clock.now()
        if response.status_code == 304 and before is not None:  # unchanged: its body holds
            body = before["body"]
            x = exchange("info", url, 304, {**before["headers"], **response.headers}, body, now)
            x["revalidated"] = before.get("revalidated") or before["fetched_at"]
            doc["exchanges"].append(x)
        else:
            doc["exchanges"].append(
                exchange("info", url, response.status_code, response.headers, body, now)
            )
        hf_raise_for_status(response)
    except Exception as exc:
        doc["error"] = hub_error_info(exc)
        return doc
    if not isinstance(body, dict) or "id" not in body:
        return doc  # malformed: normalize says so, and no card is asked for
    sha = body.get("sha") if isinstance(body.get("sha"), str) else None
    old: HubCard = (previous.get("card") if previous else None) or {}
    if sha and old.get("sha") == sha:
        # A commit fixes every file: the card at this sha is the one already read.
        doc["card"] = {**old, "reused": f"unchanged at {sha[:12]} since {old.get('fetched_at')}"}
    else:
        doc["card"] = _card_at(entry, sha, settings, http, token, ctx.clock)
    return doc


def _info(
    url: str,
    entry: Entry,
    ctx: FetchContext,
    http: HubHTTP,
    token: str | None,
    etag: str | None = None,
) -> tuple[Any, Any]:
    """The info answer and its body; a 200 whose body is not JSON (truncated) is asked again,
    the wait drawn from the run's retry budget. ``etag``: the last answer's, sent as
    ``If-None-Match`` (docs/reliability.md: the Hub sends one; a 304 is not documented)."""
    settings = ctx.settings
    wait = settings.http_backoff_seconds
    attempt = hops = 0
    while attempt <= settings.http_retries:
        # Transient failures (408, 429, 5xx, no answer) are retried inside, each wait bounded
        # and paid from the run's budget (`enrich.sources.hubhttp`); 404/401 are final.
        headers = build_hf_headers(token=token)
        if etag:
            headers["If-None-Match"] = etag
        response = http.get(url, headers, params=[("expand[]", p) for p in _EXPAND[entry.kind]])
        if response.has_redirect_location:
            # A renamed repository: the Hub answers with a redirect on its own host. Anything
            # else is not followed (the API answers from the endpoint it was configured with).
            target = urljoin(url, response.headers["location"])
            hops += 1
            if _origin(target) != _origin(url) or hops > settings.web_max_redirects:
                raise BlockedURLError(f"refused: the Hub redirected the repository to {target}")
            url = target
            continue
        attempt += 1
        if response.status_code != 200:
            return response, response.text
        try:
            return response, load_json(response.content)
        except ValueError:
            if attempt > settings.http_retries or not ctx.budget.wait(wait):
                raise MalformedBodyError(
                    f"the Hub sent malformed JSON {attempt} times", source="huggingface", url=url
                ) from None
            logger.info("the Hub sent a malformed body for %s; asking again", url)
            wait = min(wait * 2, 30)
    raise AssertionError("unreachable")


def _card_at(
    entry: Entry,
    sha: str | None,
    settings: Settings,
    http: HubHTTP,
    token: str | None,
    clock: RunClock,
) -> HubCard:
    """The card (README.md) at commit ``sha``: one request (plus its redirects), the Hub's error
    codes mapped by the library (gated, missing), read up to the size cap.

    A card that will be the same at this sha (too large, not text) keeps ``sha``, so the next
    night does not download it again; one that may read fine next time (network, a refused
    redirect) has no ``sha``, so it is asked again."""
    url = hf_hub_url(
        entry.source_id, "README.md", repo_type=entry.kind.value, revision=sha,
        endpoint=settings.hf_endpoint.rstrip("/"),
    )  # fmt: skip
    cap = settings.web_max_bytes
    try:
        response = _follow(http, url, settings, token)
        if response.status_code >= 400:
            hf_raise_for_status(response)
        data: bytes | None = response.content
    except GatedRepoError:
        return {
            "status": 401,
            "sha": sha,
            "error": "gated: the card needs an accepted access request",
        }
    except EntryNotFoundError:
        return {"status": 404, "sha": sha, "error": "the repository has no card (README.md)"}
    except BlockedURLError as exc:
        return {"status": 0, "error": f"card not read ({exc.message})", "kind": "blocked"}
    except TooLargeError:
        data = None
    except Exception as exc:
        return {"status": 0, "error": f"card not read ({type(exc).__name__})", "kind": "network"}
    if data is None:
        error = f"card not read (larger than {cap} bytes)"
        return {"status": 0, "sha": sha, "error": error, "kind": "malformed"}
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = "\x00"
    if "\x00" in text:
        return {"status": 0, "sha": sha, "error": "card not read (not text)", "kind": "malformed"}
    return {"status": 200, "sha": sha, "text": text, "fetched_at": clock.stamp()}


def _follow(http: HubHTTP, url: str, settings: Settings, token: str | None) -> Any:
    """GET ``url``, following redirects by hand: on the endpoint's own origin with the token;
    to another host only once that host is checked, without it. Read up to ``web_max_bytes``."""
    home = _origin(settings.hf_endpoint)
    for _ in range(settings.web_max_redirects + 1):
        same = _origin(url) == home
        headers = build_hf_headers(token=token if same else False)
        target = url
        extensions: dict[str, Any] = {}
        if not same:
            address = check_address(url, settings.allow_loopback)
            target, host, extensions = pinned(url, address)
            headers.update(host)
        response = http.get(
            target, headers, extensions=extensions, max_bytes=settings.web_max_bytes
        )
        if not response.has_redirect_location:
            return response
        url = urljoin(url, response.headers["location"])
    raise RedirectLoopError(f"more than {settings.web_max_redirects} redirects")


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    return parts.scheme, (parts.hostname or "").lower(), parts.port


class _Info(BaseModel):
    """The fields of the Hub's answer that the record is built from, as the Hub types them:
    an answer that does not match is malformed, never a record with a wrong value."""

    model_config = ConfigDict(extra="allow")

    id: StrictStr
    sha: StrictStr | None = None
    downloads: Count | None = None
    downloadsAllTime: Count | None = None  # the Hub spells them so
    likes: Count | None = None
    tags: list[StrictStr] | None = None
    gated: StrictBool | StrictStr | None = None
    private: StrictBool | None = None
    lastModified: StrictStr | None = None
    createdAt: StrictStr | None = None


def _outcome(entry: Entry, doc: HubDocument) -> Outcome[HubRepo]:
    if doc.get("skipped"):
        return Outcome(Status.SKIPPED, reason=doc["skipped"])
    if doc.get("error"):
        error = doc["error"]
        return Outcome(Status.ERROR, reason=error["message"], failure=failure_of(error))
    info_x = doc["exchanges"][0]
    body = info_x["body"]
    if not isinstance(body, dict):
        return Outcome(Status.ERROR, reason=malformed("the Hub", "not a JSON object"),
                       failure=Failure.MALFORMED)  # fmt: skip
    try:
        _Info.model_validate(body)
    except ValidationError as exc:
        return Outcome(Status.ERROR, reason=malformed("the Hub", exc), failure=Failure.MALFORMED)
    info: Any = _INFO[entry.kind](**dict(body))  # type: ignore[no-untyped-call]
    reasons: list[str] = []
    carry: list[str] = []
    failure: Failure | None = None
    if not info.sha:
        reasons.append(malformed("the Hub", "no sha"))
        carry.append("sha")
        failure = Failure.MALFORMED
    card_doc = doc.get("card") or {}
    card = None
    if card_doc.get("status") == 200:
        try:
            card = _card(str(card_doc["text"]))
        except Exception as exc:  # aliases past the cap (it says why), a ``!!python`` tag
            why = str(exc) if isinstance(exc, FrontMatterError) else type(exc).__name__
            card_doc = {"status": 0, "error": f"card not read ({why})", "kind": "malformed"}
    if card is None and card_doc.get("error"):
        # Public metadata is good; say why the card is missing without failing the entry. A
        # gated or absent card is a fact; one that could not be read keeps the last good one.
        reasons.append(card_doc["error"])
        if card_doc.get("status") not in (401, 404):
            carry.append("card")
            failure = failure or failure_of({"kind": card_doc.get("kind") or "network"})
    tags = list(getattr(info, "tags", None) or [])
    gated = getattr(info, "gated", None)
    hub = HubRepo(
        repo_type=entry.kind.value,
        repo_id=info.id,
        sha=info.sha,
        last_modified=info.last_modified,
        created_at=info.created_at,
        downloads=getattr(info, "downloads", None),
        downloads_all_time=getattr(info, "downloads_all_time", None),
        likes=info.likes,
        tags=tags,
        gated=gated if isinstance(gated, str) else None,
        private=bool(info.private),
        arxiv_ids=sorted({t.split(":", 1)[1] for t in tags if t.startswith("arxiv:")}),
        card=card,
    )
    fetched_at = parse_time(info_x["fetched_at"])
    return Outcome(Status.OK, hub, reason="; ".join(reasons) or None, fetched_at=fetched_at,
                   failure=failure, carry=tuple(carry))  # fmt: skip


# Values aliases may expand a card's front matter to (each counted at each use): real cards
# have hundreds to tens of thousands; a few hundred bytes of nested aliases expand to billions,
# which ``RepoCard``'s ``to_dict`` and the JSON kept of it would build in memory. A front matter
# without aliases is as large as its text, which the size cap bounds.
MAX_FRONT_MATTER_VALUES = 100_000


# libyaml's loader where PyYAML was built with it (the wheels are): composing in C is ~10 times
# faster than in Python, so the check costs a fraction of RepoCard's own (Python) parse.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class FrontMatterError(ValueError):
    """A card's front matter that would not fit in memory once its aliases are expanded."""


def _check_front_matter(text: str) -> None:
    """`FrontMatterError` when aliases expand the YAML front matter past
    `MAX_FRONT_MATTER_VALUES` values. Composed only (nodes, an alias the node it names: linear
    in the text), counted once per node with what it expands to, so the count costs what the
    text does."""
    match = REGEX_YAML_BLOCK.search(text)
    if match is None:
        return
    try:
        root = yaml.compose(match.group(2), Loader=_LOADER)
    except yaml.YAMLError:
        return  # RepoCard reads it as no metadata (``ignore_metadata_errors``)
    sizes: dict[int, int] = {}

    def size(node: yaml.Node) -> int:
        key = id(node)
        if key not in sizes:
            sizes[key] = 0  # a recursive alias counts once, not for ever
            value = node.value
            if isinstance(node, yaml.MappingNode):
                total = 1 + sum(size(k) + size(v) for k, v in value)
            elif isinstance(node, yaml.SequenceNode):
                total = 1 + sum(size(v) for v in value)
            else:
                total = 1
            sizes[key] = min(total, MAX_FRONT_MATTER_VALUES + 1)
        return sizes[key]

    expanded = size(root) if root is not None else 0
    if expanded > MAX_FRONT_MATTER_VALUES and expanded > len(sizes):  # aliases multiplied it
        raise FrontMatterError(
            f"its front matter expands to more than {MAX_FRONT_MATTER_VALUES:,} values"
        )


def _card(text: str) -> Card:
    _check_front_matter(text)
    card = RepoCard(text, ignore_metadata_errors=True)
    meta: dict[str, Any] = card.data.to_dict() if card.data else {}  # type: ignore[no-untyped-call]

    def as_list(value: Any) -> list[str]:
        if value is None:
            return []
        return [str(v) for v in value] if isinstance(value, list) else [str(value)]

    configs = [c.get("config_name") for c in meta.get("configs") or [] if isinstance(c, dict)]
    return Card(
        license=str(meta["license"]) if meta.get("license") else None,
        task_categories=as_list(meta.get("task_categories")),
        language=as_list(meta.get("language")),
        size_categories=as_list(meta.get("size_categories")),
        pretty_name=str(meta["pretty_name"]) if meta.get("pretty_name") else None,
        configs=[str(c) for c in configs if c],
        metadata_json=json.dumps(meta, sort_keys=True, default=str) if meta else None,
        text=card.text,
        summary=summary(card.text),
    )


_MD = MarkdownIt("commonmark")


def summary(markdown: str) -> str | None:
    """The first paragraph of prose: not a heading, badge line, table, code or link list."""
    tokens = _MD.parse(markdown)
    for i, token in enumerate(tokens):
        if token.type != "inline" or tokens[i - 1].type != "paragraph_open":
            continue
        if tokens[i - 1].level != 0:
            continue  # inside a list or a quote
        words = [c.content for c in token.children or [] if c.type in ("text", "code_inline")]
        text = re.sub(r"\s+", " ", " ".join(words)).strip()
        if len(text.split()) >= 6:
            return text
    return None
