"""The source specs (`enrich.core.spec`): what the registry derives, what it refuses, the typed
seams between a source and an entry, and a source added in this file only that reaches the
snapshot, the diff, the history and the views through one registry line."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from pydantic import Field, ValidationError

from enrich.core.assemble import apply_outcome, assemble
from enrich.core.changelog import changelog
from enrich.core.diff import PATHS, compare, frame
from enrich.core.links import Kind
from enrich.core.model import Entry, Paper, Position, Record, Repo, Status, WebPage, updated
from enrich.core.outcome import Outcome
from enrich.core.points import lg
from enrich.core.score import scored
from enrich.core.spec import (
    Context,
    Registry,
    Scheme,
    Shown,
    Slot,
    SourceSpec,
    SpecError,
    compared,
    counter,
)
from enrich.core.specs import REGISTRY
from enrich.core.specs.arxiv import ARXIV, PAPER
from enrich.core.specs.github import GITHUB, REPO
from enrich.core.specs.papers import ARXIV_MATCH, PAPERS
from enrich.core.specs.web import WEBPAGES
from enrich.store.codec import records_table
from enrich.store.history import history_columns, rows
from enrich.views import Published
from enrich.views.facts import facts
from enrich.views.listmd import render_list

NIGHT1 = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)
NIGHT2 = NIGHT1 + timedelta(days=2)


# --- what the registry derives: the same as the hand-written tables it replaced -------------

def test_the_registry_derives_the_tables_once_written_by_hand() -> None:
    assert REGISTRY.names == (
        "arxiv", "github", "huggingface", "collections", "web", "papers", "scholar",
    )  # fmt: skip
    assert REGISTRY.record_fields == (
        "paper", "repo", "hub", "collection", "web", "hub_paper", "arxiv_match", "scholar",
    )  # fmt: skip
    assert REGISTRY.counters == (
        "stars", "forks", "watchers", "open_issues", "commits_30d", "commits_365d",
        "contributors", "downloads", "downloads_all_time", "likes", "item_count", "upvotes",
        "citations", "influential_citations",
    )  # fmt: skip
    assert set(REGISTRY.fields) == {
        "title", "url", "section", "status", "full_name", "archived", "license", "release",
        "version", "hub_sha", "gated", "http_status", "final_url", "venue",
    }  # fmt: skip
    assert PATHS["release"] == "repo.latest_release.tag" and PATHS["hub_sha"] == "hub.sha"
    assert PATHS["upvotes"] == "hub_paper.upvotes" and PATHS["title"] == "display_title"
    assert PATHS["citations"] == "scholar.citations"
    assert REGISTRY.movers == ("stars", "downloads", "upvotes", "citations")
    assert [s.name for s in REGISTRY.schemes] == ["paper", "repo", "hub"]


@pytest.mark.parametrize(
    ("kind", "main"),
    [(Kind.REPO, ["stars"]), (Kind.DATASET, ["downloads"]), (Kind.MODEL, ["downloads"]),
     (Kind.PAPER, ["citations", "upvotes"]), (Kind.COLLECTION, ["item_count"]), (Kind.WEB, [])],
)  # fmt: skip
def test_each_kind_has_its_main_counter_from_the_specs(kind: Kind, main: list[str]) -> None:
    assert [c.name for _, c in REGISTRY.main_counters(kind)] == main


def test_every_record_field_of_the_entry_is_a_registered_slot() -> None:
    """An Entry field added for a source that was not registered would never be carried,
    compared or shown: each `Record | None` field is a slot, but the score (the core's own)."""
    records = {
        name
        for name, info in Entry.model_fields.items()
        if type(None) in getattr(info.annotation, "__args__", ())  # X | None, not list[X]
        for arg in info.annotation.__args__  # type: ignore[union-attr]
        if isinstance(arg, type) and issubclass(arg, Record)
    }
    assert records - {"score"} == set(REGISTRY.record_fields)


def test_every_diff_path_names_a_field_of_the_models() -> None:
    """diff.PATHS is derived, and each dotted path resolves in the entry model."""
    for name, dotted in PATHS.items():
        model: Any = Entry
        for part in dotted.split("."):
            assert part in model.model_fields, (name, dotted)
            annotation = model.model_fields[part].annotation
            model = next((a for a in getattr(annotation, "__args__", ()) if a is not type(None)),
                         annotation)  # fmt: skip


# --- what a registry refuses ----------------------------------------------------------------

class Stars(Record):
    count: int


@pytest.mark.parametrize(
    ("specs", "message"),
    [
        ((SourceSpec("x", (Kind.REPO,), Slot("stars_record", Stars)),), "not a field of Entry"),
        ((SourceSpec("x", (Kind.REPO,), Slot("repo", Paper)),), "Entry.repo is not Paper"),
        ((SourceSpec("x", (Kind.REPO,), Slot("repo", Repo, (counter("n", "starz"),))),),
         "no field 'starz'"),
        ((SourceSpec("x", (Kind.REPO,), Slot("repo", Repo, (compared("langs", "languages"),))),),
         "not a scalar"),
        ((GITHUB, SourceSpec("x", (Kind.REPO,), Slot("repo", Repo))), "declared twice"),
        ((GITHUB, SourceSpec("x", (Kind.PAPER,), Slot("paper", Paper, (counter("stars", "version"),)))),
         "is taken"),
        ((SourceSpec("x", (Kind.PAPER,), Slot("paper", Paper, (compared("paper_title", "title"),))),),
         r"paper_title' \(title\) is taken"),
        ((SourceSpec("late", (Kind.PAPER,), PAPER, after=("web",)), WEBPAGES), "runs after 'web'"),
        ((GITHUB, GITHUB), "registered twice"),
    ],
    ids=["slot not on Entry", "wrong record class", "bad path", "a list, not a scalar", "slot twice", "column twice",
         "leaf of an entry column", "after an unregistered source", "source twice"],
)  # fmt: skip
def test_a_spec_that_does_not_fit_fails_when_registered(
    specs: tuple[SourceSpec, ...], message: str
) -> None:
    with pytest.raises(SpecError, match=message):
        Registry(specs)


# --- typed seams: a wrong field is a validation error ---------------------------------------

def entry(kind: Kind, eid: str, url: str, cls: type[Entry] = Entry, **fields: Any) -> Entry:
    position = Position(section=["Tools"], line=3, index=1)
    return cls(id=eid, kind=kind, source_id=eid, url=url, urls=[url], section=["Tools"],
               positions=[position], **fields)  # fmt: skip


REPO_RECORD = Repo(repo_id=1, full_name="CarperAI/trlx", html_url="https://github.com/CarperAI/trlx",
                   stars=10, forks=1, watchers=1, open_issues=0)  # fmt: skip
LISTED = entry(Kind.REPO, "github:carperai/trlx", "https://github.com/CarperAI/trlx")


@pytest.mark.parametrize(
    "changes",
    [{"repoo": 123}, {"status": "bogus"}, {"repo": {"stars": "many"}}, {"repo": PAPER.record}],
    ids=["unknown field", "bad status", "malformed record", "a class, not a record"],
)
def test_updated_refuses_what_model_copy_took_silently(changes: dict[str, Any]) -> None:
    assert LISTED.model_copy(update=changes) is not None  # the old seam: accepted
    with pytest.raises(ValidationError):
        updated(LISTED, **changes)


def test_updated_validates_and_leaves_the_original_alone() -> None:
    changed = updated(LISTED, status="ok", repo=REPO_RECORD)
    assert changed.status is Status.OK and changed.repo == REPO_RECORD
    assert LISTED.status is Status.PENDING and LISTED.repo is None


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: Outcome(Status.OK, REPO_RECORD, carry=("contributorz",)), "contributorz"),
        (lambda: Outcome(Status.OK, None, extra=(PAPER.fill(REPO_RECORD),)),  # type: ignore[arg-type]
         "a Repo for slot 'paper'"),
    ],
    ids=["carry of a field the record lacks", "extra record of the wrong class"],
)  # fmt: skip
def test_an_outcome_that_names_a_wrong_field_is_refused(make: Any, message: str) -> None:
    with pytest.raises(SpecError, match=message):
        make()


