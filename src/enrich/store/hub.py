"""Publishing the dataset folder to a Hugging Face Hub dataset repository, in one commit.

::

    create_repo(exist_ok=True)        the repository, once (an existing one is left as it is)
    repo_info                         its head commit: the parent of ours
    list_repo_tree(recursive)         what the Hub holds: each file's git blob id, LFS sha256
    create_commit(parent_commit=…)    the files that differ, nothing else: preupload (regular
                                      or LFS), LFS batch + upload of new objects, the commit,
                                      which also deletes the files the folder no longer has

What is uploaded is decided by comparing the folder with the repository's files, not by a
record kept beside the dataset: a run whose upload failed leaves nothing to repair, and the
next one uploads whatever the Hub still lacks. History partitions and snapshots of earlier days
are already there, byte for byte, so they are never sent again. Nothing here writes to the
folder; the caller holds its lock, so no file changes while it is read. A catalog's folder
(``lists/<slug>/`` per list, ``catalog/``, its card) is uploaded the same way, in one commit
(`upload_catalog`). Files whose names start with a dot (the lock, temp files) and the publish
guard's ``rejected/`` stay local.

A report page the folder no longer has (``pages/N.html``, swept when a list shrank: the
report's pages are rewritten every night) is deleted on the Hub in the same commit, so no page
a reader can no longer reach stays published. Nothing else is ever deleted: a snapshot or a
history day the local retention removed, a file someone added by hand, or a whole history when
the run starts from an empty folder (a new machine) stays on the Hub. Deleting only what the
project rewrites every night is what keeps a lost or fresh folder from wiping what was
published.

The commit names its parent, so a repository changed by someone else in between refuses the
commit (412) instead of having its change silently overwritten; the next run starts from it.
Errors are translated into `PublishError` with one line; the token is never in a message.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow.parquet as pq

from enrich.core.errors import InputError, PublishError
from enrich.core.model import Header, utc_date
from enrich.core.settings import Settings

if TYPE_CHECKING:
    from huggingface_hub import HfApi
    from huggingface_hub.hf_api import RepoFile

logger = logging.getLogger(__name__)

REPO_TYPE = "dataset"
_REPO_ID = re.compile(r"[A-Za-z0-9][\w.-]{0,95}/[A-Za-z0-9][\w.-]{0,95}")
# Kept out of the upload: the publish guard's refused runs are for the operator.
LOCAL_ONLY = ("rejected",)
PAGES = "pages"  # the report's later pages: views.report.PAGES (store imports no view)
_PAGE = re.compile(r"[1-9][0-9]*\.html")
# A commit description is shown on the Hub next to the commit; the changelog is cut there.
MAX_DESCRIPTION = 20_000
# A catalog's summary line names the lists not published; hundreds would be no line.
MAX_SUMMARY = 300
# What makes an output folder a catalog's (`enrich.store.catalog`).
CATALOG = "catalog/lists.parquet"


@dataclass
class HubUpload:
    """What a publish did: the commit (None when the Hub already held every file) and which
    files it sent; ``error`` when it failed (the local dataset is untouched either way)."""

    repo_id: str
    repo_url: str | None = None  # the repository's page, e.g. https://huggingface.co/datasets/…
    commit_url: str | None = None
    commit_oid: str | None = None
    uploaded: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)  # on the Hub, no longer in the folder
    unchanged: int = 0
    error: str | None = None


def check_repo_id(repo_id: str) -> str:
    if not _REPO_ID.fullmatch(repo_id) or ".." in repo_id or "--" in repo_id:
        raise InputError(f"{repo_id!r}: not a Hub repository id (expected OWNER/NAME)")
    return repo_id


def local_files(out_dir: Path) -> dict[str, Path]:
    """The dataset's files by their path in the repository, sorted. A catalog's folder (`CATALOG`)
    holds a dataset per list under ``lists/<slug>/``: each one's local files stay local too."""
    catalog = (out_dir / CATALOG).is_file()
    files: dict[str, Path] = {}
    for path in sorted(out_dir.rglob("*")):
        relative = path.relative_to(out_dir).as_posix()
        if path.is_file() and not stays_local(relative, catalog=catalog):
            files[relative] = path
    return files


def stays_local(name: str, *, catalog: bool) -> bool:
    """Whether a path of the folder is never uploaded (and so, on the Hub, never ours to delete):
    a dot path (the lock, temp files; ``.gitattributes`` on the Hub) or a file under a
    `LOCAL_ONLY` folder of the dataset (of each list's, in a catalog)."""
    parts = name.split("/")
    if any(p.startswith(".") for p in parts):
        return True
    inside = parts[2:] if catalog and parts[0] == "lists" else parts
    return len(inside) > 1 and inside[0] in LOCAL_ONLY


