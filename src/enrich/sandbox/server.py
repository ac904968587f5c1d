"""A local fake of the GitHub REST, arXiv query and Hugging Face Hub APIs, on 127.0.0.1.

It serves the generated sample data (``enrich.sandbox.sample``: recorded facts, generated
texts, real formats; not live data) the way the real services answer, quirks included, so the
real client libraries can be driven over real HTTP: GitHub's Link-header pagination, ETag /
If-None-Match -> 304, rate-limit headers, a 301 to ``/repositories/{id}`` for a renamed
repository, 404 bodies, 202 from a statistics endpoint on its first call; arXiv's Atom feed,
400 + Error entry for a malformed id, unknown ids silently absent, ``search_query=ti:"…"``
title searches; the Hub's ``expand[]`` parameter, ``X-Repo-Commit`` on file resolves,
``X-Error-Code: GatedRepo`` for a gated repository's files, ``/api/papers/{id}`` paper pages
(404 for a paper not on the Hub); papers' landing pages on their own hosts under ``/sites``
(the web source's ``web_mirror_url``), redirects included.

Each API lives under its own prefix: ``/github`` (GITHUB_API_URL), ``/arxiv`` (ARXIV_API_URL)
and ``/hf`` (HF_ENDPOINT). Later data folders override earlier ones, so a test can add or change
a repository without touching the sample data. Faults and latency can be injected.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import html
import json
import logging
import re
import socket
import ssl
import threading
import time
import zlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlencode, urlsplit
from xml.sax.saxutils import escape

from enrich.core.links import ARXIV_ID
from enrich.core.settings import Settings
from enrich.sandbox import github_graphql, hub_commits, scholar
from enrich.sandbox.sample import sample_data_dir

logger = logging.getLogger(__name__)

# The fake answers at once: the spacing the real APIs ask for would only slow tests down.
FAKE_PACE: dict[str, Any] = {
    "arxiv_delay_seconds": 0.0,
    "github_rest_per_minute": 0.0,
    "github_seconds_between_writes": 0.0,
    "github_stats_wait_seconds": 0.01,
    "s2_per_minute": 0.0,
}
# Tests do not sleep through backoffs and Retry-After waits: they are drawn from the run's budget
# as in production, but not slept (`retry_wait_scale`).
NO_WAITS: dict[str, Any] = {"retry_wait_scale": 0.0}
GITHUB_PUBLIC = "https://api.github.com"
# The sample data's "now" (``as_of`` of its facts): commit-activity windows are computed from
# it, so the demo's figures do not drift with the wall clock.
AS_OF = datetime(2026, 11, 26, 18, 0, tzinfo=UTC)
RATE_LIMIT = 5000
# GitHub's REST limit for anonymous requests (per hour and IP address): the demo's fake GitHub
# applies it, so that its figures agree with the "limited to 60 an hour" warning.
ANONYMOUS_RATE_LIMIT = 60


# Fault statuses that are not HTTP answers: drop the connection; accept the request and never
# answer it (until the fake stops), as a hung upstream does.
DROP = 0
HANG = -1


@functools.lru_cache(maxsize=4)
def _bomb(size: int) -> bytes:
    """A gzip stream of ``size`` zero bytes, compressed a megabyte at a time."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = bytes(1 << 20)
    out = bytearray()
    left = size
    while left > 0:
        out += packer.compress(block[: min(left, len(block))])
        left -= len(block)
    out += packer.flush()
    return bytes(out)


@dataclass
class Fault:
    """Answer requests whose path matches ``pattern`` with ``status`` (``times`` of them);
    `DROP` closes the connection, `HANG` holds it open without an answer.

    ``query``: a pattern the query string must match too. ``delay``: seconds to wait before
    answering (a server that accepts and hangs); ``status`` None then answers as usual, with
    ``headers`` over its own (absurd rate-limit headers on a real answer).

    Hostile answers (``status`` is the answer's, 200 by default for them):
    ``bomb``: a gzip body (``Content-Encoding: gzip``) that decodes to this many bytes,
    compressed once per size and kept (1 GB of zeros is ~1 MB), so the fake stays small.
    ``drip``: headers, then one byte every this many seconds, until the client leaves.
    ``length``: the ``Content-Length`` claimed for ``body`` (a lie: longer or shorter than it);
    the connection is closed after the body, as a server that lied would leave it.
    """

    pattern: str
    status: int | None = 503
    times: int | None = None  # None: every matching request
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b'{"message": "Service Unavailable"}'
    query: str | None = None
    delay: float = 0.0
    bomb: int = 0
    drip: float = 0.0
    length: int | None = None


@dataclass
class Exchange:
    source: str
    method: str
    path: str
    status: int
    bytes: int
    at: float = field(default_factory=time.monotonic)  # when the request arrived


