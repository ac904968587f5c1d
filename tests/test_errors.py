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
from enrich.core.rawdocs import describe
from enrich.sources.github.client import error_info, source_error
from enrich.sources.huggingface import _error_info as hub_error_info


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
