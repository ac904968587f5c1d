"""`enrich render` of a catalog's output folder redraws the catalog's card ``OUT/README.md`` byte
for byte as the run drew it (from the catalog's tables and ``catalog/card.json``: the run's time
and id, and what the operator said, the Hub repository included), a setting given now taking
precedence, as a list's views do from its ``about.json``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import huggingface_hub.constants
import pytest

from enrich.core.settings import Settings
from enrich.run.job import CatalogJob, run_catalog
from enrich.run.render import render
from enrich.sandbox.server import FakeAPI
from enrich.views import catalogcard
from nights import NIGHT_1

SAMPLE = "<!-- Sample list written by enrich's tests, not a real list. -->\n"
SKIP = {name: "not in this test" for name in ("web", "papers", "scholar")}
REPO = "enrich-bot/awesome-catalog"
TOKEN = "hf_fake_token_0123456789"
LISTS = {
    "code": ["https://github.com/CarperAI/trlx", "https://github.com/voidful/TextRL"],
    "more": ["https://github.com/lucidrains/PaLM-rlhf-pytorch", "https://github.com/CarperAI/trlx"],
}


@pytest.fixture
def catalog(fake: FakeAPI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A catalog night published to the (fake) Hub, with a name and a notice given by settings."""
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_DISABLE_XET", True)
    settings = fake.settings(allow_loopback=True, http_retries=0, hf_token=TOKEN, dataset_name="RLHF lists",
                             dataset_notice="Sample data: lists written by the tests")  # fmt: skip
    sources = []
    for name, links in LISTS.items():
        path = tmp_path / "lists" / f"{name}.md"
        path.parent.mkdir(exist_ok=True)
        path.write_text(SAMPLE + f"# {name}\n\n" + "".join(f"- [{u.rsplit('/', 1)[-1]}]({u})\n" for u in links))
        sources.append(str(path))
    done = run_catalog(CatalogJob(tuple(sources), tmp_path / "OUT", tmp_path / "raw", settings, skip=SKIP,
                                  now=NIGHT_1, publish_repo=REPO))  # fmt: skip
    assert done.hub is not None and done.hub.error is None
    return tmp_path / "OUT"


def _delete(path: Path) -> None:
    path.unlink()


def _alter(path: Path) -> None:
    path.write_text(path.read_text().replace("RLHF lists", "Edited by hand"))


def _empty(path: Path) -> None:
    path.write_bytes(b"")


@pytest.mark.parametrize("damage", [_delete, _alter, _empty], ids=["deleted", "altered", "emptied"])
def test_render_redraws_the_catalog_card_byte_for_byte(catalog: Path, damage: Callable[[Path], None]) -> None:
    card = catalog / catalogcard.PATH
    run_card, drawn = card.read_bytes(), (catalog / catalogcard.DRAWN).read_bytes()
    assert f'load_dataset("{REPO}"'.encode() in run_card and b"Sample data" in run_card
    damage(card)
    written = render(catalog, Settings())  # another shell: none of the run's settings
    assert card in written
    assert card.read_bytes() == run_card
    assert (catalog / catalogcard.DRAWN).read_bytes() == drawn


@pytest.mark.parametrize(
    ("given", "expected", "kept"),
    [
        ({"dataset_name": "Renamed"}, "# Renamed", "> **Sample data"),
        ({"dataset_notice": "Another notice"}, "> **Another notice**", "# RLHF lists"),
        ({"dataset_license": "cc-by-4.0"}, "license: cc-by-4.0", "# RLHF lists"),
    ],
    ids=["name", "notice", "license"],
)
def test_a_setting_given_to_render_takes_precedence(catalog: Path, given: dict[str, str], expected: str,
                                                    kept: str) -> None:
    render(catalog, Settings(**given))  # type: ignore[arg-type]
    text = (catalog / catalogcard.PATH).read_text()
    assert expected in text and kept in text and f'load_dataset("{REPO}"' in text


def test_a_folder_without_card_json_is_drawn_from_its_newest_run(catalog: Path) -> None:
    """A folder written before ``catalog/card.json``: the newest list's run and the settings (the
    Hub repository, never recorded elsewhere, is then unknown)."""
    run_card = (catalog / catalogcard.PATH).read_text()
    (catalog / catalogcard.DRAWN).unlink()
    render(catalog, Settings(dataset_name="RLHF lists"))
    text = (catalog / catalogcard.PATH).read_text()
    built = next(line for line in run_card.splitlines() if line.startswith("| built |"))
    assert built in text.splitlines() and 'load_dataset("OWNER/NAME"' in text
    assert catalogcard.read_drawn((catalog / catalogcard.DRAWN).read_bytes()) is not None


@pytest.mark.parametrize(
    "data",
    [b"", b"[]", b"{}", b'{"built": "yesterday", "run_id": "x"}', b'{"built": "2026-11-25T03:00:00", "run_id": "x"}',
     b'{"built": "2026-11-25T03:00:00+00:00", "run_id": 7}'],
    ids=["empty", "a-list", "no-keys", "not-a-time", "naive-time", "run-id-not-text"],
)
def test_a_card_json_that_is_not_one_is_ignored(data: bytes) -> None:
    assert catalogcard.read_drawn(data) is None
