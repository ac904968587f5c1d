"""Publishing to the Hub: the real huggingface_hub client against the fake Hub's commit
endpoints (create repo, preupload, LFS batch + upload + verify, NDJSON commit), over HTTP.

One commit per published run, holding only the files the Hub lacks; files downloaded back with
`hf_hub_download` are the local ones byte for byte; a failed upload loses nothing and is made
good by the next run.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import huggingface_hub.constants
import pytest
from huggingface_hub import HfApi, hf_hub_download
from huggingface_hub.errors import HfHubHTTPError

from enrich.core.errors import InputError, PublishError
from enrich.core.settings import Settings
from enrich.run.summary import hub_line, hub_summary, summary, summary_markdown
from enrich.run.upload import publish_to_hub
from enrich.sandbox.server import FakeAPI, Fault
from enrich.store.hub import HubUpload, check_repo_id, local_files, upload
from nights import LONGER_LIST, NIGHT_1, NIGHT_2, NIGHT_3, change_upstream, night

REPO = "enrich-bot/rlhf-enriched"
TOKEN = "hf_fake_token_0123456789"


@pytest.fixture(autouse=True)
def lfs_not_xet(monkeypatch: pytest.MonkeyPatch) -> None:
    """The fake Hub takes LFS uploads, not Xet (huggingface_hub read HF_HUB_DISABLE_XET when it
    was imported, before this test)."""
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_DISABLE_XET", True)


@pytest.fixture
def hub_settings(fake: FakeAPI) -> Settings:
    return fake.settings(allow_loopback=True, http_retries=0, hf_token=TOKEN)


def hub_requests(fake: FakeAPI, since: int = 0) -> list[tuple[str, str]]:
    """(method, path without query) of the Hub's write-side requests, from ``since``."""
    return [(e.method, e.path.split("?")[0]) for e in fake.requests("hf")[since:]
            if "/resolve/" not in e.path]  # fmt: skip


def downloaded(fake: FakeAPI, name: str, cache: Path) -> bytes:
    path = hf_hub_download(REPO, name, repo_type="dataset", endpoint=fake.hf_url, cache_dir=cache,
                           token=TOKEN)  # fmt: skip
    return Path(path).read_bytes()


def commits(fake: FakeAPI) -> list[str]:
    repo = fake.hub.repo(REPO)
    return [c.title for c in repo.commits] if repo else []


def test_two_nights_two_commits_only_what_changed(fake: FakeAPI, hub_settings: Settings, extra_data: Path,
                                                  tmp_path: Path) -> None:
    out, raw = tmp_path / "out", tmp_path / "raw"
    first = night(hub_settings, out, raw, NIGHT_1, publish_repo=REPO)
    assert first.hub is not None and first.hub.error is None, first.hub
    assert commits(fake) == ["initial commit", "enrich 2026-11-25: 27 entries (16 ok, 11 skipped), first snapshot"]
    assert sorted(first.hub.uploaded) == sorted(local_files(out))
    marker = len(fake.requests("hf"))

    change_upstream(extra_data)
    second = night(hub_settings, out, raw, NIGHT_2, LONGER_LIST, publish_repo=REPO)
    assert second.hub is not None and second.hub.error is None
    assert commits(fake)[2] == "enrich 2026-11-26: 28 entries (17 ok, 11 skipped); 1 added, 1 new_release"
    sent = set(second.hub.uploaded)
    # Night 1's dated files are on the Hub already, as is everything that did not change.
    assert sent == {
        "README.md", "croissant.json", "feed.xml", "latest.json", "latest.parquet",
        "external.parquet",  # the external code repositories, of the night (its header)
        "links.json", "links.parquet",  # the graph, with the run's header
        "snapshots/2026-11-26.json", "snapshots/2026-11-26.parquet",
        "diffs/2026-11-26.json", "diffs/2026-11-26.md", "history/date=2026-11-26/part-0.parquet",
        "check.json", "check.md",  # the nightly check of the list, which changed
        "index.html", "list.md",  # the views people read
        "diffs/runs/20261126T030000000000Z.json", "diffs/runs/20261126T030000000000Z.md",  # every run keeps its own
    }
    assert second.hub.unchanged == len(local_files(out)) - len(sent)
    # Only new LFS objects are sent: latest.parquet and the day's snapshot are one object.
    puts = [path for method, path in hub_requests(fake, marker) if method == "PUT"]
    new_objects = {hashlib.sha256((out / n).read_bytes()).hexdigest() for n in sent if n.endswith(".parquet")}
    assert {p.rsplit("/", 1)[-1] for p in puts} == new_objects
    # What the Hub serves is the folder, byte for byte.
    cache = tmp_path / "hf-cache"
    for name, path in local_files(out).items():
        assert downloaded(fake, name, cache) == path.read_bytes(), name
    # The commit holds the day's changelog; the card on the Hub names its repository.
    description = fake.hub.repo(REPO).commits[-1].description  # type: ignore[union-attr]
    assert description == (out / "diffs/2026-11-26.md").read_text()
    assert f'load_dataset("{REPO}", split="train")' in (out / "README.md").read_text()


