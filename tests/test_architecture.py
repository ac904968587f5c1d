"""The architecture holds: the direction of imports (import-linter's contract, pyproject.toml),
a fast `enrich parse`, per-run objects dropped after each run, and a raw layer that says which
format it is in."""

from __future__ import annotations

import gc
import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import BUNDLED, ROOT, run
from enrich.core.errors import RawFormatError
from enrich.core.rawdocs import RAW_FORMAT
from enrich.core.settings import Settings
from enrich.run import context
from enrich.run.job import rebuild
from enrich.store.raw import RawStore

HEAVY = ("prefect", "pyarrow", "polars", "github", "arxiv", "huggingface_hub", "httpx")


def test_the_import_contract_is_kept() -> None:
    result = subprocess.run([str(Path(sys.executable).parent / "lint-imports")], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "BROKEN" not in result.stdout


@pytest.mark.slow
def test_enrich_parse_imports_nothing_heavy() -> None:
    """`enrich parse` of a local list loads neither Prefect nor pyarrow, polars or a client."""
    probe = (
        "import json, sys\n"
        "from enrich.cli import main\n"
        f"sys.argv = ['enrich', 'parse', {str(BUNDLED)!r}, '--json']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        f"print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)), file=sys.stderr)\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["entries"]
    assert json.loads(result.stderr.strip().splitlines()[-1]) == []


def test_runs_leave_no_per_run_objects_behind(settings: Settings, tmp_path: Path) -> None:
    """A process that runs the job night after night (a `serve` process) holds nothing of the
    nights before: budgets, slots, pacers and progress live in a scope dropped with the run."""
    for night in range(20):
        run(str(BUNDLED), settings=settings, out_dir=tmp_path / "out", raw_root=tmp_path / "raw",
            sources=["arxiv"])
        assert context.active() == [], night
    gc.collect()
    assert not [o for o in gc.get_objects() if isinstance(o, context.RunScope)]
    assert len(list((tmp_path / "raw").glob("2*"))) == 20


@pytest.mark.parametrize("written", [0, RAW_FORMAT + 1, 99, "one"])
def test_a_raw_folder_of_another_format_is_refused_by_rebuild(written: object, settings: Settings,
                                                               tmp_path: Path) -> None:
    result = run(str(BUNDLED), settings=settings, out_dir=tmp_path / "out", raw_root=tmp_path / "raw",
                 sources=["arxiv"])
    manifest = result.run_dir / "manifest.json"
    manifest.write_text(json.dumps({**json.loads(manifest.read_text()), "raw_format": written}))
    with pytest.raises(RawFormatError, match=f"raw format {written} is not readable by this enrich"):
        rebuild(result.run_dir, tmp_path / "rebuilt", settings)
    assert not (tmp_path / "rebuilt" / "latest.json").exists()


def test_a_folder_without_a_format_is_read_as_format_1(settings: Settings, tmp_path: Path) -> None:
    """Folders written before the manifest carried its format hold format-1 documents, which
    this version still reads (the current format's documents are a superset of them)."""
    result = run(str(BUNDLED), settings=settings, out_dir=tmp_path / "out", raw_root=tmp_path / "raw",
                 sources=["arxiv"])
    manifest = result.run_dir / "manifest.json"
    data = json.loads(manifest.read_text())
    assert data.pop("raw_format") == RAW_FORMAT
    manifest.write_text(json.dumps(data))
    rebuilt = rebuild(result.run_dir, tmp_path / "rebuilt", settings)
    assert rebuilt.snapshot.entries == result.snapshot.entries


def test_warm_runs_skip_documents_of_another_format(settings: Settings, tmp_path: Path) -> None:
    """A warm run revalidates what earlier runs stored (ETags): never from a folder it cannot read."""
    first = run(str(BUNDLED), settings=settings, out_dir=tmp_path / "out", raw_root=tmp_path / "raw",
                sources=["github"])
    assert RawStore(tmp_path / "raw" / "next").previous("github", {"github:voidful/textrl"}, lambda d: True)
    manifest = first.run_dir / "manifest.json"
    manifest.write_text(json.dumps({**json.loads(manifest.read_text()), "raw_format": 99}))
    assert RawStore(tmp_path / "raw" / "next").previous("github", {"github:voidful/textrl"}, lambda d: True) == {}
