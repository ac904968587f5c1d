"""The Hub's write side, in the fake API: repositories created and committed to over HTTP, as
huggingface_hub's ``create_repo``, ``create_commit`` (``upload_folder``), ``list_repo_tree`` and
``hf_hub_download`` drive the real Hub (protocol read from huggingface_hub's ``hf_api.py``,
``_commit_api.py``, ``lfs.py`` and ``file_download.py``):

::

    POST /api/repos/create                        {"url"}; 409 when it exists
    GET  /api/datasets/{id}[/revision/{rev}]      repo info: "sha" (head), "siblings"
    GET  /api/datasets/{id}/tree/{rev}[/{path}]   files (oid = git blob id, "lfs": sha256) and
                                                  folders, 1,000 a page, Link: rel="next"
    POST /api/validate-yaml                       the card's front matter checked
    POST /api/datasets/{id}/preupload/{rev}       each file "regular" or "lfs", and the oid the
                                                  Hub holds at that path
    POST /datasets/{id}.git/info/lfs/objects/batch  upload + verify actions per new object, no
                                                  actions for an object already stored
    PUT  /lfs-storage/{sha256}                    the object (a presigned storage URL's part)
    POST /datasets/{id}.git/info/lfs/objects/verify  200 once the object is stored
    POST /api/datasets/{id}/commit/{rev}          NDJSON: header, file (base64), lfsFile,
                                                  deletedFile, deletedFolder lines; 412 when
                                                  parentCommit is not the head, 404
                                                  (EntryNotFound) when a deleted path is absent
    GET|HEAD /datasets/{id}/resolve/{rev}/{path}  the file; an LFS one with X-Linked-Etag
                                                  (its sha256) and X-Linked-Size

A new repository gets an initial commit holding the Hub's default ``.gitattributes``; a file is
LFS when a pattern of it matches, when it is 10 MB or more, or when its sample holds a NUL byte
(binary), as the Hub decides. Writes need a token. Only dataset repositories are hosted;
everything else falls through to the read-only sample data. The fake speaks the LFS protocol,
not Xet: clients set ``HF_HUB_DISABLE_XET=1`` (`FakeAPI.environment` does).
"""

from __future__ import annotations

import base64
import fnmatch
import hashlib
import json
import re
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import Message
from typing import Any, Protocol
from urllib.parse import quote, unquote

import yaml

# Part of the Hub's default .gitattributes for a new dataset repository.
GITATTRIBUTES = "".join(
    f"{pattern} filter=lfs diff=lfs merge=lfs -text\n"
    for pattern in ("*.7z", "*.arrow", "*.bin", "*.gz", "*.h5", "*.npy", "*.parquet", "*.pkl",
                    "*.pt", "*.safetensors", "*.tar", "*.zip", "*.zst")
)  # fmt: skip
LFS_SIZE = 10 * 1024 * 1024  # files this large are LFS whatever their name
PAGE = 1000  # tree entries per page, as the Hub pages list_repo_tree


@dataclass(frozen=True)
class Blob:
    size: int
    lfs_sha256: str | None  # None: a regular file, its bytes in `content`
    content: bytes = b""

    @property
    def oid(self) -> str:
        """The git blob id: of the bytes, or of the LFS pointer file."""
        return git_blob_id(self.content if self.lfs_sha256 is None else self.pointer())

    def pointer(self) -> bytes:
        return (
            f"version https://git-lfs.github.com/spec/v1\noid sha256:{self.lfs_sha256}\n"
            f"size {self.size}\n"
        ).encode()


@dataclass
class Commit:
    oid: str
    title: str
    description: str
    parent: str | None
    date: datetime
    files: dict[str, Blob]


@dataclass
class HostedRepo:
    repo_id: str
    created_at: datetime
    commits: list[Commit] = field(default_factory=list)

    @property
    def head(self) -> Commit:
        return self.commits[-1]

    def at(self, revision: str) -> Commit | None:
        if revision in ("main", "refs/heads/main"):
            return self.head
        return next((c for c in self.commits if c.oid.startswith(revision)), None)