@pytest.mark.parametrize(
    ("spec", "outcome", "message"),
    [
        (ARXIV, Outcome(Status.OK, REPO_RECORD), "a Repo record for slot 'paper'"),
        (GITHUB, Outcome(Status.OK, REPO_RECORD, extra=(ARXIV_MATCH.fill(None),)),
         "fills slot 'arxiv_match', not its own"),
    ],
    ids=["record of another slot", "a slot the source does not fill"],
)  # fmt: skip
def test_an_outcome_that_does_not_fit_its_source_is_refused(
    spec: SourceSpec, outcome: Outcome[Any], message: str
) -> None:
    with pytest.raises(SpecError, match=message):
        apply_outcome(LISTED, outcome, spec, None)


def test_an_outcome_with_extra_records_pickles() -> None:
    """A fetch task's outcomes cross to the flow from a Dask worker process."""
    import pickle

    from enrich.core.model import ArxivMatch

    match = ArxivMatch(arxiv_id="2204.05862", entry_id="arxiv:2204.05862", evidence="title_search")
    outcome = Outcome(Status.OK, None, extra=(ARXIV_MATCH.fill(match), PAPER.fill(None)))
    assert pickle.loads(pickle.dumps(outcome)) == outcome


SEAMS = """
from collections.abc import Mapping
from typing import Any

from enrich.core.assemble import apply_outcome
from enrich.core.model import Entry, Paper, Repo, Status
from enrich.core.outcome import Outcome
from enrich.core.spec import SourceSpec
from enrich.core.specs.arxiv import ARXIV, PAPER
from enrich.core.specs.github import GITHUB
from enrich.sources.base import Source, SourceBase


class Mixed(SourceBase[Paper]):
    spec: SourceSpec[Paper] = GITHUB

    def normalize(self, entries: list[Entry], documents: list[Any]) -> Mapping[str, Outcome[Repo]]:
        return {}


def wrong(entry: Entry, repo: Repo, source: Source) -> None:
    PAPER.fill(repo)
    source.field
    apply_outcome(entry, Outcome(Status.OK, repo), ARXIV, None)
"""


