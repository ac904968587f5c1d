"""Property tests (hypothesis): the parser, the classifier and the diff never crash, and an
entry's id does not depend on how its URL is spelled."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from enrich.core.assemble import assemble
from enrich.core.errors import InputError
from enrich.core.links import classify
from enrich.core.listing import parse_list
from enrich.core.model import Entry, Repo, Status
from enrich.store.compare import diff_snapshots

NAME = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_-]{0,20}", fullmatch=True)
MARKDOWN_BITS = st.sampled_from([
    "# ", "## ", "* ", "- ", "1. ", "[", "]", "(", ")", "<", ">", "`", "**", "_", "\n", "\n\n", " ",
    "https://github.com/a/b", "https://arxiv.org/abs/2204.05862", "http://", "javascript:alert(1)",
    "[x]: https://example.org", "![img](x.png)", "| a | b |", "\t", "\u00e9", "\x00", "https://xn--",
])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(MARKDOWN_BITS, st.text(max_size=20)), max_size=40))
def test_parser_never_crashes_on_markdown(parts: list[str]) -> None:
    try:
        parsed = parse_list("".join(parts).encode("utf-8", "surrogatepass"), "fuzz.md")
    except InputError:
        return
    assert len({e.id for e in parsed.entries}) == len(parsed.entries)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400))
def test_parser_never_crashes_on_bytes(data: bytes) -> None:
    with contextlib.suppress(InputError):
        parse_list(data, "fuzz.md")


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_classifier_never_crashes(url: str) -> None:
    for candidate in (url, f"https://{url}", f"https://github.com/{url}", f"https://arxiv.org/abs/{url}",
                      f"https://huggingface.co/datasets/{url}"):
        try:
            ref = classify(candidate)
        except InputError:
            continue
        assert ref.entry_id and ref.source_id


@settings(max_examples=200, deadline=None)
@given(NAME, NAME, st.sampled_from(["", "/", ".git", "/tree/main", "#readme", "/issues", "?tab=readme"]),
       st.sampled_from(["https://github.com", "http://github.com", "https://www.github.com", "https://GitHub.com"]),
       st.booleans())
def test_github_id_is_stable_under_spellings(owner: str, repo: str, tail: str, host: str, upper: bool) -> None:
    if repo.endswith(".git") or repo in (".", "..") or repo.lower().endswith("-"):
        return
    plain = classify(f"https://github.com/{owner}/{repo}")
    spelled = f"{host}/{owner.upper() if upper else owner}/{repo}{tail}"
    assert classify(spelled).entry_id == plain.entry_id == f"github:{owner.lower()}/{repo.lower()}"


@settings(max_examples=200, deadline=None)
@given(st.integers(7, 29), st.integers(1, 12), st.integers(0, 99999), st.integers(1, 9),
       st.sampled_from(["https://arxiv.org/abs/{id}", "https://arxiv.org/abs/{id}v{v}",
                        "https://arxiv.org/pdf/{id}.pdf", "https://arxiv.org/pdf/{id}v{v}",
                        "http://export.arxiv.org/abs/{id}", "https://www.arxiv.org/abs/{id}v{v}"]))
def test_arxiv_id_is_stable_under_spellings(yy: int, mm: int, number: int, version: int, form: str) -> None:
    paper_id = f"{yy:02d}{mm:02d}.{number:05d}" if yy >= 15 else f"{yy:02d}{mm:02d}.{number % 10000:04d}"
    assert classify(form.format(id=paper_id, v=version)).entry_id == f"arxiv:{paper_id}"


@settings(max_examples=100, deadline=None)
@given(NAME, NAME, st.sampled_from(["", "/", "/tree/main", "/viewer", "/blob/main/README.md"]), st.booleans())
def test_hub_id_is_stable_under_spellings(owner: str, name: str, tail: str, upper: bool) -> None:
    base = classify(f"https://huggingface.co/datasets/{owner}/{name}")
    host = "https://HuggingFace.co" if upper else "https://huggingface.co"
    assert classify(f"{host}/datasets/{owner}/{name}{tail}").entry_id == base.entry_id


def _repo(i: int, stars: int, name: str, archived: bool) -> Entry:
    full = f"o{i}/{name}"
    return Entry(id=f"github:{full}", kind="repo", source_id=full, url=f"https://github.com/{full}", urls=[],
                 section=["S"], positions=[], status=Status.OK,
                 repo=Repo(repo_id=i, full_name=full, html_url=f"https://github.com/{full}", stars=stars, forks=0,
                           watchers=0, open_issues=0, archived=archived))


REPOS = st.dictionaries(st.integers(0, 30), st.tuples(st.integers(0, 10**6), st.sampled_from(["a", "b"]), st.booleans()),
                        max_size=15)


@pytest.mark.slow  # a hundred snapshot pairs through the whole diff: ~30 s of CPU
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(REPOS, REPOS, st.floats(0.01, 30))
def test_diff_never_crashes_and_is_consistent(old: dict, new: dict, days: float) -> None:  # type: ignore[type-arg]
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    a = assemble([_repo(i, *v) for i, v in old.items()], generated_at=t0, run_id="a", list_source="l", list_sha256="0")
    b = assemble([_repo(i, *v) for i, v in new.items()], generated_at=t0 + timedelta(days=days), run_id="b",
                 list_source="l", list_sha256="0")
    diff = diff_snapshots(a, b)
    # Matched by repository id: a repo is added or removed only if its id is new or gone.
    assert len(diff["added"]) == len(new.keys() - old.keys())
    assert len(diff["removed"]) == len(old.keys() - new.keys())
    stars = {c["id"]: c["delta"] for c in diff["counters"] if c["field"] == "stars"}
    expected = {i: new[i][0] - old[i][0] for i in old.keys() & new.keys() if new[i][0] != old[i][0]}
    assert sorted(stars.values()) == sorted(expected.values())
    assert diff_snapshots(b, b)["events"] == []
