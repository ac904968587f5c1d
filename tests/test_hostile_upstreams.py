"""Hostile and broken answers from every upstream, beyond bombs and drips (#22): JSON nested
100,000 deep, valid JSON of the wrong shape (a count past 2^63, negative, a string), an Atom
"feed" that is an HTML page or declares entities, a date no parser reads, a YAML front matter of
nested aliases, a Content-Length that lies, a 50 MB header line, a 304 with nothing cached.

Each answer costs only the entry it hits: that entry's status and one-line reason, the other
entry fetched, the source never ended. Real clients against the local fake API (`Fault`)."""

from __future__ import annotations

import functools
import gzip
import json
import re
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from builders import entry_for
from conftest import fetch_source, needing_schema, run
from enrich.core.errors import InputError
from enrich.core.model import Failure, Status
from enrich.sandbox.server import FakeAPI, Fault, _bomb
from enrich.sources.base import FetchContext
from enrich.sources.listfile import read_list_source
from enrich.sources.registry import SOURCES
from enrich.sources.scholar import ScholarSource
from enrich.store.raw import RawStore

TOKEN = "fake-token-for-tests"
DEEP = b"[" * 100_000 + b"]" * 100_000  # RecursionError in json.loads, no ValueError
HTML = {"Content-Type": "text/html; charset=utf-8"}
ATOM = {"Content-Type": "application/atom+xml"}

# upstream: (source, hit URL, other URL, the fake's path of the hit, its query, settings)
UPSTREAMS: dict[str, tuple[str, str, str, str, str | None, dict[str, Any]]] = {
    "github-rest": ("github", "https://github.com/huggingface/trl", "https://github.com/CarperAI/trlx",
                    r"^/github/repos/huggingface/trl$", None, {}),
    "github-contributors": ("github", "https://github.com/huggingface/trl", "https://github.com/CarperAI/trlx",
                            r"^/github/repos/huggingface/trl/contributors$", None, {}),
    "github-graphql": ("github", "https://github.com/huggingface/trl", "https://github.com/CarperAI/trlx",
                       r"^/github/graphql$", None, {"github_token": TOKEN, "github_graphql_batch_size": 1}),
    "hub-info": ("huggingface", "https://huggingface.co/datasets/Anthropic/hh-rlhf",
                 "https://huggingface.co/datasets/stanfordnlp/SHP", r"^/hf/api/datasets/Anthropic/hh-rlhf$", None, {}),
    "hub-card": ("huggingface", "https://huggingface.co/datasets/Anthropic/hh-rlhf",
                 "https://huggingface.co/datasets/stanfordnlp/SHP", r"Anthropic/hh-rlhf/resolve/[^/]+/README\.md$",
                 None, {}),
    "hub-paper-page": ("papers", "https://arxiv.org/abs/1909.08593", "https://arxiv.org/abs/2204.05862",
                       r"^/hf/api/papers/1909.08593$", None, {}),
    "arxiv": ("arxiv", "https://arxiv.org/abs/1909.08593", "https://arxiv.org/abs/2204.05862",
              r"^/arxiv/api/query$", "id_list=1909.08593", {"arxiv_batch_size": 1, "arxiv_missing_retries": 0}),
    "scholar": ("scholar", "https://arxiv.org/abs/1909.08593", "https://arxiv.org/abs/2204.05862",
                r"^/s2/graph/v1/paper/batch$", None, {"s2_batch_size": 1}),
    "web": ("web", "/pages/hit", "/pages/ok", r"^/pages/hit$", None, {"web_probe_https": False}),
}

# The fake's own answer for the hit, as JSON (GitHub, the Hub, Semantic Scholar) or Atom text.
Body = Callable[["Answers"], bytes]


@dataclass
class Answers:
    """The fake's real answers for the hit entries, to be broken case by case."""

    repo: dict[str, Any]
    hub: dict[str, Any]
    scholar: dict[str, Any]
    atom: str

    def repo_with(self, **fields: Any) -> bytes:
        return json.dumps({**self.repo, **fields}).encode()

    def hub_with(self, **fields: Any) -> bytes:
        return json.dumps({**self.hub, **fields}).encode()

    def atom_sub(self, pattern: str, repl: str) -> bytes:
        return re.sub(pattern, repl, self.atom, count=1).encode()


