"""The Hub, cheaper (#24 item 5): a paper the Hub has no page for (404) is asked again only after
a back-off (a week, then 2, 4, 8 weeks), its last answer carried meanwhile, never a failure.
Counted at the fake Hub, night 1 against night 2.

The list is sample data written by the tests: two papers with a Hub page in the sample data, two
without (1705.10528 and 2010.13154 have arXiv records and no Hub page).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from conftest import BUNDLED, run
from enrich.core.model import Status
from enrich.core.settings import Settings
from enrich.run.steps import RunResult
from enrich.sandbox.server import FakeAPI
from enrich.sources.papers import recheck_after
from enrich.store.raw import RawStore

ON_HUB = ("1706.03762", "1810.04805")
NOT_ON_HUB = ("1705.10528", "2010.13154")
LIST = (
    "<!-- Sample list written by enrich's tests, not a real list. -->\n# Papers\n\n"
    + "".join(f"- [{p}](https://arxiv.org/abs/{p})\n" for p in ON_HUB + NOT_ON_HUB)
)
OFFLINE = {"web": "offline test", "github": "not in this test", "huggingface": "not in this test"}


def night(fake: FakeAPI, tmp_path: Path, **settings: object) -> tuple[RunResult, dict[str, int]]:
    """One night; the paper pages it asked the fake Hub for, by arXiv id."""
    listing = tmp_path / "papers.md"
    listing.write_text(LIST)
    fake.log.clear()
    result = run(str(listing), settings=fake.settings(allow_loopback=True, http_retries=0, **settings),
                 out_dir=tmp_path / "out", raw_root=tmp_path / "raw", skip=OFFLINE)  # fmt: skip
    asked: dict[str, int] = {}
    for exchange in fake.requests("hf"):
        if exchange.path.startswith("/hf/api/papers/") or exchange.path.startswith("/api/papers/"):
            paper = exchange.path.rsplit("/", 1)[-1]
            asked[paper] = asked.get(paper, 0) + 1
    return result, asked


@pytest.mark.parametrize(
    ("recheck_days", "asked_on_night_2"),
    [
        (7.0, ON_HUB),  # the 404s keep their answer for a week: not asked
        (0.0, ON_HUB + NOT_ON_HUB),  # no back-off: every paper every night (as before)
    ],
)
def test_a_paper_not_on_the_hub_is_not_asked_again_the_next_night(
    recheck_days: float, asked_on_night_2: tuple[str, ...], fake: FakeAPI, tmp_path: Path
) -> None:
    first, asked = night(fake, tmp_path, hub_paper_recheck_days=recheck_days)
    assert asked == dict.fromkeys(ON_HUB + NOT_ON_HUB, 1)
    second, asked = night(fake, tmp_path, hub_paper_recheck_days=recheck_days)
    assert asked == dict.fromkeys(asked_on_night_2, 1)
    carried = len(NOT_ON_HUB) if recheck_days else 0
    assert second.requests["papers"]["reused"] == carried
    assert second.requests["papers"]["sent"] == len(asked_on_night_2)
    before = {e.id: e for e in first.snapshot.entries}
    for entry in second.snapshot.entries:  # an answer, not a failure: ok, as of night 1
        assert entry.status == Status.OK and entry.hub_paper is not None
        assert entry.hub_paper.on_hub == (entry.source_id in ON_HUB)
        if entry.source_id in NOT_ON_HUB and recheck_days:
            assert entry.hub_paper.fetched_at == before[entry.id].hub_paper.fetched_at  # type: ignore[union-attr]
    assert second.source_failures == {}


def test_a_paper_still_not_on_the_hub_after_its_back_off_waits_twice_as_long(
    fake: FakeAPI, tmp_path: Path
) -> None:
    # A back-off of a millisecond: over by night 2, so the 404s are asked again.
    tiny = 1e-3 / 86_400
    first, _ = night(fake, tmp_path, hub_paper_recheck_days=tiny)
    second, asked = night(fake, tmp_path, hub_paper_recheck_days=tiny)
    assert asked == dict.fromkeys(ON_HUB + NOT_ON_HUB, 1)
    for paper in NOT_ON_HUB:
        was, now = (RawStore(r.run_dir).documents("papers", {f"hub-{paper}"})[0] for r in (first, second))
        assert (was["absent"]["answers"], now["absent"]["answers"]) == (1, 2)
        assert now["absent"]["since"] == was["absent"]["since"]  # absent since the first 404


@pytest.mark.parametrize(
    ("answers", "days"),
    [(1, 7), (2, 14), (3, 28), (4, 56), (5, 56), (12, 56)],
)
def test_the_back_off_doubles_up_to_its_maximum(answers: int, days: int) -> None:
    assert recheck_after(answers, Settings()) == timedelta(days=days)


@pytest.mark.parametrize(("answers_304", "not_modified"), [(False, 0), (True, "all")])
def test_hub_repository_info_is_asked_with_the_last_etag(
    answers_304: bool, not_modified: int | str, fake: FakeAPI, tmp_path: Path
) -> None:
    """The Hub's repository info carries an ETag; whether it answers 304 is not documented (see
    docs/reliability.md), so it is asked conditionally and either answer is read."""
    fake.hub_info_304 = answers_304
    settings = fake.settings(allow_loopback=True, http_retries=0)
    only_hub = {name: "not in this test" for name in ("web", "github", "arxiv", "papers")}
    nights = [run(str(BUNDLED), settings=settings, out_dir=tmp_path / "out", raw_root=tmp_path / "raw",
                  skip=only_hub) for _ in range(2)]  # fmt: skip
    hub = [e for e in nights[1].snapshot.entries if e.hub is not None]
    assert hub and all(e.status == Status.OK for e in hub)
    asked = nights[1].requests["huggingface"]
    assert asked["not_modified"] == (len(hub) if not_modified == "all" else 0)
    assert asked["sent"] == (0 if not_modified == "all" else len(hub))
    first = {e.id: e.hub for e in nights[0].snapshot.entries if e.hub is not None}
    for entry in hub:  # the same facts either way
        assert entry.hub is not None and entry.hub.likes == first[entry.id].likes  # type: ignore[union-attr]
        assert entry.hub.sha == first[entry.id].sha  # type: ignore[union-attr]
