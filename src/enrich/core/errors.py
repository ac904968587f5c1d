"""The project's one exception hierarchy.

::

    EnrichError                  anything enrich raises on purpose
    ├── InputError               a bad list, path, raw folder or snapshot file (exit 2)
    │   ├── RejectedURLError     a list link that is never fetched (bad scheme, no host): skipped
    │   └── RawFormatError       a raw run folder written in a format this enrich does not read
    ├── ConfigError              a setting that cannot work
    ├── SourceError              an upstream answered with a failure for one entry
    │   ├── NotFoundError        404 / 410 / unknown id: permanent, never retried
    │   ├── TransientError       5xx, 429, rate limits, timeouts: worth a retry
    │   │   └── MalformedBodyError   a 200 whose body is not what the API sends (truncated, HTML)
    │   └── BlockedURLError      a list URL that must not be fetched (private address, bad scheme)
    ├── PublishError             the snapshot could not be written
    │   └── RejectedRunError     too many entries failed: latest.* kept, the attempt set aside
    └── LockedError              another run holds the output folder

Every error carries what a reader needs to act on it (source, id, url, status) and nothing
secret: messages are built from ids and URLs only, never from request headers.
"""

from __future__ import annotations


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


class NotFoundError(SourceError):
    """The upstream says the thing does not exist (404, 410, unknown id): not retried."""


class TransientError(SourceError):
    """A failure that may pass (5xx, 429, rate limit, timeout, truncated body)."""


class MalformedBodyError(TransientError):
    """An upstream answered 200 with a body that is not what the API sends (truncated, HTML)."""


class BlockedURLError(SourceError):
    """A list URL that must never be fetched: bad scheme, or a private/loopback address."""


class PublishError(EnrichError):
    """The snapshot could not be written; the previous files are left as they were."""


class RejectedRunError(PublishError):
    """The publish guard refused the run: too many entries failed to replace a good dataset."""


class LockedError(EnrichError):
    """Another run is writing to the same output folder."""