def _answers(fake: FakeAPI) -> Answers:
    base = fake.base_url
    scholar = httpx.post(f"{base}/s2/graph/v1/paper/batch", json={"ids": ["ARXIV:1909.08593"]},
                         params={"fields": "title,citationCount"}).json()[0]  # fmt: skip
    return Answers(
        repo=httpx.get(f"{base}/github/repos/huggingface/trl").json(),
        hub=httpx.get(f"{base}/hf/api/datasets/Anthropic/hh-rlhf").json(),
        scholar=scholar,
        atom=httpx.get(f"{base}/arxiv/api/query", params={"id_list": "1909.08593"}).text,
    )


@dataclass
class Case:
    """One hostile answer: where, what (a body built from the real one), and what it costs."""

    id: str
    upstream: str
    body: Body
    status: Status  # the hit entry's
    failure: Failure | None
    reason: str  # a pattern its reason must match
    headers: dict[str, str] = field(default_factory=dict)
    answer: int = 200
    length: int | None = None
    settings: dict[str, Any] = field(default_factory=dict)
    pad: int = 0  # a header line of this many bytes, made when the case runs (not held all session)
    held: bool = False  # held before this file (pinned), or fixed with it


_ENTITIES = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
_LAUGHS = f'<?xml version="1.0"?><!DOCTYPE feed [<!ENTITY l0 "lol">{_ENTITIES}]>'
_XXE = '<?xml version="1.0"?><!DOCTYPE feed [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
# Nine lists of nine aliases to the one before: 500 bytes that expand to 9^8 = 43 million values.
_ALIASES = "".join(f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]\n" for i in range(1, 9))
@functools.cache
def _twice() -> bytes:
    """200 MB of zeros compressed twice: ~200 KB once, ~400 bytes twice."""
    return gzip.compress(_bomb(200_000_000), 9)


_DATA_URL = "data:text/html,<title>elsewhere</title>"
YAML_BOMB = f"---\nl0: &l0 lol\n{_ALIASES}license: mit\n---\n\n# A dataset\n\nIts card, in a few more words.\n"