def test_request_counts_of_a_first_and_an_unchanged_publish(fake: FakeAPI, hub_settings: Settings,
                                                            tmp_path: Path) -> None:
    out = tmp_path / "out"
    night(hub_settings, out, tmp_path / "raw", NIGHT_1)
    upload(out, REPO, hub_settings)
    first = hub_requests(fake)
    lfs = [n for n in local_files(out) if n.endswith(".parquet")]
    assert [m for m, p in first if m == "PUT"] == ["PUT"] * len(lfs)  # one per LFS file
    assert sum(1 for _, p in first if p.endswith("/commit/main")) == 1
    marker = len(fake.requests("hf"))
    again = upload(out, REPO, hub_settings)
    assert again.commit_url is None and again.uploaded == [] and again.unchanged == len(local_files(out))
    # Nothing changed: the repository (409, it exists), its head, its tree; no commit.
    assert [(m, p.replace(f"/hf/api/datasets/{REPO}", "…")) for m, p in hub_requests(fake, marker)] == [
        ("POST", "/hf/api/repos/create"), ("GET", "…"), ("GET", f"…/tree/{fake.hub.repo(REPO).head.oid}"),  # type: ignore[union-attr]
    ]
    assert len(commits(fake)) == 2


def test_a_failed_upload_loses_nothing_and_the_next_run_makes_it_good(fake: FakeAPI, hub_settings: Settings,
                                                                      tmp_path: Path) -> None:
    out, raw = tmp_path / "out", tmp_path / "raw"
    fake.faults.append(Fault(r"/commit/", status=500, body=b'{"error": "Internal Error"}'))
    failed = night(hub_settings, out, raw, NIGHT_1, publish_repo=REPO)
    assert failed.hub is not None and failed.hub.error and "500" in failed.hub.error
    assert TOKEN not in failed.hub.error
    assert (out / "latest.json").is_file()  # the local dataset is published all the same
    assert commits(fake) == ["initial commit"]
    report = summary(failed)
    assert report["hub"] and report["hub"]["error"] and "next run retries" in summary_markdown(failed)
    before = {n: p.read_bytes() for n, p in local_files(out).items()}

    fake.faults.clear()
    retried = night(hub_settings, out, raw, NIGHT_2, publish_repo=REPO)
    assert retried.hub is not None and retried.hub.error is None
    assert "snapshots/2026-11-25.json" in retried.hub.uploaded  # what the failed night left unsent
    assert all(n in local_files(out) for n in before)
    cache = tmp_path / "hf-cache"
    assert downloaded(fake, "snapshots/2026-11-25.parquet", cache) == before["snapshots/2026-11-25.parquet"]


def test_a_repository_changed_meanwhile_is_not_overwritten(fake: FakeAPI, hub_settings: Settings,
                                                           tmp_path: Path) -> None:
    out = tmp_path / "out"
    night(hub_settings, out, tmp_path / "raw", NIGHT_1, publish_repo=REPO)
    api = HfApi(endpoint=fake.hf_url, token=TOKEN)
    # Someone edits the card on the Hub; our next upload starts from their commit.
    api.upload_file(path_or_fileobj=b"---\nlicense: mit\n---\nedited\n", path_in_repo="README.md",
                    repo_id=REPO, repo_type="dataset", commit_message="edit the card")  # fmt: skip
    third = night(hub_settings, out, tmp_path / "raw", NIGHT_3, publish_repo=REPO)
    assert third.hub is not None and third.hub.error is None and "README.md" in third.hub.uploaded
    assert commits(fake)[-2:] == ["edit the card", commits(fake)[-1]]
    assert fake.hub.repo(REPO).commits[-1].parent == fake.hub.repo(REPO).commits[-2].oid  # type: ignore[union-attr]


def test_a_stale_parent_commit_is_refused_with_412(fake: FakeAPI) -> None:
    api = HfApi(endpoint=fake.hf_url, token=TOKEN)
    api.create_repo(REPO, repo_type="dataset")
    stale = api.repo_info(REPO, repo_type="dataset").sha
    api.upload_file(path_or_fileobj=b"a", path_in_repo="a.txt", repo_id=REPO, repo_type="dataset")
    with pytest.raises(HfHubHTTPError) as raised:
        api.upload_file(path_or_fileobj=b"b", path_in_repo="b.txt", repo_id=REPO, repo_type="dataset",
                        parent_commit=stale)  # fmt: skip
    assert raised.value.response.status_code == 412
    assert [c for c in commits(fake) if c.startswith("Upload")] == ["Upload a.txt with huggingface_hub"]


def test_publish_command_function(fake: FakeAPI, hub_settings: Settings, tmp_path: Path) -> None:
    out = tmp_path / "out"
    night(hub_settings, out, tmp_path / "raw", NIGHT_1)
    result = publish_to_hub(out, REPO, hub_settings)
    assert result.commit_url and result.commit_url.startswith(f"{fake.hf_url}/datasets/{REPO}/commit/")
    with pytest.raises(InputError, match="no published dataset"):
        publish_to_hub(tmp_path / "empty", REPO, hub_settings)


