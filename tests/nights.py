"""Two nights of the job against the fake API, the second with changes upstream and in the list:
what the dataset's views (card, Croissant, feed) and the Hub publisher are tested on."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from conftest import BUNDLED, run, write_json
from enrich.core.settings import Settings
from enrich.run.steps import RunResult
from enrich.sandbox.sample import sample_data_dir

NIGHT_1 = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)
NIGHT_2 = datetime(2026, 11, 26, 3, 0, tzinfo=UTC)
NIGHT_3 = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)
# Night 2: the list gains a paper, trlx gains stars and a release.
ADDED_PAPER = "arxiv:2210.01241"
LONGER_LIST = BUNDLED.read_bytes() + b"\n* [RL4LMs paper](https://arxiv.org/abs/2210.01241)\n"
NEW_RELEASE = "v9.9.9"
SKIP_WEB = {"web": "offline test: web pages are not fetched"}


def change_upstream(extra_data: Path, stars: int = 100) -> None:
    """trlx, in the layered data folder: ``stars`` more, and a new latest release."""
    sample = sample_data_dir() / "github/repos/CarperAI"
    repo: dict[str, Any] = json.loads((sample / "trlx.json").read_text())
    repo["stargazers_count"] += stars
    write_json(extra_data / "github/repos/CarperAI/trlx.json", repo)
    releases: list[dict[str, Any]] = json.loads((sample / "trlx/releases.json").read_text())
    newest = copy.deepcopy(releases[0])
    newest.update(id=newest["id"] + 1, tag_name=NEW_RELEASE, name=NEW_RELEASE,
                  published_at="2026-11-26T01:00:00Z", created_at="2026-11-26T01:00:00Z")
    write_json(extra_data / "github/repos/CarperAI/trlx/releases.json", [newest, *releases])


def night(settings: Settings, out: Path, raw: Path, when: datetime, list_bytes: bytes | None = None,
          **options: object) -> RunResult:
    return run(str(BUNDLED), settings=settings, out_dir=out, raw_root=raw, skip=SKIP_WEB, now=when,
               list_bytes=list_bytes, **options)


def two_nights(settings: Settings, extra_data: Path, out: Path, raw: Path,
               **options: object) -> tuple[RunResult, RunResult]:
    first = night(settings, out, raw, NIGHT_1, **options)
    change_upstream(extra_data)
    second = night(settings, out, raw, NIGHT_2, LONGER_LIST, **options)
    return first, second
