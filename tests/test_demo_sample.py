"""`enrich demo` on a list of the user's own (issue 22, item 12): the sample data answers the
bundled list's entries only. An entry it has no answer for is skipped, with the reason, and
never asked: the fake would answer as GitHub does (404), which the dataset recorded as "not
found on GitHub (deleted or private)" and `enrich check` then called dead, for a real, live
repository. The demo says so at its start, on stderr, and list.md and index.html say "sample
data" like the card, the feed and the Croissant file."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import lxml.html
import pytest

from conftest import BUNDLED, PREFECT_GROUP, ROOT, run, write_json
from enrich.core.check.model import FindingKind
from enrich.core.listing import parse_list
from enrich.core.model import Entry, Status
from enrich.core.settings import Settings
from enrich.run.check import check_list
from enrich.sandbox.coverage import NO_SAMPLE, notice, without_sample
from enrich.sandbox.sample import sample_data_dir
from enrich.sandbox.server import FakeAPI

NIGHT = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)
SKIP_WEB = {"web": "offline demo: web pages are not fetched"}
# A list of the user's own: what the bundled sample data holds, and what it does not.
MINE = b"""# My RLHF list

## Code
- [trl](https://github.com/huggingface/trl) - in the sample data.
- [requests](https://github.com/psf/requests) - a real repository the sample data does not hold.

## Papers
- [InstructGPT](https://arxiv.org/abs/2203.02155)
- [Learning to summarize](https://arxiv.org/abs/1909.08593)

## Data
- [fineweb](https://huggingface.co/datasets/HuggingFaceFW/fineweb)
- [hh](https://huggingface.co/datasets/Anthropic/hh-rlhf)
- [a post](https://example.org/post)
"""
NOT_IN_SAMPLE = ["github:psf/requests", "arxiv:2203.02155", "hf:dataset/huggingfacefw/fineweb"]


def one_entry(url: str) -> Entry:
    (entry,) = parse_list(f"# L\n\n- [it]({url})\n".encode(), "l.md").entries
    return entry


@pytest.mark.parametrize(
    ("url", "lacks"),
    [
        ("https://github.com/huggingface/trl", False),
        ("https://github.com/HuggingFace/TRL", False),  # GitHub's names are case-insensitive
        ("https://github.com/lvwerra/trl", False),  # renamed: the sample's redirect answers it
        ("https://github.com/psf/requests", True),
        ("https://arxiv.org/abs/2204.05862", False),
        ("https://arxiv.org/abs/2203.02155", True),
        ("https://huggingface.co/datasets/Anthropic/hh-rlhf", False),
        ("https://huggingface.co/datasets/HuggingFaceFW/fineweb", True),
        ("https://huggingface.co/meta-llama/Llama-2-7b-hf", True),  # a model
        ("https://huggingface.co/spaces/gradio/hello_world", True),  # a space
        ("https://example.org/post", False),  # a web page: the demo fetches none (skipped)
    ],
)
def test_which_entries_the_sample_data_answers(url: str, lacks: bool) -> None:
    entry = one_entry(url)
    assert (without_sample(FakeAPI(), [entry]) == [entry]) is lacks


def test_the_sample_data_answers_every_entry_of_the_bundled_list() -> None:
    assert without_sample(FakeAPI(), parse_list(BUNDLED.read_bytes(), "list.md").entries) == []


def test_a_layered_data_folder_is_sample_data_too(extra_data: Path) -> None:
    entry = one_entry("https://github.com/psf/requests")
    assert without_sample(FakeAPI([extra_data]), [entry]) == [entry]
    trl = json.loads((sample_data_dir() / "github/repos/huggingface/trl.json").read_text())
    write_json(extra_data / "github/repos/psf/requests.json", {**trl, "full_name": "psf/requests"})
    assert without_sample(FakeAPI([extra_data]), [entry]) == []


def test_the_notice_names_how_many_and_which() -> None:
    entries = [one_entry(f"https://github.com/o/r{i}") for i in range(5)]
    assert notice(entries[:1], 7) == (
        "enrich demo: the sample data has no answer for 1 of the list's 7 entries (github:o/r0): "
        "they are skipped (not fetched), not reported missing"
    )
    assert "(github:o/r0, github:o/r1, github:o/r2 and 2 more)" in notice(entries, 9)


def test_entries_without_sample_data_are_skipped_never_missing_nor_dead(
    fake: FakeAPI, settings: Settings, tmp_path: Path
) -> None:
    """Three nights (what makes a flaky link dead): the entries are skipped every night, with
    the reason, never asked of the fake; `enrich check` finds nothing wrong with them; the other
    entries are enriched as usual. A list of nothing but such entries still publishes."""
    listing = tmp_path / "mine.md"
    listing.write_bytes(MINE)
    entries = parse_list(MINE, str(listing)).entries
    missing = without_sample(fake, entries)
    assert [e.id for e in missing] == sorted(NOT_IN_SAMPLE)
    skip = {**SKIP_WEB, **{e.id: NO_SAMPLE for e in missing}}
    out, raw = tmp_path / "out", tmp_path / "raw"
    for night in range(3):
        run(str(listing), settings=settings, out_dir=out, raw_root=raw, skip=skip,
            now=NIGHT + timedelta(days=night))  # fmt: skip
    latest = {e["id"]: e for e in json.loads((out / "latest.json").read_text())["entries"]}
    for entry_id in NOT_IN_SAMPLE:
        assert (latest[entry_id]["status"], latest[entry_id]["failure"]) == ("skipped", None)
        assert latest[entry_id]["status_reason"] == NO_SAMPLE
    assert {latest[i]["status"] for i in ("github:huggingface/trl", "arxiv:1909.08593")} == {"ok"}
    asked = " ".join(e.path for e in fake.requests())
    assert "psf/requests" not in asked and "2203.02155" not in asked and "fineweb" not in asked.lower()
    report = check_list(MINE, str(listing), out, settings)
    assert [f for f in report.findings if f.id in NOT_IN_SAMPLE] == []
    assert not any(f.kind in (FindingKind.DEAD, FindingKind.FLAKY) for f in report.findings)

    only = tmp_path / "only.md"
    only.write_bytes(b"# Only\n\n- [requests](https://github.com/psf/requests)\n")
    (lone,) = parse_list(only.read_bytes(), str(only)).entries
    result = run(str(only), settings=settings, out_dir=tmp_path / "only", raw_root=raw,
                 skip={lone.id: NO_SAMPLE})  # fmt: skip
    assert [e.status for e in result.snapshot.entries] == [Status.SKIPPED]


@pytest.mark.slow  # the demo as a user runs it, a process (on the session's Prefect API)
@PREFECT_GROUP
@pytest.mark.usefixtures("shared_prefect_api")
def test_the_demo_on_a_list_of_ones_own(tmp_path: Path) -> None:
    listing = tmp_path / "mine.md"
    listing.write_bytes(MINE)
    out, raw = tmp_path / "out", tmp_path / "raw"
    demo = subprocess.run(
        [sys.executable, "-m", "enrich.cli", "demo", "--list", str(listing), "--out", str(out),
         "--raw", str(raw)],
        cwd=ROOT, capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert demo.returncode == 0, demo.stderr
    first = demo.stderr.splitlines()[0]
    assert first.startswith("enrich demo: the sample data has no answer for 3 of the list's 7 entries")
    statuses = {e["id"]: e["status"] for e in json.loads((out / "latest.json").read_text())["entries"]}
    assert {i: statuses[i] for i in NOT_IN_SAMPLE} == dict.fromkeys(NOT_IN_SAMPLE, "skipped")
    assert "not found on GitHub" not in (out / "list.md").read_text() + (out / "check.md").read_text()
    check = subprocess.run(
        [sys.executable, "-m", "enrich.cli", "check", str(listing), "--data", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert check.returncode == 0 and "dead" not in check.stdout, check.stdout
    # list.md and index.html say what this is, under their titles
    assert (out / "list.md").read_text().split("\n")[2].startswith("> **Sample data")
    (banner,) = lxml.html.parse(str(out / "index.html")).xpath("//header/p[@class='notice']")
    assert banner.text_content().startswith("Sample data")
