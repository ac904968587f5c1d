"""One vocabulary of failures: what a raw document says went wrong (its error's ``kind``) and
what that means for the entry (`enrich.core.model.Failure`).

::

    client library's exception ─(one table per library, at its source's boundary)─▶
        an `enrich.core.errors.SourceError` subclass ─(`rawdocs.describe`: its ``kind``)─▶
        ErrorInfo in the raw document ─(`failure_of`, here)─▶ the entry's `Failure`

The tables per library: ``GITHUB_ERRORS`` (PyGithub, requests, urllib3) in
`enrich.sources.github.client`, ``HUB_ERRORS`` (huggingface_hub, httpx2) in
`enrich.sources.huggingface`; web pages, arXiv and Semantic Scholar record their few failures
with these kinds directly. `KINDS` is the only place a kind gets its meaning: the publish guard,
``enrich check`` and the views read `Failure`, never a message.

Differences on purpose:

- An HTTP 401/403 from an API is ``unauthorized`` (our token: revoked, missing, out of scope);
  from a web page it is ``rejected``: a page behind a login is a fact about the link, not a
  problem of the run (`http_failure`, ``page=True``).
- A Hub redirect the run refuses to follow (off the Hub, or a loop) is ``rejected`` (the
  repository moved somewhere the API does not answer for), while a list link that must never
  be fetched is ``blocked``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from enrich.core.model import Failure

# Every kind a raw document's error may have (`enrich.core.rawdocs.ErrorInfo`), written by this
# version or an earlier one, and the entry's failure it means. ``http`` is read with its status.
KINDS: Mapping[str, Failure] = {
    "not_found": Failure.NOT_FOUND,  # NotFoundError: 404, 410, an unknown id
    "rejected": Failure.REJECTED,  # a bad name or id; a redirect the run refuses; other 4xx
    "blocked": Failure.BLOCKED,  # BlockedURLError: never fetched (a private address)
    "transient": Failure.UNREACHABLE,  # TransientError: 5xx, 429, rate limits kept failing
    "network": Failure.UNREACHABLE,  # UnreachableError, TimedOutError: no (whole) answer
    "graphql": Failure.UNREACHABLE,  # an alias GitHub's GraphQL answered with an error
    "redirect_loop": Failure.UNREACHABLE,  # RedirectLoopError (format 1; now ``rejected``)
    "malformed": Failure.MALFORMED,  # MalformedBodyError, TooLargeError
    "deferred": Failure.DEFERRED,  # not asked: the rate limit left too little
}


def http_failure(status: int, *, page: bool = False) -> Failure:
    """What an HTTP error status says about the entry: of an API (``page`` False) or of a web
    page (401/403: ``rejected``, see the module's docstring)."""
    if status in (404, 410):
        return Failure.NOT_FOUND
    if status in (401, 403):
        return Failure.REJECTED if page else Failure.UNAUTHORIZED
    if 400 <= status < 500 and status not in (408, 429):
        return Failure.REJECTED
    return Failure.UNREACHABLE


def failure_of(error: Mapping[str, Any]) -> Failure:
    """The `Failure` of a raw document's error (`enrich.core.rawdocs.ErrorInfo`): its kind, and
    for kind ``http`` its status (format-1 documents say it in the message only). A kind this
    version does not know is the run's trouble (``unreachable``), never a fact about the link."""
    kind = str(error.get("kind") or "")
    if kind == "http":
        status = error.get("status")
        if not isinstance(status, int):
            found = re.search(r"HTTP (\d{3})", str(error.get("message") or ""))
            status = int(found.group(1)) if found else 0
        return http_failure(status)
    return KINDS.get(kind, Failure.UNREACHABLE)