CASES = [
    # -- JSON nested 100,000 deep: a malformed body, no longer a crash or "unreachable" -------
    Case("github-rest-deep-json", "github-rest", lambda a: DEEP, Status.ERROR, Failure.MALFORMED,
         "GitHub sent malformed JSON"),
    Case("github-graphql-deep-json", "github-graphql", lambda a: DEEP, Status.ERROR, Failure.MALFORMED,
         "GitHub sent a malformed GraphQL answer"),
    Case("hub-info-deep-json", "hub-info", lambda a: DEEP, Status.ERROR, Failure.MALFORMED,
         "the Hub sent malformed JSON"),
    Case("hub-paper-page-deep-json", "hub-paper-page", lambda a: DEEP, Status.ERROR, None,
         "Hub paper page not read: the Hub sent a malformed answer"),
    Case("scholar-deep-json", "scholar", lambda a: DEEP, Status.ERROR, Failure.MALFORMED,
         "Semantic Scholar sent a malformed answer"),
    # -- a count the dataset cannot hold, or no count at all ----------------------------------
    Case("github-rest-stars-past-int64", "github-rest", lambda a: a.repo_with(stargazers_count=2**70),
         Status.ERROR, Failure.MALFORMED, r"stargazers_count: Input should be less than or equal to 9223372036854775807"),
    Case("github-rest-negative-forks", "github-rest", lambda a: a.repo_with(forks_count=-7),
         Status.ERROR, Failure.MALFORMED, r"forks_count: Input should be greater than or equal to 0"),
    Case("github-rest-stars-a-float", "github-rest", lambda a: a.repo_with(stargazers_count=1.5),
         Status.ERROR, Failure.MALFORMED, r"stargazers_count: Input should be a valid integer", held=True),
    Case("github-rest-null", "github-rest", lambda a: b"null", Status.ERROR, Failure.MALFORMED,
         r"GitHub sent a malformed answer \(no full_name\)", held=True),
    Case("github-graphql-stars-past-int64", "github-graphql",
         lambda a: json.dumps({"data": {"r0": {"databaseId": 1, "nameWithOwner": "huggingface/trl",
                                               "url": "https://github.com/huggingface/trl",
                                               "stargazerCount": 2**70, "forkCount": 1}}}).encode(),
         Status.ERROR, Failure.MALFORMED, r"stargazerCount: Input should be less than or equal to"),
    Case("github-contributors-last-page-10e23", "github-contributors", lambda a: b'[{"login": "a"}]',
         Status.OK, Failure.MALFORMED, r"contributor count: GitHub sent a malformed answer",
         headers={"Link": '<https://api.github.com/repositories/1/contributors?page=10'
                          '0000000000000000000000>; rel="last"'}),
    Case("github-contributors-last-page-negative", "github-contributors", lambda a: b'[{"login": "a"}]',
         Status.OK, Failure.MALFORMED, r"contributor count: GitHub sent a malformed answer",
         headers={"Link": '<https://api.github.com/repositories/1/contributors?page=-3>; rel="last"'}),
    Case("hub-info-likes-past-int64", "hub-info", lambda a: a.hub_with(likes=2**70), Status.ERROR,
         Failure.MALFORMED, r"likes: Input should be less than or equal to"),
    Case("hub-info-negative-downloads", "hub-info", lambda a: a.hub_with(downloads=-1), Status.ERROR,
         Failure.MALFORMED, r"downloads: Input should be greater than or equal to 0"),
    Case("scholar-citations-past-int64", "scholar",
         lambda a: json.dumps([{**a.scholar, "citationCount": 2**70}]).encode(), Status.ERROR,
         Failure.MALFORMED, r"citations: citationCount is 1180591620717411303424, not a count"),
    Case("scholar-citations-negative", "scholar",
         lambda a: json.dumps([{**a.scholar, "citationCount": -1}]).encode(), Status.ERROR,
         Failure.MALFORMED, r"citations: citationCount is -1, not a count"),
    Case("arxiv-version-past-int64", "arxiv", lambda a: a.atom.replace("1909.08593v", "1909.08593v" + "9" * 24).encode(),
         Status.ERROR, Failure.MALFORMED, r"a number too large for the dataset", headers=ATOM),
    # -- dates ---------------------------------------------------------------------------------
    Case("arxiv-published-not-a-date", "arxiv", lambda a: a.atom_sub(r"<published>[^<]*", "<published>yesterday"),
         Status.ERROR, Failure.MALFORMED, r"answer could not be read \(ValueError: Invalid isoformat string",
         headers=ATOM),
    Case("arxiv-published-year-9999", "arxiv",
         lambda a: a.atom_sub(r"<published>[^<]*", "<published>9999-12-31T23:59:59Z"), Status.OK, None, "",
         headers=ATOM, held=True),
    Case("github-rest-created-year-0001", "github-rest",
         lambda a: a.repo_with(created_at="0001-01-01T00:00:00Z", pushed_at="9999-12-31T23:59:59Z"),
         Status.OK, None, "", held=True),
    Case("github-rest-created-not-a-date", "github-rest", lambda a: a.repo_with(created_at="yesterday"),
         Status.ERROR, Failure.MALFORMED, r"answer could not be read \(ValueError", held=True),
    Case("hub-info-modified-not-a-date", "hub-info", lambda a: a.hub_with(lastModified="9999-99-99"),
         Status.ERROR, Failure.MALFORMED, r"answer could not be read \(ValueError: Cannot parse", held=True),
    # -- an Atom "feed" that is not one: arXiv's trouble, never "unknown to arXiv" (a dead link) --
    Case("arxiv-200-html-page", "arxiv", lambda a: b"<html><body>Rate exceeded.</body></html>",
         Status.ERROR, Failure.MALFORMED, r"arXiv sent a malformed answer \(not an Atom feed\)", headers=HTML),
    Case("arxiv-billion-laughs", "arxiv", lambda a: (_LAUGHS + a.atom.split("?>", 1)[1]).replace(
         "<title>", "<title>&l9;").encode(), Status.ERROR, Failure.MALFORMED, r"not an Atom feed", headers=ATOM),
    Case("arxiv-external-entity", "arxiv", lambda a: (_XXE + a.atom.split("?>", 1)[1]).replace(
         "<title>", "<title>&x;").encode(), Status.ERROR, Failure.MALFORMED, r"not an Atom feed", headers=ATOM),
    # -- a Hub card's YAML front matter --------------------------------------------------------
    Case("hub-card-alias-bomb", "hub-card", lambda a: YAML_BOMB.encode(), Status.OK, Failure.MALFORMED,
         r"card not read \(its front matter expands to more than 100,000 values\)",
         headers={"Content-Type": "text/plain"}),
    Case("hub-card-python-tag", "hub-card",
         lambda a: b'---\nlicense: !!python/object/apply:os.system ["true"]\n---\n# A card\n', Status.OK,
         Failure.MALFORMED, r"card not read \(ConstructorError\)", headers={"Content-Type": "text/plain"}),
    # -- a web page's JSON-LD nested 100,000 deep: dropped, the page read ---------------------
    Case("web-json-ld-deep", "web",
         lambda a: b'<html><head><title>Deep</title><script type="application/ld+json">'
         + b"[" * 20_000 + b"]" * 20_000 + b"</script></head></html>", Status.OK, None, "", headers=HTML),
    Case("web-title-of-a-megabyte", "web", lambda a: b"<html><head><title>" + b"A long title. " * 75_000
         + b"</title></head></html>", Status.OK, None, "", headers=HTML),
    # -- a redirect httpx cannot parse: it reads Location even when it does not follow it -------
    Case("web-redirect-to-data-url", "web", lambda a: b"", Status.ERROR, Failure.BLOCKED,
         r"refused: a redirect to an invalid URL", answer=302, headers={"Location": _DATA_URL}),
    Case("scholar-redirect-to-data-url", "scholar", lambda a: b"", Status.ERROR, Failure.UNREACHABLE,
         r"Semantic Scholar unreachable \(InvalidURL\)", answer=302, headers={"Location": _DATA_URL}),
    Case("hub-info-redirect-to-data-url", "hub-info", lambda a: b"", Status.ERROR, Failure.REJECTED,
         r"refused: the Hub redirected the repository to data:", answer=307, headers={"Location": _DATA_URL},
         held=True),
    # -- a body compressed twice: httpx decoded the inner layer whole (1.7 KB -> 2.1 GB peak) ---
    Case("web-gzip-twice", "web", lambda a: _twice(), Status.ERROR, Failure.UNREACHABLE,
         r"unreachable \(DecodingError\)", headers={**HTML, "Content-Encoding": "gzip, gzip"}),
    Case("scholar-gzip-twice", "scholar", lambda a: _twice(), Status.ERROR, Failure.UNREACHABLE,
         r"Semantic Scholar unreachable \(DecodingError\)", headers={"Content-Encoding": "gzip, gzip"}),
    Case("github-rest-gzip-twice", "github-rest", lambda a: _twice(), Status.ERROR, Failure.MALFORMED,
         r"GitHub sent an answer larger than", headers={"Content-Encoding": "gzip, gzip"}, held=True),
    Case("hub-info-gzip-twice", "hub-info", lambda a: _twice(), Status.ERROR, Failure.MALFORMED,
         r"the Hub sent an answer larger than", headers={"Content-Encoding": "gzip, gzip"}, held=True),
    # -- the transport lies (held: pinned) -------------------------------------------------------
    Case("github-rest-content-length-longer", "github-rest", lambda a: a.repo_with(), Status.ERROR,
         Failure.UNREACHABLE, r"GitHub unreachable", length=100_000, held=True),
    Case("github-rest-content-length-shorter", "github-rest", lambda a: a.repo_with(), Status.ERROR,
         Failure.MALFORMED, r"GitHub sent malformed JSON", length=100, held=True),
    Case("hub-info-content-length-longer", "hub-info", lambda a: a.hub_with(), Status.ERROR,
         Failure.UNREACHABLE, r"Hub unreachable", length=100_000, held=True),
    Case("hub-info-content-length-shorter", "hub-info", lambda a: a.hub_with(), Status.ERROR,
         Failure.MALFORMED, r"the Hub sent malformed JSON", length=100),  # was "unreachable"
    # A header line past the clients' limits (64 KB): a megabyte shows it as well as 50 MB did (which
    # left this process ~400 MB larger: a child forked after it inherits that as its peak RSS).
    Case("github-rest-megabyte-header-line", "github-rest", lambda a: a.repo_with(), Status.ERROR,
         Failure.UNREACHABLE, r"GitHub unreachable", pad=1_000_000, held=True),
    Case("hub-info-megabyte-header-line", "hub-info", lambda a: a.hub_with(), Status.ERROR,
         Failure.UNREACHABLE, r"Hub unreachable", pad=1_000_000, held=True),
    # -- a Retry-After no one can read on a 429: the backoff's wait, then asked again -----------
    Case("github-rest-retry-after-negative", "github-rest", lambda a: b'{"message": "slow down"}', Status.OK,
         None, "", answer=429, headers={"Retry-After": "-5"}, settings={"http_retries": 2}),
    Case("github-rest-retry-after-nan", "github-rest", lambda a: b'{"message": "slow down"}', Status.OK,
         None, "", answer=429, headers={"Retry-After": "nan"}, settings={"http_retries": 2}),
    Case("github-rest-retry-after-in-the-past", "github-rest", lambda a: b'{"message": "slow down"}', Status.OK,
         None, "", answer=429, headers={"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"},
         settings={"http_retries": 2}, held=True),
    Case("hub-info-retry-after-negative", "hub-info", lambda a: b'{"error": "slow down"}', Status.OK, None, "",
         answer=429, headers={"Retry-After": "-5"}, settings={"http_retries": 2}, held=True),
    Case("github-rest-304-nothing-cached", "github-rest", lambda a: b"", Status.ERROR, Failure.MALFORMED,
         r"GitHub sent a malformed answer", answer=304, held=True),
    Case("hub-info-304-nothing-cached", "hub-info", lambda a: b"", Status.ERROR, Failure.MALFORMED,
         r"the Hub sent a malformed answer \(not a JSON object\)", answer=304, held=True),
]


