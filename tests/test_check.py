"""`enrich check`: what a maintainer is told about the list, and the patch that fixes what can be
fixed, from what the nightly runs published. Runs go through the real job against the local fake
API (sample data); the finding rules are tables over hand-built snapshots."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple

import pytest

from builders import entry_for
from conftest import BUNDLED, run, write_json
from enrich.core.assemble import assemble
from enrich.core.check import FindingKind, Report, Rules, Run, apply, check, render, unified_diff
from enrich.core.errors import InputError
from enrich.core.links import Kind
from enrich.core.listing import ParsedList, parse_list
from enrich.core.model import Entry, Redirect, Repo, Snapshot, Status, WebPage
from enrich.core.settings import Settings
from enrich.run.check import check_list, fix_list
from enrich.run.job import RunResult
from enrich.sandbox.sample import sample_data_dir
from enrich.sandbox.server import FakeAPI
from shared_data import REAL_LISTS as REAL_LISTS_DIR
from shared_data import SHARED, parsed_real_list, real_list_bytes

HISTORY = SHARED / "seed-data/lists/history"
REAL = REAL_LISTS_DIR
NIGHT1 = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)
NO_WEB = {"web": "offline: web pages are not fetched"}


def nightly(list_file: Path, settings: Settings, tmp_path: Path, night: int, **options: Any) -> RunResult:
    """One nightly run of the real job, ``night`` days after the first."""
    return run(str(list_file), settings=settings, out_dir=tmp_path / "enriched", raw_root=tmp_path / "raw",
               now=NIGHT1 + timedelta(days=night), **options)


def kinds(report: Report) -> list[tuple[str, str, list[int]]]:
    return [(f.kind.value, f.id, f.lines) for f in report.findings]


def changed_lines(before: bytes, after: bytes) -> list[int]:
    old, new = before.decode("utf-8").split("\n"), after.decode("utf-8").split("\n")
    assert len(old) == len(new)
    return [n for n, (a, b) in enumerate(zip(old, new, strict=True), 1) if a != b]


# -- the first list's real history -----------------------------------------------------------

@pytest.mark.skipif(not HISTORY.is_dir(), reason=f"{HISTORY} is not here: the list's real history "
                    "(../shared/seed-data) is read in place, never copied")
def test_real_history_reports_the_trl_rename_and_patches_that_line_only(settings: Settings, tmp_path: Path) -> None:
    """Each of the list's 15 real versions: every version that links lvwerra/trl is told it
    moved to huggingface/trl, on its line, and the patch rewrites that line only.

    One night publishes a dataset of every version's entries (the versions one after another,
    a list made for the test), and each version is checked against it (`check_list`, what
    ``enrich check`` runs): the question is each version's report, which a night of that
    version alone would give from the same records. That the nightly run writes the report
    `check_list` gives is `test_nightly_run_writes_the_report_beside_the_dataset`'s."""
    versions = sorted(HISTORY.glob("[0-9][0-9]-*.md"))
    assert len(versions) == 15
    with pytest.raises(InputError, match="has no links"):  # the first commit: a title, no links yet
        nightly(versions[0], settings, tmp_path, 0, skip=NO_WEB)
    every = tmp_path / "every-version.md"
    every.write_bytes(b"\n".join(v.read_bytes() for v in versions[1:]))
    nightly(every, settings, tmp_path, 0, skip=NO_WEB)
    for version in versions[1:]:
        data = version.read_bytes()
        report = check_list(data, version.name, tmp_path / "enriched", settings)
        trl = [n for n, text in enumerate(data.decode().split("\n"), 1) if "github.com/lvwerra/trl" in text]
        moved = [(f.id, f.lines, f.new_url) for f in report.findings if f.kind == FindingKind.MOVED]
        assert moved == ([("github:lvwerra/trl", trl, "https://github.com/huggingface/trl")] if trl else []), version.name
        patched = apply(data, report.rewrites())
        assert changed_lines(data, patched) == trl, version.name
        assert patched == data.replace(b"https://github.com/lvwerra/trl ", b"https://github.com/huggingface/trl ")
        assert report.count(FindingKind.DEAD) == 0, version.name  # every repository and dataset is there
        assert report.checked == report.entries and not report.not_in_dataset, version.name


