"""The `enrich` command, run as a user runs it: a real process, real files, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from enrich.sandbox.sample import sample_data_dir

pytestmark = pytest.mark.slow  # runs `enrich` as a process

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


def test_rebuild_of_a_non_run_folder_is_one_line(tmp_path: Path) -> None:
    result = enrich("rebuild", str(tmp_path))
    assert result.returncode == 2 and "not a raw run folder" in result.stderr
    assert "Traceback" not in result.stderr


def test_demo_rebuild_and_demo_again(tmp_path: Path) -> None:
    """The smoke test of the front door. `enrich demo` is the offline nightly job; `enrich
    rebuild` re-derives its snapshot byte for byte. Then the sample data changes (a star count,
    a new release, a new arXiv version, one more entry in the list) and `enrich demo` runs
    again: the changelog says exactly that."""
    out, raw = str(tmp_path / "out"), str(tmp_path / "raw")
    first = enrich("demo", "--out", out, "--raw", raw)
    assert first.returncode == 0, first.stderr
    latest = json.loads((tmp_path / "out/latest.json").read_text())
    statuses = {e["id"]: e["status"] for e in latest["entries"]}
    assert statuses["github:lvwerra/trl"] == "ok" and statuses["https://carper.ai/"] == "skipped"
    (run_dir,) = (tmp_path / "raw").glob("2*")
    rebuilt = enrich("rebuild", str(run_dir), "--out", str(tmp_path / "rebuilt"))
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert (tmp_path / "rebuilt/latest.json").read_bytes() == (tmp_path / "out/latest.json").read_bytes()

    changed = tmp_path / "changed"
    data = sample_data_dir()
    repo = json.loads((data / "github/repos/huggingface/trl.json").read_text())
    repo["stargazers_count"] += 42
    (changed / "github/repos/huggingface/trl").mkdir(parents=True)
    (changed / "github/repos/huggingface/trl.json").write_text(json.dumps(repo))
    releases = json.loads((data / "github/repos/huggingface/trl/releases.json").read_text())
    newest = {**releases[0], "id": 999, "tag_name": "v1.10.0", "name": "v1.10.0",
              "published_at": "2026-11-26T12:00:00Z"}
    (changed / "github/repos/huggingface/trl/releases.json").write_text(json.dumps([newest, *releases]))
    atom = (data / "arxiv/2204.05862.xml").read_text()
    (changed / "arxiv").mkdir()
    (changed / "arxiv/2204.05862.xml").write_text(atom.replace("2204.05862v1", "2204.05862v2"))
    new_list = tmp_path / "list.md"
    new_list.write_text(BUNDLED.read_text() + "\n## Added\n\n* [RL4LMs paper](https://arxiv.org/abs/2210.01241)\n")

    second = enrich("demo", "--out", out, "--raw", raw, "--data", str(changed), "--list", str(new_list))
    assert second.returncode == 0, second.stderr
    (diff_file,) = (tmp_path / "out/diffs").glob("*.json")
    diff = json.loads(diff_file.read_text())
    assert [(e["event"], e["id"], e["old"], e["new"]) for e in diff["events"]] == [
        ("added", "arxiv:2210.01241", None, "Datasets › Added"),
        ("new_version", "arxiv:2204.05862", "2204.05862v1", "2204.05862v2"),
        ("new_release", "github:lvwerra/trl", "v1.9.0", "v1.10.0"),
    ]
    assert [(c["id"], c["field"], c["delta"]) for c in diff["counters"]] == [("github:lvwerra/trl", "stars", 42)]
    assert [(c["id"], c["field"]) for c in diff["changes"]] == [
        ("arxiv:2204.05862", "version"), ("github:lvwerra/trl", "release"),
    ]
    changelog = diff_file.with_suffix(".md").read_text()
    for needle in ("## Added to the list (1)", "## New arXiv version (1)", "## New release (1)",
                   "v1.9.0 → v1.10.0", "| `github:lvwerra/trl` |", "| +42 |"):
        assert needle in changelog

    # The views show it too: the new entry marked, the stars' change, a sparkline of both runs;
    # and `enrich render` regenerates them from the published files alone, byte for byte.
    listing = (tmp_path / "out/list.md").read_text()
    assert "- **new** [RL4LMs paper](<https://arxiv.org/abs/2210.01241>)" in listing
    assert "(+42 in <1 d)" in listing and "release v1.10.0" in listing
    report = (tmp_path / "out/index.html").read_text()
    table = report[report.index('<table id="entries">'):]
    row = table[table.index('<a href="https://github.com/huggingface/trl">'):]
    row = row[: row.index("</tr>")]
    assert "+42 in &lt;1 d" in row and 'data-points="2"' in row
    views = {name: (tmp_path / "out" / name).read_bytes() for name in ("list.md", "index.html")}
    rendered = enrich("render", "--out", out)
    assert rendered.returncode == 0, rendered.stderr
    assert {name: (tmp_path / "out" / name).read_bytes() for name in views} == views