def test_a_wrong_record_for_a_slot_is_a_type_error(tmp_path: Path) -> None:
    """mypy sees the seams: a slot filled with another class's record, a source whose spec or
    normalize is of another record than its own, an outcome applied with another source's
    spec, a member `Source` does not declare."""
    api = pytest.importorskip("mypy.api")
    snippet = tmp_path / "seams.py"
    snippet.write_text(SEAMS)
    # Incremental, with a cache of its own (not `make typecheck`'s): the second run checks the
    # snippet only (~1 s), not enrich and its libraries again (~15 s). mypy's cache is keyed by
    # each file's hash and the options, so a changed seam is checked again.
    cache = Path(__file__).parent.parent / ".cache/mypy-seams"
    out, _, status = api.run([str(snippet), "--strict", f"--cache-dir={cache}",
                              "--follow-imports=silent", "--no-error-summary"])  # fmt: skip
    assert status == 1
    expected = [
        'expression has type "SourceSpec[Repo]", variable has type "SourceSpec[Paper]"',
        'Return type "Mapping[str, Outcome[Repo]]" of "normalize" incompatible',
        '"fill" of "Slot" has incompatible type "Repo"; expected "Paper | None"',
        '"Source" has no attribute "field"',
        'type parameter "R" of "apply_outcome"',
    ]
    for message in expected:
        assert message in out, out


# --- a source added here only: one spec, one registry line ----------------------------------

class Votes(Record):
    """What a (made-up) voting site says of a web page."""

    count: int = Field(description="Votes (a counter)")
    badge: str | None = Field(default=None, description="The site's badge: gold, silver…")


class VotedEntry(Entry):
    """The entry model with the new slot (a real source adds the field to `Entry`)."""

    votes: Votes | None = None


def _appreciation(entry: Entry, _: Context) -> float:
    return 2 * lg(VOTES.of(entry).count)  # type: ignore[union-attr]


VOTES = Slot(
    "votes",
    Votes,
    columns=(counter("votes", "count", main=(Kind.WEB,), symbol="♥", movers=True,
                     legend="♥ votes"), compared("badge")),
    details=lambda _, votes, __: [f"badge {votes.badge}"] if votes.badge else [],
    marks=lambda _, votes: ["no votes"] if votes.count == 0 else [],
    scheme=Scheme("votes", "voted pages", (Kind.WEB,), "votes", (("appreciation", _appreciation),)),
)  # fmt: skip
VOTING = SourceSpec("votes", (Kind.WEB,), VOTES, supplement=True, after=("web",))
REGISTRY_WITH_VOTES = REGISTRY.with_source(VOTING, entry=VotedEntry)  # the one registry line


@dataclass
class Night:
    snapshot: Any
    table: Any


def _night(when: datetime, counts: dict[str, int], badge: str | None) -> Night:
    pages = {
        "https://example.org/rlhf-guide": "An RLHF guide",
        "https://example.org/reward-models": "Reward models explained",
    }
    entries = []
    for url, title in pages.items():
        listed = entry(Kind.WEB, url, url, VotedEntry)
        page = Outcome(Status.OK, WebPage(http_status=200, title=title), fetched_at=when)
        listed = apply_outcome(listed, page, WEBPAGES, None, REGISTRY_WITH_VOTES)
        voted = Outcome(Status.OK, Votes(count=counts[url], badge=badge), fetched_at=when)
        entries.append(apply_outcome(listed, voted, VOTING, None, REGISTRY_WITH_VOTES))
    entries = scored(entries, when, registry=REGISTRY_WITH_VOTES)
    snapshot = assemble(entries, generated_at=when, run_id=when.isoformat(),
                        list_source="list.md", list_sha256="0" * 64,
                        registry=REGISTRY_WITH_VOTES)  # fmt: skip
    return Night(snapshot, records_table(VotedEntry, snapshot.entries, snapshot.header))