# -- nights of the real job: archived, a page going 404, redirects, duplicates -----------------

def test_repo_made_archived_is_unmaintained(extra_data: Path, settings: Settings, tmp_path: Path) -> None:
    before = nightly(BUNDLED, settings, tmp_path, 0, skip=NO_WEB).check
    assert before is not None and [f for f in before.findings if f.id == "github:lucidrains/palm-rlhf-pytorch"] == []
    repo = json.loads((sample_data_dir() / "github/repos/lucidrains/PaLM-rlhf-pytorch.json").read_text())
    write_json(extra_data / "github/repos/lucidrains/PaLM-rlhf-pytorch.json", {**repo, "archived": True})
    report = nightly(BUNDLED, settings, tmp_path, 1, skip=NO_WEB).check
    assert report is not None
    (archived,) = [f for f in report.findings if f.id == "github:lucidrains/palm-rlhf-pytorch"]
    assert (archived.kind, archived.lines) == (FindingKind.UNMAINTAINED, [60])
    assert archived.message.startswith("archived on GitHub")


def web_list(tmp_path: Path, fake: FakeAPI, *paths: str) -> Path:
    """A list of the fake's pages, one per line (line n+2 links paths[n])."""
    lines = ["# Pages", "", *(f"* [{p}]({fake.base_url}/pages/{p}) - a page" for p in paths), ""]
    path = tmp_path / "pages.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def test_page_that_starts_answering_404_is_flaky_then_dead(fake: FakeAPI, extra_data: Path, settings: Settings,
                                                          tmp_path: Path) -> None:
    page = extra_data / "web/going.html"
    page.parent.mkdir(parents=True)
    page.write_text("<html><head><title>Going</title></head></html>")
    listed = web_list(tmp_path, fake, "going", "ok")
    first = nightly(listed, settings, tmp_path, 0).check
    assert first is not None and first.findings == []
    page.unlink()
    seen = []
    for night in (1, 2, 3, 4):
        report = nightly(listed, settings, tmp_path, night).check
        assert report is not None
        seen += [(f.kind.value, f.runs, f.lines) for f in report.findings]
    n = settings.check_dead_after_runs
    assert seen == [("flaky", k, [3]) for k in range(1, n)] + [("dead", k, [3]) for k in range(n, 5)]
    assert "broken link: HTTP 404" in report.findings[0].message
    assert apply(listed.read_bytes(), report.rewrites()) == listed.read_bytes()  # dead links are never deleted


@pytest.mark.parametrize(
    ("path", "moved_to"),
    [
        ("moved", "ok"),  # 301
        ("308/ok", "ok"),  # 308: permanent too
        ("301/302/ok", "302/ok"),  # permanent, then temporary: the list follows the permanent part
        ("302/ok", None),  # temporary: the link stays
        ("303/ok", None),
        ("307/ok", None),
        ("ok", None),
    ],
)
def test_permanent_redirects_are_moves_and_patched(path: str, moved_to: str | None, fake: FakeAPI,
                                                   settings: Settings, tmp_path: Path) -> None:
    listed = web_list(tmp_path, fake, "ok", path) if path != "ok" else web_list(tmp_path, fake, "ok")
    report = nightly(listed, settings, tmp_path, 0).check
    assert report is not None
    moved = [f for f in report.findings if f.kind == FindingKind.MOVED]
    if moved_to is None:
        assert moved == []
        return
    (finding,) = moved
    target = f"{fake.base_url}/pages/{moved_to}"
    assert (finding.lines, finding.new_url) == ([4], target)
    patched = apply(listed.read_bytes(), report.rewrites())
    assert changed_lines(listed.read_bytes(), patched) == [4]
    assert patched.decode().split("\n")[3] == f"* [{path}]({target}) - a page"


@pytest.fixture
def tls(fake: FakeAPI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeAPI:
    """The fake's pages answer https:// on the same port too, under a test CA the web client
    trusts (``SSL_CERT_FILE``, which httpx reads)."""
    import ssl

    import trustme

    ca = trustme.CA()
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(server)
    fake.tls = server
    ca.cert_pem.write_to_path(str(tmp_path / "ca.pem"))
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "ca.pem"))
    return fake