class FakeAPI:
    """The fake services' state: data folders, faults, counters. Thread-safe."""

    def __init__(
        self,
        data_dirs: list[Path] | None = None,
        latency: float = 0.0,
        anonymous_limit: int | None = None,
    ) -> None:
        self.data_dirs = [sample_data_dir(), *(data_dirs or [])]
        self.latency = latency
        # With a number, anonymous REST requests have a window of their own of this size, as on
        # GitHub (`ANONYMOUS_RATE_LIMIT`); None: every request shares `rate_limits` (tests).
        self.anonymous_limit = anonymous_limit
        self.faults: list[Fault] = []
        # ids silently left out of the next N answers (arXiv's short-page quirk)
        self.arxiv_drop: Counter[str] = Counter()
        self.log: list[Exchange] = []
        self.stats_calls: Counter[str] = Counter()
        # How many calls per repository /stats/* answers 202 ("computing") before the data.
        self.stats_computing_calls = 1
        # GitHub's rate limits, per resource: requests for "core", query points for "graphql".
        # A 304 to an authenticated conditional request is free, as on GitHub.
        self.rate_limits = {"core": RATE_LIMIT, "graphql": RATE_LIMIT}
        self.rate_used: Counter[str] = Counter()
        # 403s answered because a window was spent, per resource: what a run must never provoke.
        self.rate_limited: Counter[str] = Counter()
        self.rate_reset = int(time.time()) + 3600
        # Server side of TLS for /pages (tests of the https probe); None: plain HTTP only.
        self.tls: ssl.SSLContext | None = None
        # Dataset repositories created and committed to through the Hub's write API.
        self.hub = hub_commits.HubStore()
        self.base_url = ""
        # The Hub's paper pages carry no ETag (none of the recorded answers shows one); a test
        # of the conditional path turns one on, answered 304 to a matching If-None-Match.
        self.paper_etags = False
        # The Hub's repository info carries a weak ETag (recorded: ``W/"3a4e-…"``, the length
        # in hex and a hash); no recorded answer or document shows a 304 for it, so the fake
        # ignores If-None-Match unless a test of the conditional path turns this on.
        self.hub_info_304 = False
        self.stopping = threading.Event()  # releases the requests a `HANG` fault holds
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- life cycle ---------------------------------------------------------------------------
    def start(self, port: int = 0) -> FakeAPI:
        api = self
        self.stopping.clear()

        class Handler(_Handler):
            fake = api

        self._server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self._server.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}"
        # serve_forever looks for a shutdown once per poll interval: stop() waits up to that
        # long, and tests start and stop a fake per test.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeAPI:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def github_url(self) -> str:
        return f"{self.base_url}/github"

    @property
    def arxiv_url(self) -> str:
        return f"{self.base_url}/arxiv"

    @property
    def hf_url(self) -> str:
        return f"{self.base_url}/hf"

    @property
    def sites_url(self) -> str:
        """The mirror of papers' landing pages (``web_mirror_url``): ``{sites_url}/{host}/…``."""
        return f"{self.base_url}/sites"

    def settings(self, **overrides: Any) -> Settings:
        """Settings that point every client at this fake, without delays meant for the real APIs
        and without sleeping through retry waits (tests)."""
        values: dict[str, Any] = {
            "github_api_url": self.github_url,
            "arxiv_api_url": self.arxiv_url,
            "hf_endpoint": self.hf_url,
            "s2_api_url": f"{self.base_url}/s2",
            "github_token": None,
            "hf_token": None,
            **FAKE_PACE,
            **NO_WAITS,
            **overrides,
        }
        return Settings(**values)

    def environment(self, **overrides: Any) -> dict[str, str]:
        """The same settings as environment variables, for a flow run that reads its own.

        Tokens are not set here: callers remove the real ones from the environment.
        """
        values = {**FAKE_PACE, **overrides}
        return {
            "GITHUB_API_URL": self.github_url,
            "ARXIV_API_URL": self.arxiv_url,
            "HF_ENDPOINT": self.hf_url,
            "S2_API_URL": f"{self.base_url}/s2",
            # The fake Hub takes uploads over LFS, not Xet (huggingface_hub reads this at import).
            "HF_HUB_DISABLE_XET": "1",
            **{f"ENRICH_{k.upper()}": str(v) for k, v in values.items()},
        }

    # -- bookkeeping --------------------------------------------------------------------------
    def requests(self, source: str | None = None) -> list[Exchange]:
        with self._lock:
            return [e for e in self.log if source is None or e.source == source]

    def record(self, exchange: Exchange) -> None:
        with self._lock:
            self.log.append(exchange)

    def take_fault(self, path: str, query: str = "") -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if fault.query is not None and not re.search(fault.query, query):
                    continue
                if re.search(fault.pattern, path) and (fault.times is None or fault.times > 0):
                    if fault.times is not None:
                        fault.times -= 1
                    return fault
        return None

    # -- data ---------------------------------------------------------------------------------
    def find(self, relative: str) -> Path | None:
        """The newest data folder's file at ``relative`` (case-insensitive, like GitHub)."""
        for root in reversed(self.data_dirs):
            path = _find_ci(root, relative)
            if path is not None:
                return path
        return None

    def load_json(self, relative: str) -> Any:
        path = self.find(relative)
        if path is None:
            return None
        stat = path.stat()
        # Read once per version of the file (a test may rewrite it between runs): the fake
        # answers as fast as the real API's edge would, so tests measure the client, not it.
        # Each caller gets its own copy (callers change what they get): decoding the cached
        # text again is several times cheaper than a deep copy of the parsed document.
        return json.loads(_text(path, stat.st_mtime_ns, stat.st_size))

    def redirects(self) -> dict[str, str]:
        merged: dict[str, str] = {}
        for root in self.data_dirs:
            path = root / "github" / "redirects.json"
            if path.is_file():
                merged.update(json.loads(path.read_text()))
        return {k.lower(): v for k, v in merged.items()}

    def arxiv_titles(self) -> dict[str, tuple[str, str]]:
        """Every sample arXiv entry by id: its title and its Atom text (a later data folder's
        file replaces an earlier one's)."""
        found: dict[str, tuple[str, str]] = {}
        for root in self.data_dirs:
            for path in sorted((root / "arxiv").glob("*.xml")):
                stat = path.stat()
                found[path.stem.replace("_", "/")] = _entry_title(path, stat.st_mtime_ns)
        return found

    def repo_by_id(self, repo_id: int) -> str | None:
        for root in reversed(self.data_dirs):
            for path in (root / "github" / "repos").glob("*/*.json"):
                if json.loads(path.read_text()).get("id") == repo_id:
                    return f"{path.parent.name}/{path.stem}"
        return None


