"""The raw layer's document shapes, as written by the sources and read back by normalize.

A run folder is read again by warm runs (ETags, cards at an unchanged sha, up to 7 runs back)
and by ``enrich rebuild``; its manifest carries `RAW_FORMAT`, and a reader that meets another
format says so instead of misreading it. Bump `RAW_FORMAT` whenever a document's shape changes
in a way an older reader would misread, and list the formats still readable in `READABLE`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, NotRequired, TypedDict

from enrich.core.errors import SourceError

# Format 1: the documents below. Folders written before the manifest carried a format are
# format 1 too (the same shapes).
# Format 2: a GitHub document may lack some REST parts (a request that failed alone, or one
# deferred by the rate limit: an exchange with ``deferred``, status 0), and a Hub card may carry
# an error of its own: a format-1 reader would read those parts as empty instead of keeping the
# last good values. Format 1 folders are read as they are (every part present or an error).
RAW_FORMAT = 2
READABLE = frozenset({1, 2})

# A 304 answer carries the body it revalidated: as good as a 200.
OK = (200, 304)


class Exchange(TypedDict):
    """One request's record: what was asked, what came back, when."""

    request: str
    url: str
    status: int  # 0: no answer (connection failed)
    etag: str | None
    headers: dict[str, str]  # only `raw.KEPT_HEADERS`, lower-case; never a request header
    fetched_at: str  # ISO 8601, UTC
    body: Any
    revalidated: NotRequired[str]  # a 304: when the body it confirmed was first read
    reused: NotRequired[str]  # no request: why the previous answer still holds
    full_fetched_at: NotRequired[str]  # GitHub GraphQL reused: when the full query read it
    query_id: NotRequired[str]  # GraphQL: the batch request this alias's subtree came from
    alias: NotRequired[str]
    deferred: NotRequired[str]  # not asked (status 0): why, e.g. the rate limit left too little


class ErrorInfo(TypedDict):
    # not_found, http (with status), transient, network, deferred, graphql, malformed, rejected,
    # redirect_loop; `enrich.sources.base.failure_of` maps them to `enrich.core.model.Failure`.
    kind: str
    message: str
    status: NotRequired[int]  # the HTTP status, for kind http


def describe(error: SourceError) -> ErrorInfo:
    """A source's error as its entry's raw document records it: the class's kind, the message,
    and the HTTP status when there was one."""
    info = ErrorInfo(kind=error.kind, message=error.message)
    if error.status is not None:
        info["status"] = error.status
    return info


class GitHubDocument(TypedDict):
    entry_id: str
    requested: str  # owner/name as the list spells it
    exchanges: list[Exchange]
    api: NotRequired[str]  # "graphql" when read through GraphQL
    error: NotRequired[ErrorInfo]


class HubCard(TypedDict, total=False):
    status: int
    sha: str | None
    text: str
    fetched_at: str
    error: str
    kind: str  # for an error: an `ErrorInfo` kind (malformed, network, blocked)
    reused: str


class HubDocument(TypedDict):
    entry_id: str
    kind: str
    exchanges: list[Exchange]
    card: NotRequired[HubCard]
    error: NotRequired[ErrorInfo]
    skipped: NotRequired[str]  # not asked, and why (HF_HUB_OFFLINE)


class CollectionDocument(TypedDict):
    """One Hub collection's ``/api/collections/{owner}/{slug}`` exchange."""

    entry_id: str
    exchanges: list[Exchange]
    error: NotRequired[ErrorInfo]
    skipped: NotRequired[str]  # not asked, and why (HF_HUB_OFFLINE)


class PageHead(TypedDict):
    """A web hop's body: what the page says about itself, read by `enrich.core.pagemeta` and
    interpreted at normalize (so a better reading needs no refetch). ``meta``, ``jsonld`` and
    ``arxiv_links`` are absent from hops written before they were read (a warm run does not
    revalidate those: it reads the page again)."""

    title: str | None
    bytes: int
    meta: NotRequired[list[list[str]]]  # [key, value]: name / property / itemprop, in order
    jsonld: NotRequired[list[Any]]  # the page's JSON-LD objects, as parsed
    arxiv_links: NotRequired[list[str]]  # arXiv abs/pdf links anywhere in the page read
    sha256: NotRequired[str]  # of the body read (the https probe compares pages with it)


class WebDocument(TypedDict):
    entry_id: str
    hops: list[Exchange]  # each hop's body: a `PageHead`
    error: NotRequired[str]
    error_kind: NotRequired[str]  # an `ErrorInfo` kind: blocked, not_found, network, rejected
    skipped: NotRequired[str]
    # An http:// link's https:// form, asked too (`enrich.sources.web.fetch_and_probe`).
    # Optional keys: a reader that does not know them misreads nothing (no RAW_FORMAT bump).
    https_probe: NotRequired[WebDocument]


class ArxivQuery(Exchange):
    """One arXiv API request: the ids it asked for and the Atom body as received."""

    ids: list[str]
    error: NotRequired[str]
    # What kind of failure ``error`` is (`enrich.core.failures`); absent: no answer (network).
    error_kind: NotRequired[str]