@pytest.mark.parametrize(
    ("https_page", "probe", "moved"),
    [
        (None, True, True),  # https serves the very same bytes: the link may be https://
        ("<html><head><title>RLHF &amp; friends</title></head><body>hi again</body></html>", True, True),  # same title, same place
        ("<html><head><title>Welcome to nginx</title></head></html>", True, False),  # another site on https
        (None, False, False),  # ENRICH_WEB_PROBE_HTTPS=false: not asked
    ],
)
def test_http_link_whose_https_is_the_same_page(https_page: str | None, probe: bool, moved: bool, tls: FakeAPI,
                                                 extra_data: Path, settings: Settings, tmp_path: Path) -> None:
    (extra_data / "web/https").mkdir(parents=True)
    (extra_data / "web/page.html").write_text("<html><head><title>RLHF &amp; friends</title></head><body>hi</body></html>")
    if https_page is not None:
        (extra_data / "web/https/page.html").write_text(https_page)
    listed = web_list(tmp_path, tls, "page")
    result = nightly(listed, settings.model_copy(update={"web_probe_https": probe}), tmp_path, 0)
    (page,) = [e.web for e in result.snapshot.entries]
    assert page is not None and page.https_equivalent is (moved if probe else None)
    assert len(tls.requests("pages")) == (2 if probe else 1)  # the probe is one request more
    report = result.check
    assert report is not None
    patched = apply(listed.read_bytes(), report.rewrites())
    expected = listed.read_bytes().replace(b"(http://", b"(https://") if moved else listed.read_bytes()
    assert patched == expected


def test_https_probe_goes_through_the_address_checks(fake: FakeAPI, settings: Settings, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """The probe is a request of its own: its host is resolved and checked again, and a name that
    now points at the metadata address is refused, not asked."""
    import socket

    from conftest import fetch_source
    from enrich.store.raw import RawStore

    answers = iter(["127.0.0.1", "169.254.169.254"])
    real = socket.getaddrinfo

    def rebinding(host: str, *args: object, **kwargs: object) -> list[tuple[object, ...]]:
        if host != "rebind.example":
            return real(host, *args, **kwargs)  # type: ignore[arg-type]
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (next(answers), 0))]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    url = f"http://rebind.example:{fake.base_url.rsplit(':', 1)[1]}/pages/ok"
    (listed,) = parse_list(f"* {url}\n".encode(), "x").entries
    store = RawStore(tmp_path / "raw" / "run")
    (outcome,) = fetch_source("web", [listed], settings, store).values()
    assert outcome.status == Status.OK and outcome.record.https_equivalent is False
    (doc,) = store.documents("web")
    assert "non-public address" in doc["https_probe"]["error"] and len(fake.requests("pages")) == 1


DUPLICATES = [
    # (list lines, duplicate findings as (id, lines))
    (["* [HH](https://arxiv.org/abs/2204.05862)", "* [HH pdf](https://arxiv.org/pdf/2204.05862v2.pdf)"],
     [("arxiv:2204.05862", [1, 2])]),
    (["* [HH](https://arxiv.org/abs/2204.05862) ([pdf](https://arxiv.org/pdf/2204.05862.pdf))"], []),  # one item
    (["* https://github.com/lvwerra/trl", "* https://github.com/huggingface/trl"],
     [("github:lvwerra/trl", [1, 2])]),  # one repository id under two names
    (["* https://github.com/CarperAI/trlx", "* https://github.com/carperai/trlx/"], [("github:carperai/trlx", [1, 2])]),
    (["* [HH](https://arxiv.org/abs/2204.05862)", "* [HH on the Hub](https://huggingface.co/papers/2204.05862)"],
     [("arxiv:2204.05862", [1, 2])]),
    (["* [HH](https://arxiv.org/abs/2204.05862)", "* [other](https://huggingface.co/papers/2302.07459)"], []),
]


@pytest.mark.parametrize(("lines", "expected"), DUPLICATES)
def test_duplicates(lines: list[str], expected: list[tuple[str, list[int]]], settings: Settings, tmp_path: Path) -> None:
    listed = tmp_path / "list.md"
    listed.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = nightly(listed, settings, tmp_path, 0, skip=NO_WEB).check
    assert report is not None
    assert [(f.id, f.lines) for f in report.findings if f.kind == FindingKind.DUPLICATE] == expected


# -- the rules, over hand-built snapshots ------------------------------------------------------