def _hit(fake: FakeAPI, case: Case) -> tuple[Any, Any]:
    source, hit_url, other_url, pattern, query, overrides = UPSTREAMS[case.upstream]
    if source == "web":
        hit_url, other_url = fake.base_url + hit_url, fake.base_url + other_url
    body = case.body(_answers(fake))
    headers = {**case.headers, **({"X-Padding": "a" * case.pad} if case.pad else {})}
    fake.faults.append(Fault(pattern, status=case.answer, body=body, headers=headers, query=query,
                             times=None if query else 1, length=case.length))  # fmt: skip
    settings = fake.settings(**{"http_retries": 0, "allow_loopback": True, **overrides, **case.settings})
    hit, other = entry_for(hit_url), entry_for(other_url)
    store = RawStore(fake.data_dirs[-1] / "raw")
    if source == "scholar":  # not a registered source of the nightly job
        ScholarSource().fetch([hit, other], store, FetchContext.standalone(settings))
        outcomes = dict(ScholarSource().normalize([hit, other], store.documents("scholar")))
    else:
        outcomes = fetch_source(source, [hit, other], settings, store)
    return outcomes[hit.id], outcomes[other.id]


@pytest.mark.parametrize("case", needing_schema(CASES, lambda c: c.upstream == "github-graphql"),
                         ids=[c.id for c in CASES])
