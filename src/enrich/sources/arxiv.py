"""arXiv papers, through the ``arxiv`` client: batched ``id_list`` queries, spaced requests.

Fetch: every paper id of the run goes into ``id_list`` queries of up to
``Settings.arxiv_batch_size`` ids, one request at a time, ``arxiv_delay_seconds`` apart (the
client enforces the spacing). The API sometimes answers with a page that silently lacks some
requested ids, and answers an unknown id by leaving it out: ids that did not come back are asked
again, alone together, up to ``arxiv_missing_retries`` times, then called unknown. A malformed id
makes arXiv answer the whole batch with HTTP 400 and an ``Error`` entry; the batch is split in
halves until the bad id stands alone, so one bad id costs its neighbours nothing.

The client calls ``session.get`` without a timeout and reads the whole answer: its session gets
our adapter (`enrich.sources.bounded.BoundedAdapter`): every read at most
``http_timeout_seconds``, every request at most ``arxiv_deadline_seconds`` in all and
``arxiv_max_bytes`` decoded. The client takes no session of ours: its private ``_session`` is
where the adapter is mounted (arxiv is pinned, and `test_private_parts` fails loudly when it
moves); the endpoint is its public ``query_url_format``. A request that times out, or whose
answer is past the cap, is asked again (up to ``http_retries`` times) while the run's retry
budget pays for the wait and for the time the attempt cost; then its papers go stale.

Raw: every response body (Atom XML) as the client received it, one document per request.
Normalize: the client's own Atom parser over those bodies. An answer counts only for the ids
its request asked for (one paper's answer never overwrites another's); among those, the newest
wins. An entry whose id is not an arXiv id (``…/abs/2204.05862v1.pdf``) is malformed: it fails
the paper it names, not the others.

Papers listed under other URLs are resolved to arXiv by `enrich.sources.papers`, through the same
`Fetcher` (``id_list`` queries and exact-title searches, `Fetcher.search`).
"""

from __future__ import annotations

import logging
import re
import threading
from datetime import datetime
from typing import Any

import arxiv
import requests
from lxml import etree

from enrich.core.errors import SourceError, TimedOutError, TooLargeError
from enrich.core.failures import failure_of, http_failure
from enrich.core.links import ARXIV_ID
from enrich.core.model import Author, Entry, Failure, Paper, Status
from enrich.core.outcome import Outcome
from enrich.core.rawdocs import ArxivQuery, exchange
from enrich.core.settings import Settings
from enrich.core.spec import SourceSpec
from enrich.core.specs.arxiv import ARXIV
from enrich.sources.base import (
    FetchContext,
    RawSink,
    SourceBase,
    chunks,
    in_range,
    parse_time,
    unreadable,
)
from enrich.sources.bounded import Bound, BoundedAdapter, bounded, mount
from enrich.sources.clock import RunClock
from enrich.sources.limits import RetryBudget

logger = logging.getLogger(__name__)

_NS = {"atom": "http://www.w3.org/2005/Atom"}
_ERROR_ID = re.compile(r"/api/errors#(?P<reason>[a-z_]+?)_for_(?P<id>.+)$")


class ArxivSource(SourceBase[Paper]):
    spec: SourceSpec[Paper] = ARXIV
    per_entry_documents: bool = False

    def accepts(self, entry: Entry) -> bool:
        """arXiv papers; a paper on another host is read from its page (the web source)."""
        return entry.id.startswith("arxiv:")

    def fetch(self, entries: list[Entry], raw: RawSink, ctx: FetchContext) -> None:
        settings, progress = ctx.settings, ctx.progress
        ids = sorted({e.source_id for e in entries})
        fetcher = Fetcher(raw, settings, budget=ctx.budget, clock=ctx.clock)
        for batch in chunks(ids, settings.arxiv_batch_size):
            pending = batch
            for attempt in range(1 + settings.arxiv_missing_retries):
                got = fetcher.query(pending)
                missing = [i for i in pending if i not in got]
                progress(len(pending) - len(missing))
                if not missing:
                    break
                logger.info(
                    "arXiv left out %d of %d ids (try %d)", len(missing), len(pending), attempt
                )
                pending = missing
            else:
                progress(len(pending))

    def normalize(
        self, entries: list[Entry], documents: list[ArxivQuery]
    ) -> dict[str, Outcome[Paper]]:
        read = read_queries(documents)
        outcomes: dict[str, Outcome[Paper]] = {}
        for entry in entries:
            if entry.source_id in read.papers:
                fetched_at, paper = read.papers[entry.source_id]
                outcomes[entry.id] = in_range(Outcome(Status.OK, paper, fetched_at=fetched_at))
            elif entry.source_id in read.errors:
                why, failure = read.errors[entry.source_id]
                outcomes[entry.id] = Outcome(Status.ERROR, reason=why, failure=failure)
            elif entry.source_id in read.asked:
                tries = read.asked[entry.source_id]
                reason = f"unknown to arXiv (not returned in {tries} tries)"
                outcomes[entry.id] = Outcome(Status.ERROR, reason=reason, failure=Failure.NOT_FOUND)
        return outcomes


