"""The `enrich` command, run as a user runs it: real files, exit codes, one-line errors.

The fast tests call `enrich.cli.main` in this process (what the `enrich` script calls); the
slow ones run `enrich` as a process (the demo, the wheel, signals, a Prefect server that is down).
"""

from __future__ import annotations

import json
import logging
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from conftest import PREFECT_GROUP, run
from enrich.cli import _console as console
from enrich.cli import main
from enrich.core.errors import InputError
from enrich.core.settings import BUNDLED_LIST
from enrich.sandbox.sample import sample_data_dir
from enrich.sandbox.server import HANG, FakeAPI, Fault
from enrich.store.files import exclusive, lock_path
from enrich.store.publish import publish

ROOT = Path(__file__).parent.parent
BUNDLED = ROOT / "data/raw/lists/awesome-rlhf-language-models.md"
GITHUB_LIST = "github:jordimas/awesome-RLHF-language-models/README.md"


# A guard against a hung `enrich demo`, not a speed limit. On a loaded machine (2 cores, load 10)
# one demo took 107 s, 70 of them starting Prefect's temporary server, which itself waits up to
# 120 s (PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS): a 120 s guard failed a working demo.
DEMO_GUARD_SECONDS = 600


def enrich(
    *args: str, cwd: Path = ROOT, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "enrich.cli", *args], cwd=cwd, capture_output=True, text=True, timeout=timeout,
        env=env,
    )


class Result:
    def __init__(self, code: int, out: str, err: str) -> None:
        self.returncode, self.stdout, self.stderr = code, out, err


@contextmanager
def as_before() -> Iterator[None]:
    """This process's environment and root logger as they were, after `main` set them up."""
    saved = dict(os.environ)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)
        logging.getLogger().removeHandler(console)  # main() put it there


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Iterator[object]:
    """`enrich ARGS…` in this process: its exit code, stdout and stderr."""

    def invoke(*args: str) -> Result:
        with pytest.raises(SystemExit) as exit_:
            main(list(args))
        captured = capsys.readouterr()
        code = exit_.value.code
        return Result(code if isinstance(code, int) else (0 if code is None else 1), captured.out, captured.err)

    with as_before():
        yield invoke


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# -- usage errors, arguments (issue 18: 16, 26, 29) ---------------------------------------------

@pytest.mark.parametrize(
    ("args", "code", "says"),
    [
        ((), 2, "Usage: enrich"),
        (("foo",), 2, "No such command 'foo'"),
        (("parse",), 2, "Missing argument"),
        (("run", "--bogus"), 2, "No such option"),
        (("snapshot", str(BUNDLED)), 2, "Missing option '--out'"),
        (("history",), 2, "Missing argument"),
        (("--version",), 0, "enrich 0.1.0"),
    ],
)
def test_usage_errors_are_the_usage_and_exit_2(cli, args: tuple[str, ...], code: int, says: str) -> None:  # type: ignore[no-untyped-def]
    result = cli(*args)
    assert result.returncode == code
    assert says in result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr


@pytest.mark.parametrize(("args", "says"), [((), "usage: python flows/nightly.py serve"),
                                            (("serve", "--bogus"), "No such option")])
def test_the_deployment_entry_point_prints_its_usage(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
                                                     args: tuple[str, ...], says: str) -> None:
    """The script run as `python flows/nightly.py …` runs it (as ``__main__``), in this process."""
    import runpy

    # Prefect sets its logging up when first imported, reading the environment then: imported
    # after the script's PREFECT_LOGGING_EXTRA_LOGGERS, it would send `enrich` logs to its API in
    # every later test of this worker (outside a flow run: an error).
    import enrich.run.flow  # noqa: F401

    monkeypatch.setattr(sys, "argv", [str(ROOT / "flows/nightly.py"), *args])
    with as_before(), pytest.raises(SystemExit) as exit_:
        runpy.run_path(str(ROOT / "flows/nightly.py"), run_name="__main__")
    stderr = capsys.readouterr().err
    assert exit_.value.code == 2 and says in stderr and "Traceback" not in stderr


@pytest.mark.slow  # the script as a process: what a shell sees
def test_the_deployment_entry_point_as_a_process_prints_its_usage() -> None:
    result = subprocess.run([sys.executable, "flows/nightly.py"], cwd=ROOT, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.startswith("usage: python flows/nightly.py serve")


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("run", "--source", "bogus"), "unknown source bogus (known: arxiv, github, huggingface, collections, web, papers, scholar)"),
        (("run", "--source", "github", "--source", "gitlab"), "unknown source gitlab (known: arxiv, github, huggingface, collections, web, papers, scholar)"),
        (("run", "--task-runner", "spark"), "--task-runner spark: expected threads or dask"),
        (("run", "missing.md"), "missing.md: no such file"),
        (("demo", "--list", "missing.md"), "missing.md: no such file"),
    ],
)
def test_bad_run_arguments_fail_before_anything_starts(cli, tmp_path: Path, args: tuple[str, ...], says: str) -> None:  # type: ignore[no-untyped-def]
    """One line and exit 2, no flow run started (it would end Failed: exit 1), nothing created."""
    out, raw = tmp_path / "out", tmp_path / "raw"
    result = cli(*args, "--out", str(out), "--raw", str(raw))
    assert (result.returncode, result.stderr) == (2, f"error: {says}\n")
    assert list(tmp_path.iterdir()) == []