def entry(url: str, *, status: Status = Status.OK, reason: str | None = None, line: int = 1, **record: Any) -> Entry:
    parsed = parse_list(f"* {url}\n".encode(), "x")
    (listed,) = parsed.entries
    positions = [p.model_copy(update={"line": line}) for p in listed.positions]
    return entry_for(url, positions=positions, status=status, status_reason=reason, **record)


def trl_repo(**changes: Any) -> Repo:
    values: dict[str, Any] = dict(repo_id=266404863, full_name="huggingface/trl", html_url="https://github.com/huggingface/trl",
                                  stars=1, forks=1, watchers=1, open_issues=1, last_commit_at=NIGHT1 - timedelta(days=3))
    return Repo(**{**values, **changes})


def snapshot_of(*entries: Entry) -> Snapshot:
    return assemble(list(entries), generated_at=NIGHT1, run_id="r", list_source="list.md", list_sha256="0" * 64)


RULES = Rules(dead_after_runs=3, stale_after_runs=3, unmaintained_days=365)
TRL = "https://github.com/lvwerra/trl"
PAGE = "https://example.org/page"
OLD = "http://example.org/old"


@pytest.mark.parametrize(
    ("url", "facts", "runs", "expected"),
    [
        # dead, flaky: the API's "not found" at once; a web 404 / no DNS after three runs in a row
        (TRL, dict(status=Status.ERROR, reason="not found on GitHub (deleted or private)"), [], ("dead", 1)),
        ("https://huggingface.co/datasets/acme/gone", dict(status=Status.ERROR, reason="not found on the Hub (deleted or private)"), [], ("dead", 1)),
        (PAGE, dict(status=Status.STALE, reason="broken link: HTTP 404"), [], ("flaky", 1)),
        (PAGE, dict(status=Status.STALE, reason="broken link: HTTP 410"), [Run("stale", "broken link: HTTP 410")], ("flaky", 2)),
        (PAGE, dict(status=Status.ERROR, reason="host does not resolve ([Errno -2] Name or service not known)"),
         [Run("error", "host does not resolve (x)")] * 2, ("dead", 3)),
        (PAGE, dict(status=Status.STALE, reason="broken link: HTTP 404"),
         [Run("stale", "GitHub kept failing"), Run("stale", "broken link: HTTP 404")], ("flaky", 1)),  # not in a row
        (PAGE, dict(status=Status.STALE, reason="broken link: HTTP 404"), [None, Run("stale", "broken link: HTTP 404")], ("flaky", 1)),
        (PAGE, dict(status=Status.ERROR, reason="broken link: HTTP 500"), [], None),  # a server error is not gone
        ("https://arxiv.org/abs/2303.03378", dict(status=Status.ERROR, reason="unknown to arXiv (not returned in 3 tries)"), [], ("flaky", 1)),
        # stale: more than three runs without fresh values
        (TRL, dict(status=Status.STALE, reason="GitHub kept failing: too many 503 error responses", repo=trl_repo(),
                   stale_since=NIGHT1 - timedelta(days=4)), [Run("stale")] * 3, ("stale", 4)),
        (TRL, dict(status=Status.STALE, reason="GitHub kept failing", repo=trl_repo()), [Run("stale")] * 2, None),
        (PAGE, dict(status=Status.ERROR, reason="timed out"), [Run("error")] * 5, ("stale", 6)),
        # unmaintained
        (TRL, dict(repo=trl_repo(full_name="lvwerra/trl", archived=True)), [], ("unmaintained", None)),
        (TRL, dict(repo=trl_repo(full_name="lvwerra/trl", last_commit_at=NIGHT1 - timedelta(days=400))), [], ("unmaintained", None)),
        (TRL, dict(repo=trl_repo(full_name="lvwerra/trl", last_commit_at=NIGHT1 - timedelta(days=300))), [], None),
        # moved
        (TRL, dict(repo=trl_repo(renamed_from="lvwerra/trl")), [], ("moved", None)),
        (PAGE, dict(web=WebPage(final_url=PAGE + "/", http_status=200, redirects=[Redirect(status=301, url=PAGE)])), [], ("moved", None)),
        (PAGE, dict(web=WebPage(final_url=PAGE + "/", http_status=200, redirects=[Redirect(status=302, url=PAGE)])), [], None),
        (OLD, dict(web=WebPage(final_url=OLD, http_status=200, https_equivalent=True)), [], ("moved", None)),
        (OLD, dict(web=WebPage(final_url=OLD, http_status=200, https_equivalent=False)), [], None),
        (OLD, dict(web=WebPage(final_url=OLD, http_status=200)), [], None),  # not probed
    ],
)
def test_finding_rules(url: str, facts: dict[str, Any], runs: list[Run | None], expected: tuple[str, int | None] | None) -> None:
    listed = entry(url, **facts)
    data = f"* {url}\n".encode()
    history = [Run(listed.status.value, listed.status_reason), *runs]
    report = check(data, "list.md", snapshot_of(listed), {listed.id: history}, RULES)
    found = [(f.kind.value, f.runs) for f in report.findings]
    assert found == ([expected] if expected else [])