def test_a_hostile_answer_costs_only_the_entry_it_hits(case: Case, fake: FakeAPI) -> None:
    hit, other = _hit(fake, case)
    assert (hit.status, hit.failure) == (case.status, case.failure), hit.reason
    assert re.search(case.reason, hit.reason or ""), hit.reason
    assert other.status == Status.OK, other.reason
    if hit.record is not None:  # what would be published: no field of a hostile size
        assert len(hit.record.model_dump_json()) < 100_000


def test_a_card_of_nested_aliases_is_refused_before_it_is_expanded(fake: FakeAPI) -> None:
    """The card is read (500 bytes); its front matter, expanded, would be 43 million values
    (+670 MB and 5 s on a quiet machine, from `RepoCard`'s ``to_dict`` and the JSON kept of it;
    one level more, 6 GB). Counted on the composed nodes, it is refused at a bounded cost."""
    fake.faults.append(Fault(UPSTREAMS["hub-card"][3], status=200, body=YAML_BOMB.encode(), times=1,
                             headers={"Content-Type": "text/plain"}))  # fmt: skip
    hit = entry_for("https://huggingface.co/datasets/Anthropic/hh-rlhf")
    store = RawStore(fake.data_dirs[-1] / "raw")
    SOURCES["huggingface"].fetch([hit], store, FetchContext.standalone(fake.settings(http_retries=0)))
    tracemalloc.start()
    try:
        outcome = SOURCES["huggingface"].normalize([hit], store.documents("huggingface"))[hit.id]
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert outcome.carry == ("card",) and outcome.failure == Failure.MALFORMED
    assert peak < 20_000_000, f"{peak:,} bytes"


