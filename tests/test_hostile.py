"""What an adversary who can edit the list, or answer for an upstream, tries first: walking out
of the repository namespace, reaching internal addresses, redirecting a card download, forging
another paper's answer, a redirect loop. Each is refused before it costs anything. Real
clients against the local fake API."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import pytest

from conftest import fetch_source, run
from enrich.core.errors import InputError
from enrich.core.links import Kind, classify, github_name
from enrich.core.model import Entry, Status
from enrich.sandbox.sample import sample_data_dir
from enrich.sandbox.server import ArxivRoutes, FakeAPI, Fault, _strip_entry_namespaces
from enrich.sources.addresses import is_public
from enrich.sources.listfile import read_list_source
from enrich.store.raw import RawStore

TOKEN = "fake-token-for-tests"


def entry_for(url: str) -> Entry:
    ref = classify(url)
    return Entry(id=ref.entry_id, kind=ref.kind, source_id=ref.source_id, url=url, urls=[url],
                 section=[], positions=[])


def outside_the_namespace(fake: FakeAPI) -> list[str]:
    """GitHub paths the fake was asked that are not a repository's, the query or the limits."""
    allowed = ("/github/repos/", "/github/repositories/", "/github/graphql", "/github/rate_limit")
    return [e.path for e in fake.requests("github") if not e.path.startswith(allowed)]


# -- #18 item 8: list links stay inside /repos/{owner}/{repo} ----------------------------------

WALKS = [
    "https://github.com/../user",
    "https://github.com/../notifications",
    "https://github.com/%2e%2e/user",
    "https://github.com/owner/..",
    "https://github.com/owner/.",
    "https://github.com/-owner/repo",
]


@pytest.mark.parametrize("url", WALKS)
def test_a_link_that_walks_out_of_the_namespace_is_not_a_repository(url: str) -> None:
    assert classify(url).kind == Kind.WEB  # a web page at most: fetched without any token


@pytest.mark.parametrize(("name", "valid"), [
    ("huggingface/trl", True), (".github-private/x", False), ("owner/.github", True),
    ("user_emu/repo", True), ("../user", False), ("a/..", False), ("a/...", False),
    ("a", False), ("a/b/c", False), ("a/b c", False), ("a/" + "x" * 101, False),
])
def test_github_names(name: str, valid: bool) -> None:
    assert (github_name(name) is not None) == valid


@pytest.mark.parametrize("graphql", [False, True], ids=["rest", "graphql"])
def test_walking_links_never_reach_github_outside_repositories(graphql: bool, fake: FakeAPI,
                                                              tmp_path: Path) -> None:
    listed = tmp_path / "list.md"
    listed.write_text("# Hostile list (test data)\n\n" + "".join(f"* {u}\n" for u in WALKS)
                      + "* https://github.com/voidful/TextRL\n")
    settings = fake.settings(github_token=TOKEN, github_graphql=graphql, allow_loopback=True)
    result = run(str(listed), settings=settings, out_dir=tmp_path / "out", raw_root=tmp_path / "raw",
                 skip={"web": "offline"})
    assert outside_the_namespace(fake) == []
    assert next(e for e in result.snapshot.entries if e.id == "github:voidful/textrl").status == Status.OK


def test_a_hand_made_entry_with_a_walking_name_is_refused_before_any_request(
    fake: FakeAPI, tmp_path: Path
) -> None:
    """Names are checked again where request paths are built, whatever made the entry."""
    good = entry_for("https://github.com/voidful/TextRL")
    bad = good.model_copy(update={"id": "github:../user", "source_id": "../user"})
    for graphql in (False, True):
        settings = fake.settings(github_token=TOKEN, github_graphql=graphql)
        outcomes = fetch_source("github", [bad, good], settings, RawStore(tmp_path / f"r{graphql}"))
        assert outcomes[bad.id].status == Status.ERROR
        assert outcomes[bad.id].reason == "not a GitHub owner/repository name"
    assert outside_the_namespace(fake) == []


@pytest.mark.parametrize("source", ["github:../../README.md", "github:a/b/../../../user",
                                    "github:a/../README.md", "github:a/b/./README.md"])
def test_a_list_source_that_walks_is_a_bad_input(source: str, fake: FakeAPI) -> None:
    with pytest.raises(InputError, match="must be names"):
        read_list_source(source, fake.settings(github_token=TOKEN))
    assert fake.requests("github") == []


# -- #18 item 9: only globally routable addresses --------------------------------------------

REFUSED = [
    "100.100.100.200",  # carrier-grade NAT: one cloud's metadata service
    "100.64.0.1",
    "2002:a9fe:a9fe::",  # 6to4 of 169.254.169.254
    "2002:7f00:1::",  # 6to4 of 127.0.0.1
    "::ffff:169.254.169.254",  # IPv4-mapped
    "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254
    "2001:0:4136:e378:8000:63bf:3f57:fdf2",  # Teredo, client 192.168.2.13
    "169.254.169.254", "10.0.0.1", "192.168.1.1", "172.16.0.1", "127.0.0.1", "::1",
    "fd00::1", "fe80::1", "0.0.0.0", "224.0.0.1", "255.255.255.255", "198.18.0.1", "192.0.2.1",
]
ALLOWED = ["8.8.8.8", "140.82.112.3", "2606:4700:4700::1111", "2002:808:808::"]  # the last: 6to4 of 8.8.8.8