@pytest.mark.parametrize(
    ("written", "target", "rewritten", "not_fixed"),
    [
        ("[trl](https://github.com/lvwerra/trl)", "huggingface/trl", "[trl](https://github.com/huggingface/trl)", None),
        ("https://github.com/lvwerra/trl.", "huggingface/trl", "https://github.com/huggingface/trl.", None),
        ("[examples](https://github.com/lvwerra/trl/tree/main/examples#ppo)", "huggingface/trl",
         "[examples](https://github.com/huggingface/trl/tree/main/examples#ppo)", None),
        ("[https://github.com/lvwerra/trl](https://github.com/lvwerra/trl) and https://github.com/lvwerra/trlx",
         "huggingface/trl", "[https://github.com/huggingface/trl](https://github.com/huggingface/trl) and https://github.com/lvwerra/trlx", None),
        ("<https://github.com/lvwerra/trl.git>", "huggingface/trl", "<https://github.com/huggingface/trl.git>", None),
        ("[trl][1]\n\n\n\n\n\n[1]: https://github.com/lvwerra/trl", "huggingface/trl", None, "not written out on line 3"),
    ],
)
def test_rename_patch_is_byte_exact(written: str, target: str, rewritten: str | None, not_fixed: str | None) -> None:
    data = f"# Tools\r\n\r\n{written}\r\nunrelated https://github.com/lvwerra/trl-other line\r\n".encode()
    listed = next(e for e in parse_list(data, "x").entries if e.id == "github:lvwerra/trl")
    known = listed.model_copy(update={"status": Status.OK, "repo": trl_repo(full_name=target, renamed_from="lvwerra/trl")})
    report = check(data, "list.md", snapshot_of(known), {}, RULES)
    (moved,) = report.findings
    patched = apply(data, report.rewrites())
    if rewritten is None:
        assert patched == data and not_fixed and not_fixed in (moved.not_fixed or "")
        return
    assert patched == data.replace(written.encode(), rewritten.encode())
    assert [r.line for r in moved.fix] == [3]


def test_bare_domain_in_prose_is_not_an_entry_so_never_rewritten() -> None:
    """``Socket.IO`` in a description is prose (GitHub autolinks only http(s):// and www.): it
    is no entry, so the check has nothing on it to rewrite."""
    data = b"- [flask-socketio](https://example.org/fs) - Socket.IO integration for Flask.\n"
    (listed,) = parse_list(data, "x").entries
    assert listed.url == "https://example.org/fs"
    known = listed.model_copy(update={"status": Status.OK, "web": WebPage(final_url=listed.url, http_status=200)})
    assert check(data, "list.md", snapshot_of(known), {}, RULES).findings == []


def test_unified_diff_applies_with_git(tmp_path: Path) -> None:
    """The printed diff is a real patch: `git apply` takes it and makes the patched file."""
    import subprocess

    before = BUNDLED.read_bytes()
    after = before.replace(b"github.com/lvwerra/trl ", b"github.com/huggingface/trl ")
    (tmp_path / "list.md").write_bytes(before)
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    patch = unified_diff(before, after, "list.md")
    assert patch.count("\n-") == 1 and patch.count("\n+") == 2  # the +++ header and one line
    subprocess.run(["git", "apply", "-"], cwd=tmp_path, input=patch.encode(), check=True)
    assert (tmp_path / "list.md").read_bytes() == after


# -- --fix on real lists: only the reported lines change ------------------------------------

