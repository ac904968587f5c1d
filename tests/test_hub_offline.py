"""``HF_HUB_OFFLINE=1`` (huggingface_hub's offline mode, read as the library reads it:
``constants.is_offline_mode()``) is honoured by the Hub sources' own requests as by the
library's: nothing is asked of the Hub, and each Hub entry is ``skipped`` with a one-line reason
(a Hub paper page is simply not read: the paper's status is arXiv's). Against the fake API; the
mode set as the library holds it, on its constants module."""

from __future__ import annotations

from pathlib import Path

import huggingface_hub.constants
import pytest

from builders import entry_for
from conftest import fetch_source
from enrich.core.errors import UnreachableError
from enrich.core.model import Status
from enrich.core.settings import Settings
from enrich.sandbox.sample.generate import load_facts, sample_collection
from enrich.sandbox.server import FakeAPI
from enrich.sources.hubhttp import OFFLINE, HubHTTP, offline
from enrich.sources.limits import RetryBudget
from enrich.store.raw import RawStore

COLLECTION = f"https://huggingface.co/collections/{sample_collection(load_facts())['slug']}"

CASES = [
    ("huggingface", "https://huggingface.co/datasets/Anthropic/hh-rlhf"),
    ("huggingface", "https://huggingface.co/datasets/stanfordnlp/SHP"),
    ("huggingface", "https://huggingface.co/datasets/acme/nothing"),  # a 404 online: skipped, not asked
    ("collections", COLLECTION),
]


@pytest.mark.parametrize(("source", "url"), CASES, ids=[u.split("co/")[1] for _, u in CASES])
@pytest.mark.parametrize("mode", [True, False], ids=["offline", "online"])
def test_hub_entries_are_skipped_with_nothing_asked_when_offline(
    fake: FakeAPI, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, source: str, url: str,
    mode: bool,
) -> None:
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", mode)
    listed = entry_for(url)
    outcome = fetch_source(source, [listed], settings, RawStore(tmp_path / "raw"))[listed.id]
    if mode:
        assert (outcome.status, outcome.reason) == (Status.SKIPPED, OFFLINE)
        assert fake.requests("hf") == []
    else:
        assert outcome.status is not Status.SKIPPED and fake.requests("hf")


@pytest.mark.parametrize("mode", [True, False], ids=["offline", "online"])
def test_a_papers_hub_page_is_not_asked_when_offline(fake: FakeAPI, settings: Settings, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch, mode: bool) -> None:
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", mode)
    listed = entry_for("https://arxiv.org/abs/2204.05862")
    outcomes = fetch_source("papers", [listed], settings, RawStore(tmp_path / "raw"))
    assert (listed.id in outcomes) is not mode
    assert bool(fake.requests("hf")) is not mode


@pytest.mark.parametrize(("value", "expected"), [(True, OFFLINE), (False, None)], ids=["set", "unset"])
def test_offline_follows_the_librarys_constant(monkeypatch: pytest.MonkeyPatch, value: bool,
                                               expected: str | None) -> None:
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", value)
    assert offline() == expected and huggingface_hub.constants.is_offline_mode() is value


def test_a_request_sent_all_the_same_is_refused_before_it_leaves(fake: FakeAPI, settings: Settings,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)
    with HubHTTP(settings, RetryBudget(10, 1.0)) as http, pytest.raises(UnreachableError, match=OFFLINE):
        http.get(f"{settings.hf_endpoint}/api/datasets/Anthropic/hh-rlhf", {})
    assert fake.requests("hf") == []
