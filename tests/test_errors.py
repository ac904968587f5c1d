"""The one exception hierarchy, used: each source translates its client's exceptions into ours
at its boundary, and the entry's raw document records the error's kind (what the guard and the
check read), its message and its HTTP status."""

from __future__ import annotations

import pickle

import pytest
import requests
from github import GithubException, UnknownObjectException
from huggingface_hub.errors import HfHubHTTPError, RepositoryNotFoundError

from enrich.core import errors
from enrich.core.model import Failure
from enrich.core.rawdocs import describe
from enrich.sources.github.client import error_info, source_error
from enrich.sources.huggingface import hub_error_info


@pytest.mark.parametrize(
    ("raised", "cls", "info"),
    [
        (UnknownObjectException(404, {"message": "Not Found"}, {}), errors.NotFoundError,
         {"kind": "not_found", "message": "not found on GitHub (deleted or private)"}),
        (GithubException(401, {"message": "Bad credentials"}, {}), errors.SourceError,
         {"kind": "http", "message": "GitHub answered HTTP 401", "status": 401}),
        (requests.exceptions.RetryError("too many 503 error responses"), errors.TransientError,
         {"kind": "transient", "message": "GitHub kept failing: too many 503 error responses"}),
        (requests.exceptions.ConnectionError("refused"), errors.UnreachableError,
         {"kind": "network", "message": "GitHub unreachable (ConnectionError)"}),
        (errors.MalformedBodyError("GitHub sent malformed JSON 4 times"), errors.MalformedBodyError,
         {"kind": "malformed", "message": "GitHub sent malformed JSON 4 times"}),
        (errors.RedirectLoopError("redirect loop: more than 5 redirects"), errors.RedirectLoopError,
         {"kind": "redirect_loop", "message": "redirect loop: more than 5 redirects"}),
    ],
)
def test_github_errors_become_ours(raised: Exception, cls: type[errors.SourceError], info: dict[str, object]) -> None:
    ours = source_error(raised)
    assert type(ours) is cls and isinstance(ours, errors.SourceError)
    assert error_info(raised) == info


def test_hub_errors_become_ours() -> None:
    import httpx

    response = httpx.Response(503, request=httpx.Request("GET", "https://huggingface.co/api/datasets/x/y"))
    assert hub_error_info(HfHubHTTPError("503", response=response)) == {
        "kind": "http", "message": "Hub answered HTTP 503", "status": 503}
    missing = httpx.Response(404, request=response.request)
    assert hub_error_info(RepositoryNotFoundError("404", response=missing))["kind"] == "not_found"
    assert hub_error_info(errors.BlockedURLError("refused: elsewhere"))["kind"] == "rejected"
    assert hub_error_info(OSError("reset"))["kind"] == "network"


@pytest.mark.parametrize("cls", [c for c in vars(errors).values()
                                 if isinstance(c, type) and issubclass(c, errors.EnrichError)])
def test_every_error_pickles_with_what_it_carries(cls: type[errors.EnrichError]) -> None:
    """Prefect and Dask pickle errors across processes: nothing of them is lost."""
    error = cls("why", source="github", entry_id="github:a/b", url="https://x", status=503)
    again = pickle.loads(pickle.dumps(error))
    assert (type(again), again.message, again.source, again.entry_id, again.url, again.status) == (
        cls, "why", "github", "github:a/b", "https://x", 503)
    if isinstance(error, errors.SourceError):
        assert describe(error) == {"kind": cls.kind, "message": "why", "status": 503}


# -- #23 item 3: one vocabulary of failures ------------------------------------------------------

def _subclasses(cls: type) -> list[type]:
    return [cls, *(s for sub in cls.__subclasses__() for s in _subclasses(sub))]


def test_every_error_kind_has_one_meaning() -> None:
    """Each `SourceError` class's kind is a kind of `enrich.core.failures.KINDS` (or ``http``,
    read with its status): the one table that gives a kind its meaning."""
    from enrich.core.failures import KINDS
    kinds = {cls.kind for cls in _subclasses(errors.SourceError)}
    assert kinds - {"http"} <= set(KINDS)


@pytest.mark.parametrize(("status", "api", "page"), [
    (404, Failure.NOT_FOUND, Failure.NOT_FOUND), (410, Failure.NOT_FOUND, Failure.NOT_FOUND),
    (401, Failure.UNAUTHORIZED, Failure.REJECTED), (403, Failure.UNAUTHORIZED, Failure.REJECTED),
    (400, Failure.REJECTED, Failure.REJECTED), (451, Failure.REJECTED, Failure.REJECTED),
    (408, Failure.UNREACHABLE, Failure.UNREACHABLE), (429, Failure.UNREACHABLE, Failure.UNREACHABLE),
    (503, Failure.UNREACHABLE, Failure.UNREACHABLE),
])
def test_an_http_status_means_one_thing_but_where_it_differs_on_purpose(
    status: int, api: Failure, page: Failure
) -> None:
    from enrich.core.failures import http_failure
    assert (http_failure(status), http_failure(status, page=True)) == (api, page)


def test_each_library_has_one_table_ending_in_a_catch_all() -> None:
    """Every exception of a client library becomes one of ours (the last row takes the rest);
    ours pass through unchanged."""
    from enrich.sources.github.client import GITHUB_ERRORS
    from enrich.sources.huggingface import HUB_ERRORS
    for table in (GITHUB_ERRORS, HUB_ERRORS):
        assert table[-1][0] is Exception
        assert isinstance(errors.translate(KeyError("x"), table), errors.UnreachableError)
        ours = errors.TooLargeError("too large")
        assert errors.translate(ours, table) is ours