def swept(name: str, *, catalog: bool) -> bool:
    """Whether a path the Hub holds and the folder lacks is deleted from the Hub: a report page
    (``pages/N.html`` of the dataset, of each list's in a catalog), never anything else (see the
    module)."""
    parts = name.split("/")
    inside = parts[2:] if catalog and parts[0] == "lists" else parts
    return (
        len(inside) == 2
        and inside[0] == PAGES
        and _PAGE.fullmatch(inside[1]) is not None
        and not stays_local(name, catalog=catalog)
    )


def upload_token(settings: Settings) -> str:
    """The token an upload needs: the Hub takes no anonymous write, so without one nothing is
    asked of it (`PublishError` at once, before any request)."""
    if settings.hf_token is None:
        raise PublishError(
            "no HF_TOKEN: the Hub takes uploads only with a token allowed to write (set "
            "HF_TOKEN, or ENRICH_HF_TOKEN_BLOCK to the name of a Prefect Secret block)"
        )
    return settings.hf_token.get_secret_value()


def upload(out_dir: Path, repo_id: str, settings: Settings) -> HubUpload:
    """Publish ``out_dir`` to dataset repository ``repo_id``: one commit of the files that
    differ from the Hub's (none when nothing does). `PublishError` when the Hub refuses or
    cannot be reached, or there is no token to ask it with."""
    check_repo_id(repo_id)
    if not (out_dir / "latest.parquet").is_file():
        raise InputError(f"{out_dir}: no published dataset here (latest.parquet is missing)")
    return upload_folder(out_dir, repo_id, settings, commit_message)


def upload_catalog(out_dir: Path, repo_id: str, settings: Settings) -> HubUpload:
    """Publish a catalog's output folder (``lists/<slug>/`` of each list, ``catalog/``, the
    catalog's card ``README.md``) to ``repo_id`` in one commit, as `upload` does one list's."""
    check_repo_id(repo_id)
    if not (out_dir / CATALOG).is_file():
        raise InputError(f"{out_dir}: no published catalog here ({CATALOG} is missing)")
    return upload_folder(out_dir, repo_id, settings, catalog_commit_message)


def upload_folder(
    out_dir: Path,
    repo_id: str,
    settings: Settings,
    message: Callable[[Path], tuple[str, str]],
) -> HubUpload:
    """The files of ``out_dir`` that differ from the Hub's, and the deletion of the Hub's files
    the folder no longer has, in one commit whose summary and description ``message`` reads
    from the folder (see the module)."""
    token = upload_token(settings)
    import httpx2
    from huggingface_hub import CommitOperationAdd, CommitOperationDelete, HfApi
    from huggingface_hub.errors import HfHubHTTPError
    from huggingface_hub.utils import disable_progress_bars  # type: ignore[attr-defined]

    _set_deadline(settings.hub_upload_timeout_seconds)
    disable_progress_bars()  # per-file bars would fill the run's log; the summary says enough
    api = HfApi(endpoint=settings.hf_endpoint, token=token, user_agent=settings.user_agent)
    result = HubUpload(repo_id)
    try:
        result.repo_url = str(api.create_repo(repo_id, repo_type=REPO_TYPE, exist_ok=True))
        head = api.repo_info(repo_id, repo_type=REPO_TYPE, timeout=settings.http_timeout_seconds)
        remote = _remote_files(api, repo_id, head.sha)
        local = local_files(out_dir)
        changed = []
        for name, path in local.items():
            if _same(path, remote.get(name)):
                result.unchanged += 1
            else:
                changed.append(name)
        catalog = (out_dir / CATALOG).is_file()
        gone = [n for n in sorted(remote) if n not in local and swept(n, catalog=catalog)]
        if not changed and not gone:
            logger.info("hub %s: every file is already there, no commit", repo_id)
            return result
        summary, description = message(out_dir)
        operations: list[CommitOperationAdd | CommitOperationDelete] = [
            CommitOperationAdd(path_in_repo=n, path_or_fileobj=str(out_dir / n)) for n in changed
        ]
        operations += [CommitOperationDelete(path_in_repo=n, is_folder=False) for n in gone]
        info = api.create_commit(
            repo_id,
            operations,
            commit_message=summary,
            commit_description=description,
            repo_type=REPO_TYPE,
            parent_commit=head.sha,
        )
    except httpx2.TransportError as exc:  # no answer at all: DNS, connection, timeout
        raise PublishError(
            f"upload to the Hub ({repo_id}) failed: {settings.hf_endpoint} unreachable "
            f"({type(exc).__name__}: {_one_line(exc)})"
        ) from None
    except (HfHubHTTPError, OSError, ValueError, RuntimeError) as exc:
        raise PublishError(f"upload to the Hub ({repo_id}) failed: {_one_line(exc)}") from None
    result.uploaded, result.deleted = changed, gone
    result.commit_url, result.commit_oid = str(info.commit_url), info.oid
    logger.info("hub %s: %d files in commit %s, %d deleted", repo_id, len(changed), info.oid,
                len(gone))  # fmt: skip
    return result