def test_a_source_added_in_a_test_reaches_snapshot_diff_history_and_views() -> None:
    first = _night(NIGHT1, {"https://example.org/rlhf-guide": 40,
                            "https://example.org/reward-models": 0}, None)  # fmt: skip
    second = _night(NIGHT2, {"https://example.org/rlhf-guide": 52,
                             "https://example.org/reward-models": 0}, "gold")  # fmt: skip
    guide = next(e for e in second.snapshot.entries if e.id.endswith("rlhf-guide"))
    # The snapshot: the slot filled, the status the web source's, the new score scheme.
    assert isinstance(guide, VotedEntry) and guide.votes == Votes(count=52, badge="gold")
    assert guide.status is Status.OK and guide.display_title == "An RLHF guide"
    assert guide.score is not None and guide.score.scheme == "votes-1"
    # The diff: the counter with its delta and rate, the compared field old -> new.
    diff = compare(frame(first.table, REGISTRY_WITH_VOTES), frame(second.table, REGISTRY_WITH_VOTES),
                   first.snapshot.header, second.snapshot.header,
                   registry=REGISTRY_WITH_VOTES)  # fmt: skip
    assert [(c["id"], c["field"], c["delta"], c["per_day"]) for c in diff["counters"]] == [
        (guide.id, "votes", 12, 6.0)
    ]
    assert {(c["field"], c["old"], c["new"]) for c in diff["changes"]} == {("badge", None, "gold")}
    assert "## Top movers: votes" in changelog(diff, REGISTRY_WITH_VOTES)
    # The history: a column of its own.
    history = pl.from_arrow(rows(second.table, second.snapshot.header, REGISTRY_WITH_VOTES))
    assert isinstance(history, pl.DataFrame)
    assert history.columns == list(history_columns(REGISTRY_WITH_VOTES))
    assert sorted(history["votes"].to_list()) == [0, 52]
    # The views: the page's main counter, its facts line and marks, list.md's symbol and legend.
    shown = {f.entry.id: f for f in facts(second.snapshot, diff, history, REGISTRY_WITH_VOTES)}
    assert (shown[guide.id].counter, shown[guide.id].value) == ("votes", 52)
    assert shown[guide.id].details == ["badge gold"]
    assert "no votes" in next(f for i, f in shown.items() if i != guide.id).marks
    text = render_list(Published(second.snapshot, diff, first.snapshot, history,
                                 registry=REGISTRY_WITH_VOTES))  # fmt: skip
    assert "♥ 52" in text and "♥ votes" in text


def test_the_built_in_registry_knows_nothing_of_the_test_source() -> None:
    """Registering is explicit: the test's registry is its own; the built-in one is unchanged."""
    assert "votes" not in REGISTRY.names and "votes" in REGISTRY_WITH_VOTES.names
    assert REGISTRY_WITH_VOTES.sources[:-1] == REGISTRY.sources
    assert PAPERS.extra == (PAPER, ARXIV_MATCH) and REPO.scheme is not None
    assert Shown(NIGHT1).has_code is False


# --- a paper served by two supplements: its citations before its Hub upvotes (#26) -----------

@pytest.mark.parametrize(
    ("upvotes", "citations", "main"),
    [(5, 30, ("citations", 30)), (5, None, ("upvotes", 5)), (None, None, ("citations", None))],
    ids=["citations when known", "else the Hub upvotes", "else none"],
)
def test_a_supplementary_counter_can_be_a_kinds_main_counter(
    upvotes: int | None, citations: int | None, main: tuple[str, int | None]
) -> None:
    from enrich.core.model import HubPaper, ScholarPaper
    from enrich.core.specs.scholar import SCHOLAR

    paper = entry(Kind.PAPER, "arxiv:2204.05862", "https://arxiv.org/abs/2204.05862")
    page = HubPaper(arxiv_id="2204.05862", on_hub=True, upvotes=upvotes)
    paper = apply_outcome(paper, Outcome(Status.OK, page), PAPERS, None)
    found = ScholarPaper(asked_as="ARXIV:2204.05862", found=True, citations=citations)
    paper = apply_outcome(paper, Outcome(Status.OK, found), SCHOLAR, None)
    assert REGISTRY.main_counter(paper) == main
    assert REGISTRY.counters[-3:] == ("upvotes", "citations", "influential_citations")
    assert REGISTRY.movers == ("stars", "downloads", "upvotes", "citations")
