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