def read_queries(documents: list[ArxivQuery]) -> _Read:
    """What the ``id_list`` answers said, oldest first: the papers (the newest answer per id
    wins), the ids arXiv called bad or could not answer, and how often each id was asked. One
    unreadable answer costs only the ids it was for."""
    read = _Read()
    usable = [d for d in documents if isinstance(d, dict)]
    for doc in sorted(usable, key=lambda d: str(d.get("fetched_at"))):
        ids = {str(i) for i in doc.get("ids") or []}
        for paper_id in ids:
            read.asked[paper_id] = read.asked.get(paper_id, 0) + 1
        try:
            read.document(doc, ids)
        except Exception as exc:
            for paper_id in ids:
                read.errors.setdefault(paper_id, (unreadable(exc).reason or "", Failure.MALFORMED))
    return read


def parse_feed(body: bytes) -> list[Paper]:
    """The papers of one Atom answer, read by the client's own parser (the same reading of an
    entry as a live ``Result``); arXiv's ``Error`` entries and malformed entries are not papers."""
    results = arxiv._feed.parse(body).results
    found = [_paper(r) for r in results if not _ERROR_ID.search(r.entry_id)]
    return [paper for paper in found if paper is not None]


def title_phrase(title: str) -> str:
    """A title as an arXiv phrase query: letters and digits only (quotes, colons and
    parentheses are query syntax to arXiv's search), one space between words."""
    return " ".join(re.sub(r"[^\w\s]", " ", title).split())


class _Read:
    """What the answers said: papers (the newest answer wins), errors, and how many times each
    id was asked."""

    def __init__(self) -> None:
        self.papers: dict[str, tuple[datetime, Paper]] = {}
        self.errors: dict[str, tuple[str, Failure]] = {}
        self.asked: dict[str, int] = {}

    def document(self, doc: ArxivQuery, ids: set[str]) -> None:
        fetched_at = parse_time(doc["fetched_at"])
        if fetched_at is None:
            raise ValueError("no fetched_at")
        if doc["status"] not in (200, 400) or not isinstance(doc["body"], str):
            status = doc["status"] if isinstance(doc["status"], int) else 0
            why = f"arXiv: {doc['error']}" if doc.get("error") else f"arXiv answered HTTP {status}"
            failure = http_failure(status) if status else Failure.UNREACHABLE
            if doc.get("error_kind"):
                failure = failure_of({"kind": doc["error_kind"]})
            for paper_id in ids:
                self.errors.setdefault(paper_id, (why, failure))
            return
        body = doc["body"].encode("utf-8")
        if doc["status"] == 200 and not _is_feed(body):
            # A 200 that is no Atom feed (an HTML error page): arXiv's trouble, not a sign that
            # the ids are unknown to it (which made them dead links, outside the publish guard).
            for paper_id in ids:
                self.errors.setdefault(paper_id, (_NOT_A_FEED, Failure.MALFORMED))
            return
        for paper_id, why in _error_entries(body).items():
            if paper_id in ids:
                self.errors[paper_id] = (why, Failure.REJECTED)
        # The client's own parser: the same reading of the Atom entry as a live Result.
        for result in arxiv._feed.parse(body).results:
            if _ERROR_ID.search(result.entry_id):
                continue
            paper = _paper(result)
            if paper is None:
                why = f"arXiv sent a malformed entry (id {result.entry_id[-60:]})"
                for paper_id in (i for i in ids if i in result.entry_id):
                    self.errors[paper_id] = (why, Failure.MALFORMED)
            elif paper.arxiv_id in ids:  # an answer counts for what was asked, only
                self.papers[paper.arxiv_id] = (fetched_at, paper)