REAL_LISTS = sorted(p.name for p in REAL.glob("*.md") if p.name != "README.md") if REAL.is_dir() else []
# The fast loop asks the lists under 64 KB (a dozen, of every style); `make test` sweeps all of
# them (the larger ones are 5 MB of the 5.5, ~90 % of this test's time).
FAST_LIST_BYTES = 64_000


def real_list_param(name: str) -> Any:
    large = (REAL / name).stat().st_size > FAST_LIST_BYTES
    return pytest.param(name, marks=pytest.mark.slow) if large else name


def everything_moved(parsed: ParsedList) -> Snapshot:
    """A made-up night (test data, not facts) in which every listed repository was renamed
    (``owner/repo`` -> ``owner-moved/repo``), every https page redirected permanently to
    ``…/moved`` and every http page served the same over https."""
    entries = []
    for n, e in enumerate(parsed.entries):
        update: dict[str, Any] = {"status": Status.OK}
        if e.kind == Kind.REPO:
            owner, repo = e.source_id.split("/")
            update["repo"] = Repo(repo_id=n, full_name=f"{owner}-moved/{repo}",
                                  renamed_from=e.source_id, html_url="", stars=0, forks=0, watchers=0, open_issues=0)
        elif e.kind == Kind.WEB and e.url.lower().startswith("https://"):
            target = e.url.split("#")[0].rstrip("/") + "/moved"
            update["web"] = WebPage(final_url=target, http_status=200, redirects=[Redirect(status=301, url=e.url)])
        elif e.kind == Kind.WEB:
            update["web"] = WebPage(final_url=e.url, http_status=200, https_equivalent=True)
        entries.append(e.model_copy(update=update))
    return snapshot_of(*entries)


@pytest.mark.skipif(not REAL_LISTS, reason=f"{REAL} is not here: the real lists (../shared/lists/real) are read in place")
@pytest.mark.parametrize("name", [real_list_param(n) for n in REAL_LISTS])
def test_fix_on_real_lists_changes_only_the_lines_it_reports(name: str) -> None:
    # The list is parsed once (per process) for the made-up night, the check (which takes the
    # parse its caller holds, as `check_list` passes the run's) and the count before the patch.
    data, before = real_list_bytes(name), parsed_real_list(name)
    report = check(data, name, everything_moved(before), {}, RULES, parsed=before)
    patched = apply(data, report.rewrites())
    reported = {r.line for r in report.rewrites()}
    changed = set(changed_lines(data, patched))
    assert changed == reported and changed
    old_lines, new_lines = data.decode().split("\n"), patched.decode().split("\n")
    urls: dict[int, set[str]] = {}
    for r in report.rewrites():
        urls.setdefault(r.line, set()).update((r.old, r.new))
    for number in reported:  # each changed line is its old text with the URLs swapped, nothing else
        assert skeleton(old_lines[number - 1], urls[number]) == skeleton(new_lines[number - 1], urls[number])
    after = parse_list(patched, name)
    assert sum(len(e.positions) for e in after.entries) == sum(len(e.positions) for e in before.entries)
    moved = [f for f in report.findings if f.kind == FindingKind.MOVED]
    unfixed = [f for f in moved if not f.fix]
    assert len(unfixed) <= len(moved) // 20, [(f.url, f.not_fixed) for f in unfixed][:5]  # reference links only


def skeleton(line: str, urls: set[str]) -> str:
    """The line with each of ``urls`` (longest first) replaced by one placeholder."""
    return re.sub("|".join(re.escape(u) for u in sorted(urls, key=len, reverse=True)), "\0", line)


# -- GitHub Actions annotations, read back by the runner's own rules ---------------------------

def parse_workflow_command(line: str) -> tuple[str, dict[str, str], str] | None:
    """The Actions runner's reading of a log line (ActionCommand.TryParseV2, actions/runner):
    ``::name k=v,k=v::data``; property values unescape %0D %0A %3A %2C then %25, the data
    %0D %0A then %25."""
    line = line.lstrip()
    if not line.startswith("::"):
        return None
    end = line.find("::", 2)
    if end < 0:
        return None
    info = line[2:end]
    name, _, props = info.partition(" ")
    properties: dict[str, str] = {}
    for item in [p for p in props.strip().split(",") if p]:
        key, eq, value = item.partition("=")
        if eq and key and value:
            for escaped, char in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
                value = value.replace(escaped, char)
            properties[key] = value
    data = line[end + 2:]
    for escaped, char in (("%0D", "\r"), ("%0A", "\n"), ("%25", "%")):
        data = data.replace(escaped, char)
    return name, properties, data


