"""Web pages, through httpx: final URL, status, content type, title.

List URLs are untrusted. Every hop (the first request and each redirect) is resolved once and
refused when any address is private, loopback, link-local (cloud metadata lives there), multicast,
reserved or unspecified; only ``allow_loopback`` (tests) lets 127.0.0.0/8 and ::1 through. The
request then connects to the checked address itself (Host header and TLS server name kept), so
a DNS answer that changes between check and connect (rebinding) cannot redirect it.
Redirects are followed by hand for that reason, at most ``web_max_redirects``; a body is read
up to ``web_max_bytes``; each request has ``web_timeout_seconds``. A broken link is a status.
"""

from __future__ import annotations

import hashlib
import html
import ipaddress
import logging
import re
import socket
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx

from enrich.core.errors import BlockedURLError
from enrich.core.links import Kind, normalize_url
from enrich.core.model import Entry, Redirect, Status, WebPage
from enrich.core.outcome import Outcome
from enrich.core.rawdocs import WebDocument, exchange
from enrich.core.settings import Settings
from enrich.sources.base import FetchContext, RawSink, fetch_each, parse_time, per_entry

logger = logging.getLogger(__name__)

_REDIRECTS = (301, 302, 303, 307, 308)
_TITLE = re.compile(rb"<title[^>]*>(.*?)</title\s*>", re.IGNORECASE | re.DOTALL)


class WebSource:
    name: str = "web"
    kinds: tuple[Kind, ...] = (Kind.WEB,)
    field: str = "web"
    per_entry_documents: bool = True

    def fetch(self, entries: list[Entry], raw: RawSink, ctx: FetchContext) -> None:
        settings = ctx.settings
        headers = {"User-Agent": settings.user_agent, "Accept": "text/html,*/*;q=0.5"}
        timeout = httpx.Timeout(settings.web_timeout_seconds)
        previous = raw.previous(self.name, {e.id for e in entries}, lambda d: bool(d.get("hops")))
        with httpx.Client(headers=headers, timeout=timeout, follow_redirects=False) as http:
            fetch_each(
                self.name, entries, raw, ctx, settings.web_concurrency,
                lambda entry: fetch_and_probe(http, entry, settings, previous.get(entry.id)),
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
    ETag / Last-Modified), and a 304 keeps the title read then."""
    doc = WebDocument(entry_id=entry.id, hops=[])
    hops = previous["hops"] if previous else []
    before = {h["url"]: h for h in hops if h["status"] in (200, 304)}
    url = entry.url
    try:
        for _ in range(settings.web_max_redirects + 1):
            address = check_address(url, settings.allow_loopback)
            target, headers, extensions = _pinned(url, address)
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
                title = _title(body, response.headers.get("content-type", ""))
                doc["hops"].append(
                    exchange("get", url, response.status_code, response.headers,
                             {"title": title, "bytes": len(body),
                              "sha256": hashlib.sha256(body).hexdigest()}, datetime.now(UTC))
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


def _title(body: bytes, content_type: str) -> str | None:
    if "html" not in content_type.lower():
        return None
    match = _TITLE.search(body)
    if not match:
        return None
    text = match.group(1).decode("utf-8", errors="replace")
    return " ".join(html.unescape(text).split()) or None


def _outcome(entry: Entry, doc: WebDocument) -> Outcome[WebPage]:
    if doc.get("skipped"):
        return Outcome(Status.SKIPPED, reason=doc["skipped"])
    hops = doc.get("hops") or []
    if doc.get("error") and not hops:
        return Outcome(Status.ERROR, reason=doc["error"])
    last = hops[-1]
    checked = parse_time(last["fetched_at"])
    page = WebPage(
        final_url=last["url"],
        http_status=200 if last["status"] == 304 else last["status"],
        content_type=last["headers"].get("content-type"),
        title=last["body"].get("title"),
        checked_at=checked,
        redirects=[
            Redirect(status=h["status"], url=h["url"]) for h in hops if h["status"] in _REDIRECTS
        ],
        https_equivalent=_https_equivalent(hops, doc.get("https_probe")),
    )
    if doc.get("error"):
        return Outcome(Status.ERROR, page, reason=doc["error"], fetched_at=checked)
    if last["status"] >= 400:
        return Outcome(
            Status.ERROR, page, reason=f"broken link: HTTP {last['status']}", fetched_at=checked
        )
    return Outcome(Status.OK, page, fetched_at=checked)


def fetch_and_probe(
    http: httpx.Client, entry: Entry, settings: Settings, previous: WebDocument | None = None
) -> WebDocument:
    """`fetch_page`, then, for an ``http://`` link that answered there without moving to
    https, the same page asked at its ``https://`` form (``web_probe_https``): one more bounded
    request, through the same address checks, so that ``enrich check`` can tell whether the
    link may safely be rewritten. The probe's hops are kept under ``https_probe``."""
    doc = fetch_page(http, entry, settings, previous)
    target = _https_form(entry.url, doc) if settings.web_probe_https else None
    if target is not None:
        before = previous.get("https_probe") if previous else None
        probe = entry.model_copy(update={"url": target})
        doc["https_probe"] = fetch_page(http, probe, settings, before)
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
