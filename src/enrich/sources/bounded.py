"""Every upstream answer bounded: a total deadline per call and a cap on its decoded size.

A hostile or broken upstream can hold a request for ever (headers, then one byte every few
seconds: every read is quick, so no read timeout trips) or send a small gzip body that decodes
to gigabytes. The client libraries bound neither: requests/urllib3 (PyGithub, arxiv) and httpx
(the Hub, Semantic Scholar, web pages) time out per read and decode whole bodies. So one
mechanism, whatever the library:

- the caller opens a `Call` around one request (``with bounded(bound):``), a `Bound` per upstream
  taken from the settings (``github_deadline_seconds``, ``github_max_bytes``…);
- the library's transport reads the call of its thread: httpx's through `DeadlineTransport` (every
  connect, read and write gets at most the time left), requests' through `BoundedAdapter` (its
  sockets are shut down by a watchdog when the deadline passes, which ends a blocking read at
  once; urllib3 reads whole buffers, so a per-read bound would not do);
- the body is read decoded chunk by chunk and counted (`Call.count`): past the cap it is not read
  further (`TooLargeError`, a malformed answer: retried per policy, then that entry or batch
  keeps its last values). Decoders give bounded chunks (urllib3 ≥ 2.6 ``max_length``; httpx a
  chunk's worth, at most ~1,000 times a 64 KiB read), so memory stays near the cap.

A call whose deadline passed fails as `TimedOutError` (the run's problem: the entry goes stale).
Calls are per thread; a request outside any call is not bounded by this module (the clients'
own per-read timeouts still hold), which is why every source opens one.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import os
import socket
import ssl
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import httpcore
import httpx
import requests
import requests.adapters
import urllib3
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from enrich.core.errors import TimedOutError, TooLargeError

# Bytes asked of a decoder at a time: small against any cap, large enough to be cheap.
CHUNK = 64 * 1024


@dataclass(frozen=True)
class Bound:
    """What one call to ``upstream`` may take: ``seconds`` in all, ``max_bytes`` decoded."""

    upstream: str
    seconds: float
    max_bytes: int


class Call:
    """One bounded call: its deadline, the bytes read so far, the sockets it uses."""

    def __init__(self, bound: Bound) -> None:
        self.bound = bound
        self.deadline = time.monotonic() + bound.seconds
        self.read = 0
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None

    def left(self) -> float:
        """Seconds left; `TimedOutError` once none are."""
        left = self.deadline - time.monotonic()
        if left <= 0 or self.expired:
            raise self.timed_out()
        return left

    def count(self, size: int) -> None:
        """``size`` more decoded bytes; `TooLargeError` past the cap."""
        self.read += size
        if self.read > self.bound.max_bytes:
            raise self.too_large()

    def timed_out(self) -> TimedOutError:
        seconds = self.bound.seconds
        return TimedOutError(
            f"{self.bound.upstream} timed out (no whole answer within {seconds:g} s)",
            source=self.bound.upstream,
        )

    def too_large(self) -> TooLargeError:
        cap = self.bound.max_bytes
        return TooLargeError(
            f"{self.bound.upstream} sent an answer larger than {cap:,} bytes decoded",
            source=self.bound.upstream,
        )

    def watch(self, sock: socket.socket | None) -> None:
        """Shut ``sock`` down when the deadline passes (at once if it has)."""
        if sock is None:
            return
        with self._lock:
            if not self.expired:
                self._sockets.append(sock)
                if self._timer is None:
                    wait = max(self.deadline - time.monotonic(), 0.0)
                    self._timer = threading.Timer(wait, self.expire)
                    self._timer.daemon = True
                    self._timer.start()
                return
        _shut(sock)
        raise self.timed_out()

    def expire(self) -> None:
        """The deadline passed: end every read of this call."""
        with self._lock:
            self.expired = True
            sockets, self._sockets = self._sockets, []
        for sock in sockets:
            _shut(sock)

    def close(self) -> None:
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
            self._sockets = []


def _shut(sock: socket.socket) -> None:
    # The plain socket's shutdown, also for a TLS socket: it ends a read blocked in another
    # thread (the read sees end of file) without touching the TLS state that thread uses.
    with contextlib.suppress(OSError):
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


class _Local(threading.local):
    call: Call | None = None


_local = _Local()


def current() -> Call | None:
    """The call this thread is in, if any."""
    return _local.call


@contextlib.contextmanager
def bounded(bound: Bound) -> Iterator[Call]:
    """Requests made by this thread inside the block end within ``bound.seconds`` in all, and
    read at most ``bound.max_bytes`` decoded (a nested block is bounded by both)."""
    outer = _local.call
    call = Call(bound)
    if outer is not None:  # the inner call cannot outlive the outer one
        call.deadline = min(call.deadline, outer.deadline)
    _local.call = call
    try:
        yield call
    finally:
        call.close()
        _local.call = outer


def read_capped(chunks: Iterable[bytes], call: Call | None = None) -> bytes:
    """The decoded body, counted against the call's cap (this thread's call by default)."""
    call = call or current()
    data = bytearray()
    for chunk in chunks:
        if call is not None:
            call.count(len(chunk))
        data += chunk
    return bytes(data)


# -- requests (PyGithub, arxiv) -----------------------------------------------------------------


class _Watched:
    """A connection that puts its socket under the watch of its thread's call."""

    sock: socket.socket | None

    def _watch(self) -> None:
        call = current()
        if call is not None:
            call.left()
            call.watch(self.sock)


