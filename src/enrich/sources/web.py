"""Web pages, through httpx: final URL, status, content type, title, what the page declares
about itself (OpenGraph title and description; a paper's scholarly metadata,
`enrich.core.pagemeta`). Papers on hosts other than arXiv (conference pages, DOIs) are read here
too, from their landing page (the entry's ``source_id``): their status is their page's.

List URLs are untrusted. Every hop (the first request and each redirect) is resolved once and
refused when any address is private, loopback, link-local (cloud metadata lives there), multicast,
reserved or unspecified; only ``allow_loopback`` (tests) lets 127.0.0.0/8 and ::1 through. The
request then connects to the checked address itself (Host header and TLS server name kept), so
a DNS answer that changes between check and connect (rebinding) cannot redirect it.
Redirects are followed by hand for that reason, at most ``web_max_redirects``; a body is read
up to ``web_max_bytes``; each request has ``web_timeout_seconds``. A broken link is a status.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx

from enrich.core import pagemeta
from enrich.core.errors import BlockedURLError
from enrich.core.links import Kind
from enrich.core.model import Entry, Status, WebPage
from enrich.core.outcome import Outcome
from enrich.core.rawdocs import OK, PageHead, WebDocument, exchange
from enrich.core.settings import Settings
from enrich.sources.base import FetchContext, RawSink, fetch_each, parse_time, per_entry

logger = logging.getLogger(__name__)


class WebSource:
    name: str = "web"
    kinds: tuple[Kind, ...] = (Kind.WEB, Kind.PAPER)
    field: str = "web"
    per_entry_documents: bool = True

    def accepts(self, entry: Entry) -> bool:
        """Web pages, and papers read from a landing page (arXiv's are the arXiv source's)."""
        return entry.kind == Kind.WEB or not entry.id.startswith("arxiv:")

    def fetch(self, entries: list[Entry], raw: RawSink, ctx: FetchContext) -> None:
        settings = ctx.settings
        headers = {"User-Agent": settings.user_agent, "Accept": "text/html,*/*;q=0.5"}
        timeout = httpx.Timeout(settings.web_timeout_seconds)
        previous = raw.previous(self.name, {e.id for e in entries}, lambda d: bool(d.get("hops")))
        with httpx.Client(headers=headers, timeout=timeout, follow_redirects=False) as http:
            fetch_each(
                self.name, entries, raw, ctx, settings.web_concurrency,
                lambda entry: fetch_page(http, entry, settings, previous.get(entry.id)),
            )  # fmt: skip

    def normalize(
        self, entries: list[Entry], documents: list[WebDocument]
    ) -> dict[str, Outcome[WebPage]]:
        return per_entry(entries, documents, _outcome)


def check_address(url: str, allow_loopback: bool) -> str:
    """Refuse a URL whose host resolves to an address list links must never reach; return the
    checked address, which the request then connects to (no second lookup to rebind)."""
    host = urlsplit(url).hostname
    if not host:
        raise BlockedURLError("URL has no host", url=url)
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as exc:
        raise BlockedURLError(f"host does not resolve ({exc})", url=url) from None
    addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
    for address in addresses:
        if address.is_loopback and allow_loopback:
            continue
        if (
            address.is_private or address.is_loopback or address.is_link_local
            or address.is_multicast or address.is_reserved or address.is_unspecified
        ):  # fmt: skip
            raise BlockedURLError(f"refused: {host} resolves to a non-public address", url=url)
    if not addresses:
        raise BlockedURLError("host does not resolve", url=url)
    return str(addresses[0])


def _pinned(url: str, address: str) -> tuple[str, dict[str, str], dict[str, Any]]:
    """The request for ``url`` sent to ``address``: Host header and TLS name stay the URL's."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    literal = f"[{address}]" if ":" in address else address
    netloc = f"{literal}:{parts.port}" if parts.port else literal
    host_header = f"{host}:{parts.port}" if parts.port else host
    extensions = {"sni_hostname": host} if parts.scheme == "https" else {}
    return parts._replace(netloc=netloc).geturl(), {"Host": host_header}, extensions


def fetch_page(
    http: httpx.Client, entry: Entry, settings: Settings, previous: WebDocument | None = None
) -> WebDocument:
    """Follow the link hop by hop; a hop answered 200 last time is asked conditionally (its
    ETag / Last-Modified), and a 304 keeps what was read of the page then. A paper is read
    from its landing page (``source_id``: a PDF link's abstract page)."""
    doc = WebDocument(entry_id=entry.id, hops=[])
    hops = previous["hops"] if previous else []
    # Hops read before pages' declarations were kept have nothing to revalidate.
    before = {h["url"]: h for h in hops if h["status"] in (200, 304) and "meta" in h["body"]}
    url = entry.source_id if entry.kind == Kind.PAPER else entry.url
    try:
        for _ in range(settings.web_max_redirects + 1):
            mirrored = _mirrored(url, settings.web_mirror_url)
            address = check_address(mirrored, settings.allow_loopback)
            target, headers, extensions = _pinned(mirrored, address)
            old = before.get(url)
            if old and old["headers"].get("etag"):
                headers["If-None-Match"] = old["headers"]["etag"]
            if old and old["headers"].get("last-modified"):
                headers["If-Modified-Since"] = old["headers"]["last-modified"]
            with http.stream("GET", target, headers=headers, extensions=extensions) as response:
                if response.status_code == 304 and old is not None:
                    hop = exchange("get", url, 304, {**old["headers"], **response.headers},
                                   old["body"], datetime.now(UTC))  # fmt: skip
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
                    exchange("get", url, response.status_code, response.headers, head,
                             datetime.now(UTC))
                )  # fmt: skip
                location = response.headers.get("location")
                if response.is_redirect and location:
                    url = urljoin(url, location)
                    continue
                return doc
        doc["error"] = f"more than {settings.web_max_redirects} redirects"
    except BlockedURLError as exc:
        doc["error"] = exc.message
    except httpx.TimeoutException:
        doc["error"] = "timed out"
    except httpx.HTTPError as exc:
        doc["error"] = f"unreachable ({type(exc).__name__})"
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
    if doc.get("error") and not hops:
        return Outcome(Status.ERROR, reason=doc["error"])
    last = hops[-1]
    checked = parse_time(last["fetched_at"])
    head: PageHead = last["body"]
    og_title, description = pagemeta.summary(head)
    page = WebPage(
        final_url=last["url"],
        http_status=200 if last["status"] == 304 else last["status"],
        content_type=last["headers"].get("content-type"),
        title=head.get("title"),
        checked_at=checked,
        og_title=og_title,
        description=description,
        paper_meta=pagemeta.paper_meta(head, last["url"]) if last["status"] in OK else None,
    )
    if doc.get("error"):
        return Outcome(Status.ERROR, page, reason=doc["error"], fetched_at=checked)
    if last["status"] >= 400:
        return Outcome(
            Status.ERROR, page, reason=f"broken link: HTTP {last['status']}", fetched_at=checked
        )
    return Outcome(Status.OK, page, fetched_at=checked)