def test_a_list_that_cannot_be_read_leaves_no_empty_folder(fake: FakeAPI, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not found"):
        run("github:nobody/nothing/README.md", settings=fake.settings(), out_dir=tmp_path / "out",
            raw_root=tmp_path / "raw")
    assert not (tmp_path / "out").exists() and not (tmp_path / "raw").exists()


@pytest.mark.parametrize("command", ["parse", "snapshot", "run", "demo", "serve"])
def test_help_shows_the_list_source_syntax(cli, command: str) -> None:  # type: ignore[no-untyped-def]
    """Rich read "[@REF]" as a style tag and dropped it."""
    result = cli(command, "--help")
    assert result.returncode == 0 and "github:OWNER/REPO/PATH[@REF]" in result.stdout


# -- list sources (23) --------------------------------------------------------------------------

@pytest.fixture
def list_url(tmp_path: Path) -> Iterator[str]:
    """The bundled list served over HTTP by a local server (an https URL is read the same way)."""
    folder = tmp_path / "site"
    folder.mkdir()
    (folder / "list.md").write_bytes(BUNDLED.read_bytes())
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(SimpleHTTPRequestHandler, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/list.md"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("kind", ["path", "url", "github"])
def test_parse_and_snapshot_read_every_list_source(cli, fake: FakeAPI, list_url: str, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                   monkeypatch: pytest.MonkeyPatch, kind: str) -> None:
    monkeypatch.setenv("GITHUB_API_URL", fake.github_url)
    source = {"path": str(BUNDLED), "url": list_url, "github": GITHUB_LIST}[kind]
    parsed = cli("parse", source, "--json")
    assert parsed.returncode == 0, parsed.stderr
    assert json.loads(parsed.stdout)["source"] == source and len(json.loads(parsed.stdout)["entries"]) == 27
    written = cli("snapshot", source, "--out", str(tmp_path / "out"))
    assert written.returncode == 0, written.stderr
    latest = json.loads((tmp_path / "out/latest.json").read_text())
    as_given = os.path.relpath(source) if kind == "path" else source  # a path: relative to here
    assert latest["header"]["list_source"] == as_given and latest["header"]["entries"] == 27
    assert latest["header"]["list_title"] == "awesome-RLHF-language-models"


# -- snapshot never clobbers a dataset (20); published files readable (19); the lock (29) ---------

def enriched_folder(folder: Path) -> Path:
    from test_diff import repo, snap

    publish(snap([repo()]), folder)
    return folder


def test_snapshot_refuses_a_folder_holding_an_enriched_dataset(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = enriched_folder(tmp_path / "enriched")
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    result = cli("snapshot", str(BUNDLED), "--out", str(out))
    assert result.returncode == 2 and "holds an enriched dataset (1 entries enriched)" in result.stderr
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    again = cli("snapshot", str(BUNDLED), "--out", str(tmp_path / "plain"))
    assert again.returncode == 0
    assert cli("snapshot", str(BUNDLED), "--out", str(tmp_path / "plain")).returncode == 0  # unenriched: replaced


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o027, 0o640), (0o077, 0o600), (0o002, 0o664)])
def test_published_files_get_the_mode_the_umask_gives(cli, tmp_path: Path, umask: int, mode: int) -> None:  # type: ignore[no-untyped-def]
    """mkstemp made every published file 0600: no other user, no web server could read them."""
    previous = os.umask(umask)
    try:
        assert cli("snapshot", str(BUNDLED), "--out", str(tmp_path / "out")).returncode == 0
    finally:
        os.umask(previous)
    modes = {p.relative_to(tmp_path).as_posix(): p.stat().st_mode & 0o777 for p in tmp_path.rglob("*") if p.is_file()}
    assert "out/latest.json" in modes and set(modes.values()) == {mode}


