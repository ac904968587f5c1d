"""The `enrich` command, run as a user runs it: a real process, real files, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
BUNDLED = ROOT / "data/raw/lists/awesome-rlhf-language-models.md"


def enrich(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "enrich.cli", *args], cwd=cwd, capture_output=True, text=True, timeout=120
    )


def test_parse_json_lists_the_bundled_entries() -> None:
    result = enrich("parse", str(BUNDLED), "--json")
    assert result.returncode == 0, result.stderr
    entries = json.loads(result.stdout)["entries"]
    kinds = [e["kind"] for e in entries]
    assert (kinds.count("paper"), kinds.count("repo"), kinds.count("dataset"), kinds.count("web")) == (7, 7, 2, 11)
    course = next(e for e in entries if "deep-rl-course" in e["id"])
    assert course["kind"] == "web"


def test_parse_table() -> None:
    result = enrich("parse", str(BUNDLED))
    assert result.returncode == 0
    assert "github:lvwerra/trl" in result.stdout


def test_snapshot_writes_files(tmp_path: Path) -> None:
    result = enrich("snapshot", str(BUNDLED), "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert {p.name for p in tmp_path.iterdir()} >= {"latest.json", "latest.parquet", "schema.json", "snapshots"}


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d: d / "missing.md", "no such file"),
        (lambda d: d, "is a folder"),
        (lambda d: _write(d / "latin1.md", "* [é](https://e.org)".encode("latin-1")), "is not UTF-8"),
        (lambda d: _write(d / "empty.md", b""), "is empty"),
        (lambda d: _write(d / "nolinks.md", b"# Title\n\nText only.\n"), "has no links"),
        (lambda d: _write(d / "bin.md", bytes(range(256))), "is a binary file"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(tmp_path: Path, make, message: str) -> None:  # type: ignore[no-untyped-def]
    path = make(tmp_path)
    result = enrich("parse", str(path))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and message in result.stderr
    assert "Traceback" not in result.stderr


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_demo_then_rebuild(tmp_path: Path) -> None:
    """`enrich demo` is the offline nightly job; `enrich rebuild` re-derives its snapshot."""
    result = enrich("demo", "--out", str(tmp_path / "out"), "--raw", str(tmp_path / "raw"))
    assert result.returncode == 0, result.stderr
    assert "offline demo: web pages are not fetched" not in result.stderr
    latest = json.loads((tmp_path / "out/latest.json").read_text())
    statuses = {e["id"]: e["status"] for e in latest["entries"]}
    assert statuses["github:lvwerra/trl"] == "ok" and statuses["https://carper.ai/"] == "skipped"
    (run_dir,) = (tmp_path / "raw").glob("2*")
    rebuilt = enrich("rebuild", str(run_dir), "--out", str(tmp_path / "rebuilt"))
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert (tmp_path / "rebuilt/latest.json").read_bytes() == (tmp_path / "out/latest.json").read_bytes()


def test_rebuild_of_a_non_run_folder_is_one_line(tmp_path: Path) -> None:
    result = enrich("rebuild", str(tmp_path))
    assert result.returncode == 2 and "not a raw run folder" in result.stderr
    assert "Traceback" not in result.stderr