class _HTTPConnection(_Watched, HTTPConnection):
    def connect(self) -> None:
        super().connect()
        self._watch()

    def request(self, *args: Any, **kwargs: Any) -> None:
        if self.sock is not None:  # a kept-alive connection: watched for this call too
            self._watch()
        super().request(*args, **kwargs)


class _HTTPSConnection(_Watched, HTTPSConnection):
    def connect(self) -> None:
        super().connect()
        self._watch()

    def request(self, *args: Any, **kwargs: Any) -> None:
        if self.sock is not None:
            self._watch()
        super().request(*args, **kwargs)


class _HTTPPool(HTTPConnectionPool):
    ConnectionCls = _HTTPConnection


class _HTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _HTTPSConnection


class _CappedBody:
    """urllib3's response, its decoded stream counted against the call's cap and ended as
    timed out when the call's deadline passed (requests reads ``raw.stream``)."""

    def __init__(self, raw: urllib3.BaseHTTPResponse, call: Call) -> None:
        self._raw = raw
        self._call = call

    def stream(
        self, amt: int | None = CHUNK, decode_content: bool | None = None
    ) -> Iterator[bytes]:
        try:
            for chunk in self._raw.stream(min(amt or CHUNK, CHUNK), decode_content=decode_content):
                self._call.count(len(chunk))
                yield chunk
                self._call.left()
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            if self._call.expired or self._call.deadline <= time.monotonic():
                raise self._call.timed_out() from exc
            raise
        finally:
            if self._call.read > self._call.bound.max_bytes:
                self._raw.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._raw, name)


class BoundedAdapter(requests.adapters.HTTPAdapter):
    """requests' adapter for a bounded call: its connections are watched (the deadline ends a
    blocking read) and its body is counted as it is decoded. Outside any call it is requests'
    own adapter. ``timeout``: the per-read timeout of a request that sets none (arxiv's)."""

    def __init__(self, timeout: float | None = None, **kwargs: Any) -> None:
        self.default_timeout = timeout
        super().__init__(**kwargs)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        # PoolManager's own table of pool classes (a public attribute): ours watch sockets.
        self.poolmanager.pool_classes_by_scheme = {"http": _HTTPPool, "https": _HTTPSPool}

    def send(  # type: ignore[override]
        self, request: requests.PreparedRequest, stream: bool = False, timeout: Any = None,
        **kwargs: Any,
    ) -> requests.Response:  # fmt: skip
        call = current()
        if timeout is None:
            timeout = self.default_timeout
        if call is not None:
            left = call.left()
            timeout = left if timeout is None else _shorter(timeout, left)
        try:
            response = super().send(request, stream=stream, timeout=timeout, **kwargs)
        except requests.RequestException as exc:
            if call is not None and (call.expired or call.deadline <= time.monotonic()):
                raise call.timed_out() from exc
            raise
        if call is not None:
            response.raw = _CappedBody(response.raw, call)
        return response


def _shorter(timeout: Any, left: float) -> Any:
    if isinstance(timeout, tuple):
        return tuple(left if t is None else min(t, left) for t in timeout)
    return min(float(timeout), left)


def mount(session: requests.Session, adapter: BoundedAdapter) -> None:
    session.mount("https://", adapter)
    session.mount("http://", adapter)


# -- httpx (the Hub through httpx2, Semantic Scholar, web pages) --------------------------------


def _left(timeout: float | None, error: type[Exception]) -> float | None:
    call = current()
    if call is None:
        return timeout
    left = call.deadline - time.monotonic()
    if left <= 0 or call.expired:
        raise error("deadline passed")
    return left if timeout is None else min(timeout, left)