def test_the_lock_is_beside_the_published_folder(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "enriched"
    assert cli("snapshot", str(BUNDLED), "--out", str(out)).returncode == 0
    assert not [p.name for p in out.iterdir() if p.name.startswith(".")]
    assert lock_path(out) == tmp_path / ".enriched.lock"
    with exclusive(out):
        held = cli("snapshot", str(BUNDLED), "--out", str(out))
    assert held.returncode == 1 and "is already writing here" in held.stderr


def test_the_bundled_list_shipped_in_the_package_is_the_checkouts() -> None:
    assert BUNDLED_LIST.is_file() and BUNDLED.resolve() != BUNDLED_LIST
    assert BUNDLED_LIST.read_bytes() == BUNDLED.read_bytes()


# -- history (24, 29) ---------------------------------------------------------------------------

@pytest.fixture
def renamed_history(tmp_path: Path) -> Path:
    """Two nights of an entry listed as lvwerra/trl, which GitHub now calls huggingface/trl."""
    from datetime import timedelta

    from test_diff import DAY1, repo, snap

    def listed(stars: int):  # type: ignore[no-untyped-def]
        entry = repo("lvwerra/trl", stars=stars)
        return entry.model_copy(update={"repo": entry.repo.model_copy(update={  # type: ignore[union-attr]
            "full_name": "huggingface/trl", "renamed_from": "lvwerra/trl",
            "html_url": "https://github.com/huggingface/trl"})})

    publish(snap([listed(18000)]), tmp_path / "out")
    publish(snap([listed(18042)], DAY1 + timedelta(days=1)), tmp_path / "out")
    return tmp_path / "out"


@pytest.mark.parametrize(
    "query",
    ["github:lvwerra/trl", "github:huggingface/trl", "huggingface/trl", "github:HuggingFace/TRL",
     "https://github.com/huggingface/trl", "https://github.com/lvwerra/trl", "https://github.com/lvwerra/trl/",
     "https://www.github.com/LVWERRA/trl"],
)
def test_history_finds_an_entry_by_id_name_or_url(cli, renamed_history: Path, query: str) -> None:  # type: ignore[no-untyped-def]
    result = cli("history", query, "--out", str(renamed_history), "--json")
    assert result.returncode == 0, result.stderr
    assert [(r["id"], r["stars"]) for r in json.loads(result.stdout)] == [
        ("github:lvwerra/trl", 18000), ("github:lvwerra/trl", 18042)]


@pytest.mark.parametrize("query", ["github:nobody/nothing", "https://github.com/nobody/nothing", "trl"])
def test_history_of_an_unknown_entry_is_one_line(cli, renamed_history: Path, query: str) -> None:  # type: ignore[no-untyped-def]
    result = cli("history", query, "--out", str(renamed_history))
    assert result.returncode == 2 and result.stderr == f"error: {query}: not in the history of {renamed_history}\n"


def test_history_table_never_cuts_column_names(cli, renamed_history: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("COLUMNS", "80")
    result = cli("history", "huggingface/trl", "--out", str(renamed_history))
    assert result.returncode == 0 and "…" not in result.stdout
    for column in ("status", "observed_at", "stars", "forks", "watchers", "open_issues", "commits_30d",
                   "commits_365d", "contributors"):
        first, *rest = column.split("_")
        assert (f"{first}_" if rest else first) in result.stdout and all(part in result.stdout for part in rest)
    assert "18042" in result.stdout and "2026-11-21 03:00" in result.stdout


def test_parse_json_lists_the_bundled_entries(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("parse", str(BUNDLED), "--json")
    assert result.returncode == 0, result.stderr
    entries = json.loads(result.stdout)["entries"]
    kinds = [e["kind"] for e in entries]
    assert (kinds.count("paper"), kinds.count("repo"), kinds.count("dataset"), kinds.count("web")) == (7, 7, 2, 11)
    course = next(e for e in entries if "deep-rl-course" in e["id"])
    assert course["kind"] == "web"


def test_parse_table(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("parse", str(BUNDLED))
    assert result.returncode == 0
    assert "github:lvwerra/trl" in result.stdout


def test_snapshot_writes_files(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli("snapshot", str(BUNDLED), "--out", str(tmp_path))
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
def test_bad_input_is_one_line_and_exit_2(cli, tmp_path: Path, make, message: str) -> None:  # type: ignore[no-untyped-def]
    """In this process; as a process, `test_rebuild_of_a_non_run_folder_is_one_line`."""
    path = make(tmp_path)
    result = cli("parse", str(path))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and message in result.stderr
    assert "Traceback" not in result.stderr


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


@pytest.mark.slow  # the one bad input run as a process: the line and the exit code a shell sees
def test_rebuild_of_a_non_run_folder_is_one_line(tmp_path: Path) -> None:
    result = enrich("rebuild", str(tmp_path))
    assert result.returncode == 2 and "not a raw run folder" in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


@pytest.mark.slow  # the first demo on Prefect's temporary server, as a user runs it (no server: no warning about one)
@pytest.mark.timeout(2 * DEMO_GUARD_SECONDS)  # two demos, and the session's Prefect API may start here
def test_demo_rebuild_and_demo_again(cli, shared_prefect_api: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The smoke test of the front door. `enrich demo` is the offline nightly job; `enrich
    rebuild` re-derives its snapshot byte for byte. Then the sample data changes (a star count,
    a new release, a new arXiv version, one more entry in the list) and `enrich demo` runs
    again: the changelog says exactly that. The first demo is a process on Prefect's temporary
    server; the second runs on the session's Prefect API (a temporary server is ~13 s of CPU);
    `rebuild` and `render`, which start no flow, run in this process."""
    out, raw = str(tmp_path / "out"), str(tmp_path / "raw")
    alone = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}  # as a user runs it
    first = enrich("demo", "--out", out, "--raw", raw, env=alone, timeout=DEMO_GUARD_SECONDS)
    assert first.returncode == 0, first.stderr
    # The fake GitHub allows what GitHub allows anonymously, as the demo's warning says; PyGithub's
    # "Following Github server redirection" (lvwerra/trl) is not printed, let alone twice.
    assert "limited to 60 an hour" in first.stderr and "of 60 left" in first.stdout
    assert "redirection" not in first.stdout + first.stderr
    # Issue 22, item 15: the warning once, no "EventsWorker: Still processing items" at exit, no
    # "wrote …" line per file; the summary ends with where to look.
    assert first.stderr.splitlines() == [
        "WARNING enrich.run.flow: no GITHUB_TOKEN: anonymous GitHub requests are limited to 60 an hour"]
    assert "wrote" not in first.stdout
    files = [p for p in (tmp_path / "out").rglob("*") if p.is_file()]  # the first run wrote every one
    assert first.stdout.splitlines()[-2:] == [f"published {len(files)} files to {out}", f"open {out}/index.html"]
    latest = json.loads((tmp_path / "out/latest.json").read_text())
    statuses = {e["id"]: e["status"] for e in latest["entries"]}
    assert statuses["github:lvwerra/trl"] == "ok" and statuses["https://carper.ai/"] == "skipped"
    (run_dir,) = (tmp_path / "raw").glob("2*")
    rebuilt = cli("rebuild", str(run_dir), "--out", str(tmp_path / "rebuilt"))
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

    second = enrich("demo", "--out", out, "--raw", raw, "--data", str(changed), "--list", str(new_list),
                    timeout=DEMO_GUARD_SECONDS)
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
                   "v1.9.0 → v1.10.0", "| huggingface/trl `github:lvwerra/trl` |", "| +42 |"):
        assert needle in changelog

    # The views show it too: the new entry marked, the stars' change, a sparkline of both runs;
    # and `enrich render` regenerates them from the published files alone, byte for byte.
    listing = (tmp_path / "out/list.md").read_text()
    assert "- **new** [RL4LMs paper](<https://arxiv.org/abs/2210.01241>)" in listing
    assert re.search(r"\(\+42 in [\d.]+ (second|minute)s?\)", listing) and "release v1.10.0" in listing
    report = (tmp_path / "out/index.html").read_text()
    table = report[report.index('<table id="entries">'):]
    row = table[table.index('<a href="https://github.com/huggingface/trl">'):]
    row = row[: row.index("</tr>")]
    assert "+42 in " in row and "<svg" not in row  # two runs: no trend drawn yet
    views = {name: (tmp_path / "out" / name).read_bytes() for name in ("list.md", "index.html")}
    rendered = cli("render", "--out", out)
    assert rendered.returncode == 0, rendered.stderr
    assert {name: (tmp_path / "out" / name).read_bytes() for name in views} == views


def test_what_the_summary_says_was_spent_is_what_the_window_lost(tmp_path: Path) -> None:
    """A fresh anonymous window of 60: what the run says it spent is what the window lost, cold
    and warm (the warm night's anonymous 304s are charged, as on GitHub)."""
    with FakeAPI(anonymous_limit=60) as fake:
        for night in range(2):
            fake.rate_used.clear()
            result = run(str(BUNDLED), settings=fake.settings(), out_dir=tmp_path / "out", raw_root=tmp_path / "raw",
                         sources=["github"])
            core = result.rate_limits["github.core"]
            assert (night, core["spent"]) == (night, core["limit"] - core["remaining"])  # type: ignore[operator]


# -- a configured Prefect server that is down (17) ----------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("configured", ["profile", "environment"])
def test_a_prefect_server_that_is_down_is_one_line(tmp_path: Path, configured: str) -> None:
    """The old README said `prefect config set PREFECT_API_URL=…`: saved in the profile, it outlives
    the server, and `enrich demo` crashed with 139 lines of "Failed to reach API"."""
    url = f"http://127.0.0.1:{free_port()}/api"  # nothing listens there
    env = {**os.environ, "PREFECT_HOME": str(tmp_path / "prefect-home")}
    if configured == "profile":
        subprocess.run([str(Path(sys.executable).parent / "prefect"), "config", "set", f"PREFECT_API_URL={url}"],
                       env=env, check=True, capture_output=True, timeout=120)
        advice = "`prefect config unset PREFECT_API_URL`"
    else:
        env["PREFECT_API_URL"] = url
        advice = "`unset PREFECT_API_URL`"
    result = enrich("demo", "--out", str(tmp_path / "out"), "--raw", str(tmp_path / "raw"), env=env,
                    timeout=DEMO_GUARD_SECONDS)
    assert result.returncode == 1
    (line,) = [x for x in result.stderr.splitlines() if not x.startswith("WARNING")]
    assert line.startswith(f"error: the Prefect server at {url} is not reachable") and advice in line
    assert not (tmp_path / "out").exists()


# -- SIGTERM and Ctrl-C while a request hangs (32) ------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize(("signum", "code", "prefect"), [(signal.SIGTERM, 143, "temporary"),
                                                        (signal.SIGINT, 130, "session")], ids=["TERM", "INT"])
def test_a_signal_ends_a_run_whose_request_hangs(request: pytest.FixtureRequest, tmp_path: Path, signum: int,
                                                 code: int, prefect: str) -> None:
    """Prefect 3.9 ignores the first SIGTERM while a task blocks: the run lived on for as long as
    its upstream hung. Now: exit at once with one line, nothing published, the lock released, no
    process left behind (Prefect's local API included: SIGTERM's run starts one, as a user's
    does; SIGINT's, the same exit path, runs on the session's Prefect API, ~13 s of CPU less)."""
    if prefect == "session":
        request.getfixturevalue("shared_prefect_api")
    listing = tmp_path / "list.md"
    listing.write_text("# Tools\n\n* [trl](https://github.com/huggingface/trl)\n")
    out = tmp_path / "out"
    with FakeAPI() as fake:
        fake.faults.append(Fault(r"^/github/repos/", status=HANG))  # accepts, never answers
        env = {**os.environ, **fake.environment(), "PREFECT_HOME": str(tmp_path / "prefect-home")}
        process = subprocess.Popen(
            [sys.executable, "-m", "enrich.cli", "run", str(listing), "--source", "github", "--out", str(out),
             "--raw", str(tmp_path / "raw")],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
        )
        try:
            deadline = time.monotonic() + 120
            while not any(e.status == HANG for e in fake.requests("github")):
                assert process.poll() is None and time.monotonic() < deadline, "the run never reached GitHub"
                time.sleep(0.2)
            process.send_signal(signum)
            _, stderr = process.communicate(timeout=60)  # the request still hangs: the fake holds it
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
        assert process.returncode == code
        name = signal.Signals(signum).name
        assert stderr.splitlines()[-1] == f"error: stopped by {name}: run abandoned, no file left half-written"
        assert "Traceback" not in stderr
        time.sleep(1)  # the process group (Prefect's local API was a child) must be empty
        with pytest.raises(ProcessLookupError):
            os.killpg(process.pid, 0)
    assert not out.exists()
    with exclusive(out):  # released
        pass


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["TERM", "INT"])
def test_a_signal_during_a_publish_waits_for_its_end(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                    signum: int) -> None:
    """A publish is whole or not begun: the signal reaches its handler after the last file."""
    from enrich.store import publish as publishing
    from test_diff import repo, snap

    seen: list[tuple[int, bool]] = []
    write = publishing.atomic_write_bytes

    def write_and_signal(path: Path, data: bytes) -> None:
        if path.parent.name == "snapshots" and path.suffix == ".json":  # the publish's first file
            os.kill(os.getpid(), signum)
        write(path, data)

    monkeypatch.setattr(publishing, "atomic_write_bytes", write_and_signal)
    previous = signal.signal(signum, lambda s, f: seen.append((s, (tmp_path / "out/latest.json").exists())))
    try:
        publish(snap([repo()]), tmp_path / "out")
    finally:
        signal.signal(signum, previous)
    assert seen == [(signum, True)]  # delivered once, after latest.json was written


def test_the_sandbox_command_prints_the_exports_and_refuses_a_busy_port(capsys: pytest.CaptureFixture[str]) -> None:
    from enrich.sandbox.__main__ import exports
    from enrich.sandbox.__main__ import main as sandbox

    with FakeAPI() as fake:
        port = fake.base_url.rsplit(":", 1)[1]
        assert exports(fake) == (f"export GITHUB_API_URL=http://127.0.0.1:{port}/github "
                                 f"ARXIV_API_URL=http://127.0.0.1:{port}/arxiv HF_ENDPOINT=http://127.0.0.1:{port}/hf")
        with pytest.raises(SystemExit) as exit_:
            sandbox(["--port", port])
    assert exit_.value.code == 2 and f"port {port}: Address already in use" in capsys.readouterr().err


# -- the package: a wheel with the list and the sample data; the demo from any folder (25) ------

@pytest.mark.slow  # its demo runs on the session's Prefect API (a temporary server: ~13 s of CPU more)
@pytest.mark.usefixtures("shared_prefect_api")
def test_the_wheel_runs_the_demo_from_another_folder(tmp_path: Path) -> None:
    """Built without the registry (the venv's setuptools), installed into a folder of its own, run
    from a folder that is not the checkout: the bundled list and the sample data are package data."""
    import shutil

    project = tmp_path / "project"
    shutil.copytree(ROOT / "src", project / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, project / name)
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
                            "-w", str(tmp_path / "dist"), str(project)], capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stdout + built.stderr
    assert "deprecated" not in built.stdout + built.stderr  # project.license as a TOML table was
    (wheel,) = (tmp_path / "dist").glob("enrich-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        metadata = archive.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
        assert archive.read("enrich/lists/awesome-rlhf-language-models.md") == BUNDLED.read_bytes()
    assert {"enrich/sandbox/sample/facts.json", "enrich/sandbox/sample/README.md", "enrich/py.typed",
            "enrich/sandbox/__main__.py"} <= names
    requires = [line.split(":", 1)[1].strip() for line in metadata.splitlines() if line.startswith("Requires-Dist:")]
    assert any(r.startswith("graphql-core") and "extra" not in r for r in requires)  # the demo's GraphQL fake
    assert "License-Expression: MIT" in metadata

    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "--target", str(site),
                    str(wheel)], check=True, capture_output=True, timeout=300)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(site)}
    where = subprocess.run([sys.executable, "-c", "import enrich; print(enrich.__file__)"], cwd=elsewhere, env=env,
                           capture_output=True, text=True, timeout=60)
    assert where.stdout.startswith(str(site))
    demo = enrich("demo", "--out", "out", "--raw", "raw", cwd=elsewhere, env=env, timeout=DEMO_GUARD_SECONDS)
    assert demo.returncode == 0, demo.stderr
    latest = json.loads((elsewhere / "out/latest.json").read_text())
    # Not a checkout: the list the package carries, named so (it was the site folder's absolute path).
    assert latest["header"]["entries"] == 27 and latest["header"]["list_source"] == "bundled:awesome-rlhf-language-models.md"
    assert {e["status"] for e in latest["entries"] if e["kind"] == "repo"} == {"ok"}


# -- what a new user still hits (issue 22: items 10, 11, 13-18, 22) ------------------------------

CHECKOUT_LIST = "data/raw/lists/awesome-rlhf-language-models.md"
BUNDLED_NAME = "bundled:awesome-rlhf-language-models.md"
MINE = (b"# My RLHF tools [![Awesome](https://awesome.re/badge.svg)](https://awesome.re)\n\n"
        b"* [trl](https://github.com/lvwerra/trl) - PPO for transformers.\n"
        b"* [hh-rlhf](https://huggingface.co/datasets/Anthropic/hh-rlhf) - preference data.\n")


def closed_url(path: str = "/list.md") -> str:
    """An address on this machine where nothing listens: a network that does not answer."""
    return f"http://127.0.0.1:{free_port()}{path}"


# 13: one rule for which list is read

@pytest.mark.parametrize(
    ("source", "start", "given"),
    [
        ("https://example.org/list.md", "work", "https://example.org/list.md"),
        ("github:jordimas/awesome-RLHF-language-models/README.md@main", "work",
         "github:jordimas/awesome-RLHF-language-models/README.md@main"),
        (BUNDLED_NAME, "work", BUNDLED_NAME),
        ("{tmp}/work/lists/mine.md", "work", "lists/mine.md"),  # absolute, under the start folder
        ("lists/../lists/mine.md", "work", "lists/mine.md"),
        ("{tmp}/elsewhere/mine.md", "work", "../elsewhere/mine.md"),  # outside it: relative all the same
        (str(BUNDLED_LIST), "work", BUNDLED_NAME),  # the package's copy, by its path
    ],
)
def test_the_list_is_named_as_given_never_by_this_machines_path(tmp_path: Path, source: str, start: str,
                                                                given: str) -> None:
    from enrich.sources.listfile import as_given

    assert as_given(source.format(tmp=tmp_path), tmp_path / start) == given


@pytest.mark.parametrize(("checkout", "expected"), [(True, CHECKOUT_LIST), (False, BUNDLED_NAME)])
def test_every_command_reads_one_list_when_none_is_named(cli, settings, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                       monkeypatch: pytest.MonkeyPatch, checkout: bool,
                                                       expected: str) -> None:
    """`run`, `demo`, `check`, `serve` and prefect.yaml's deployment read the same list: the
    checkout's data/raw/lists/… in a checkout (the file the README calls the list), else the copy
    bundled in the package. Today `run`, `demo` and `check` read the package's copy whatever the
    folder, `serve` and prefect.yaml the checkout's, as absolute and relative paths."""
    import yaml

    folder = tmp_path / "here"
    (folder / "data/raw/lists").mkdir(parents=True)
    if checkout:
        (folder / CHECKOUT_LIST).write_bytes(MINE)
    monkeypatch.chdir(folder)
    run(expected, settings=settings, out_dir=folder / "enriched", raw_root=folder / "raw", sources=["github"])
    read: dict[str, str] = {}
    monkeypatch.setattr("enrich.cli._run_flow", lambda ready, out, raw, sources, skip, *rest: read.update(
        {"demo" if skip else "run": ready[0]}))
    monkeypatch.setattr("enrich.run.flow.serve_nightly", lambda source, *rest: read.update(serve=source))
    for command in (["run", "--out", "out", "--raw", "raw"], ["demo", "--out", "out", "--raw", "raw"], ["serve"],
                    ["check", "--data", "enriched", "--format", "json", "--fail-on", "none"]):
        result = cli(*command)
        assert result.returncode == 0, (command, result.stderr)
        if command[0] == "check":
            read["check"] = json.loads(result.stdout)["list_source"]
    deployment = yaml.safe_load((ROOT / "prefect.yaml").read_text())["deployments"][0]["parameters"]
    read["prefect.yaml"] = deployment["list_source"] if checkout else expected  # it runs in the checkout
    assert read == dict.fromkeys(["run", "demo", "serve", "check", "prefect.yaml"], expected)


def test_serve_registers_the_paths_as_given(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """Served flow runs start in the folder `enrich serve` started in, as prefect.yaml's start in the
    checkout: the deployment's parameters are the paths as given, not made absolute."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "lists").mkdir()
    (tmp_path / "lists/mine.md").write_bytes(MINE)
    registered: list[tuple[str, ...]] = []
    monkeypatch.setattr("enrich.run.flow.serve_nightly", lambda *args: registered.append(args))
    result = cli("serve", "--list", str(tmp_path / "lists/mine.md"), "--out", "site/enriched", "--raw", "site/raw")
    assert result.returncode == 0, result.stderr
    assert registered == [("lists/mine.md", "site/enriched", "site/raw", "0 3 * * *")]


# 14: published views name the list as given and title it by its own H1

@pytest.mark.parametrize(
    ("markdown", "title"),
    [
        (MINE, "My RLHF tools"),  # the badge is not part of the name
        (b'<h1 align="center">Awesome <b>RLHF</b></h1>\n\n* [trl](https://github.com/lvwerra/trl)\n', "Awesome RLHF"),
        (b"# [Awesome RLHF](https://example.org)\n\n* [trl](https://github.com/lvwerra/trl)\n", "Awesome RLHF"),
        (b"Awesome RLHF\n============\n\n* [trl](https://github.com/lvwerra/trl)\n", "Awesome RLHF"),
        (b"## Tools\n\n* [trl](https://github.com/lvwerra/trl)\n", None),  # no H1: the views fall back
    ],
)
def test_the_snapshot_header_carries_the_lists_own_title(cli, tmp_path: Path, markdown: bytes,  # type: ignore[no-untyped-def]
                                                        title: str | None) -> None:
    (tmp_path / "list.md").write_bytes(markdown)
    assert cli("snapshot", str(tmp_path / "list.md"), "--out", str(tmp_path / "out")).returncode == 0
    assert json.loads((tmp_path / "out/latest.json").read_text())["header"]["list_title"] == title


@pytest.mark.slow  # runs `enrich run` as a process, on the session's Prefect API
@PREFECT_GROUP
@pytest.mark.usefixtures("shared_prefect_api")
def test_published_files_show_no_path_of_this_machine(tmp_path: Path) -> None:
    """index.html, list.md, the card, the feed, check.md… showed the list's absolute path (and so
    this machine's folders). A list given by its absolute path, from another folder: every published
    file names it relative to where the run started, and the header carries its H1."""
    work, lists = tmp_path / "work", tmp_path / "lists"
    work.mkdir()
    lists.mkdir()
    (lists / "mine.md").write_bytes(MINE)
    with FakeAPI() as fake:
        env = {**os.environ, **fake.environment()}
        result = enrich("run", str(lists / "mine.md"), "--out", str(work / "out"), "--raw", str(work / "raw"),
                        "--source", "github", "--source", "huggingface", cwd=work, env=env)
    assert result.returncode == 0, result.stderr
    published = [p for p in (work / "out").rglob("*") if p.is_file() and not p.name.startswith(".")]
    assert {"index.html", "list.md", "README.md", "feed.xml", "check.md", "croissant.json"} <= {p.name for p in published}
    leaking = [p.relative_to(work).as_posix() for p in published if str(tmp_path).encode() in p.read_bytes()]
    assert leaking == []
    header = json.loads((work / "out/latest.json").read_text())["header"]
    assert (header["list_source"], header["list_title"]) == ("../lists/mine.md", "My RLHF tools")


# 11: --write patches only a file the user named, never the package's

@pytest.mark.parametrize("named", [None, BUNDLED_NAME, str(BUNDLED_LIST)], ids=["no FILE", "bundled:", "its path"])
def test_check_fix_write_never_rewrites_the_bundled_list(cli, settings, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                        monkeypatch: pytest.MonkeyPatch, named: str | None) -> None:
    """`enrich check --fix --write` with no FILE rewrote the list inside the installed package."""
    monkeypatch.chdir(tmp_path)  # not a checkout: the list read by default is the bundled one
    run(str(BUNDLED_LIST), settings=settings, out_dir=tmp_path / "enriched", raw_root=tmp_path / "raw",
        sources=["github"])  # lvwerra/trl moved: there is a patch to write
    before = BUNDLED_LIST.read_bytes()
    try:
        result = cli("check", *([named] if named else []), "--data", "enriched", "--fix", "--write")
        after = BUNDLED_LIST.read_bytes()
    finally:
        if BUNDLED_LIST.read_bytes() != before:  # put the package back as it was
            BUNDLED_LIST.write_bytes(before)
    assert after == before
    assert result.returncode == 2 and result.stdout == ""
    says = ("--write patches the list file you name" if named is None
            else "the list bundled in the package is never rewritten")
    assert result.stderr.startswith("error: ") and says in result.stderr and result.stderr.count("\n") == 1
    shown = cli("check", *([named] if named else []), "--data", "enriched", "--fix")  # the patch, to copy
    assert shown.stdout.startswith("--- a/") and shown.stderr == (
        "1 link(s) rewritten; the list bundled in the package is never rewritten: check a copy of it\n")


# 18: --fix prints a patch git apply takes, whatever the path given

@pytest.mark.parametrize(
    ("cwd", "given", "apply_in"),
    [
        ("repo", "{abs}", "repo"),  # an absolute path under the current folder
        ("repo/lists", "list.md", "repo/lists"),
        ("repo/lists", "{abs}", "repo/lists"),
        ("repo/docs", "../lists/list.md", "repo"),  # above the current folder: the work tree's path
        ("elsewhere", "{abs}", "repo"),  # outside the current folder: the work tree's path
    ],
)
def test_check_fix_prints_a_patch_git_apply_takes(cli, settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
                                                 cwd: str, given: str, apply_in: str) -> None:
    """`--fix` on an absolute path wrote `--- a//home/…`, which `git apply` rejects."""
    repo = tmp_path / "repo"
    for folder in (repo / "lists", repo / "docs", tmp_path / "elsewhere"):
        folder.mkdir(parents=True)
    listed = repo / "lists/list.md"
    listed.write_bytes(BUNDLED.read_bytes())
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    run(str(listed), settings=settings, out_dir=tmp_path / "enriched", raw_root=tmp_path / "raw", sources=["github"])
    monkeypatch.chdir(tmp_path / cwd)
    result = cli("check", given.format(abs=listed), "--data", str(tmp_path / "enriched"), "--fix")
    assert result.returncode == 1, result.stderr  # the move is reported until it is written
    patch = result.stdout
    assert re.search(r"^--- a/(?!/)\S+$", patch, re.MULTILINE) and "/.." not in patch and "a//" not in patch
    if apply_in == "repo" and cwd != "repo":
        assert result.stderr.endswith(f"git apply the patch in {repo}\n")
    checked = subprocess.run(["git", "apply", "--check", "-"], cwd=tmp_path / apply_in, input=patch,
                             capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    subprocess.run(["git", "apply", "-"], cwd=tmp_path / apply_in, input=patch, text=True, check=True)
    assert listed.read_bytes() == BUNDLED.read_bytes().replace(b"github.com/lvwerra/trl ",
                                                               b"github.com/huggingface/trl ")


# 16: bad inputs fail before Prefect starts: one line, exit 2, nothing created

@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("run", "{closed}"), "{closed}: cannot be read (ConnectError)"),
        (("demo", "--list", "{closed}"), "{closed}: cannot be read (ConnectError)"),
        (("run", "bundled:nothing.md"), "bundled:nothing.md: no such bundled list"),
    ],
)
def test_an_unreachable_list_fails_before_anything_starts(cli, tmp_path: Path, args: tuple[str, ...],  # type: ignore[no-untyped-def]
                                                          says: str) -> None:
    closed = closed_url()
    out, raw = tmp_path / "out", tmp_path / "raw"
    result = cli(*[a.format(closed=closed) for a in args], "--out", str(out), "--raw", str(raw))
    assert result.returncode == 2 and result.stderr.startswith(f"error: {says.format(closed=closed)}")
    assert result.stderr.count("\n") == 1 and list(tmp_path.iterdir()) == []


def test_dask_without_its_extra_fails_before_anything_starts(cli, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("prefect_dask", "prefect_dask.task_runners"):  # as if the [dask] extra were not installed
        monkeypatch.setitem(sys.modules, name, None)
    result = cli("run", str(BUNDLED), "--task-runner", "dask", "--out", str(tmp_path / "out"),
                 "--raw", str(tmp_path / "raw"))
    assert (result.returncode, result.stderr) == (
        2, "error: --task-runner dask needs the [dask] extra (prefect-dask): pip install 'enrich[dask]'\n")
    assert list(tmp_path.iterdir()) == []


def _read_only_mount() -> Path | None:
    """A folder no one writes in, root included (sysfs), when this machine has one."""
    try:
        with tempfile.TemporaryFile(dir="/sys"):
            return None
    except OSError:
        return Path("/sys") if Path("/sys").is_dir() else None


@pytest.mark.parametrize("where", ["under a file", "read-only mount", "read-only folder"])
def test_an_output_folder_that_cannot_be_written_fails_before_anything_starts(  # type: ignore[no-untyped-def]
        cli, tmp_path: Path, where: str) -> None:
    if where == "under a file":
        (tmp_path / "file").write_text("x")
        out, says = tmp_path / "file/out", "is a file, not a folder"
    elif where == "read-only mount":
        mount = _read_only_mount()
        if mount is None:
            pytest.skip("no read-only mount here")
        out, says = mount / "enrich-out", f"cannot write in {mount}"
    else:
        if os.geteuid() == 0:
            pytest.skip("root writes in a folder whatever its mode (the read-only mount case covers root)")
        (tmp_path / "locked").mkdir(mode=0o555)
        out, says = tmp_path / "locked/out", f"cannot write in {tmp_path / 'locked'}"
    before = sorted(tmp_path.rglob("*"))
    result = cli("run", str(BUNDLED), "--out", str(out), "--raw", str(tmp_path / "raw"))
    assert result.returncode == 2 and result.stderr.startswith(f"error: {out}: ") and says in result.stderr
    assert result.stderr.count("\n") == 1 and sorted(tmp_path.rglob("*")) == before


# 10: publish with no network, or no token

def test_publish_without_a_token_asks_nothing_of_the_hub(cli, fake: FakeAPI, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_ENDPOINT", fake.hf_url)
    out = enriched_folder(tmp_path / "enriched")
    result = cli("publish", "--to", "enrich-bot/rlhf-enriched", "--data", str(out))
    assert result.returncode == 1 and result.stderr.count("\n") == 1
    assert result.stderr.startswith("error: no HF_TOKEN: the Hub takes uploads only with a token")
    assert fake.requests() == []


def test_publish_with_no_network_is_one_line(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """It was 102 lines and two tracebacks (huggingface_hub's transport error was not caught)."""
    endpoint = closed_url("")
    monkeypatch.setenv("HF_ENDPOINT", endpoint)
    monkeypatch.setenv("HF_TOKEN", "hf_fake_token_0123456789")
    out = enriched_folder(tmp_path / "enriched")
    result = cli("publish", "--to", "enrich-bot/rlhf-enriched", "--data", str(out))
    assert (result.returncode, result.stdout, result.stderr.count("\n")) == (1, "", 1), result.stderr
    assert result.stderr.startswith(
        f"error: upload to the Hub (enrich-bot/rlhf-enriched) failed: {endpoint} unreachable (ConnectError")
    assert "hf_fake_token" not in result.stderr


# 15: a run shows progress and one summary that ends with where to look

@pytest.mark.parametrize(
    ("logger", "level", "shown"),
    [
        ("enrich.run.flow", logging.WARNING, True),  # ours: no token, a source that failed
        ("enrich.sources.github.client", logging.INFO, False),
        ("EventsWorker", logging.WARNING, False),  # Prefect still sending its events at exit
        ("huggingface_hub.utils._http", logging.WARNING, False),  # one request retried
        ("urllib3.connectionpool", logging.WARNING, False),
        ("prefect.flow_runs", logging.ERROR, True),
    ],
)
def test_the_console_shows_our_warnings_and_only_errors_of_others(cli,  # type: ignore[no-untyped-def]
                                                                  monkeypatch: pytest.MonkeyPatch, logger: str,
                                                                  level: int, shown: bool) -> None:
    monkeypatch.delenv("ENRICH_LOG_LEVEL", raising=False)
    assert cli("--version").returncode == 0  # sets up the console as every command does
    assert console in logging.getLogger().handlers
    record = logging.getLogger(logger).makeRecord(logger, level, __file__, 1, "a line", (), None)
    assert (logging.getLogger(logger).isEnabledFor(level) and bool(console.filter(record))) is shown


def test_library_lines_are_printed_once() -> None:
    """PyGithub and huggingface_hub log through a handler of their own too: every line twice."""
    import enrich.run.flow  # noqa: F401

    assert logging.getLogger("github").handlers == [] and logging.getLogger("huggingface_hub").handlers == []


def test_the_summary_ends_with_where_to_look(capsys: pytest.CaptureFixture[str]) -> None:
    """20 "wrote …" lines pushed the summary off the screen; a night with many failures listed every
    entry. Now: counts, requests, what failed (ten entries at most), one line on what was
    published, and last where to look."""
    from enrich.cli import print_summary

    out = Path("nights/" + "a-long-folder-name/" * 5 + "enriched")  # longer than a terminal's line
    files = ["snapshots/2026-12-07.json", "diffs/2026-12-07.md", "README.md", "list.md", "index.html",
             "latest.parquet", "latest.json"]
    summary = {
        "run_id": "20261207T030000Z", "list_source": CHECKOUT_LIST, "list_sha256": "0" * 64, "entries": 27,
        "by_kind_status": {"repo": {"ok": 5, "stale": 2}, "web": {"ok": 8, "error": 12}},
        "requests": {"github": {"sent": 9, "not_modified": 0, "reused": 0}}, "rate_limits": {},
        "source_failures": {"web": "web failed: no answer"},
        "problems": {f"https://example.org/{n}": "error: unreachable" for n in range(14)},
        "published": [str(out / f) for f in files], "changes": None, "feed": None, "hub": None,
    }
    print_summary(summary, out)  # type: ignore[arg-type]
    lines = capsys.readouterr().out.splitlines()
    assert not [line for line in lines if line.startswith("wrote")]
    assert lines[-2:] == [f"published 7 files to {out}", f"open {out}/index.html"]
    assert len([line for line in lines if line.startswith("https://example.org/")]) == 10
    assert "… and 4 more stale or in error (the report lists them)" in lines
    assert "source web failed: web failed: no answer" in lines


@pytest.mark.slow  # runs `enrich run` as a process, on Prefect's temporary server (its stderr, whole)
def test_a_run_with_no_network_says_so_in_a_few_lines(tmp_path: Path) -> None:
    """Offline, a run printed 159 lines of retries (huggingface_hub's each twice, urllib3's) before
    its one-line refusal. Now: the bars, the no-token warning once, the refusal."""
    listing = tmp_path / "list.md"
    listing.write_bytes(MINE)
    down = closed_url("")
    env = {**os.environ, "GITHUB_API_URL": down, "HF_ENDPOINT": down, "ENRICH_HTTP_BACKOFF_SECONDS": "0.01"}
    result = enrich("run", str(listing), "--source", "github", "--source", "huggingface", "--out",
                    str(tmp_path / "out"), "--raw", str(tmp_path / "raw"), env=env)
    assert result.returncode == 1
    warning, error = result.stderr.splitlines()
    assert warning == "WARNING enrich.run.flow: no GITHUB_TOKEN: anonymous GitHub requests are limited to 60 an hour"
    assert error.startswith("error: run rejected, latest.* kept: 2 of 2 entries could not be fetched")


@pytest.mark.slow  # runs `enrich run` as a process, on the session's Prefect API
@PREFECT_GROUP
@pytest.mark.usefixtures("shared_prefect_api")
def test_quiet_prints_nothing_when_all_is_well(tmp_path: Path) -> None:
    """For cron: no bars, no summary, no warning; errors only (one line, as always)."""
    listing = tmp_path / "list.md"
    listing.write_bytes(MINE)
    with FakeAPI() as fake:
        env = {**os.environ, **fake.environment()}
        result = enrich("run", str(listing), "--quiet", "--source", "github", "--source", "huggingface", "--out",
                        str(tmp_path / "out"), "--raw", str(tmp_path / "raw"), env=env)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
    assert (tmp_path / "out/index.html").is_file()


# 22: a spent rate limit says so, and when it resets

@pytest.mark.parametrize(
    ("reset", "when"),
    [
        ("in 23 minutes", r"it resets at (\d\d:\d\d) UTC \(in 2[34] min\)"),
        ("1000000000000", "try again within the hour"),  # year 33658: not a reset GitHub sends
        ("-1", "try again within the hour"),
    ],
)
def test_a_spent_rate_limit_says_so_and_when_it_resets(cli, monkeypatch: pytest.MonkeyPatch, reset: str,  # type: ignore[no-untyped-def]
                                                       when: str) -> None:
    """It said "GitHub answered HTTP 403"."""
    with FakeAPI(anonymous_limit=60) as fake:
        fake.rate_used["core:anonymous"] = 60  # the anonymous hour is spent
        fake.rate_reset = int(time.time()) + 23 * 60 + 30 if reset.startswith("in ") else reset  # type: ignore[assignment]
        monkeypatch.setenv("GITHUB_API_URL", fake.github_url)
        result = cli("parse", GITHUB_LIST)
    assert result.returncode == 2 and result.stderr.count("\n") == 1
    match = re.fullmatch(
        rf"error: {re.escape(GITHUB_LIST)}: GitHub's rate limit is spent \(60 requests an hour\); {when}; "
        r"a token \(GITHUB_TOKEN\) allows 5,000 an hour\n", result.stderr)
    assert match, result.stderr
    if match.groups():
        assert match[1] == time.strftime("%H:%M", time.gmtime(int(fake.rate_reset)))


def test_the_command_reference_says_what_a_fresh_clone_needs() -> None:
    """A fresh clone's first `make` needs the package registries, and `make test` without
    ../shared skips ~80 tests: the docs said neither (issue 22, item 22)."""
    from docsite import docs_page, section

    targets = " ".join(section(docs_page("commands.md"), "## Make targets").split())
    for said in ("the first `make` of either needs the package registries", "PyPI", "npm",
                 "`../shared/`", "skips about 80 tests"):
        assert said in targets, said