COMMIT = "https://huggingface.co/datasets/o/n/commit/abc123"


@pytest.mark.parametrize(
    ("upload_", "line"),
    [
        (HubUpload("o/n", commit_url=COMMIT, uploaded=["list.md"], unchanged=40),
         f"Hub o/n: 1 files uploaded (40 unchanged) in {COMMIT}"),
        (HubUpload("o/n", commit_url=COMMIT, uploaded=["list.md"], unchanged=40, deleted=["pages/3.html"]),
         f"Hub o/n: 1 files uploaded (40 unchanged), 1 deleted (pages/3.html) in {COMMIT}"),
        (HubUpload("o/n", commit_url=COMMIT, unchanged=41, deleted=["pages/2.html", "pages/3.html"]),
         f"Hub o/n: 0 files uploaded (41 unchanged), 2 deleted (pages/2.html, pages/3.html) in {COMMIT}"),
        (HubUpload("o/n", commit_url=COMMIT, unchanged=9, deleted=[f"pages/{n}.html" for n in range(2, 9)]),
         f"Hub o/n: 0 files uploaded (9 unchanged), 7 deleted (pages/2.html, pages/3.html, pages/4.html, "
         f"pages/5.html, pages/6.html, … 2 more) in {COMMIT}"),
        (HubUpload("o/n", unchanged=41), "Hub o/n: up to date (41 files), no commit"),
        (HubUpload("o/n", error="503 Service Unavailable"),
         "Hub o/n: not uploaded, the next run retries (503 Service Unavailable)"),
    ],
    ids=["uploaded", "a-page-deleted", "only-deletions", "many-deleted-five-named", "up-to-date", "failed"],
)
def test_the_upload_line_says_what_was_sent_and_what_was_deleted(upload_: HubUpload, line: str) -> None:
    assert hub_line(hub_summary(upload_)) == line


def test_a_run_that_swept_a_report_page_says_it_deleted_it_on_the_hub(fake: FakeAPI, tmp_path: Path) -> None:
    """Night 1 publishes 27 entries in 3 report pages of 10; night 2 shows 20 a page, its run
    sweeps pages/3.html and its upload deletes it on the Hub: the run's summary, its Markdown and
    the CLI line say so."""
    out, raw = tmp_path / "out", tmp_path / "raw"
    paged = {"allow_loopback": True, "http_retries": 0, "hf_token": TOKEN}
    first = night(fake.settings(**paged, report_page_entries=10), out, raw, NIGHT_1, publish_repo=REPO)
    assert first.hub is not None and first.hub.deleted == [] and "pages/3.html" in first.hub.uploaded
    second = night(fake.settings(**paged, report_page_entries=20), out, raw, NIGHT_2, publish_repo=REPO)
    assert second.hub is not None and second.hub.error is None and second.hub.deleted == ["pages/3.html"]
    said = summary(second)["hub"]
    assert said is not None and said["deleted"] == ["pages/3.html"]
    assert ", 1 deleted (pages/3.html) in " in hub_line(said)
    assert ", 1 deleted (`pages/3.html`), [commit](<" in summary_markdown(second)


@pytest.mark.parametrize("repo_id", ["noslash", "a/b/c", "../x", "a/", "/b", "a b/c", "a/b--c", "a/" + "n" * 97])
def test_bad_repository_ids_are_input_errors(repo_id: str) -> None:
    with pytest.raises(InputError, match="not a Hub repository id"):
        check_repo_id(repo_id)


@pytest.mark.slow  # runs `enrich` as a process
@pytest.mark.parametrize(
    ("args", "message"),
    [(["--to", "not a repo"], "not a Hub repository id"), (["--to", "o/n", "--data", "missing"], "no published dataset")],
)
def test_publish_command_bad_input_is_one_line_and_exit_2(args: list[str], message: str, tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "enrich.cli", "publish", *args], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode == 2 and message in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_without_a_token_nothing_is_asked_of_the_hub(fake: FakeAPI, tmp_path: Path) -> None:
    """The Hub takes no anonymous upload: without a token the upload says so before any request
    (it used to ask, and report the Hub's 401)."""
    settings = fake.settings(allow_loopback=True, http_retries=0)
    out = tmp_path / "out"
    night(settings, out, tmp_path / "raw", NIGHT_1)
    asked = len(fake.requests())
    with pytest.raises(PublishError, match=r"^no HF_TOKEN: the Hub takes uploads only with a token"):
        upload(out, REPO, settings)
    assert fake.hub.repo(REPO) is None and len(fake.requests()) == asked


def test_local_only_files_stay_local(tmp_path: Path) -> None:
    for name in ("latest.parquet", "README.md", ".lock", ".latest.json.abc.tmp", "rejected/x.json",
                 "history/date=2026-11-25/part-0.parquet", "history/.part-0.parquet.x.tmp"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"x")
    assert list(local_files(tmp_path)) == ["README.md", "history/date=2026-11-25/part-0.parquet", "latest.parquet"]