class HubStore:
    """The hosted dataset repositories and the LFS object storage. Thread-safe."""

    def __init__(self) -> None:
        self.repos: dict[str, HostedRepo] = {}
        self.objects: dict[str, bytes] = {}
        self.lock = threading.Lock()

    def repo(self, repo_id: str) -> HostedRepo | None:
        with self.lock:
            return self.repos.get(repo_id.lower())

    def create(self, repo_id: str) -> tuple[HostedRepo, bool]:
        with self.lock:
            existing = self.repos.get(repo_id.lower())
            if existing is not None:
                return existing, False
            now = datetime.now(UTC)
            repo = HostedRepo(repo_id, now)
            attributes = GITATTRIBUTES.encode()
            files = {".gitattributes": Blob(len(attributes), None, attributes)}
            repo.commits.append(Commit(_commit_oid(None, "initial commit", files), "initial commit",
                                       "", None, now, files))  # fmt: skip
            self.repos[repo_id.lower()] = repo
            return repo, True


class _Fake(Protocol):
    hub: HubStore

    @property
    def hf_url(self) -> str: ...


class Handler(Protocol):
    """What the routes use of the fake's request handler (`enrich.sandbox.server`)."""

    method: str
    query: dict[str, list[str]]
    headers: Message
    request_body: bytes

    @property
    def fake(self) -> _Fake: ...

    def body_json(self) -> Any: ...

    def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None: ...