class _Stream:
    """A network stream of httpcore (or httpcore2), each operation bounded by the time left."""

    def __init__(self, inner: Any, errors: Any) -> None:
        self._inner = inner
        self._errors = errors

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        data: bytes = self._inner.read(max_bytes, _left(timeout, self._errors.ReadTimeout))
        return data

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _left(timeout, self._errors.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> _Stream:
        wait = _left(timeout, self._errors.ConnectTimeout)
        return _Stream(self._inner.start_tls(ssl_context, server_hostname, wait), self._errors)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _Backend:
    """httpcore's synchronous network backend, its connections bounded by the call's deadline."""

    def __init__(self, core: Any) -> None:
        self._inner = core.SyncBackend()
        self._errors = core

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> _Stream:
        wait = _left(timeout, self._errors.ConnectTimeout)
        stream = self._inner.connect_tcp(host, port, wait, local_address, socket_options)
        return _Stream(stream, self._errors)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> _Stream:
        wait = _left(timeout, self._errors.ConnectTimeout)
        return _Stream(self._inner.connect_unix_socket(path, wait, socket_options), self._errors)

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


def _pool(core: Any, ssl_context: ssl.SSLContext) -> Any:
    limits = httpx.Limits(max_connections=100, max_keepalive_connections=20)
    return core.ConnectionPool(
        ssl_context=ssl_context,
        max_connections=limits.max_connections,
        max_keepalive_connections=limits.max_keepalive_connections,
        keepalive_expiry=limits.keepalive_expiry,
        network_backend=_Backend(core),
    )


class DeadlineTransport(httpx.HTTPTransport):
    """httpx's HTTP transport, its connections bounded by the deadline of the thread's call."""

    def __init__(self) -> None:
        context = _ssl_context()
        super().__init__(verify=context)
        # httpx takes no network backend: the same pool as its default, with ours (the pool is
        # a private attribute; httpx is pinned and `test_private_parts` fails when it moves).
        self._pool = _pool(httpcore, context)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """The answer, refused when its body is compressed more than once (``Content-Encoding:
        gzip, gzip``): httpx decodes one layer a read's worth at a time, but each further layer
        whole, so 2 KB decoded to 1 GB in one chunk (2.1 GB peak) before any cap could count it.
        No server compresses twice; a `httpx.DecodingError`, like a body that does not decode."""
        response = super().handle_request(request)
        codings = response.headers.get("content-encoding", "").split(",")
        if len([c for c in codings if c.strip().lower() not in ("", "identity")]) > 1:
            response.close()
            raise httpx.DecodingError(
                f"refused: a body compressed more than once ({', '.join(codings)[:80]})",
                request=request,
            )
        return response

    @contextlib.contextmanager
    def deadline(
        self, seconds: float, upstream: str = "web", max_bytes: int = 1 << 62
    ) -> Iterator[None]:
        """Requests made by this thread inside the block end within ``seconds`` in all."""
        with bounded(Bound(upstream, seconds, max_bytes)):
            yield


def _ssl_context() -> ssl.SSLContext:
    """One verifying context a process per trust setting: building one loads the CA bundle
    (~20 ms of CPU), and a context is meant to be shared by every connection and thread. Keyed
    by what httpx reads from the environment (``SSL_CERT_FILE``, ``SSL_CERT_DIR``), so a
    changed setting is honoured as httpx would honour it."""
    return _context("httpx", *_trust())


def _ssl_context2() -> ssl.SSLContext:
    """The same for httpx2 (huggingface_hub's HTTP library)."""
    return _context("httpx2", *_trust())


def _trust() -> tuple[str | None, str | None]:
    return os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR")


@functools.lru_cache(maxsize=16)
def _context(library: str, cert_file: str | None, cert_dir: str | None) -> ssl.SSLContext:
    """``library``'s default verifying context, built under the trust setting of the key."""
    module = importlib.import_module(library)
    context: ssl.SSLContext = module.create_ssl_context()
    return context


def hub_client(headers: Mapping[str, str] | None = None) -> Any:
    """An httpx2 client (huggingface_hub's HTTP library) whose connections are bounded by the
    thread's call, for the Hub source's own requests."""
    import httpcore2
    import httpx2

    context = _ssl_context2()
    transport = httpx2.HTTPTransport(verify=context)
    # As for httpx: httpx2 takes no network backend (pinned; `test_private_parts`).
    transport._pool = _pool(httpcore2, context)
    return httpx2.Client(transport=transport, headers=dict(headers or {}), follow_redirects=False)
