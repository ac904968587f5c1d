"""Two runs sharing one raw folder (``--raw``) with different output folders: a run holds the
raw folder's lock too, so the second is refused in one line, as for the output folder. The
locks are taken in one order whatever the order given, and all or none are held."""

from __future__ import annotations

from contextlib import AbstractContextManager
from pathlib import Path

import pytest

import enrich.store.files as files
from conftest import BUNDLED, run
from enrich.core.errors import LockedError
from enrich.core.settings import Settings
from enrich.run.job import CatalogJob, run_catalog
from enrich.store.files import exclusive, exclusive_all, lock_path
from nights import NIGHT_1, SKIP_WEB

SKIP = {name: "not in this test" for name in ("web", "papers", "scholar", "arxiv", "huggingface")}


@pytest.mark.parametrize(
    ("given", "held", "refused"),
    [
        (("out", "raw"), "raw", "raw"),
        (("raw", "out"), "raw", "raw"),
        (("out", "raw"), "out", "out"),
        (("out", "out"), "out", "out"),  # one folder named twice: one lock
        (("out", "raw"), None, None),
        (("out", "out"), None, None),
    ],
    ids=["raw-held", "raw-held-given-first", "out-held", "named-twice-held", "free", "named-twice-free"],
)
def test_all_or_none_are_held(tmp_path: Path, given: tuple[str, ...], held: str | None, refused: str | None) -> None:
    folders = [tmp_path / name for name in given]
    with exclusive(tmp_path / held) if held else exclusive(tmp_path / "other"):
        if refused is None:
            with exclusive_all(folders):
                for folder in folders:  # each is held now: another holder is refused
                    with pytest.raises(LockedError), exclusive(folder):
                        pass
        else:
            refusal = rf"^{tmp_path / refused}: an enrich run is already writing"
            with pytest.raises(LockedError, match=refusal), exclusive_all(folders):
                pass
    for folder in folders:  # every lock let go, those taken before the refusal included
        with exclusive(folder):
            pass


def test_locks_are_taken_in_one_order_whatever_the_order_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    taken: list[Path] = []
    real = files.exclusive

    def recording(folder: Path, what: str = "") -> AbstractContextManager[None]:
        taken.append(lock_path(folder))
        return real(folder, what)

    monkeypatch.setattr(files, "exclusive", recording)
    a, b = tmp_path / "data" / "enriched", tmp_path / "raw"
    for order in ((a, b), (b, a)):
        with exclusive_all(order):
            pass
    assert taken[:2] == taken[2:] == sorted({lock_path(a), lock_path(b)})


def test_a_second_run_on_the_same_raw_folder_is_refused(settings: Settings, tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    first = run(str(BUNDLED), settings=settings, out_dir=tmp_path / "out-a", raw_root=raw, skip=SKIP_WEB, now=NIGHT_1)
    assert first.snapshot is not None
    refusal = rf"^{raw}: an enrich run is already writing here \(pid \d+\)"
    # A run of another output folder holds the raw folder.
    with exclusive(raw), pytest.raises(LockedError, match=refusal):
        run(str(BUNDLED), settings=settings, out_dir=tmp_path / "out-b", raw_root=raw, skip=SKIP_WEB, now=NIGHT_1)
    assert not (tmp_path / "out-b").exists()  # refused before anything was written
    with exclusive(tmp_path / "out-b"):  # and its output folder's lock let go
        pass


def test_a_catalog_run_holds_its_raw_folder_too(settings: Settings, tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    listed = tmp_path / "a.md"
    listed.write_text("<!-- Sample list written by enrich's tests. -->\n# A\n\n- [trlx](https://github.com/CarperAI/trlx)\n")
    with exclusive(raw), pytest.raises(LockedError, match=rf"^{raw}: "):
        run_catalog(CatalogJob((str(listed),), tmp_path / "out", raw, settings, skip=SKIP, now=NIGHT_1))