@pytest.mark.parametrize("address", REFUSED)
def test_non_global_addresses_are_refused(address: str) -> None:
    assert not is_public(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ALLOWED)
def test_global_addresses_are_allowed(address: str) -> None:
    assert is_public(ipaddress.ip_address(address))


@pytest.mark.parametrize("host", ["100.100.100.200", "100.64.0.1", "[2002:a9fe:a9fe::]", "[::ffff:a9fe:a9fe]"])
def test_the_web_source_never_connects_to_them(host: str, fake: FakeAPI, tmp_path: Path) -> None:
    settings = fake.settings(allow_loopback=False, web_timeout_seconds=2)
    entry = entry_for(f"http://{host}/latest/meta-data/")
    (outcome,) = fetch_source("web", [entry], settings, RawStore(tmp_path / "r1")).values()
    assert outcome.status == Status.ERROR and "non-public address" in (outcome.reason or "")


# -- #18 item 10: a card download follows no redirect to an unchecked host -----------------------

SHP = "https://huggingface.co/datasets/stanfordnlp/SHP"


def test_a_card_redirected_to_loopback_is_not_read(fake: FakeAPI, tmp_path: Path) -> None:
    port = fake.base_url.rsplit(":", 1)[1]
    fake.faults.append(Fault(r"/hf/datasets/stanfordnlp/SHP/resolve/", status=302,
                             headers={"Location": f"http://localhost:{port}/pages/ok"}))
    settings = fake.settings(allow_loopback=False)
    (outcome,) = fetch_source("huggingface", [entry_for(SHP)], settings, RawStore(tmp_path / "r1")).values()
    assert outcome.status == Status.OK and outcome.record.card is None  # type: ignore[union-attr]
    assert "non-public address" in (outcome.reason or "") and "card" in outcome.carry
    assert fake.requests("pages") == []


def test_a_card_redirected_on_the_hub_itself_is_read(fake: FakeAPI, tmp_path: Path) -> None:
    """The Hub's own relative redirects (a file moved to a cache path) are followed, token kept."""
    target = "/hf/datasets/stanfordnlp/SHP/resolve/main/README.md"
    fake.faults.append(Fault(r"/hf/datasets/stanfordnlp/SHP/resolve/[0-9a-f]{40}/", status=302, times=1,
                             headers={"Location": target}))
    settings = fake.settings(allow_loopback=False, hf_token="hf_fake_token_for_tests")
    (outcome,) = fetch_source("huggingface", [entry_for(SHP)], settings, RawStore(tmp_path / "r1")).values()
    assert outcome.status == Status.OK and outcome.reason is None
    assert outcome.record.card and outcome.record.card.text  # type: ignore[union-attr]


# -- #18 item 11: an answer counts only for the ids its request asked ---------------------------

def test_one_papers_answer_never_overwrites_another(fake: FakeAPI, tmp_path: Path) -> None:
    """The request for 2204.05862 is answered with an entry claiming to be 1909.08593 (and a
    forged title): 1909.08593 keeps its own answer, 2204.05862 is asked again and read."""
    real = _strip_entry_namespaces((sample_data_dir() / "arxiv/1909.08593.xml").read_text())
    forged = real.replace("<title>", "<title>FORGED ", 1)
    feed = ArxivRoutes.FEED_HEAD + "  <title>arXiv Query</title>\n" + forged + "</feed>\n"
    fake.faults.append(Fault(r"/arxiv/api/query", status=200, times=1, query=r"id_list=2204\.05862",
                             body=feed.encode(), headers={"Content-Type": "application/atom+xml"}))
    settings = fake.settings(arxiv_batch_size=1)
    entries = [entry_for("https://arxiv.org/abs/1909.08593"), entry_for("https://arxiv.org/abs/2204.05862")]
    outcomes = fetch_source("arxiv", entries, settings, RawStore(tmp_path / "r1"))
    assert all(o.status == Status.OK for o in outcomes.values())
    titles = {k: o.record.title for k, o in outcomes.items()}  # type: ignore[union-attr]
    assert not any(t.startswith("FORGED") for t in titles.values()), titles


# -- #18 item 12: a redirect loop costs a few requests, not a thousand ---------------------------

def test_a_301_loop_is_given_up_after_a_few_hops(fake: FakeAPI, tmp_path: Path) -> None:
    for here, there in (("a", "b"), ("b", "a")):
        fake.faults.append(Fault(rf"^/github/repos/loop/{here}$", status=301,
                                 headers={"Location": f"{fake.github_url}/repos/loop/{there}"},
                                 body=b'{"message": "Moved Permanently"}'))
    settings = fake.settings(github_max_redirects=5)
    entries = [entry_for("https://github.com/loop/a"), entry_for("https://github.com/voidful/TextRL")]
    outcomes = fetch_source("github", entries, settings, RawStore(tmp_path / "r1"))
    loop, fine = (outcomes[e.id] for e in entries)
    assert (loop.status, loop.reason) == (Status.ERROR, "redirect loop: more than 5 redirects")
    assert sum(1 for e in fake.requests("github") if "/repos/loop/" in e.path) == 6
    assert fine.status == Status.OK