class HubWriteRoutes:
    """The routes above, answered for one request; `route` says whether it took it."""

    def __init__(self, handler: Handler) -> None:
        self.h = handler
        self.fake = handler.fake
        self.store: HubStore = handler.fake.hub

    @property
    def hf_url(self) -> str:
        return self.fake.hf_url

    def route(self, path: str) -> bool:
        method = self.h.method
        if path == "/api/repos/create" and method == "POST":
            return self.create()
        if path == "/api/validate-yaml" and method == "POST":
            return self.validate_yaml()
        if path.startswith("/lfs-storage/") and method == "PUT":
            return self.store_object(path.removeprefix("/lfs-storage/"))
        match = re.fullmatch(r"/datasets/(.+?)\.git/info/lfs/objects/(batch|verify)", path)
        if match and method == "POST":
            repo = self._writable(unquote(match.group(1)))
            if repo is None:
                return True
            return self.batch(repo) if match.group(2) == "batch" else self.verify()
        match = re.fullmatch(r"/api/datasets/(.+?)/(preupload|commit|tree)/([^/]+)(/.*)?", path)
        if match:
            repo_id, action, revision = (
                unquote(match.group(1)),
                match.group(2),
                unquote(match.group(3)),
            )
            if action == "tree" and method == "GET":
                repo = self.store.repo(repo_id)
                if repo is None:
                    return False
                return self.tree(repo, revision, unquote((match.group(4) or "").lstrip("/")))
            if method != "POST":
                return False
            writable = self._writable(repo_id)
            if writable is None:
                return True
            if action == "preupload":
                return self.preupload(writable, revision)
            return self.commit(writable, revision)
        match = re.fullmatch(r"/api/datasets/(.+?)(?:/revision/([^/]+))?", path)
        if match and method == "GET" and self.store.repo(unquote(match.group(1))) is not None:
            return self.info(unquote(match.group(1)), unquote(match.group(2) or "main"))
        match = re.fullmatch(r"/datasets/(.+?)/resolve/([^/]+)/(.+)", path)
        if match and method in ("GET", "HEAD"):
            repo = self.store.repo(unquote(match.group(1)))
            if repo is None:
                return False
            return self.resolve(repo, unquote(match.group(2)), unquote(match.group(3)))
        return False

    # -- repositories -------------------------------------------------------------------------
    def create(self) -> bool:
        if not self._authorized():
            return True
        body = self.h.body_json() or {}
        if body.get("type") != "dataset":
            return self.error(400, "only dataset repositories are hosted by the fake")
        name, organization = str(body.get("name") or ""), body.get("organization")
        repo_id = f"{organization}/{name}" if organization else name
        if not re.fullmatch(r"[\w.-]+/[\w.-]+", repo_id):
            return self.error(400, f"Invalid repo name: {repo_id}")
        repo, created = self.store.create(repo_id)
        url = f"{self.hf_url}/datasets/{repo.repo_id}"
        if not created:
            return self.error(409, "You already created this dataset repo", url=url)
        return self.json(200, {"url": url, "name": repo.repo_id, "id": _object_id(repo.repo_id)})

    def info(self, repo_id: str, revision: str) -> bool:
        repo = self.store.repo(repo_id)
        assert repo is not None
        commit = repo.at(revision)
        if commit is None:
            return self.error(404, f"Invalid rev id: {revision}", code="RevisionNotFound")
        author = repo.repo_id.split("/")[0]
        body = {
            "_id": _object_id(repo.repo_id), "id": repo.repo_id, "author": author,
            "sha": commit.oid, "lastModified": _iso(commit.date), "private": False,
            "gated": False, "disabled": False, "downloads": 0, "likes": 0, "tags": [],
            "createdAt": _iso(repo.created_at),
            "siblings": [{"rfilename": p} for p in sorted(commit.files)],
        }  # fmt: skip
        return self.json(200, body)

    def tree(self, repo: HostedRepo, revision: str, prefix: str) -> bool:
        commit = repo.at(revision)
        if commit is None:
            return self.error(404, f"Invalid rev id: {revision}", code="RevisionNotFound")
        recursive = self.h.query.get("recursive", ["False"])[0].lower() in ("1", "true")
        items = _tree(commit.files, prefix, recursive)
        start = int(self.h.query.get("cursor", ["0"])[0])
        page = items[start : start + PAGE]
        headers = {}
        if start + PAGE < len(items):
            query = f"recursive={recursive}&expand=False&cursor={start + PAGE}"
            url = f"{self.hf_url}/api/datasets/{repo.repo_id}/tree/{quote(revision, safe='')}"
            headers["Link"] = f'<{url}{"/" + quote(prefix) if prefix else ""}?{query}>; rel="next"'
        return self.json(200, page, headers)

    # -- writing ------------------------------------------------------------------------------
    def validate_yaml(self) -> bool:
        content = str((self.h.body_json() or {}).get("content") or "")
        match = re.match(r"^---\n(.*?)\n---\n", content, re.DOTALL)
        if match is None:
            warning = {"message": "empty or missing yaml metadata"}
            return self.json(200, {"errors": [], "warnings": [warning]})
        try:
            metadata = yaml.safe_load(match.group(1))
        except yaml.YAMLError as exc:
            return self.json(400, {"errors": [{"message": f"Invalid YAML: {exc}"}]})
        errors = []
        if not isinstance(metadata, dict):
            errors.append({"message": "metadata must be a mapping"})
        else:
            for config in metadata.get("configs") or []:
                if not isinstance(config, dict) or "config_name" not in config:
                    errors.append({"message": '"configs" items need a "config_name"'})
        if errors:
            return self.json(400, {"errors": errors})
        return self.json(200, {"errors": [], "warnings": []})

    def preupload(self, repo: HostedRepo, revision: str) -> bool:
        commit = repo.at(revision)
        if commit is None:
            return self.error(404, f"Invalid rev id: {revision}", code="RevisionNotFound")
        patterns = _lfs_patterns(commit.files)
        answers = []
        for item in (self.h.body_json() or {}).get("files", []):
            path, size = str(item["path"]), int(item["size"])
            sample = base64.b64decode(item.get("sample") or "")
            lfs = (
                size >= LFS_SIZE
                or b"\0" in sample
                or any(fnmatch.fnmatch(path.rsplit("/", 1)[-1], p) for p in patterns)
            )
            held = commit.files.get(path)
            oid = None if held is None else (held.lfs_sha256 or held.oid)
            answers.append({"path": path, "uploadMode": "lfs" if lfs else "regular",
                            "shouldIgnore": False, "oid": oid})  # fmt: skip
        return self.json(200, {"files": answers, "commitOid": commit.oid})

    def batch(self, repo: HostedRepo) -> bool:
        body = self.h.body_json() or {}
        if body.get("operation") != "upload":
            return self.json(422, {"message": "only uploads are supported"}, lfs=True)
        objects = []
        for item in body.get("objects", []):
            oid, size = str(item["oid"]), int(item["size"])
            answer: dict[str, Any] = {"oid": oid, "size": size, "authenticated": True}
            with self.store.lock:
                stored = oid in self.store.objects
            if not stored:
                answer["actions"] = {
                    "upload": {"href": f"{self.hf_url}/lfs-storage/{oid}?X-Amz-Expires=86400",
                               "expires_in": 86400},
                    "verify": {"href": f"{self.hf_url}/datasets/{repo.repo_id}.git/info/lfs/"
                                       "objects/verify",
                               "header": {"Authorization": "Basic ZmFrZTpmYWtl"}},
                }  # fmt: skip
            objects.append(answer)
        return self.json(200, {"transfer": "basic", "objects": objects}, lfs=True)

    def store_object(self, oid: str) -> bool:
        data = self.h.request_body
        if hashlib.sha256(data).hexdigest() != oid:
            bad = b"<Error><Code>BadDigest</Code></Error>"
            self.h._send(400, bad, {"Content-Type": "application/xml"})
            return True
        with self.store.lock:
            self.store.objects[oid] = data
        etag = f'"{hashlib.md5(data, usedforsecurity=False).hexdigest()}"'
        self.h._send(200, b"", {"ETag": etag, "Content-Type": "application/xml"})
        return True

    def verify(self) -> bool:
        body = self.h.body_json() or {}
        with self.store.lock:
            data = self.store.objects.get(str(body.get("oid")))
        if data is None or len(data) != body.get("size"):
            return self.json(404, {"message": "Object not found"}, lfs=True)
        return self.json(200, {"message": "Object verified"}, lfs=True)

    def commit(self, repo: HostedRepo, revision: str) -> bool:
        lines = [json.loads(line) for line in self.h.request_body.splitlines() if line.strip()]
        if not lines or lines[0].get("key") != "header":
            return self.error(400, "The first line must be the commit header")
        header = lines[0]["value"]
        with self.store.lock:
            base = repo.at(revision)
            if base is None:
                return self.error(404, f"Invalid rev id: {revision}", code="RevisionNotFound")
            parent = header.get("parentCommit")
            if parent is not None and not base.oid.startswith(parent):
                return self.error(412, "A commit has happened since. Please refresh and try again.")
            files = dict(base.files)
            for line in lines[1:]:
                value = line["value"]
                path = str(value["path"])
                if line["key"] == "file":
                    data = base64.b64decode(value["content"])
                    files[path] = Blob(len(data), None, data)
                elif line["key"] == "lfsFile":
                    stored = self.store.objects.get(value["oid"])
                    if stored is None:
                        why = f"LFS object {value['oid']} was never uploaded ({path})"
                        return self.error(400, why)
                    files[path] = Blob(len(stored), value["oid"])
                elif line["key"] in ("deletedFile", "deletedFolder"):
                    folder = line["key"] == "deletedFolder"
                    doomed = _under(files, path) if folder else [path] if path in files else []
                    if not doomed:  # huggingface_hub's delete_file: EntryNotFoundError
                        return self.error(404, f'{path} does not exist on "{revision}"',
                                          code="EntryNotFound")  # fmt: skip
                    for name in doomed:
                        files.pop(name)
                else:
                    return self.error(400, f"unknown commit operation {line['key']}")
            title = str(header.get("summary") or "")
            oid = _commit_oid(base.oid, title, files)
            repo.commits.append(Commit(oid, title, str(header.get("description") or ""),
                                       base.oid, datetime.now(UTC), files))  # fmt: skip
        body = {"success": True, "commitOid": oid, "pullRequestUrl": None, "hookOutput": "",
                "commitUrl": f"{self.hf_url}/datasets/{repo.repo_id}/commit/{oid}"}  # fmt: skip
        return self.json(200, body)

    # -- reading files ------------------------------------------------------------------------
    def resolve(self, repo: HostedRepo, revision: str, path: str) -> bool:
        commit = repo.at(revision)
        if commit is None:
            return self.error(404, f"Invalid rev id: {revision}", code="RevisionNotFound")
        blob = commit.files.get(path)
        headers = {"X-Repo-Commit": commit.oid, "Accept-Ranges": "bytes"}
        if blob is None:
            return self.error(404, f'{path} does not exist on "{revision}"', code="EntryNotFound",
                              headers=headers)  # fmt: skip
        if blob.lfs_sha256 is None:
            headers.update({"ETag": f'"{blob.oid}"', "Content-Type": "application/octet-stream"})
            self.h._send(200, blob.content, headers)
            return True
        # The Hub redirects to its CDN, another origin, where huggingface_hub stops following
        # and reads these headers off the redirect; the fake has one origin, so it answers the
        # file itself with the same headers (what a Hub mirror does).
        with self.store.lock:
            data = self.store.objects[blob.lfs_sha256]
        headers.update({
            "X-Linked-Etag": f'"{blob.lfs_sha256}"', "X-Linked-Size": str(blob.size),
            "ETag": f'"{blob.oid}"', "Content-Type": "application/octet-stream",
        })  # fmt: skip
        self.h._send(200, data, headers)
        return True

    # -- plumbing -----------------------------------------------------------------------------
    def _authorized(self) -> bool:
        if str(self.h.headers.get("Authorization", "")).startswith("Bearer "):
            return True
        self.error(401, "Invalid username or password.")
        return False

    def _writable(self, repo_id: str) -> HostedRepo | None:
        """The repository, when the request may write to it (else the answer is sent)."""
        if not self._authorized():
            return None
        repo = self.store.repo(repo_id)
        if repo is None:
            self.error(404, "Repository not found", code="RepoNotFound")
        return repo

    def json(self, status: int, data: Any, headers: dict[str, str] | None = None, *,
             lfs: bool = False) -> bool:  # fmt: skip
        kind = "application/vnd.git-lfs+json" if lfs else "application/json; charset=utf-8"
        self.h._send(status, json.dumps(data).encode(), {"Content-Type": kind, **(headers or {})})
        return True

    def error(self, status: int, message: str, *, code: str | None = None,
              url: str | None = None, headers: dict[str, str] | None = None) -> bool:  # fmt: skip
        body: dict[str, Any] = {"error": message}
        if url:
            body["url"] = url
        extra = {"X-Error-Message": message, **({"X-Error-Code": code} if code else {})}
        return self.json(status, body, {**extra, **(headers or {})})


