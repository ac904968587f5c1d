"""A total deadline for a chain of httpx requests, not only one per read.

httpx's timeouts bound each network operation: a server that drips one byte every few seconds
(in its headers or its body) never trips a read timeout and holds the request, the run and its
output lock forever. `DeadlineTransport` is httpx's own transport whose connections check a
deadline set by the caller (`DeadlineTransport.deadline`, per thread): every connect, read and
write gets at most the time left, and none starts once it has passed, so the whole chain (a page
and its redirects) ends within it, as an ``httpx.TimeoutException``.
"""

from __future__ import annotations

import contextlib
import ssl
import threading
import time
from collections.abc import Iterable, Iterator
from typing import Any

import httpcore
import httpx


class _Clock(threading.local):
    """The deadline of the request chain running on this thread, if any."""

    deadline: float | None = None

    def left(self, timeout: float | None, error: type[Exception]) -> float | None:
        if self.deadline is None:
            return timeout
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise error("deadline passed")
        return left if timeout is None else min(timeout, left)


class _Stream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream, clock: _Clock) -> None:
        self._inner = inner
        self._clock = clock

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, self._clock.left(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, self._clock.left(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        wait = self._clock.left(timeout, httpcore.ConnectTimeout)
        return _Stream(self._inner.start_tls(ssl_context, server_hostname, wait), self._clock)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _Backend(httpcore.NetworkBackend):
    def __init__(self, clock: _Clock) -> None:
        self._inner = httpcore.SyncBackend()
        self._clock = clock

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        wait = self._clock.left(timeout, httpcore.ConnectTimeout)
        stream = self._inner.connect_tcp(host, port, wait, local_address, socket_options)
        return _Stream(stream, self._clock)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        wait = self._clock.left(timeout, httpcore.ConnectTimeout)
        return _Stream(self._inner.connect_unix_socket(path, wait, socket_options), self._clock)

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class DeadlineTransport(httpx.HTTPTransport):
    """httpx's HTTP transport, its connections bounded by the caller's deadline."""

    def __init__(self) -> None:
        super().__init__()
        self._clock = _Clock()
        limits = httpx.Limits(max_connections=100, max_keepalive_connections=20)
        # httpx offers no way to hand its pool a network backend: the same pool as its
        # default (httpx.HTTPTransport), with ours.
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=_Backend(self._clock),
        )

    @contextlib.contextmanager
    def deadline(self, seconds: float) -> Iterator[None]:
        """Requests made by this thread inside the block end within ``seconds`` in all."""
        self._clock.deadline = time.monotonic() + seconds
        try:
            yield
        finally:
            self._clock.deadline = None