@pytest.mark.parametrize(
    ("file", "url"),
    [
        ("README.md", "https://github.com/lvwerra/trl"),
        ("docs/lists/a,b:c.md", "https://github.com/lvwerra/trl"),
        ("100%.md", "https://example.org/a%2Cb?x=1,y=2::z%0A"),
    ],
)
def test_github_annotations_read_back_as_written(file: str, url: str) -> None:
    finding_url = url
    data = f"# x\n\n* {finding_url}\n".encode()
    (listed,) = parse_list(data, "x").entries
    facts = listed.model_copy(update={"status": Status.ERROR, "status_reason": "not found on GitHub (deleted or private)\nsecond line"})
    report = check(data, file, snapshot_of(facts), {}, RULES)
    lines = render.github(report, file).splitlines()
    commands = [parse_workflow_command(line) for line in lines]
    assert commands[-1] is None  # the summary is a plain log line
    (command,) = commands[:-1]
    assert command is not None
    name, properties, message = command
    assert (name, properties) == ("error", {"file": file, "line": "3", "title": "enrich check: dead"})
    assert message == f"{report.findings[0].url}: {report.findings[0].message}"
    assert "\n" in message and len(lines) == 2  # a newline in a reason stays inside its command


def test_markdown_report_escapes_list_text() -> None:
    data = b"* [x](https://github.com/lvwerra/trl)\n"
    (listed,) = parse_list(data, "x").entries
    facts = listed.model_copy(update={"status": Status.ERROR, "status_reason": "not found on GitHub <img src=x> [a](b)"})
    text = render.markdown(check(data, "x.md", snapshot_of(facts), {}, RULES))
    assert "<img" not in text and "[a](b)" not in text


# -- the nightly run and the command ----------------------------------------------------------

def test_nightly_run_writes_the_report_beside_the_dataset(settings: Settings, tmp_path: Path) -> None:
    result = nightly(BUNDLED, settings, tmp_path, 0, skip=NO_WEB)
    out = tmp_path / "enriched"
    assert {out / "check.md", out / "check.json"} <= set(result.published)
    stored = Report.model_validate_json((out / "check.json").read_text())
    assert stored == result.check == check_list(BUNDLED.read_bytes(), str(BUNDLED), out, settings)
    assert "lvwerra/trl is now huggingface/trl" in (out / "check.md").read_text()


def test_a_dataset_of_another_list_is_refused(settings: Settings, tmp_path: Path) -> None:
    nightly(BUNDLED, settings, tmp_path, 0, skip=NO_WEB)
    other = b"* [trl](https://example.org/not-in-that-dataset)\n"
    with pytest.raises(InputError, match="has none of the entries of other"):
        check_list(other, "other.md", tmp_path / "enriched", settings)


def test_fix_write_replaces_the_file_and_refuses_a_changed_one(settings: Settings, tmp_path: Path) -> None:
    listed = tmp_path / "list.md"
    listed.write_bytes(BUNDLED.read_bytes())
    nightly(listed, settings, tmp_path, 0, skip=NO_WEB)
    report = check_list(listed.read_bytes(), str(listed), tmp_path / "enriched", settings)
    fixed = fix_list(listed, listed.read_bytes(), report, write=True)
    assert fixed.written and listed.read_bytes() == fixed.patched
    assert changed_lines(BUNDLED.read_bytes(), listed.read_bytes()) == [59]
    listed.write_bytes(BUNDLED.read_bytes() + b"\n")
    with pytest.raises(InputError, match="changed while it was checked"):
        fix_list(listed, BUNDLED.read_bytes(), report, write=True)