class ArxivSearch(Exchange):
    """One arXiv title search (``search_query=ti:"…" OR …``): the titles asked, as written on
    their landing pages, and the Atom body as received."""

    titles: list[str]
    error: NotRequired[str]


class PaperInput(TypedDict):
    """What the papers source read of a non-arXiv paper's landing page (the web source's
    document of this run), kept so that its normalize reads its own documents only."""

    entry_id: str
    landing: str | None  # the page's final URL, or None when it was not read
    title: str | None
    authors: list[str]
    arxiv_id: str | None  # citation_arxiv_id
    arxiv_links: list[str]  # arXiv ids linked from the page
    missing: NotRequired[str]  # why there is nothing to resolve (page not read, no metadata)
    # What this run's fetch concluded (a hint for the next night; normalize decides again):
    resolved: NotRequired[ResolvedHint]
    searched_at: NotRequired[str]  # the last title search for these declarations (ISO time)
    # The page declares what it declared last night: last night's conclusion holds, and no
    # search was sent (a tie is refreshed by an id_list query; a miss is searched again after
    # `Settings.paper_search_days`).
    reused: NotRequired[str]


class ResolvedHint(TypedDict):
    arxiv_id: str
    evidence: str
    detail: str | None


class ScholarBatch(Exchange):
    """One Semantic Scholar batch request (`enrich.sources.scholar.client`): the ids asked (the
    answer's order), which entry asked which id, the last answer as received (a list aligned
    with the ids, ``null`` for an unknown one), and how many attempts it took."""

    ids: list[str]
    asked: dict[str, str]  # entry id -> the id it was asked under
    attempts: int
    error: NotRequired[ErrorInfo]
    # A 400 "too large": the ids were asked again in halves, in the documents that follow.
    split: NotRequired[bool]


class Absent(TypedDict):
    """A paper the Hub has no page for: since when (the first 404 in a row), how many 404s in a
    row, and when it is asked again (`enrich.sources.papers`: the back-off)."""

    since: str
    answers: int
    next_at: str


class HubPaperDocument(TypedDict):
    """One arXiv paper's ``/api/papers/{id}`` exchange (a 404 is an answer: not on the Hub).
    ``absent``: a 404's back-off, carried from run to run while it lasts (the exchange then is
    the last 404, marked ``reused``). Optional: no RAW_FORMAT bump."""

    arxiv_id: str
    exchanges: list[Exchange]
    error: NotRequired[ErrorInfo]
    absent: NotRequired[Absent]


class Manifest(TypedDict):
    run_id: str
    started_at: str
    list_source: str
    skipped_sources: dict[str, str]  # source -> why it was not fetched
    skipped_entries: NotRequired[dict[str, str]]  # entry id -> why it alone was not fetched
    # A catalog run's lists: slug -> list source (each in ``lists/<slug>.md``); absent for a run
    # of one list (``list.md``).
    lists: NotRequired[dict[str, str]]
    # A catalog run's lists that could not be read (list source -> why), and the Hub repository
    # it uploads to: what a rebuild of the catalog needs to write its tables and card again.
    # Optional: no RAW_FORMAT bump (a folder without them rebuilds without those rows).
    unread: NotRequired[dict[str, str]]
    publish_repo: NotRequired[str]
    raw_format: NotRequired[int]


class RequestCounts(TypedDict):
    """What a source cost a run: requests sent (retries not counted; a GraphQL batch once),
    answered 304, and answers reused without a request."""

    sent: int
    not_modified: int
    reused: int


class Usage(TypedDict):
    """What a run spent of one rate-limit window, and the window as last seen."""

    spent: int
    limit: int | None
    remaining: int | None
    reset: str | None
    deferred: NotRequired[int]  # units of work left for a later night (not enough left)


# Response headers worth keeping; everything else (cookies, request ids) is dropped, and
# request headers (where a token lives) are never stored at all.
KEPT_HEADERS = {
    "content-type", "etag", "last-modified", "link", "location", "retry-after",
    "x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset", "x-ratelimit-used",
    "x-ratelimit-resource", "x-repo-commit", "x-error-code", "x-error-message",
}  # fmt: skip


def exchange(
    name: str,
    url: str,
    status: int,
    headers: Mapping[str, Any],
    body: Any,
    fetched_at: datetime,
) -> Exchange:
    """One request's record: what was asked, what came back, when."""
    kept = {k.lower(): str(v) for k, v in headers.items() if k.lower() in KEPT_HEADERS}
    return Exchange(
        request=name,
        url=url,
        status=status,
        etag=kept.get("etag"),
        headers=dict(sorted(kept.items())),
        fetched_at=fetched_at.isoformat(),
        body=body,
    )


class ExternalPlan(TypedDict):
    """Which repositories outside the list a run enriched (``external.json`` in the run
    folder): what build reads, so a rebuild needs nothing else. ``found``: how many the graph
    named; ``planned``: the first ``limit`` of them, as (entry id, URL)."""

    limit: int
    found: int
    planned: list[list[str]]
