"""The Hub repository mirrors the published folder: a file swept locally (a report page no longer
needed, a view removed) is deleted on the Hub in the same commit as the night's new files; what
the project never uploads (dot paths such as the Hub's ``.gitattributes``, ``rejected/``) is
never deleted. The real huggingface_hub client against the fake Hub, over HTTP."""

from __future__ import annotations

from pathlib import Path

import huggingface_hub.constants
import pytest
from huggingface_hub import CommitOperationAdd, CommitOperationDelete, HfApi
from huggingface_hub.errors import HfHubHTTPError
from huggingface_hub.hf_api import RepoFile

from enrich.sandbox.server import FakeAPI
from enrich.store.hub import local_files, stays_local, upload
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


def test_a_page_swept_between_two_publishes_is_deleted_on_the_hub(fake: FakeAPI, tmp_path: Path) -> None:
    settings = fake.settings(allow_loopback=True, http_retries=0, hf_token=TOKEN, report_page_entries=10)
    out = tmp_path / "out"
    night(settings, out, tmp_path / "raw", NIGHT_1)
    assert {"pages/2.html", "pages/3.html"} <= set(local_files(out))  # 27 entries, 10 a page
    first = upload(out, REPO, settings)
    assert first.deleted == [] and hub_tree(fake) == {".gitattributes", *local_files(out)}

    (out / "pages/3.html").unlink()  # the list shrank: its last page is swept
    (out / "list.md").write_text("# the list, edited\n")  # and a file changed the same night
    second = upload(out, REPO, settings)
    assert second.error is None and second.deleted == ["pages/3.html"] and second.uploaded == ["list.md"]
    assert len(titles(fake)) == 3  # one commit: the change and the deletion together
    assert hub_tree(fake) == {".gitattributes", *local_files(out)}

    again = upload(out, REPO, settings)  # nothing left to do: no commit
    assert again.commit_oid is None and again.deleted == [] and len(titles(fake)) == 3


def test_what_the_project_never_uploads_is_never_deleted(fake: FakeAPI, tmp_path: Path) -> None:
    settings = fake.settings(allow_loopback=True, http_retries=0, hf_token=TOKEN)
    out = tmp_path / "out"
    night(settings, out, tmp_path / "raw", NIGHT_1)
    upload(out, REPO, settings)
    api = HfApi(endpoint=fake.hf_url, token=TOKEN)
    theirs = [".github/workflows/check.yml", "rejected/note.txt"]
    ours_once = ["views/removed.html"]  # a view the project no longer writes
    api.create_commit(REPO, [CommitOperationAdd(path_in_repo=n, path_or_fileobj=b"x") for n in theirs + ours_once],
                      commit_message="by hand", repo_type="dataset")  # fmt: skip
    result = upload(out, REPO, settings)
    assert result.deleted == ours_once and result.uploaded == []
    assert hub_tree(fake) == {".gitattributes", *theirs, *local_files(out)}


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
def test_the_fake_hub_answers_deletes_as_the_hub_does(fake: FakeAPI, operation: CommitOperationDelete,
                                                      status: int) -> None:
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