def test_a_list_url_redirecting_to_a_data_url_is_a_bad_input(fake: FakeAPI) -> None:
    """The list itself: httpx's InvalidURL is no HTTPError, and escaped as a traceback."""
    fake.faults.append(Fault(r"^/pages/list\.md$", status=302, body=b"", headers={"Location": _DATA_URL}))
    with pytest.raises(InputError, match=r"list\.md: cannot be read \(InvalidURL\)"):
        read_list_source(f"{fake.base_url}/pages/list.md", fake.settings(allow_loopback=True))


# -- a whole run: a count past 2^63 failed the publish (Parquet's int64), so the run -----------

LIST = """# Tools

* [trl](https://github.com/huggingface/trl)
* [trlx](https://github.com/CarperAI/trlx)
* [hh-rlhf](https://huggingface.co/datasets/Anthropic/hh-rlhf)
* [SHP](https://huggingface.co/datasets/stanfordnlp/SHP)
"""

PAST_INT64 = [
    pytest.param("github:huggingface/trl", r"^/github/repos/huggingface/trl$", "repo_with",
                 {"stargazers_count": 2**70}, id="github-stars"),
    pytest.param("hf:dataset/anthropic/hh-rlhf", r"^/hf/api/datasets/Anthropic/hh-rlhf$", "hub_with",
                 {"likes": 2**70}, id="hub-likes"),
]


@pytest.mark.parametrize(("hit", "pattern", "build", "fields"), PAST_INT64)
def test_a_count_past_int64_costs_its_entry_and_the_run_publishes(
    hit: str, pattern: str, build: str, fields: dict[str, Any], fake: FakeAPI, tmp_path: Path
) -> None:
    """``ArrowInvalid: Failed to convert JSON to int64`` ended the run at its publish: one
    upstream number refused the night's dataset. Now that entry is a malformed answer."""
    body = getattr(_answers(fake), build)(**fields)
    fake.faults.append(Fault(pattern, status=200, body=body))
    (tmp_path / "list.md").write_text(LIST)
    result = run(str(tmp_path / "list.md"), settings=fake.settings(http_retries=0), out_dir=tmp_path / "out",
                 raw_root=tmp_path / "raw", skip={"web": "offline: web pages are not fetched"})  # fmt: skip
    statuses = {e.id: e.status for e in result.snapshot.entries}
    assert statuses.pop(hit) == Status.ERROR
    assert set(statuses.values()) == {Status.OK}, statuses
    assert (tmp_path / "out" / "latest.json").read_text().count(result.snapshot.header.run_id) == 1