@functools.lru_cache(maxsize=512)
def _text(path: Path, mtime_ns: int, size: int) -> str:
    return path.read_text(encoding="utf-8")


@functools.lru_cache(maxsize=8192)
def _entry_title(path: Path, mtime_ns: int) -> tuple[str, str]:
    text = path.read_text(encoding="utf-8")
    match = re.search(r"<title>(.*?)</title>", text, re.DOTALL)
    title = html.unescape(match.group(1)) if match else ""
    return " ".join(title.split()), text


def _find_ci(root: Path, relative: str) -> Path | None:
    path = root
    for part in relative.split("/"):
        if not path.is_dir():
            return None
        exact = path / part
        if exact.exists():
            path = exact
            continue
        match = next((p for p in path.iterdir() if p.name.lower() == part.lower()), None)
        if match is None:
            return None
        path = match
    return path if path.is_file() else None


class _Handler(BaseHTTPRequestHandler):
    fake: FakeAPI
    protocol_version = "HTTP/1.1"
    server_version = "enrich-fake-api"

    def setup(self) -> None:
        # TLS on the same port when a test gave the fake a certificate (`FakeAPI.tls`): a
        # connection that opens with a TLS handshake record (0x16) is answered over TLS, so an
        # http:// page's https:// form is the same host and port, as on a real web server.
        self.over_tls = False
        tls = self.fake.tls
        if tls is not None and self.request.recv(1, socket.MSG_PEEK) == b"\x16":
            self.request = tls.wrap_socket(self.request, server_side=True)
            self.over_tls = True
        super().setup()
        # Headers and body go out in two writes; without NODELAY, Nagle's algorithm holds the
        # second until the client's delayed ACK (~40 ms a request on a kept-alive connection).
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("fake api: " + format, *args)

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_HEAD(self) -> None:
        self._dispatch("HEAD")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_PUT(self) -> None:
        self._dispatch("PUT")

    # -- plumbing -----------------------------------------------------------------------------
    def _dispatch(self, method: str) -> None:
        self.arrived = time.monotonic()
        self.method = method
        parts = urlsplit(self.path)
        self.query = {k: v for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        path = parts.path
        source = path.split("/")[1] if path.count("/") >= 1 else ""
        self.source = source
        # Read the body before any answer, so a fault answered early leaves the connection clean.
        self.request_body = self._read_body()
        if self.fake.latency:
            time.sleep(self.fake.latency)
        fault = self.fake.take_fault(path, parts.query)
        if fault is not None and fault.delay:
            time.sleep(fault.delay)
        if fault is not None and (fault.bomb or fault.drip):
            return self._hostile(fault)
        self.extra_headers = fault.headers if fault is not None and fault.status is None else {}
        if fault is not None and fault.status is not None:
            if fault.status in (DROP, HANG):  # no answer: drop the connection, or hold it
                self.fake.record(Exchange(source, method, path, fault.status, 0, self.arrived))
                if fault.status == HANG:
                    self.fake.stopping.wait()
                self.close_connection = True
                self.connection.close()
                return
            self._send(fault.status, fault.body, fault.headers, fault.length)
            return
        try:
            if source == "github":
                GitHubRoutes(self).route(path[len("/github") :])
            elif source == "arxiv":
                ArxivRoutes(self).route(path[len("/arxiv") :])
            elif source == "hf":
                HubRoutes(self).route(path[len("/hf") :])
            elif source == "pages":
                self._page(path)
            elif source == "sites":
                SiteRoutes(self).route(path[len("/sites") :], parts.query)
            elif source == "s2":  # Semantic Scholar (S2_API_URL)
                scholar.ScholarRoutes(self).route(path[len("/s2") :])
            else:
                self._send(404, b"not found", {"Content-Type": "text/plain"})
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout, a deadline)

    def _read_body(self) -> bytes:
        """The request's body: Content-Length bytes, or chunks (a streamed upload)."""
        if "chunked" not in str(self.headers.get("Transfer-Encoding", "")).lower():
            return self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body = b""
        while True:
            size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while self.rfile.readline().strip():  # trailers, then the empty line
                    pass
                return body
            body += self.rfile.read(size)
            self.rfile.readline()  # the CRLF after each chunk

    def _page(self, path: str) -> None:
        """Web pages for the web source: a title, a redirect (``/pages/{301…308}/{rest}``), a
        404, and ``web/{name}.html`` of the data folders (over TLS, ``web/https/{name}.html``
        first), with an ETag and Last-Modified and 304 to a matching revalidation."""
        if path == "/pages/moved":
            return self._send(301, b"", {"Location": "/pages/ok", "Content-Type": "text/html"})
        redirect = re.fullmatch(r"/pages/(30[12378])/(.+)", path)
        if redirect:  # /pages/308/ok: a 308 to /pages/ok (the rest may redirect again)
            location = f"/pages/{redirect.group(2)}"
            return self._send(int(redirect.group(1)), b"", {"Location": location})
        if path in ("/pages/drip", "/pages/drip-headers"):
            return self._drip(headers_too=path.endswith("-headers"))
        if path.startswith("/pages/slow-redirect/"):
            # /pages/slow-redirect/N?every=S: each hop answers after S seconds, N hops to /ok.
            time.sleep(float(self.query.get("every", ["0.2"])[0]))
            left = int(path.rsplit("/", 1)[1])
            target = f"/pages/slow-redirect/{left - 1}?{urlsplit(self.path).query}"
            location = target if left > 0 else "/pages/ok"
            return self._send(302, b"", {"Location": location, "Content-Type": "text/html"})
        if path == "/pages/ok":
            body = b"<html><head><title>RLHF &amp; friends</title></head><body>hi</body></html>"
        else:
            name = path.removeprefix("/pages/")
            found = (self.over_tls and self.fake.find(f"web/https/{name}.html")) or self.fake.find(
                f"web/{name}.html"
            )
            if found is None:
                return self._send(404, b"<title>Not found</title>", {"Content-Type": "text/html"})
            body = found.read_bytes()
        return self._send_page(body)

    def _send_page(self, body: bytes) -> None:
        """A page with an ETag and Last-Modified, and a 304 to a matching revalidation."""
        etag = f'"{hashlib.sha256(body).hexdigest()[:20]}"'
        headers = {
            "Content-Type": "text/html; charset=utf-8",
            "ETag": etag,
            "Last-Modified": "Thu, 26 Nov 2026 18:00:00 GMT",
        }
        if self.headers.get("If-None-Match") == etag:
            return self._send(304, b"", headers)
        return self._send(200, body, headers)

    def _hostile(self, fault: Fault) -> None:
        """A decompression bomb or a dripping answer (`Fault.bomb`, `Fault.drip`)."""
        status = fault.status or 200
        body = _bomb(fault.bomb) if fault.bomb else b"x" * 1_000
        self.fake.record(Exchange(self.source, self.method, self.path, status, len(body),
                                  self.arrived))  # fmt: skip
        self.send_response(status)
        headers = {"Content-Type": "application/json; charset=utf-8", **fault.headers}
        if fault.bomb:
            headers["Content-Encoding"] = "gzip"
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            if not fault.drip:
                self.wfile.write(body)
                return
            for byte in body:
                if self.fake.stopping.wait(fault.drip):
                    break
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
        except OSError:
            pass  # the client gave up: its deadline
        self.close_connection = True

    def _drip(self, headers_too: bool) -> None:
        """A page served one byte every ``every`` seconds (``bytes`` of them): its body, or
        (``/pages/drip-headers``) a header line first. Every read is quick; the whole is not."""
        count = int(self.query.get("bytes", ["50"])[0])
        every = float(self.query.get("every", ["0.1"])[0])
        self.fake.record(Exchange(self.source, self.method, self.path, 200, count, self.arrived))
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(count))
        self.flush_headers()
        if headers_too:
            for _ in range(count):
                self.wfile.write(b"X")
                self.wfile.flush()
                time.sleep(every)
            self.wfile.write(b"-Drip: 1\r\n")
        self.wfile.write(b"\r\n")
        self.wfile.flush()
        for _ in range(count):
            time.sleep(every)
            self.wfile.write(b"x")
            self.wfile.flush()

    def body_json(self) -> Any:
        return json.loads(self.request_body or b"null")

    def _send(
        self,
        status: int,
        body: bytes,
        headers: dict[str, str] | None = None,
        length: int | None = None,
    ) -> None:
        # Recorded before the answer leaves: a client that has its answer finds it in the log.
        self.fake.record(
            Exchange(self.source, self.method, self.path, status, len(body), self.arrived)
        )
        self.send_response(status)
        headers = {**(headers or {}), **getattr(self, "extra_headers", {})}
        headers.setdefault("Content-Type", "application/json; charset=utf-8")
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body) if length is None else length))
        self.end_headers()
        if self.method != "HEAD" and status != 304:
            self.wfile.write(body)
        if length is not None:
            self.close_connection = True


