"""Web pages, through httpx: final URL, status, content type, title, what the page declares
about itself (OpenGraph title and description; a paper's scholarly metadata,
`enrich.core.pagemeta`). Papers on hosts other than arXiv (conference pages, DOIs) are read here
too, from their landing page (the entry's ``source_id``): their status is their page's.

List URLs are untrusted. Every hop (the first request and each redirect) goes through
`enrich.sources.addresses`: resolved once, refused unless globally routable, and connected to
the address that was checked (no rebinding). Redirects are followed by hand for that reason, at
most ``web_max_redirects``; a body is read up to ``web_max_bytes``; and the whole chain, every
hop and every byte of it, must be done within ``web_timeout_seconds``
(`enrich.sources.bounded`): a server that drips a byte at a time gets "timed out", not the
night. A broken link is a status, with the kind of failure (a 404 is a fact about the list, a
timeout is this run's problem). A host that does not resolve is a dead link (``not_found``)
only when some other listed host did resolve in the same run: when none did, the run had no
name resolution, and every such failure is the run's (``unreachable``; `WebSource.settle`).
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx
from pydantic import BaseModel

from enrich.core import pagemeta
from enrich.core.errors import BlockedURLError
from enrich.core.failures import KINDS, http_failure
from enrich.core.links import Kind, normalize_url
from enrich.core.model import Entry, Failure, Redirect, Status, WebPage
from enrich.core.outcome import Outcome
from enrich.core.rawdocs import OK, PageHead, WebDocument, exchange
from enrich.core.settings import Settings
from enrich.core.spec import SourceSpec
from enrich.core.specs.web import WEBPAGES
from enrich.sources.addresses import UNRESOLVED, check_address, pinned
from enrich.sources.base import FetchContext, RawSink, SourceBase, fetch_each, parse_time, per_entry
from enrich.sources.bounded import DeadlineTransport
from enrich.sources.clock import RunClock

logger = logging.getLogger(__name__)

_REDIRECTS = (301, 302, 303, 307, 308)


class WebSource(SourceBase[WebPage]):
    spec: SourceSpec[WebPage] = WEBPAGES
    per_entry_documents: bool = True

    def accepts(self, entry: Entry) -> bool:
        """Web pages, and papers read from a landing page (arXiv's are the arXiv source's)."""
        return entry.kind == Kind.WEB or not entry.id.startswith("arxiv:")

    def fetch(self, entries: list[Entry], raw: RawSink, ctx: FetchContext) -> None:
        settings = ctx.settings
        headers = {"User-Agent": settings.user_agent, "Accept": "text/html,*/*;q=0.5"}
        timeout = httpx.Timeout(settings.web_timeout_seconds)
        previous = raw.previous(self.name, {e.id for e in entries}, lambda d: bool(d.get("hops")))
        transport = DeadlineTransport()
        with httpx.Client(
            headers=headers, timeout=timeout, follow_redirects=False, transport=transport
        ) as http:

            def page(entry: Entry, before: WebDocument | None) -> WebDocument:
                with transport.deadline(settings.web_timeout_seconds):
                    return fetch_page(http, entry, settings, before, ctx.clock)

            def one(entry: Entry) -> WebDocument:
                return fetch_and_probe(page, entry, settings, previous.get(entry.id))

            fetch_each(self.name, entries, raw, ctx, settings.web_concurrency, one)

    def normalize(
        self, entries: list[Entry], documents: list[WebDocument]
    ) -> dict[str, Outcome[WebPage]]:
        return per_entry(entries, documents, _outcome)

    def settle(self, outcomes: Mapping[str, Outcome[BaseModel]]) -> dict[str, Outcome[BaseModel]]:
        """When no listed host resolved this run (none answered, none was even refused for its
        address), names that did not resolve say nothing about the links: the run had no name
        resolution. They are the run's failure (``unreachable``), never ``not_found``, so that
        the check does not count them towards a dead link."""
        unresolved = {i for i, o in outcomes.items() if _unresolved(o)}
        tried = {i for i, o in outcomes.items() if o.status != Status.SKIPPED}
        if not unresolved or unresolved != tried:
            return dict(outcomes)
        return {
            i: dataclasses.replace(o, failure=Failure.UNREACHABLE,
                                   reason=f"no host of the list resolved this run: {o.reason}")
            if i in unresolved else o
            for i, o in outcomes.items()
        }  # fmt: skip


def fetch_page(
    http: httpx.Client,
    entry: Entry,
    settings: Settings,
    previous: WebDocument | None = None,
    clock: RunClock | None = None,
) -> WebDocument:
    """Follow the link hop by hop; a hop answered 200 last time is asked conditionally (its
    ETag / Last-Modified), and a 304 keeps what was read of the page then. A paper is read
    from its landing page (``source_id``: a PDF link's abstract page)."""
    now = (clock or RunClock()).now
    doc = WebDocument(entry_id=entry.id, hops=[])
    hops = previous["hops"] if previous else []
    # Hops read before pages' declarations were kept have nothing to revalidate.
    before = {h["url"]: h for h in hops if h["status"] in (200, 304) and "meta" in h["body"]}
    url = entry.source_id if entry.kind == Kind.PAPER else entry.url
    try:
        for _ in range(settings.web_max_redirects + 1):
            mirrored = _mirrored(url, settings.web_mirror_url)
            address = check_address(mirrored, settings.allow_loopback)
            target, headers, extensions = pinned(mirrored, address)
            old = before.get(url)
            if old and old["headers"].get("etag"):
                headers["If-None-Match"] = old["headers"]["etag"]
            if old and old["headers"].get("last-modified"):
                headers["If-Modified-Since"] = old["headers"]["last-modified"]
            with http.stream("GET", target, headers=headers, extensions=extensions) as response:
                if response.status_code == 304 and old is not None:
                    hop = exchange("get", url, 304, {**old["headers"], **response.headers},
                                   old["body"], now())  # fmt: skip
                    hop["revalidated"] = old["fetched_at"]
                    doc["hops"].append(hop)
                    return doc
                body = b""
                if response.status_code < 300 or response.status_code >= 400:
                    for chunk in response.iter_bytes():
                        body += chunk
                        if len(body) >= settings.web_max_bytes:
                            break
                head = pagemeta.read_head(body, response.headers.get("content-type", ""))
                doc["hops"].append(
                    exchange("get", url, response.status_code, response.headers,
                             {**head, "sha256": hashlib.sha256(body).hexdigest()},
                             now())
                )  # fmt: skip
                location = response.headers.get("location")
                if response.is_redirect and location:
                    url = urljoin(url, location)
                    continue
                return doc
        doc["error"] = f"more than {settings.web_max_redirects} redirects"
        doc["error_kind"] = "rejected"
    except BlockedURLError as exc:
        doc["error"] = exc.message
        refused = exc.message.startswith("refused")
        doc["error_kind"] = "blocked" if refused else "not_found" if exc.status else "network"
    except httpx.TimeoutException:
        doc["error"], doc["error_kind"] = "timed out", "network"
    except httpx.HTTPError as exc:
        doc["error"], doc["error_kind"] = f"unreachable ({type(exc).__name__})", "network"
    except httpx.InvalidURL as exc:
        # No HTTPError: httpx reads a redirect's Location even when it does not follow it, and
        # one it cannot parse (``data:text/html,…``) ended the whole web source.
        doc["error"] = f"refused: a redirect to an invalid URL ({exc})"
        doc["error_kind"] = "blocked"
    return doc


def _mirrored(url: str, mirror: str | None) -> str:
    """Where ``url`` is fetched from: itself, or ``{mirror}/{host}{path}?{query}`` when a
    mirror is set (the fake API's sample pages, a caching mirror); the hop keeps ``url``."""
    if not mirror:
        return url
    parts = urlsplit(url)
    query = f"?{parts.query}" if parts.query else ""
    return f"{mirror.rstrip('/')}/{parts.netloc}{parts.path or '/'}{query}"


def _outcome(entry: Entry, doc: WebDocument) -> Outcome[WebPage]:
    if doc.get("skipped"):
        return Outcome(Status.SKIPPED, reason=doc["skipped"])
    hops = doc.get("hops") or []
    error = doc.get("error")
    if error and not hops:
        return Outcome(Status.ERROR, reason=error, failure=_failure(doc))
    last = hops[-1]
    checked = parse_time(last["fetched_at"])
    head: PageHead = (
        last["body"] if isinstance(last.get("body"), dict) else {"title": None, "bytes": 0}
    )
    og_title, description = pagemeta.summary(head)
    title = head.get("title")
    page = WebPage(
        final_url=last["url"],
        http_status=200 if last["status"] == 304 else last["status"],
        content_type=last["headers"].get("content-type"),
        # As published, a title is cut like a description: a page's <title> of 2 MB (the whole
        # read cap) went whole into the dataset, its diff and its feed.
        title=title[: pagemeta.MAX_TEXT] if isinstance(title, str) else None,
        checked_at=checked,
        redirects=[
            Redirect(status=h["status"], url=h["url"]) for h in hops if h["status"] in _REDIRECTS
        ],
        https_equivalent=_https_equivalent(hops, doc.get("https_probe")),
        og_title=og_title,
        description=description,
        paper_meta=pagemeta.paper_meta(head, last["url"]) if last["status"] in OK else None,
    )
    if error:
        return Outcome(Status.ERROR, page, reason=error, fetched_at=checked, failure=_failure(doc))
    if last["status"] >= 400:
        reason = f"broken link: HTTP {last['status']}"
        failure = http_failure(last["status"], page=True)
        return Outcome(Status.ERROR, page, reason=reason, fetched_at=checked, failure=failure)
    return Outcome(Status.OK, page, fetched_at=checked)


def fetch_and_probe(
    page: Callable[[Entry, WebDocument | None], WebDocument],
    entry: Entry,
    settings: Settings,
    previous: WebDocument | None = None,
) -> WebDocument:
    """``page`` (`fetch_page` under its deadline), then, for an ``http://`` link that answered
    there without moving to https, the same page asked at its ``https://`` form
    (``web_probe_https``): one more bounded request, through the same address checks, so that
    ``enrich check`` can tell whether the link may safely be rewritten. The probe's hops are
    kept under ``https_probe``."""
    doc = page(entry, previous)
    target = _https_form(entry.url, doc) if settings.web_probe_https else None
    if target is not None:
        before = previous.get("https_probe") if previous else None
        probe = entry.model_copy(update={"url": target})
        doc["https_probe"] = page(probe, before)
    return doc


def _https_form(url: str, doc: WebDocument) -> str | None:
    """The https:// spelling of an http:// link whose page answered over http, else None."""
    hops = doc.get("hops") or []
    parts = urlsplit(url)
    if parts.scheme.lower() != "http" or doc.get("error") or not hops:
        return None
    last = hops[-1]
    if last["status"] not in (200, 304) or urlsplit(last["url"]).scheme.lower() != "http":
        return None
    netloc = parts.netloc.removesuffix(":80")
    return parts._replace(scheme="https", netloc=netloc).geturl()


def _https_equivalent(hops: list[Any], probe: WebDocument | None) -> bool | None:
    """Whether the https:// probe answered the same page: the same bytes, or (pages that
    change per request) the same place and the same title. None when it was not asked."""
    if probe is None:
        return None
    answers = probe.get("hops") or []
    if probe.get("error") or not answers or answers[-1]["status"] not in (200, 304):
        return False
    plain, secure = hops[-1], answers[-1]
    digest = plain["body"].get("sha256")
    if digest is not None and digest == secure["body"].get("sha256"):
        return True
    http_place = urlsplit(normalize_url(plain["url"]))._replace(scheme="https").geturl()
    title = plain["body"].get("title")
    return (
        title is not None
        and http_place == normalize_url(secure["url"])
        and (title == secure["body"].get("title"))
    )


def _unresolved(outcome: Outcome[BaseModel]) -> bool:
    """A page whose host name did not resolve (no request was sent)."""
    return outcome.status == Status.ERROR and (outcome.reason or "").startswith(UNRESOLVED)


def _failure(doc: WebDocument) -> Failure:
    kind = doc.get("error_kind")
    if kind is not None and kind in KINDS:
        return KINDS[kind]
    message = doc.get("error") or ""  # format-1 documents: the message says it
    if message.startswith("refused"):
        return Failure.BLOCKED
    if message.startswith("more than"):
        return Failure.REJECTED
    return Failure.UNREACHABLE