@pytest.fixture
def enrich_check(capsys: pytest.CaptureFixture[str]) -> Iterator[Callable[..., Result]]:
    """`enrich check ARGS…` in this process (what the `enrich` script calls): exit code, stdout,
    stderr."""
    import logging
    import os

    from enrich.cli import _console, main

    saved = dict(os.environ)

    def invoke(*args: str) -> Result:
        with pytest.raises(SystemExit) as exit_:
            main(["check", *args])
        out, err = capsys.readouterr()
        code = exit_.value.code
        return Result(code if isinstance(code, int) else (0 if code is None else 1), out, err)

    yield invoke
    os.environ.clear()
    os.environ.update(saved)
    logging.getLogger().removeHandler(_console)  # main() put it there


class Result(NamedTuple):
    returncode: int
    stdout: str
    stderr: str


def test_command_after_a_run(enrich_check: Callable[..., Result], settings: Settings, tmp_path: Path,
                             monkeypatch: pytest.MonkeyPatch) -> None:
    """The acceptance: `enrich check LIST` names the trl rename with its line, `--fix` prints the
    one-line diff, `--fix --write` applies it, and the exit codes tell CI what to do. (The command
    in this process; `test_the_command_as_a_process` runs it as CI does.)"""
    monkeypatch.chdir(tmp_path)
    listed = tmp_path / "README.md"
    listed.write_bytes(BUNDLED.read_bytes())
    missing = enrich_check("README.md", "--data", "enriched")
    assert missing.returncode == 2 and missing.stderr.count("\n") == 1 and "run" in missing.stderr
    nightly(listed, settings, tmp_path, 0, skip=NO_WEB)

    report = enrich_check("README.md", "--data", "enriched")
    assert report.returncode == 1, report.stderr
    assert "line 59: `https://github.com/lvwerra/trl` — GitHub repository moved: lvwerra/trl is now huggingface/trl" in report.stdout
    assert enrich_check("README.md", "--data", "enriched", "--fail-on", "dead").returncode == 0

    diff = enrich_check("README.md", "--data", "enriched", "--fix")
    removed = [line for line in diff.stdout.splitlines() if line.startswith("-") and not line.startswith("---")]
    added = [line for line in diff.stdout.splitlines() if line.startswith("+") and not line.startswith("+++")]
    assert removed == ["-* https://github.com/lvwerra/trl -  train transformer language models with Proximal Policy "
                       "Optimization (PPO). The library is built on top of the transformers library by hugs Hugging Face."]
    assert added == [removed[0].replace("-* https://github.com/lvwerra/trl", "+* https://github.com/huggingface/trl")]
    assert listed.read_bytes() == BUNDLED.read_bytes()  # --fix alone writes nothing

    annotations = enrich_check("README.md", "--data", "enriched", "--format", "github")
    commands = [parse_workflow_command(line) for line in annotations.stdout.splitlines()]
    assert ("warning", {"file": "README.md", "line": "59", "title": "enrich check: moved"}) in [c[:2] for c in commands if c]
    as_json = json.loads(enrich_check("README.md", "--data", "enriched", "--format", "json").stdout)
    assert [f["fix"] for f in as_json["findings"] if f["kind"] == "moved"] == [
        [{"line": 59, "old": "https://github.com/lvwerra/trl", "new": "https://github.com/huggingface/trl"}]]

    written = enrich_check("README.md", "--data", "enriched", "--fix", "--write")
    assert written.returncode == 0, written.stderr  # the move is fixed; nothing else fails by default
    assert changed_lines(BUNDLED.read_bytes(), listed.read_bytes()) == [59]
    again = enrich_check("README.md", "--data", "enriched")  # the dataset still knows the old name only
    assert again.returncode == 0 and "1 added since that run, not checked" in again.stdout


@pytest.mark.slow  # runs `enrich` as a process
def test_the_command_as_a_process(settings: Settings, tmp_path: Path) -> None:
    """What only a process shows: the exit code CI reads (1: a finding at or above --fail-on),
    the report on stdout and nothing on stderr. (Each exit code and output of the command:
    `test_command_after_a_run`.)"""
    import subprocess
    import sys

    listed = tmp_path / "README.md"
    listed.write_bytes(BUNDLED.read_bytes())
    nightly(listed, settings, tmp_path, 0, skip=NO_WEB)
    report = subprocess.run([sys.executable, "-m", "enrich.cli", "check", "README.md", "--data", "enriched"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert (report.returncode, report.stderr) == (1, "")
    assert "line 59: `https://github.com/lvwerra/trl` — GitHub repository moved: lvwerra/trl is now huggingface/trl" in report.stdout