def git_blob_id(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


def _tree(files: dict[str, Blob], prefix: str, recursive: bool) -> list[dict[str, Any]]:
    """Tree entries under ``prefix``: folders (implied by paths) then files, as the Hub lists."""
    base = f"{prefix.rstrip('/')}/" if prefix else ""
    folders: set[str] = set()
    entries = []
    for path in sorted(files):
        if not path.startswith(base):
            continue
        rest = path[len(base) :].split("/")
        for depth in range(1, len(rest)):
            folder = base + "/".join(rest[:depth])
            if recursive or depth == 1:
                folders.add(folder)
        if len(rest) > 1 and not recursive:
            continue
        blob = files[path]
        entry: dict[str, Any] = {"type": "file", "oid": blob.oid, "size": blob.size, "path": path}
        if blob.lfs_sha256 is not None:
            entry["lfs"] = {"oid": blob.lfs_sha256, "size": blob.size,
                            "pointerSize": len(blob.pointer())}  # fmt: skip
        entries.append(entry)
    dirs = [{"type": "directory", "oid": git_blob_id(f.encode()), "size": 0, "path": f}
            for f in sorted(folders)]  # fmt: skip
    return dirs + entries


def _under(files: dict[str, Blob], folder: str) -> list[str]:
    prefix = folder.rstrip("/") + "/"
    return [name for name in files if name.startswith(prefix)]


def _lfs_patterns(files: dict[str, Blob]) -> list[str]:
    attributes = files.get(".gitattributes")
    if attributes is None:
        return []
    text = attributes.content.decode("utf-8", "replace")
    return [line.split()[0] for line in text.splitlines() if "filter=lfs" in line]


def _commit_oid(parent: str | None, title: str, files: dict[str, Blob]) -> str:
    digest = hashlib.sha1(usedforsecurity=False)
    digest.update(f"{parent}\n{title}\n".encode())
    for path in sorted(files):
        digest.update(f"{path} {files[path].oid}\n".encode())
    digest.update(datetime.now(UTC).isoformat().encode())
    return digest.hexdigest()


def _object_id(repo_id: str) -> str:
    return hashlib.sha1(repo_id.encode(), usedforsecurity=False).hexdigest()[:24]


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")
