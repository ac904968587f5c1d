"""The Hub repository keeps no page a reader can no longer reach: a report page swept locally
(the list shrank) is deleted on the Hub in the same commit as the night's new files. Nothing else
is ever deleted: what the project never uploads (dot paths such as the Hub's ``.gitattributes``,
``rejected/``), a file added by hand, and what a fresh folder lacks (the history published from
another machine). The real huggingface_hub client against the fake Hub, over HTTP."""

from __future__ import annotations

from pathlib import Path

import huggingface_hub.constants
import pytest
from huggingface_hub import CommitOperationAdd, CommitOperationDelete, HfApi
from huggingface_hub.errors import HfHubHTTPError
from huggingface_hub.hf_api import RepoFile

from enrich.sandbox.server import FakeAPI
from enrich.store import hub
from enrich.store.hub import local_files, stays_local, swept, upload
from enrich.views import report
from nights import NIGHT_1, night

REPO = "enrich-bot/rlhf-enriched"
TOKEN = "hf_fake_token_0123456789"


@pytest.fixture(autouse=True)
def lfs_not_xet(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_DISABLE_XET", True)


def hub_tree(fake: FakeAPI) -> set[str]:
    """The files of the repository's head, as the fake Hub lists them to huggingface_hub."""
    api = HfApi(endpoint=fake.hf_url, token=TOKEN)
    tree = api.list_repo_tree(REPO, repo_type="dataset", recursive=True)
    return {item.path for item in tree if isinstance(item, RepoFile)}


def titles(fake: FakeAPI) -> list[str]:
    repo = fake.hub.repo(REPO)
    return [c.title for c in repo.commits] if repo else []


def test_a_page_swept_between_two_publishes_is_deleted_on_the_hub(
    fake: FakeAPI, tmp_path: Path
) -> None:
    settings = fake.settings(
        allow_loopback=True, http_retries=0, hf_token=TOKEN, report_page_entries=10
    )
    out = tmp_path / "out"
    night(settings, out, tmp_path / "raw", NIGHT_1)
    assert {"pages/2.html", "pages/3.html"} <= set(local_files(out))  # 27 entries, 10 a page
    first = upload(out, REPO, settings)
    assert first.deleted == [] and hub_tree(fake) == {".gitattributes", *local_files(out)}

    (out / "pages/3.html").unlink()  # the list shrank: its last page is swept
    (out / "list.md").write_text("# the list, edited\n")  # and a file changed the same night
    second = upload(out, REPO, settings)
    assert (
        second.error is None
        and second.deleted == ["pages/3.html"]
        and second.uploaded == ["list.md"]
    )
    assert len(titles(fake)) == 3  # one commit: the change and the deletion together
    assert hub_tree(fake) == {".gitattributes", *local_files(out)}

    again = upload(out, REPO, settings)  # nothing left to do: no commit
    assert again.commit_oid is None and again.deleted == [] and len(titles(fake)) == 3


def test_only_report_pages_are_ever_deleted(fake: FakeAPI, tmp_path: Path) -> None:
    settings = fake.settings(allow_loopback=True, http_retries=0, hf_token=TOKEN)
    out = tmp_path / "out"
    night(settings, out, tmp_path / "raw", NIGHT_1)
    upload(out, REPO, settings)
    api = HfApi(endpoint=fake.hf_url, token=TOKEN)
    theirs = [".github/workflows/check.yml", "rejected/note.txt", "views/by-hand.html", "NOTES.md"]
    stale = ["pages/7.html"]  # a page of a longer list, published once
    api.create_commit(REPO, [CommitOperationAdd(path_in_repo=n, path_or_fileobj=b"x") for n in theirs + stale],
                      commit_message="by hand", repo_type="dataset")  # fmt: skip
    result = upload(out, REPO, settings)
    assert result.deleted == stale and result.uploaded == []
    assert hub_tree(fake) == {".gitattributes", *theirs, *local_files(out)}


def test_a_fresh_folder_never_wipes_what_was_published(fake: FakeAPI, tmp_path: Path) -> None:
    """A new machine starts from an empty output folder: its first upload adds tonight's files
    and deletes nothing of the history and snapshots another machine published."""
    settings = fake.settings(allow_loopback=True, http_retries=0, hf_token=TOKEN)
    night(settings, tmp_path / "old", tmp_path / "old-raw", NIGHT_1)
    upload(tmp_path / "old", REPO, settings)
    published = hub_tree(fake)
    fresh = tmp_path / "fresh"
    night(settings, fresh, tmp_path / "fresh-raw", NIGHT_1.replace(day=NIGHT_1.day + 1))
    result = upload(fresh, REPO, settings)
    assert result.error is None and result.deleted == []
    assert published - set(local_files(fresh)), "the old machine's files differ from the new one's"
    assert hub_tree(fake) >= published | set(local_files(fresh))


@pytest.mark.parametrize(
    ("name", "catalog", "deleted"),
    [
        ("pages/3.html", False, True),
        ("lists/rlhf/pages/12.html", True, True),  # each list's pages, in a catalog
        ("lists/rlhf/pages/12.html", False, False),  # a single list has no lists/ folder
        ("pages/0.html", False, False),  # never a page the report writes
        ("pages/notes.html", False, False),
        ("pages/2/x.html", False, False),
        ("index.html", False, False),  # rewritten every night, never missing
        ("snapshots/2026-11-25.parquet", False, False),  # pruned locally, kept on the Hub
        ("history/date=2026-11-25/part-0.parquet", False, False),
        ("catalog/history/memberships/date=2026-11-25/part-0.parquet", True, False),
        ("views/removed.html", False, False),
        (".pages/2.html", False, False),
    ],
    ids=lambda v: str(v),
)
def test_what_is_deleted_from_the_hub_when_the_folder_lacks_it(
    name: str, catalog: bool, deleted: bool
) -> None:
    assert swept(name, catalog=catalog) is deleted


def test_the_store_names_the_report_pages_folder_as_the_report_does() -> None:
    assert hub.PAGES == report.PAGES


@pytest.mark.parametrize(
    ("name", "catalog", "local"),
    [
        ("latest.parquet", False, False),
        ("pages/3.html", False, False),
        (".gitattributes", False, True),  # the Hub's: LFS patterns
        (".github/workflows/x.yml", False, True),
        ("history/.part-0.parquet.x.tmp", False, True),  # a temp file
        ("rejected/2026-11-25.json", False, True),  # the publish guard's, for the operator
        ("diffs/rejected/x.json", False, False),  # only the dataset's own rejected/ folder
        ("rejected", False, False),  # a file of that name is a file like another
        ("lists/rlhf/rejected/x.json", True, True),  # each list's, in a catalog
        ("lists/rlhf/rejected/x.json", False, False),  # a single list has no lists/ folder
        ("lists/rlhf/pages/2.html", True, False),
        ("catalog/lists.parquet", True, False),
    ],
    ids=lambda v: str(v),
)
def test_what_stays_local_and_so_is_never_deleted(name: str, catalog: bool, local: bool) -> None:
    assert stays_local(name, catalog=catalog) is local


@pytest.mark.parametrize(
    ("operation", "status"),
    [
        (CommitOperationDelete("a.txt"), 200),
        (CommitOperationDelete("missing.txt"), 404),
        (CommitOperationDelete("folder/", is_folder=True), 200),
        (CommitOperationDelete("nothing-here/", is_folder=True), 404),
    ],
    ids=["file", "absent-file", "folder", "absent-folder"],
)
def test_the_fake_hub_answers_deletes_as_the_hub_does(
    fake: FakeAPI, operation: CommitOperationDelete, status: int
) -> None:
    """``deletedFile``/``deletedFolder`` NDJSON lines; a path the head does not hold is refused
    with 404 EntryNotFound (huggingface_hub's ``delete_file`` documents EntryNotFoundError)."""
    api = HfApi(endpoint=fake.hf_url, token=TOKEN)
    api.create_repo(REPO, repo_type="dataset")
    files = ["a.txt", "folder/b.txt", "folder/sub/c.txt", "folder.txt"]
    api.create_commit(REPO, [CommitOperationAdd(path_in_repo=n, path_or_fileobj=n.encode()) for n in files],
                      commit_message="files", repo_type="dataset")  # fmt: skip
    if status == 404:
        with pytest.raises(HfHubHTTPError) as raised:
            api.create_commit(REPO, [operation], commit_message="delete", repo_type="dataset")
        assert raised.value.response.status_code == 404
        assert raised.value.response.headers["X-Error-Code"] == "EntryNotFound"
        assert hub_tree(fake) == {".gitattributes", *files}
        return
    api.create_commit(REPO, [operation], commit_message="delete", repo_type="dataset")
    gone = {n for n in files if n == operation.path_in_repo or n.startswith(operation.path_in_repo)}
    assert gone and hub_tree(fake) == {".gitattributes", *files} - gone