class GitHubRoutes:
    """The subset of GitHub REST v3 that PyGithub and enrich use."""

    def __init__(self, handler: _Handler) -> None:
        self.h = handler
        self.fake = handler.fake
        self.base = f"{self.fake.github_url}"

    def route(self, path: str) -> None:
        authorized = bool(self.h.headers.get("Authorization"))
        if path == "/graphql" and self.h.method == "POST":
            return self.graphql(authorized)
        if path == "/rate_limit":  # free, as on GitHub: it counts against no limit
            resources = {r: self._limits(r) for r in self.fake.rate_limits}
            body = {"resources": resources, "rate": self._limits("core")}
            return self.json(200, body, charge=False, etag=False)
        if self._limits("core")["remaining"] <= 0:
            return self.rate_limited("core")
        match = re.fullmatch(r"/repositories/(\d+)(/.*)?", path)
        if match:
            name = self.fake.repo_by_id(int(match.group(1)))
            if name is None:
                return self.not_found("repos/repos#get-a-repository")
            return self.repo(name, match.group(2) or "")
        match = re.fullmatch(r"/repos/([^/]+)/([^/]+)(/.*)?", path)
        if not match:
            return self.not_found("rest")
        full_name = f"{match.group(1)}/{match.group(2)}"
        if self.fake.find(f"github/repos/{full_name}.json") is None:
            target = self.fake.redirects().get(full_name.lower())
            data = self.fake.load_json(f"github/repos/{target}.json") if target else None
            if data is not None:
                location = f"{self.base}/repositories/{data['id']}{match.group(3) or ''}"
                body = {
                    "message": "Moved Permanently",
                    "url": location,
                    "documentation_url": "https://docs.github.com/v3/#http-redirects",
                }
                return self.json(301, body, {"Location": location})
            return self.not_found("repos/repos#get-a-repository")
        return self.repo(full_name, match.group(3) or "")

    def repo(self, full_name: str, rest: str) -> None:
        base = f"github/repos/{full_name}"
        if rest == "":
            return self.json(200, self.fake.load_json(f"{base}.json"))
        if rest == "/languages":
            return self.json(200, self.fake.load_json(f"{base}/languages.json") or {})
        if rest == "/releases/latest":
            releases = self.fake.load_json(f"{base}/releases.json") or []
            published = [r for r in releases if not r.get("draft") and not r.get("prerelease")]
            if not published:
                return self.not_found("releases/releases#get-the-latest-release")
            return self.json(200, published[0])
        if rest in ("/releases", "/tags", "/contributors"):
            items = self.fake.load_json(f"{base}{rest}.json") or []
            if rest == "/contributors" and self.h.query.get("anon", ["0"])[0] not in ("1", "true"):
                items = [c for c in items if c.get("type") != "Anonymous"]
            return self.paginated(items)
        if rest == "/commits":
            commits = self.fake.load_json(f"{base}/commits.json") or []
            since = self.h.query.get("since", [None])[0]
            until = self.h.query.get("until", [None])[0]
            if since:
                commits = [c for c in commits if c["commit"]["committer"]["date"] >= since]
            if until:
                commits = [c for c in commits if c["commit"]["committer"]["date"] <= until]
            return self.paginated(commits)
        if rest == "/stats/commit_activity":
            return self.commit_activity(full_name, base)
        if rest.startswith("/contents/"):
            return self.contents(full_name, base, rest.removeprefix("/contents/"))
        return self.not_found("rest")

    def contents(self, full_name: str, base: str, file_path: str) -> None:
        """A file as the contents API returns it: base64 in 60-character lines, a blob sha."""
        found = self.fake.find(f"{base}/contents/{file_path}")
        if found is None:
            return self.not_found("repos/contents#get-repository-content")
        data = found.read_bytes()
        encoded = base64.b64encode(data).decode()
        sha = hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()  # noqa: S324 (git's id)
        ref = self.h.query.get("ref", [None])[0]
        url = f"{self.base}/repos/{full_name}/contents/{file_path}"
        body = {
            "type": "file",
            "encoding": "base64",
            "size": len(data),
            "name": file_path.rsplit("/", 1)[-1],
            "path": file_path,
            "content": "\n".join(encoded[i : i + 60] for i in range(0, len(encoded), 60)) + "\n",
            "sha": sha,
            "url": f"{url}?ref={ref}" if ref else url,
            "git_url": f"{self.base}/repos/{full_name}/git/blobs/{sha}",
            "html_url": f"https://github.com/{full_name}/blob/{ref or 'main'}/{file_path}",
            "download_url": None,
        }
        return self.json(200, body)

    def commit_activity(self, full_name: str, base: str) -> None:
        """52 weeks of commit counts; 202 with an empty body the first time, as GitHub does."""
        with self.fake._lock:
            self.fake.stats_calls[full_name.lower()] += 1
            computing = self.fake.stats_calls[full_name.lower()] <= self.fake.stats_computing_calls
        if computing:
            return self.json(202, {})
        commits = self.fake.load_json(f"{base}/commits.json") or []
        # Weeks start on Sunday (UTC), the newest week is the one holding AS_OF.
        start_of_week = (AS_OF - timedelta(days=(AS_OF.weekday() + 1) % 7)).replace(
            hour=0, minute=0, second=0, microsecond=0
        )
        weeks = [start_of_week - timedelta(weeks=52 - 1 - i) for i in range(52)]
        days = [[0] * 7 for _ in weeks]
        for commit in commits:
            when = datetime.fromisoformat(commit["commit"]["author"]["date"].replace("Z", "+00:00"))
            offset = (when - weeks[0]).days
            if 0 <= offset < 52 * 7 and when <= AS_OF:
                days[offset // 7][offset % 7] += 1
        body = [
            {"total": sum(d), "week": int(w.timestamp()), "days": d}
            for w, d in zip(weeks, days, strict=True)
        ]
        return self.json(200, body)

    def paginated(self, items: list[Any]) -> None:
        per_page = min(int(self.h.query.get("per_page", ["30"])[0]), 100)
        page = max(int(self.h.query.get("page", ["1"])[0]), 1)
        last = max((len(items) + per_page - 1) // per_page, 1)
        chunk = items[(page - 1) * per_page : page * per_page]
        links = []
        path = urlsplit(self.h.path).path

        def url(p: int) -> str:
            query = {k: v[0] for k, v in self.h.query.items()}
            query.update(page=str(p), per_page=str(per_page))
            return f"{self.fake.base_url}{path}?{urlencode(query)}"

        if page > 1:
            links += [f'<{url(page - 1)}>; rel="prev"', f'<{url(1)}>; rel="first"']
        if page < last:
            links += [f'<{url(page + 1)}>; rel="next"', f'<{url(last)}>; rel="last"']
        headers = {"Link": ", ".join(links)} if links else {}
        return self.json(200, chunk, headers)

    def not_found(self, doc: str) -> None:
        body = {
            "message": "Not Found",
            "documentation_url": f"https://docs.github.com/{doc}",
            "status": "404",
        }
        return self.json(404, body)

    def graphql(self, authorized: bool) -> None:
        """``POST /graphql``: executed against GitHub's published schema (github_graphql)."""
        if not authorized:
            body = {
                "message": "This endpoint requires you to be authenticated.",
                "documentation_url": "https://docs.github.com/graphql/guides/forming-calls-with-graphql#authenticating-with-graphql",
            }
            return self.json(401, body, resource="graphql", charge=False)
        if self._limits("graphql")["remaining"] <= 0:
            return self.rate_limited("graphql")
        request = self.h.body_json() or {}

        def charge(points: int) -> dict[str, int]:
            with self.fake._lock:
                self.fake.rate_used["graphql"] += points
            return self._limits("graphql")

        body = github_graphql.answer(
            self.fake, str(request.get("query") or ""), request.get("variables") or {}, charge
        )
        return self.json(200, body, resource="graphql", charge=False, etag=False)

    def rate_limited(self, resource: str) -> None:
        """GitHub's primary rate limit: 403, remaining 0, the reset time."""
        with self.fake._lock:
            self.fake.rate_limited[resource] += 1
        body = {
            "message": "API rate limit exceeded for user ID 1.",
            "documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api",
        }
        return self.json(403, body, resource=resource, charge=False)

    def _bucket(self, resource: str) -> tuple[str, int]:
        """Which window a request of this resource counts in, and its limit."""
        anonymous = not self.h.headers.get("Authorization")
        if anonymous and resource == "core" and self.fake.anonymous_limit is not None:
            return "core:anonymous", self.fake.anonymous_limit
        return resource, self.fake.rate_limits[resource]

    def _limits(self, resource: str = "core") -> dict[str, int]:
        bucket, limit = self._bucket(resource)
        used = self.fake.rate_used[bucket]
        return {"limit": limit, "remaining": max(limit - used, 0), "reset": self.fake.rate_reset,
                "used": used}  # fmt: skip

    def json(
        self,
        status: int,
        data: Any,
        headers: dict[str, str] | None = None,
        *,
        resource: str = "core",
        charge: bool = True,
        etag: bool = True,
    ) -> None:
        public = json.dumps(data).encode("utf-8")
        body = public.replace(GITHUB_PUBLIC.encode(), self.base.encode())
        # The ETag of what GitHub would send (its own URLs): the same resource has the same tag
        # whatever port this fake listens on, as GitHub's does night after night.
        tag = f'W/"{hashlib.sha256(public).hexdigest()[:40]}"'
        not_modified = etag and status == 200 and self.h.headers.get("If-None-Match") == tag
        authorized = bool(self.h.headers.get("Authorization"))
        if charge and not (not_modified and authorized):
            with self.fake._lock:
                self.fake.rate_used[self._bucket(resource)[0]] += 1
        limits = self._limits(resource)
        all_headers = {
            "X-RateLimit-Limit": str(limits["limit"]),
            "X-RateLimit-Remaining": str(limits["remaining"]),
            "X-RateLimit-Reset": str(limits["reset"]),
            "X-RateLimit-Used": str(limits["used"]),
            "X-RateLimit-Resource": resource,
            "X-GitHub-Media-Type": "github.v3; format=json",
            **(headers or {}),
        }
        if status == 200 and etag:
            all_headers["ETag"] = tag
            all_headers["Cache-Control"] = "private, max-age=60, s-maxage=60"
            all_headers["Vary"] = "Accept, Authorization, Cookie, X-GitHub-OTP"
            if not_modified:
                return self.h._send(304, b"", all_headers)
        self.h._send(status, body, all_headers)


class ArxivRoutes:
    """``/api/query?id_list=…``: the arXiv API's Atom feed."""

    FEED_HEAD = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<feed xmlns="http://www.w3.org/2005/Atom" '
        'xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" '
        'xmlns:arxiv="http://arxiv.org/schemas/atom">\n'
    )

    def __init__(self, handler: _Handler) -> None:
        self.h = handler
        self.fake = handler.fake

    def route(self, path: str) -> None:
        if path != "/api/query":
            return self.h._send(404, b"", {"Content-Type": "text/plain"})
        raw_ids = self.h.query.get("id_list", [""])[0]
        ids = [i.strip() for i in raw_ids.split(",") if i.strip()]
        start = int(self.h.query.get("start", ["0"])[0])
        max_results = int(self.h.query.get("max_results", ["10"])[0])
        search_query = self.h.query.get("search_query", [""])[0]
        if search_query.strip() and not ids:
            return self.search(search_query, start, max_results)
        for paper_id in ids:
            if not ARXIV_ID.match(paper_id):
                return self.error(paper_id, raw_ids)
        entries = []
        for paper_id in ids:
            match = ARXIV_ID.match(paper_id)
            assert match is not None
            bare = match.group("id")
            found = self.fake.find(f"arxiv/{bare.replace('/', '_')}.xml")
            if found is None:
                continue  # unknown ids are silently absent, as on the real service
            with self.fake._lock:
                if self.fake.arxiv_drop[bare] > 0:
                    self.fake.arxiv_drop[bare] -= 1
                    continue
            entries.append(_strip_entry_namespaces(found.read_text(encoding="utf-8")))
        page = entries[start : start + max_results]
        self.feed(page, len(entries), start, raw_ids)

    def search(self, search_query: str, start: int, max_results: int) -> None:
        """``ti:"…" OR ti:"…"``: the entries whose title holds a phrase's words in order, the
        way arXiv's search tokenizes titles (punctuation and hyphens split words); an entry
        whose whole title is the phrase ranks first."""
        phrases = [_words(p) for p in re.findall(r'ti:"([^"]*)"', search_query)]
        ranked: dict[str, tuple[int, str]] = {}
        for paper_id, (title, text) in self.fake.arxiv_titles().items():
            words = _words(title)
            for phrase in phrases:
                if phrase and _contains(words, phrase):
                    rank = 0 if words == phrase else 1
                    ranked[paper_id] = min(ranked.get(paper_id, (rank, text)), (rank, text))
        order = sorted(ranked, key=lambda i: (ranked[i][0], i))
        entries = [_strip_entry_namespaces(ranked[i][1]) for i in order]
        page = entries[start : start + max_results]
        self.feed(page, len(entries), start, "", search_query=search_query)

    def feed(
        self, entries: list[str], total: int, start: int, raw_ids: str, status: int = 200,
        search_query: str = "",
    ) -> None:  # fmt: skip
        query = escape(
            f"search_query={search_query}&id_list={raw_ids}&start={start}"
            f"&max_results={len(entries)}"
        )
        head = (
            f"  <id>https://arxiv.org/api/{hashlib.sha1(raw_ids.encode()).hexdigest()[:27]}</id>\n"  # noqa: S324
            f"  <title>arXiv Query: {query}</title>\n"
            f"  <updated>{AS_OF.strftime('%Y-%m-%dT%H:%M:%SZ')}</updated>\n"
            f'  <link href="https://arxiv.org/api/query?{query}" type="application/atom+xml"/>\n'
            f"  <opensearch:itemsPerPage>{len(entries)}</opensearch:itemsPerPage>\n"
            f"  <opensearch:totalResults>{total}</opensearch:totalResults>\n"
            f"  <opensearch:startIndex>{start}</opensearch:startIndex>\n"
        )
        body = self.FEED_HEAD + head + "".join(entries) + "</feed>\n"
        self.h._send(
            status, body.encode("utf-8"), {"Content-Type": "application/atom+xml; charset=utf-8"}
        )

    def error(self, bad_id: str, raw_ids: str) -> None:
        """arXiv answers a malformed id with HTTP 400 and a one-entry feed titled Error."""
        anchor = f"https://arxiv.org/api/errors#incorrect_id_format_for_{escape(bad_id)}"
        entry = (
            "  <entry>\n"
            f"    <id>{anchor}</id>\n"
            "    <title>Error</title>\n"
            f"    <summary>incorrect id format for {escape(bad_id)}</summary>\n"
            f"    <updated>{AS_OF.strftime('%Y-%m-%dT%H:%M:%SZ')}</updated>\n"
            f'    <link href="{anchor}" rel="alternate" type="text/html"/>\n'
            "    <author>\n      <name>arXiv api core</name>\n    </author>\n"
            "  </entry>\n"
        )
        self.feed([entry], 1, 0, raw_ids, status=400)


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def _contains(words: list[str], phrase: list[str]) -> bool:
    size = len(phrase)
    return any(words[i : i + size] == phrase for i in range(len(words) - size + 1))


def _strip_entry_namespaces(entry: str) -> str:
    """Sample files declare namespaces on <entry> to stand alone; in a feed the root does."""
    return (
        "  "
        + entry.replace(
            ' xmlns="http://www.w3.org/2005/Atom" xmlns:arxiv="http://arxiv.org/schemas/atom"', ""
        ).strip()
        + "\n"
    )


class HubRoutes:
    """The Hub's ``/api/{datasets,models,spaces}/{id}``, ``…/resolve/{rev}/{file}``,
    ``/api/papers/{id}`` and ``/api/collections/{owner}/{slug}``."""

    PLURAL = {"datasets": "datasets", "models": "models", "spaces": "spaces"}

    def __init__(self, handler: _Handler) -> None:
        self.h = handler
        self.fake = handler.fake

    def route(self, path: str) -> None:
        if hub_commits.HubWriteRoutes(self.h).route(path):
            return None  # a hosted repository, or the write API
        match = re.fullmatch(r"/api/papers/([^/]+)", path)
        if match:
            return self.paper(match.group(1))
        match = re.fullmatch(r"/api/collections/([^/]+)/([^/]+)", path)
        if match:
            return self.collection(unquote(match.group(1)), unquote(match.group(2)))
        match = re.fullmatch(r"/api/(datasets|models|spaces)/(.+?)(?:/revision/([^/]+))?", path)
        if match:
            return self.info(match.group(1), match.group(2))
        match = re.fullmatch(r"/(datasets/|spaces/)?(.+?)/resolve/([^/]+)/(.+)", path)
        if match:
            plural = (match.group(1) or "models/").rstrip("/")
            return self.resolve(plural, match.group(2), match.group(3), match.group(4))
        return self.error(404, "RepoNotFound", "Repository not found")

    def info(self, plural: str, repo_id: str) -> None:
        data = self.fake.load_json(f"huggingface/{plural}/{repo_id}.json")
        if data is None:
            return self.error(401, "RepoNotFound", "Repository not found")
        expand = self.h.query.get("expand[]") or self.h.query.get("expand")
        if expand:
            # With expand, the Hub returns only what was asked (plus the ids).
            data = {k: v for k, v in data.items() if k in {"_id", "id", *expand}}
        else:
            data = {k: v for k, v in data.items() if k != "downloadsAllTime"}
        body = json.dumps(data).encode("utf-8")
        digest = base64.b64encode(hashlib.sha1(body).digest()).decode()[:27]  # noqa: S324
        headers = {"ETag": f'W/"{len(body):x}-{digest}"'}
        if self.fake.hub_info_304 and self.h.headers.get("If-None-Match") == headers["ETag"]:
            return self.h._send(304, b"", headers)
        self.h._send(200, body, headers)

    def collection(self, owner: str, slug: str) -> None:
        """``GET /api/collections/{owner}/{slug}``: the collection's JSON, or 404."""
        data = None
        if not owner.startswith(".") and not slug.startswith("."):
            data = self.fake.load_json(f"huggingface/collections/{owner}/{slug}.json")
        if data is None:
            return self.h._send(404, json.dumps({"error": "Collection not found"}).encode())
        self.h._send(200, json.dumps(data, ensure_ascii=False).encode("utf-8"))

    def paper(self, paper_id: str) -> None:
        """``GET /api/papers/{id}``: the paper page's JSON, or 404 for a paper not on the Hub."""
        found = self.fake.find(f"huggingface/papers/{paper_id.replace('/', '_')}.json")
        if found is None:
            body = json.dumps({"error": "Paper not found"}).encode("utf-8")
            return self.h._send(404, body)
        body = found.read_bytes()
        headers: dict[str, str] = {}
        if self.fake.paper_etags:
            headers["ETag"] = f'W/"{hashlib.sha256(body).hexdigest()[:24]}"'
            if self.h.headers.get("If-None-Match") == headers["ETag"]:
                return self.h._send(304, b"", headers)
        self.h._send(200, body, headers)

    def resolve(self, plural: str, repo_id: str, revision: str, filename: str) -> None:
        info = self.fake.load_json(f"huggingface/{plural}/{repo_id}.json")
        if info is None:
            return self.error(401, "RepoNotFound", "Repository not found")
        sha = info.get("sha") or ""
        if info.get("gated"):
            return self.error(
                401, "GatedRepo", f"Access to dataset {repo_id} is restricted. You must have "
                "access to it and be authenticated to access it. Please log in.",
            )  # fmt: skip
        path = self.fake.find(f"huggingface/{plural}/{repo_id}/{filename}")
        if path is None:
            return self.error(404, "EntryNotFound", f'{filename} does not exist on "{revision}"')
        body = path.read_bytes()
        blob = hashlib.sha1(b"blob %d\0" % len(body) + body).hexdigest()  # noqa: S324 - git's id
        headers = {
            "Content-Type": "text/plain; charset=utf-8",
            "ETag": f'"{blob}"',
            "X-Repo-Commit": sha,
            "Accept-Ranges": "bytes",
        }
        self.h._send(200, body, headers)

    def error(self, status: int, code: str, message: str) -> None:
        body = json.dumps({"error": message}).encode("utf-8")
        self.h._send(status, body, {"X-Error-Code": code, "X-Error-Message": message})


class SiteRoutes:
    """``/sites/{host}/{path}?{query}``: the page at ``https://{host}/{path}?{query}`` from
    ``sites/`` of the data folders (`enrich.sandbox.sample.papers.site_path`), a redirect from
    ``sites/redirects.json`` (301, to the real URL, as the host would), or 404; with an ETag,
    Last-Modified and a 304 to a matching revalidation, like the pages above."""

    def __init__(self, handler: _Handler) -> None:
        self.h = handler
        self.fake = handler.fake

    def route(self, path: str, query: str) -> None:
        host, _, rest = path.lstrip("/").partition("/")
        url = f"https://{host}/{rest}" + (f"?{query}" if query else "")
        redirects: dict[str, str] = {}
        for root in self.fake.data_dirs:
            listed = root / "sites" / "redirects.json"
            if listed.is_file():
                redirects.update(json.loads(listed.read_text(encoding="utf-8")))
        if url in redirects:
            return self.h._send(301, b"", {"Location": redirects[url], "Content-Type": "text/html"})
        relative = f"sites/{host}/{rest}" + ("index.html" if not rest or rest.endswith("/") else "")
        found = self.fake.find(relative + (f"@{query}" if query else ""))
        if found is None:
            body = b"<html><head><title>404 Not Found</title></head></html>"
            return self.h._send(404, body, {"Content-Type": "text/html"})
        return self.h._send_page(found.read_bytes())


def serve_forever(port: int = 0, data_dirs: list[Path] | None = None) -> None:  # pragma: no cover
    """``python -m enrich.sandbox.server``: run the fake until interrupted."""
    with FakeAPI(data_dirs).start(port) as api:
        for key, value in api.environment().items():
            print(f"export {key}={value}")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":  # pragma: no cover
    serve_forever()
