"""Where the list comes from: a local file, an https URL, or a file in a GitHub repository.

``github:OWNER/REPO/PATH[@REF]`` is read through PyGithub's contents API, so the nightly run
picks up each edit of the list as soon as it is pushed, with the same token and endpoint as
the enrichment. The list source is chosen by the operator, not by list content, so it is not
put through the web source's address checks; it is size-capped all the same, and its owner,
repository and path must be names (no ``.`` or ``..`` segment: the request path is built from
them, and ``github:../..`` would otherwise ask ``GET /``).
"""

from __future__ import annotations

import base64
import re
from pathlib import Path

from enrich.core.errors import InputError
from enrich.core.links import github_name
from enrich.core.settings import Settings

# Far above any awesome list (the largest are ~1 MB); a guard against a wrong URL.
MAX_LIST_BYTES = 20_000_000

_GITHUB_SOURCE = re.compile(
    r"github:(?P<owner>[\w.-]+)/(?P<repo>[\w.-]+)/(?P<path>[^@]+?)(?:@(?P<ref>[^@\s]+))?"
)


def read_list_source(source: str, settings: Settings | None = None) -> bytes:
    """The list's bytes, with a one-line `InputError` for every source that cannot be read."""
    if source.startswith("github:"):
        return _read_github(source, settings or Settings())
    if source.startswith(("https://", "http://")):
        return _read_url(source, settings or Settings())
    return _read_path(Path(source))


def _read_path(path: Path) -> bytes:
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        raise InputError(f"{path}: is a folder, not a list file")
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror})") from None


def _read_url(url: str, settings: Settings) -> bytes:
    import httpx  # here, not at the top: `enrich parse` of a local file loads no HTTP client

    headers = {"User-Agent": settings.user_agent}
    try:
        with (
            httpx.Client(headers=headers, timeout=settings.http_timeout_seconds) as http,
            http.stream("GET", url, follow_redirects=True) as response,
        ):
            if response.status_code != 200:
                raise InputError(f"{url}: answered HTTP {response.status_code}")
            data = b""
            for chunk in response.iter_bytes():
                data += chunk
                if len(data) > MAX_LIST_BYTES:
                    raise InputError(f"{url}: larger than {MAX_LIST_BYTES} bytes")
            return data
    except httpx.HTTPError as exc:
        raise InputError(f"{url}: cannot be read ({type(exc).__name__})") from None


def _read_github(source: str, settings: Settings) -> bytes:
    from github import Auth, Github, GithubException

    from enrich.sources.github.client import bound_redirects

    match = _GITHUB_SOURCE.fullmatch(source)
    if not match:
        raise InputError(f"{source}: expected github:OWNER/REPO/PATH[@REF]")
    full_name = f"{match['owner']}/{match['repo']}"
    segments = match["path"].split("/")
    if github_name(full_name) is None or any(s in ("", ".", "..") for s in segments):
        raise InputError(f"{source}: OWNER, REPO and PATH must be names (no . or .. segment)")
    token = settings.github_token.get_secret_value() if settings.github_token else None
    client = Github(
        auth=Auth.Token(token) if token else None,
        base_url=settings.github_api_url.rstrip("/"),
        timeout=int(settings.http_timeout_seconds),
        user_agent=settings.user_agent,
        retry=settings.http_retries,
    )
    bound_redirects(client, settings.github_max_redirects)
    try:
        repo = client.get_repo(full_name)
        kwargs = {"ref": match["ref"]} if match["ref"] else {}
        content = repo.get_contents(match["path"], **kwargs)
        if isinstance(content, list):
            raise InputError(f"{source}: is a folder, not a list file")
        if content.encoding == "base64":
            return content.decoded_content
        # Files over 1 MB come back with encoding "none": read the blob instead.
        blob = repo.get_git_blob(content.sha)
        return base64.b64decode(blob.content)
    except GithubException as exc:
        what = "not found" if exc.status == 404 else f"GitHub answered HTTP {exc.status}"
        raise InputError(f"{source}: {what}") from None
    except Exception as exc:  # connection errors: one line, not a traceback
        if isinstance(exc, InputError):
            raise
        raise InputError(f"{source}: GitHub unreachable ({type(exc).__name__})") from None
    finally:
        client.close()
