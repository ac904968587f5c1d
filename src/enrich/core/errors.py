"""The project's one exception hierarchy.

::

    EnrichError                  anything enrich raises on purpose
    ├── InputError               a bad list, path, raw folder or snapshot file (exit 2)
    │   ├── RejectedURLError     a list link that is never fetched (bad scheme, no host): skipped
    │   └── RawFormatError       a raw run folder written in a format this enrich does not read
    ├── ConfigError              a setting that cannot work
    ├── SourceError              an upstream answered with a failure for one entry (kind http)
    │   ├── NotFoundError        404 / 410 / unknown id: permanent, never retried (not_found)
    │   ├── TransientError       5xx, 429, rate limits, timeouts: worth a retry (transient)
    │   │   ├── UnreachableError     no answer at all: DNS, connection, timeout (network)
    │   │   │   └── TimedOutError    no whole answer within the call's deadline
    │   │   └── MalformedBodyError   a 200 whose body is not what the API sends (malformed)
    │   │       └── TooLargeError    an answer past its decoded-size cap
    │   ├── RejectedError        the link refused: a bad name, a redirect off the API (rejected)
    │   ├── RedirectLoopError    more redirects in a row than a request may follow
    │   └── BlockedURLError      a list URL that must not be fetched (private address, bad scheme)
    ├── PublishError             the snapshot could not be written
    │   └── RejectedRunError     too many entries failed: latest.* kept, the attempt set aside
    └── LockedError              another run holds the output folder

Every error carries what a reader needs to act on it (source, id, url, status) and nothing
secret: messages are built from ids and URLs only, never from request headers.

A source translates its client library's exceptions into a `SourceError` at its boundary, by one
table per library (`translate`; httpx's ``map_exceptions`` is the model), and the entry's raw
document records it as an `enrich.core.rawdocs.ErrorInfo` (``describe``), whose ``kind`` is the
class's: what `enrich.core.failures` turns into the entry's `Failure`, never the message. So a
`SourceError` is mostly described, not caught: it becomes a status where it is made.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import ClassVar


class EnrichError(Exception):
    """Base class of every error enrich raises on purpose."""

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        entry_id: str | None = None,
        url: str | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.source = source
        self.entry_id = entry_id
        self.url = url
        self.status = status

    def __str__(self) -> str:
        return self.message

    def __reduce__(self) -> tuple[object, ...]:
        # Keyword-only arguments are not pickled by default; Prefect and Dask pickle errors.
        return (
            _rebuild,
            (type(self), self.message, self.source, self.entry_id, self.url, self.status),
        )


def _rebuild(
    cls: type[EnrichError],
    message: str,
    source: str | None,
    entry_id: str | None,
    url: str | None,
    status: int | None,
) -> EnrichError:
    return cls(message, source=source, entry_id=entry_id, url=url, status=status)


class InputError(EnrichError):
    """A bad input given by the user: the CLI prints the message and exits 2."""


class RejectedURLError(InputError):
    """A list link that is never fetched (``javascript:``, no host, unparseable): skipped."""


class RawFormatError(InputError):
    """A raw run folder written in a format this version cannot read (older or newer)."""


class ConfigError(EnrichError):
    """A setting that cannot work."""


class SourceError(EnrichError):
    """An upstream failure for one entry; becomes that entry's status, never a crash."""

    # What the raw document's ErrorInfo says of it (`enrich.core.rawdocs.describe`).
    kind: ClassVar[str] = "http"


class NotFoundError(SourceError):
    """The upstream says the thing does not exist (404, 410, unknown id): not retried."""

    kind: ClassVar[str] = "not_found"


class TransientError(SourceError):
    """A failure that may pass (5xx, 429, rate limit, timeout, truncated body)."""

    kind: ClassVar[str] = "transient"


class UnreachableError(TransientError):
    """No answer at all: the host does not resolve, refuses or drops the connection, times out."""

    kind: ClassVar[str] = "network"


class MalformedBodyError(TransientError):
    """An upstream answered 200 with a body that is not what the API sends (truncated, HTML)."""

    kind: ClassVar[str] = "malformed"


class TimedOutError(UnreachableError):
    """No whole answer within the call's total deadline (`enrich.sources.bounded`): a server
    that drips its answer, or never finishes it."""


class TooLargeError(MalformedBodyError):
    """An answer that decoded past its cap (`enrich.sources.bounded`): read no further, as no
    answer of the API is that large (a decompression bomb, a runaway page)."""


class RejectedError(SourceError):
    """The link itself was refused: a name the API cannot have, a redirect the run will not
    follow off the API's host. A fact about the link, not the run's trouble."""

    kind: ClassVar[str] = "rejected"


class RedirectLoopError(SourceError):
    """More redirects in a row than a request may follow (a 301 loop)."""

    kind: ClassVar[str] = "redirect_loop"


class BlockedURLError(SourceError):
    """A list URL that must never be fetched: bad scheme, or a private/loopback address."""

    kind: ClassVar[str] = "blocked"


class PublishError(EnrichError):
    """The snapshot could not be written; the previous files are left as they were."""


class RejectedRunError(PublishError):
    """The publish guard refused the run: too many entries failed to replace a good dataset."""


class LockedError(EnrichError):
    """Another run is writing to the same output folder."""


# One row per exception of a client library: the first row whose class matches makes ours.
ErrorTable = Sequence[tuple[type[BaseException] | tuple[type[BaseException], ...],
                            Callable[[BaseException], SourceError]]]  # fmt: skip


def translate(exc: BaseException, table: ErrorTable) -> SourceError:
    """``exc`` as ours, by the first matching row of a library's ``table``; ours stays ours, and
    an exception no row names is a bug, re-raised."""
    if isinstance(exc, SourceError):
        return exc
    for types, make in table:
        if isinstance(exc, types):
            return make(exc)
    raise exc
