"""Each source driven through its real client library against the local fake API over HTTP."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import github
import pytest

from conftest import BUNDLED, fetch_source, run, write_json
from enrich.core.links import Kind, classify
from enrich.core.listing import parse_list
from enrich.core.model import Entry, Snapshot, Status
from enrich.core.settings import Settings
from enrich.run.build import build
from enrich.sandbox.server import FakeAPI
from enrich.store.codec import read_snapshot
from enrich.store.raw import RawStore


def entry_for(url: str) -> Entry:
    ref = classify(url)
    return Entry(id=ref.entry_id, kind=ref.kind, source_id=ref.source_id, url=url, urls=[url],
                 section=[], positions=[])


def enrich_one(source: str, entries: list[Entry], settings: Settings, tmp_path: Path) -> dict[str, object]:
    store = RawStore(tmp_path / "raw" / "run")
    return fetch_source(source, entries, settings, store)


def demo_run(settings: Settings, tmp_path: Path) -> Snapshot:
    result = run(str(BUNDLED), settings=settings, out_dir=tmp_path / "enriched",
                 raw_root=tmp_path / "raw", skip={"web": "offline demo: web pages are not fetched"})
    return result.snapshot


def by_id(snapshot: Snapshot) -> dict[str, Entry]:
    return {e.id: e for e in snapshot.entries}


# -- the whole bundled list ---------------------------------------------------------------

def test_demo_enriches_every_entry(settings: Settings, tmp_path: Path) -> None:
    entries = by_id(demo_run(settings, tmp_path))
    papers = [e for e in entries.values() if e.kind == Kind.PAPER]
    assert len(papers) == 7 and all(e.status == Status.OK and e.paper for e in papers)
    assert all(e.paper and e.paper.abstract and e.paper.authors for e in papers)
    assert len(entries["arxiv:2302.07459"].paper.authors) == 49  # type: ignore[union-attr]
    assert entries["arxiv:2302.07730"].paper.version == 4  # type: ignore[union-attr]
    repos = [e for e in entries.values() if e.kind == Kind.REPO]
    assert len(repos) == 7
    for e in repos:
        assert e.status == Status.OK and e.repo is not None
        assert e.repo.stars > 0 and e.repo.license and e.repo.last_commit_at
        assert e.repo.commits_365d is not None and e.repo.contributors
    trl = entries["github:lvwerra/trl"].repo
    assert trl is not None
    assert (trl.full_name, trl.renamed_from, trl.repo_id) == ("huggingface/trl", "lvwerra/trl", 266404863)
    assert trl.contributors == 525 and trl.latest_release and trl.latest_release.tag == "v1.9.0"
    assert [lang.name for lang in trl.languages][:2] == ["Python", "Jinja"]
    hh = entries["hf:dataset/anthropic/hh-rlhf"]
    assert hh.hub and hh.hub.card and hh.hub.card.license == "mit" and hh.hub.card.text
    assert hh.hub.downloads_all_time == 2841650 and "human-feedback" in hh.hub.tags
    shp = entries["hf:dataset/stanfordnlp/shp"].hub
    assert shp and shp.card and shp.card.task_categories == ["text-generation", "question-answering"]
    assert shp.card.summary and shp.card.summary.startswith("SHP is a dataset of 385K")
    assert hh.cross_links == ["arxiv:2204.05862"]
    assert entries["arxiv:2204.05862"].cross_links == ["hf:dataset/anthropic/hh-rlhf"]
    course = entries["https://huggingface.co/deep-rl-course/unit0/introduction"]
    assert (course.kind, course.status) == (Kind.WEB, Status.SKIPPED)


def test_rebuild_from_raw_equals_the_run(settings: Settings, tmp_path: Path) -> None:
    result = run(str(BUNDLED), settings=settings, out_dir=tmp_path / "enriched", raw_root=tmp_path / "raw")
    assert build(RawStore(result.run_dir)) == result.snapshot
    assert read_snapshot(tmp_path / "enriched" / "latest.parquet") == result.snapshot


def test_raw_file_names_cannot_escape(settings: Settings, tmp_path: Path) -> None:
    store = RawStore(tmp_path / "run")
    path = store.put("github", "../../../../etc/x", {"a": 1})
    assert path.resolve().is_relative_to((tmp_path / "run").resolve())


# -- arXiv ---------------------------------------------------------------------------------

def test_arxiv_batches_ids_in_one_request(fake: FakeAPI, settings: Settings, tmp_path: Path) -> None:
    ids = ["1909.08593", "2204.05862", "2209.07858"]
    outcomes = enrich_one("arxiv", [entry_for(f"https://arxiv.org/abs/{i}") for i in ids], settings, tmp_path)
    assert {o.status for o in outcomes.values()} == {Status.OK}  # type: ignore[attr-defined]
    assert len(fake.requests("arxiv")) == 1


@pytest.mark.parametrize(
    ("paper_id", "reason"),
    [
        ("2401.99999", "unknown to arXiv (not returned in 3 tries)"),
        ("not-an-id", "arXiv: incorrect id format for not-an-id"),
    ],
)
def test_arxiv_bad_ids_are_errors_not_papers(paper_id: str, reason: str, settings: Settings, tmp_path: Path) -> None:
    good = entry_for("https://arxiv.org/abs/2204.05862")
    bad = good.model_copy(update={"id": f"arxiv:{paper_id}", "source_id": paper_id})
    outcomes = enrich_one("arxiv", [good, bad], settings, tmp_path)
    assert outcomes[good.id].status == Status.OK  # type: ignore[attr-defined]
    assert (outcomes[bad.id].status, outcomes[bad.id].reason) == (Status.ERROR, reason)  # type: ignore[attr-defined]


def test_arxiv_short_page_is_asked_again(fake: FakeAPI, settings: Settings, tmp_path: Path) -> None:
    fake.arxiv_drop["2204.05862"] = 1  # the first answer silently lacks it
    entries = [entry_for("https://arxiv.org/abs/2204.05862"), entry_for("https://arxiv.org/abs/1909.08593")]
    outcomes = enrich_one("arxiv", entries, settings, tmp_path)
    assert all(o.status == Status.OK for o in outcomes.values())  # type: ignore[attr-defined]
    second = fake.requests("arxiv")[1].path
    assert "2204.05862" in second and "1909.08593" not in second


# -- GitHub --------------------------------------------------------------------------------

def test_github_deleted_repo_is_not_found(settings: Settings, tmp_path: Path) -> None:
    outcomes = enrich_one("github", [entry_for("https://github.com/ghost/deleted-repo")], settings, tmp_path)
    (outcome,) = outcomes.values()
    assert (outcome.status, outcome.reason) == (Status.ERROR, "not found on GitHub (deleted or private)")  # type: ignore[attr-defined]


def test_github_stats_202_is_retried(fake: FakeAPI, settings: Settings, tmp_path: Path) -> None:
    outcomes = enrich_one("github", [entry_for("https://github.com/lucidrains/PaLM-rlhf-pytorch")], settings, tmp_path)
    (outcome,) = outcomes.values()
    assert outcome.record.commits_365d == 4  # type: ignore[attr-defined]
    stats = [r.status for r in fake.requests("github") if "stats/commit_activity" in r.path]
    assert stats == [202, 200]


def test_github_stats_202_retries_are_bounded(fake: FakeAPI, settings: Settings, tmp_path: Path) -> None:
    fake.stats_computing_calls = 100  # GitHub keeps computing
    outcomes = enrich_one("github", [entry_for("https://github.com/lucidrains/PaLM-rlhf-pytorch")], settings, tmp_path)
    (outcome,) = outcomes.values()
    assert outcome.status == Status.OK and outcome.record.commits_365d is None  # type: ignore[attr-defined]
    stats = [r for r in fake.requests("github") if "stats/commit_activity" in r.path]
    assert len(stats) == settings.github_stats_retries + 1


def test_fake_paginates_like_github(fake: FakeAPI) -> None:
    gh = github.Github(base_url=fake.github_url, seconds_between_requests=0, per_page=30)
    releases = list(gh.get_repo("huggingface/trl").get_releases())
    assert len(releases) == 91
    pages = [r.path for r in fake.requests("github") if "/releases" in r.path]
    assert len(pages) == 4 and "page=4" in pages[-1]


# -- Hugging Face --------------------------------------------------------------------------

def test_gated_dataset_keeps_public_metadata(extra_data: Path, settings: Settings, tmp_path: Path) -> None:
    write_json(extra_data / "huggingface/datasets/acme/locked.json",
               {"_id": "x", "id": "acme/locked", "author": "acme", "sha": "a" * 40, "gated": "manual",
                "private": False, "downloads": 7, "likes": 1, "tags": ["arxiv:2204.05862"]})
    (outcome,) = enrich_one("huggingface", [entry_for("https://huggingface.co/datasets/acme/locked")],
                            settings, tmp_path).values()
    assert outcome.status == Status.OK and outcome.record.gated == "manual"  # type: ignore[attr-defined]
    assert outcome.record.card is None and outcome.record.arxiv_ids == ["2204.05862"]  # type: ignore[attr-defined]
    assert outcome.reason == "gated: the card needs an accepted access request"  # type: ignore[attr-defined]


def test_missing_card(extra_data: Path, settings: Settings, tmp_path: Path) -> None:
    write_json(extra_data / "huggingface/datasets/acme/nocard.json",
               {"_id": "y", "id": "acme/nocard", "sha": "b" * 40, "private": False, "tags": []})
    (outcome,) = enrich_one("huggingface", [entry_for("https://huggingface.co/datasets/acme/nocard")],
                            settings, tmp_path).values()
    assert (outcome.status, outcome.reason) == (Status.OK, "the repository has no card (README.md)")  # type: ignore[attr-defined]


def test_unknown_hub_repo(settings: Settings, tmp_path: Path) -> None:
    (outcome,) = enrich_one("huggingface", [entry_for("https://huggingface.co/datasets/acme/nothing")],
                            settings, tmp_path).values()
    assert (outcome.status, outcome.reason) == (Status.ERROR, "not found on the Hub (deleted or private)")  # type: ignore[attr-defined]


# -- web pages -----------------------------------------------------------------------------

def test_web_pages(fake: FakeAPI, settings: Settings, tmp_path: Path) -> None:
    entries = [entry_for(f"{fake.base_url}/pages/{p}") for p in ("ok", "moved", "gone")]
    outcomes = enrich_one("web", entries, settings, tmp_path)
    ok, moved, gone = (outcomes[e.id] for e in entries)
    assert ok.record.title == "RLHF & friends" and ok.status == Status.OK  # type: ignore[attr-defined]
    assert moved.record.final_url == f"{fake.base_url}/pages/ok"  # type: ignore[attr-defined]
    assert (gone.status, gone.reason) == (Status.ERROR, "broken link: HTTP 404")  # type: ignore[attr-defined]


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "169.254.169.254", "10.0.0.1", "[::1]"])
def test_web_never_fetches_private_addresses(host: str, fake: FakeAPI, settings: Settings, tmp_path: Path) -> None:
    strict = settings.model_copy(update={"allow_loopback": False})
    entry = entry_for(f"http://{host}:{fake.base_url.rsplit(':', 1)[1]}/pages/ok")
    (outcome,) = enrich_one("web", [entry], strict, tmp_path).values()
    assert outcome.status == Status.ERROR and "non-public address" in outcome.reason  # type: ignore[attr-defined]
    assert fake.requests("pages") == []


def test_web_connects_to_the_address_it_checked(fake: FakeAPI, settings: Settings, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """DNS rebinding: the name resolves to a public-looking loopback first, to a metadata address
    after; the request goes to the first answer, with no second lookup."""
    import socket

    answers = iter(["127.0.0.1", "169.254.169.254"])
    lookups: list[str] = []
    real = socket.getaddrinfo

    def rebinding(host: str, *args: object, **kwargs: object) -> list[tuple[object, ...]]:
        if host != "rebind.example":  # the connection itself, to an address literal
            return real(host, *args, **kwargs)  # type: ignore[arg-type]
        lookups.append(host)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (next(answers), 0))]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    port = fake.base_url.rsplit(":", 1)[1]
    entry = entry_for(f"http://rebind.example:{port}/pages/ok")
    (outcome,) = enrich_one("web", [entry], settings, tmp_path).values()
    assert outcome.status == Status.OK, outcome.reason  # type: ignore[attr-defined]
    assert outcome.record.title == "RLHF & friends"  # type: ignore[attr-defined]
    assert lookups == ["rebind.example"]
    assert outcome.record.final_url == f"http://rebind.example:{port}/pages/ok"  # type: ignore[attr-defined]


# -- secrets -------------------------------------------------------------------------------

TOKEN = "enrich-test-token-7f3a9c41d2"


def test_token_never_written_or_logged(settings: Settings, tmp_path: Path, caplog: pytest.LogCaptureFixture,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    caplog.set_level(logging.DEBUG)
    with_token = Settings.model_validate({**settings.model_dump(), "github_token": TOKEN, "hf_token": TOKEN})
    run(str(BUNDLED), settings=with_token, out_dir=tmp_path / "enriched", raw_root=tmp_path / "raw")
    assert TOKEN not in caplog.text
    captured = capsys.readouterr()
    assert TOKEN not in captured.out + captured.err
    assert TOKEN not in repr(with_token)
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert TOKEN.encode() not in path.read_bytes(), path


def test_bundled_parse_matches_fake_data() -> None:
    """Every non-web entry of the bundled list has sample data (unused fixtures would rot)."""
    parsed = parse_list(BUNDLED.read_bytes(), "list")
    data = Path(__file__).parent.parent / "src/enrich/sandbox/data"
    for entry in parsed.entries:
        if entry.kind == Kind.PAPER:
            assert (data / f"arxiv/{entry.source_id}.xml").is_file()
        elif entry.kind == Kind.DATASET:
            assert (data / f"huggingface/datasets/{entry.source_id}.json").is_file()
    assert json.loads((data / "github/redirects.json").read_text()) == {"lvwerra/trl": "huggingface/trl"}


def test_one_failing_repo_does_not_stop_the_others(fake: FakeAPI, settings: Settings, tmp_path: Path) -> None:
    from enrich.sandbox.server import Fault

    fake.faults.append(Fault(pattern=r"/repos/CarperAI/trlx$", status=503))
    entries = [entry_for("https://github.com/CarperAI/trlx"), entry_for("https://github.com/voidful/TextRL")]
    outcomes = enrich_one("github", entries, settings, tmp_path)
    broken, fine = (outcomes[e.id] for e in entries)
    assert (broken.status, broken.reason) == (Status.ERROR, "GitHub kept failing: too many 503 error responses")  # type: ignore[attr-defined]
    assert fine.status == Status.OK  # type: ignore[attr-defined]


def test_failed_entry_keeps_last_good_values(fake: FakeAPI, settings: Settings, tmp_path: Path) -> None:
    """Nothing lost: a repo that fails tonight keeps yesterday's values, marked stale."""
    from enrich.sandbox.server import Fault

    first = demo_run(settings, tmp_path)
    fake.faults.append(Fault(pattern=r"/repos/voidful/TextRL$", status=503))
    second = demo_run(settings, tmp_path)
    before, after = by_id(first)["github:voidful/textrl"], by_id(second)["github:voidful/textrl"]
    assert after.status == Status.STALE
    assert after.status_reason == "GitHub kept failing: too many 503 error responses"
    assert after.repo == before.repo and after.stale_since == before.fetched_at