def commit_message(out_dir: Path) -> tuple[str, str]:
    """The commit's summary line and description, from the published files: the snapshot's
    header (latest.parquet's metadata) and the day's changelog."""
    metadata = pq.read_schema(out_dir / "latest.parquet").metadata or {}
    header = Header.model_validate_json(metadata[b"enrich.header"])
    day = utc_date(header.generated_at)
    statuses = ", ".join(f"{c.count} {c.name}" for c in header.by_status)
    summary = f"enrich {day}: {header.entries} entries ({statuses})"
    diff_path = out_dir / "diffs" / f"{day}.json"
    if diff_path.is_file():
        diff = json.loads(diff_path.read_bytes())
        if diff.get("first_run"):
            summary += ", first snapshot"
        else:
            events = diff.get("summary", {}).get("events", {})
            summary += "; " + (", ".join(f"{n} {e}" for e, n in events.items()) or "no events")
    changelog = out_dir / "diffs" / f"{day}.md"
    description = changelog.read_text("utf-8")[:MAX_DESCRIPTION] if changelog.is_file() else ""
    return summary, description


def catalog_commit_message(out_dir: Path) -> tuple[str, str]:
    """A catalog commit's summary line and description, from its published files: how many
    lists and entities (``catalog/``), and each list's changelog of the day, when its dataset is
    of that day (a list not published this run has none)."""
    rows = pq.read_table(out_dir / CATALOG).to_pylist()
    entities = pq.read_metadata(out_dir / "catalog" / "entities.parquet").num_rows
    newest = max((r["last_seen"] for r in rows if r.get("last_seen")), default=None)
    day = utc_date(newest) if newest is not None else "no run"
    left = [r["slug"] for r in rows if r["error"] is not None]
    summary = f"enrich catalog {day}: {len(rows) - len(left)} lists, {entities} entities"
    if left:
        summary += f"; not published: {', '.join(left)}"
    parts = []
    for row in rows:
        changelog = out_dir / "lists" / row["slug"] / "diffs" / f"{day}.md"
        if row["error"] is None and changelog.is_file():
            parts.append(f"# lists/{row['slug']}\n\n{changelog.read_text('utf-8')}")
    return summary[:MAX_SUMMARY], "\n".join(parts)[:MAX_DESCRIPTION]


def _remote_files(api: HfApi, repo_id: str, revision: str | None) -> dict[str, RepoFile]:
    from huggingface_hub.hf_api import RepoFile

    tree = api.list_repo_tree(repo_id, repo_type=REPO_TYPE, recursive=True, revision=revision)
    return {item.path: item for item in tree if isinstance(item, RepoFile)}


def _same(path: Path, remote: RepoFile | None) -> bool:
    """Whether the Hub holds exactly this file: its LFS sha256, or its git blob id."""
    if remote is None or remote.size != path.stat().st_size:
        return False
    data = path.read_bytes()
    if remote.lfs is not None:
        return hashlib.sha256(data).hexdigest() == remote.lfs.sha256
    return git_blob_id(data) == remote.blob_id


def git_blob_id(data: bytes) -> str:
    """Git's object id of a file (what the Hub reports as a regular file's ``oid``)."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


def _set_deadline(seconds: float) -> None:
    """Give huggingface_hub's shared HTTP client a timeout: it has none by default, and the
    commit calls take no ``timeout`` argument. Requests that pass their own keep it.

    The library's public hook is ``set_client_factory``; the client it makes by default (with
    its request hook: offline mode, request ids) is only reachable through the private
    ``utils._http.default_client_factory``. huggingface_hub is pinned (constraints.txt) and
    ``tests/test_private_parts.py`` fails loudly when that name moves."""
    import httpx2
    from huggingface_hub import set_client_factory
    from huggingface_hub.utils._http import default_client_factory

    def factory() -> Any:
        client = default_client_factory()
        client.timeout = httpx2.Timeout(seconds)
        return client

    set_client_factory(factory)


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text[:300] or type(exc).__name__