# What a failed attempt cost, drawn from the budget with its wait (a too-large answer: nothing).
_COST = {"TooLargeError": 0.0}


class Fetcher:
    """One ``arxiv.Client`` for the task; records every response it receives under
    ``source`` (``query-N``: ``id_list`` requests, ``search-N``: title searches). With the
    run's ``budget``, a request that times out is asked again while the budget pays for it."""

    def __init__(
        self,
        raw: RawSink,
        settings: Settings,
        source: str = "arxiv",
        budget: RetryBudget | None = None,
        clock: RunClock | None = None,
    ) -> None:
        self.raw = raw
        self.clock = clock or RunClock()
        self.source = source
        self.settings = settings
        self.budget = budget or RetryBudget(0.0)
        self.client = arxiv.Client(
            page_size=settings.arxiv_batch_size,
            delay_seconds=settings.arxiv_delay_seconds,
            num_retries=settings.http_retries,
        )
        self.client.query_url_format = f"{settings.arxiv_api_url.rstrip('/')}/api/query?{{}}"
        mount(self.client._session, BoundedAdapter(timeout=settings.http_timeout_seconds))
        self.bound = Bound("arXiv", settings.arxiv_deadline_seconds, settings.arxiv_max_bytes)
        self.count = 0
        self.lock = threading.Lock()
        self.current: list[str] = []
        self.kind = "query"
        # The client exposes parsed results only; a response hook on its session keeps the
        # Atom body as received, for the raw layer.
        self.client._session.hooks["response"].append(self._record)

    def _asked(self) -> dict[str, list[str]]:
        return {"ids" if self.kind == "query" else "titles": list(self.current)}

    def _record(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        with self.lock:
            self.count += 1
            key = f"{self.kind}-{self.count:05d}"
        body = response.content.decode("utf-8", errors="replace")
        x = exchange(
            self.kind, response.url, response.status_code, response.headers, body,
            self.clock.now(),
        )  # fmt: skip
        self.raw.put(self.source, key, {**x, **self._asked()})

    def search(self, titles: list[str], max_results: int) -> list[Paper] | None:
        """One exact-title search for ``titles`` (``ti:"…" OR ti:"…"``); the papers it found,
        or None when arXiv could not be asked or answered an error (recorded either way)."""
        self.kind, self.current = "search", titles
        query = " OR ".join(f'ti:"{title_phrase(t)}"' for t in titles)
        search = arxiv.Search(query=query, max_results=max_results)
        try:
            with bounded(self.bound):
                found = [_paper(r) for r in self.client.results(search)]
            return [paper for paper in found if paper is not None]
        except SourceError as exc:  # timed out, or too large
            logger.warning("arXiv: %s", exc.message)
            self._record_failure(exc.message, exc.kind)
            return None
        except arxiv.UnexpectedEmptyPageError:
            return []
        except arxiv.HTTPError as exc:
            logger.warning("arXiv answered HTTP %s to a title search", exc.status)
            return None
        except requests.RequestException as exc:
            logger.warning("arXiv unreachable: %s", type(exc).__name__)
            self._record_failure(f"unreachable ({type(exc).__name__})")
            return None
        finally:
            self.kind = "query"

    def query(self, ids: list[str]) -> set[str]:
        """Ask for ``ids``; return the ones that came back as papers (all of them when the
        request failed: its record says why, per id). A timed-out request is asked again
        while the run's budget pays for the time it cost and the wait."""
        settings = self.settings
        wait = settings.http_backoff_seconds
        reason, kind = "timed out", "network"
        for attempt in range(settings.http_retries + 1):
            try:
                return self._query(ids)
            except (requests.Timeout, TimedOutError, TooLargeError) as exc:
                if isinstance(exc, SourceError):
                    reason, kind = exc.message, exc.kind
                cost = _COST.get(type(exc).__name__, settings.http_timeout_seconds)
                if isinstance(exc, TimedOutError):
                    cost = settings.arxiv_deadline_seconds
                if (
                    attempt < settings.http_retries
                    and self.budget.take(cost) and self.budget.wait(wait)
                ):  # fmt: skip
                    logger.info("arXiv: %s for %d ids; asking again", reason, len(ids))
                    wait *= 2
                    continue
                break
        logger.warning("arXiv: %s for %d ids", reason, len(ids))
        self._record_failure(reason, kind)
        return set(ids)

    def _query(self, ids: list[str]) -> set[str]:
        self.kind, self.current = "query", ids
        search = arxiv.Search(id_list=ids, max_results=len(ids))
        got: set[str] = set()
        try:
            with bounded(self.bound):
                for result in self.client.results(search):
                    match = ARXIV_ID.match(result.get_short_id())
                    if match and match.group("id") in ids:
                        got.add(match.group("id"))
        except arxiv.UnexpectedEmptyPageError:
            pass  # a short page: the caller asks again for what is missing
        except ValueError as exc:
            # The client's parser raises on an entry it cannot read (``<published>yesterday``),
            # which ended the whole source; the answer is recorded: normalize reports it per id.
            logger.warning("arXiv sent a feed its client could not read (%s)", exc)
            return got | set(ids)
        except arxiv.HTTPError as exc:
            if exc.status == 400 and len(ids) > 1:
                half = len(ids) // 2
                return self.query(ids[:half]) | self.query(ids[half:])
            logger.warning("arXiv answered HTTP %s for %d ids", exc.status, len(ids))
            return got | set(ids)  # an answer we recorded: normalize reports it per id
        except requests.Timeout:
            raise
        except requests.RequestException as exc:
            logger.warning("arXiv unreachable: %s", type(exc).__name__)
            self._record_failure(f"unreachable ({type(exc).__name__})")
            return got | set(ids)
        return got

    def _record_failure(self, reason: str, kind: str = "network") -> None:
        with self.lock:
            self.count += 1
            key = f"{self.kind}-{self.count:05d}"
        x = exchange(self.kind, self.client.query_url_format, 0, {}, None, self.clock.now())
        failure = {"error": reason} if kind == "network" else {"error": reason, "error_kind": kind}
        self.raw.put(self.source, key, {**x, **self._asked(), **failure})


_NOT_A_FEED = "arXiv sent a malformed answer (not an Atom feed)"
_FEED = "{http://www.w3.org/2005/Atom}feed"


def _is_feed(body: bytes) -> bool:
    """Whether ``body`` is an Atom feed (a truncated one too: its entries are read). arXiv
    sends no document type: one declaring entities (a "billion laughs", an external entity)
    is not read, where its entries would have been dropped as if arXiv did not know them."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=True)
    try:
        root = etree.fromstring(body, parser)
    except etree.XMLSyntaxError:
        return False
    if root is None or root.tag != _FEED:
        return False
    return root.getroottree().docinfo.internalDTD is None


def _error_entries(body: bytes) -> dict[str, str]:
    """arXiv's ``Error`` entries (id ``…/api/errors#…_for_ID``): never read as papers.

    They have no ``<published>``, so the client's parser drops them silently; read them here.
    """
    try:
        root = etree.fromstring(body, etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError:
        return {}
    found: dict[str, str] = {}
    for entry in root.iterfind("atom:entry", _NS):
        match = _ERROR_ID.search(entry.findtext("atom:id", "", _NS))
        if match:
            summary = " ".join(entry.findtext("atom:summary", "", _NS).split())
            found[match.group("id")] = f"arXiv: {summary or match.group('reason')}"
    return found


def _paper(result: arxiv.Result) -> Paper | None:
    """The record of one feed entry; None when its id is not an arXiv id (malformed)."""
    versioned = result.get_short_id()
    match = ARXIV_ID.match(versioned)
    if match is None:
        return None
    links = {link.rel: link.href for link in result.links}
    try:
        return Paper(
            arxiv_id=match.group("id"),
            versioned_id=versioned,
            version=int(match.group("version") or 1),
            title=result.title,
            authors=[Author(name=a.name, affiliations=list(a.affiliation)) for a in result.authors],
            abstract=" ".join(result.summary.split()),
            primary_category=result.primary_category or None,
            categories=list(result.categories),
            published=result.published,
            updated=result.updated,
            doi=result.doi or None,
            journal_ref=result.journal_ref or None,
            comment=result.comment or None,
            abs_url=links.get("alternate"),
            pdf_url=result.pdf_url,
        )
    except (ValueError, TypeError):  # pydantic's ValidationError is a ValueError
        return None
