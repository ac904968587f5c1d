"""#23 item 8: the private parts of client libraries enrich still reaches, each where the library
offers no public hook, each library pinned in constraints.txt. Every one is named here so that
an upgrade that moves it fails loudly, here, rather than quietly unbounding a request.

Public hooks used instead where they exist: PyGithub's ``Requester.injectConnectionClasses``
(our sessions), requests' ``Response.raw`` and session ``hooks``, urllib3's
``PoolManager.pool_classes_by_scheme``, huggingface_hub's ``set_client_factory``,
``build_hf_headers``, ``hf_raise_for_status``, arxiv's ``Client.query_url_format``."""

from __future__ import annotations

import re
from pathlib import Path

import httpcore
import httpx
import pytest
import requests

ROOT = Path(__file__).parent.parent


def pinned(name: str) -> str:
    found = re.search(rf"^{re.escape(name)}==(\S+)$", (ROOT / "constraints.txt").read_text(), re.M)
    assert found, f"{name} is not pinned in constraints.txt"
    return found.group(1)


@pytest.mark.parametrize("name", ["arxiv", "PyGithub", "huggingface_hub", "httpx", "httpx2",
                                  "httpcore", "httpcore2", "requests", "urllib3"])
def test_every_library_whose_private_parts_we_reach_is_pinned(name: str) -> None:
    from importlib.metadata import version
    assert version(name) == pinned(name)


def test_arxiv_session_and_feed_parser() -> None:
    """The session the adapter is mounted on (the client takes none) and the feed parser
    normalize reads raw bodies with (the same reading as a live Result)."""
    import arxiv
    client = arxiv.Client()
    assert isinstance(client._session, requests.Session)
    assert callable(arxiv._feed.parse)
    assert "{}" in arxiv.Client.query_url_format  # public, documented: the endpoint


def test_pygithub_requester_recursion_and_connection_classes() -> None:
    """`bound_redirects` wraps the requester's name-mangled ``__requestRaw``; our connection
    classes subclass PyGithub's and replace their ``adapter`` on their ``session``."""
    from github import Github
    from github.Requester import HTTPSRequestsConnectionClass, Requester

    from enrich.sources.github import client as ours
    assert callable(getattr(Github().requester, "_Requester__requestRaw", None))
    assert hasattr(Requester, "injectConnectionClasses")
    cnx = HTTPSRequestsConnectionClass("example.org", retry=1, pool_size=2)
    assert isinstance(cnx.session, requests.Session) and cnx.retry == 1 and cnx.pool_size == 2
    assert isinstance(ours._HTTPSConnection("example.org").adapter, ours.BoundedAdapter)


def test_httpx_transports_hold_their_pool() -> None:
    """httpx and httpx2 take no network backend: `enrich.sources.bounded` replaces the pool
    their transport makes (``_pool``) with the same pool on its own backend."""
    import httpcore2
    import httpx2

    from enrich.sources.bounded import DeadlineTransport, hub_client
    assert isinstance(httpx.HTTPTransport()._pool, httpcore.ConnectionPool)
    assert isinstance(httpx2.HTTPTransport()._pool, httpcore2.ConnectionPool)
    assert isinstance(DeadlineTransport()._pool, httpcore.ConnectionPool)
    with hub_client() as client:
        assert isinstance(client._transport._pool, httpcore2.ConnectionPool)


def test_huggingface_hub_default_client_factory() -> None:
    """The Hub upload's client is the library's default one with a timeout (`store.hub`)."""
    import httpx2
    from huggingface_hub.utils._http import default_client_factory
    client = default_client_factory()
    try:
        assert isinstance(client, httpx2.Client)
    finally:
        client.close()


def test_urllib3_pool_classes_and_bounded_decoding() -> None:
    """Our adapter sets the pool manager's pool classes; urllib3 decodes a gzip stream in
    bounded chunks (``max_length``, urllib3 >= 2.6), which the cap relies on."""
    import gzip
    import io

    from urllib3 import HTTPResponse
    from urllib3.poolmanager import PoolManager
    assert "https" in PoolManager().pool_classes_by_scheme
    bomb = gzip.compress(bytes(50_000_000))
    response = HTTPResponse(io.BytesIO(bomb), headers={"content-encoding": "gzip"},
                            preload_content=False)
    sizes = [len(c) for c in response.stream(65_536, decode_content=True)]
    assert sum(sizes) == 50_000_000 and max(sizes) <= 65_536 * 2
