"""Where the list comes from: a local file, an https URL, a file in a GitHub repository, or the
copy bundled in the package (``bundled:awesome-rlhf-language-models.md``).

Which list a command reads when given none (`default_list_source`): the checkout's
``data/raw/lists/awesome-rlhf-language-models.md`` under the folder it starts in, else the
bundled copy. What the published files say the list is (`as_given`): a URL or a ``github:`` /
``bundled:`` form as written, a path relative to the folder the run started in; never this
machine's absolute path.

``github:OWNER/REPO/PATH[@REF]`` is read through PyGithub's contents API, so the nightly run
picks up each edit of the list as soon as it is pushed, with the same token and endpoint as
the enrichment. The list source is chosen by the operator, not by list content, so it is not
put through the web source's address checks; it is size-capped all the same, and its owner,
repository and path must be names (no ``.`` or ``..`` segment: the request path is built from
them, and ``github:../..`` would otherwise ask ``GET /``).
"""

from __future__ import annotations

import base64
import os
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from enrich.core.errors import InputError
from enrich.core.links import github_name
from enrich.core.settings import BUNDLED_LIST, CHECKOUT_LIST, Settings

# Far above any awesome list (the largest are ~1 MB); a guard against a wrong URL.
MAX_LIST_BYTES = 20_000_000

_GITHUB_SOURCE = re.compile(
    r"github:(?P<owner>[\w.-]+)/(?P<repo>[\w.-]+)/(?P<path>[^@]+?)(?:@(?P<ref>[^@\s]+))?"
)


REMOTE = ("github:", "https://", "http://")
BUNDLED = "bundled:"


def is_remote(source: str) -> bool:
    """Whether the list is read over the network (a URL or ``github:…``)."""
    return source.startswith(REMOTE)


def default_list_source(start: Path | None = None) -> str:
    """The list a command reads when it is given none: the checkout's copy (the file the README
    calls the list, the one a maintainer edits) when the folder the command starts in has it,
    else the copy bundled in the package (an ``enrich`` installed with pip, run anywhere)."""
    if ((start or Path.cwd()) / CHECKOUT_LIST).is_file():
        return CHECKOUT_LIST.as_posix()
    return BUNDLED + BUNDLED_LIST.name


def as_given(source: str, start: Path | None = None) -> str:
    """The list as the published files name it: a URL, a ``github:`` or ``bundled:`` form as
    written; a path relative to the folder the run started in (``start``), so that nothing
    published shows this machine's folders, and a run started from the checkout names its
    list alike whether it ran in the foreground, served or on a worker."""
    if is_remote(source) or source.startswith(BUNDLED):
        return source
    base = (start or Path.cwd()).absolute()
    path = base / source  # an absolute source stays itself
    if path.resolve() == BUNDLED_LIST:  # the package's own copy, given by its path
        return BUNDLED + BUNDLED_LIST.name
    return Path(os.path.relpath(path, base)).as_posix()


def read_list_source(source: str, settings: Settings | None = None) -> bytes:
    """The list's bytes, with a one-line `InputError` for every source that cannot be read."""
    if source.startswith("github:"):
        return _read_github(source, settings or Settings())
    if source.startswith(("https://", "http://")):
        return _read_url(source, settings or Settings())
    return _read_path(local_path(source))


def local_path(source: str) -> Path:
    """The file of a local source: a path, or a ``bundled:NAME`` list of the package."""
    if not source.startswith(BUNDLED):
        return Path(source)
    name = source.removeprefix(BUNDLED)
    bundled = sorted(p.name for p in BUNDLED_LIST.parent.glob("*.md"))
    if name not in bundled:
        raise InputError(f"{source}: no such bundled list (bundled: {', '.join(bundled)})")
    return BUNDLED_LIST.parent / name


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
    except (httpx.HTTPError, httpx.InvalidURL) as exc:  # InvalidURL: a Location httpx cannot read
        raise InputError(f"{url}: cannot be read ({type(exc).__name__})") from None


def _read_github(source: str, settings: Settings) -> bytes:
    from github import Auth, Github, GithubException
    from requests import RequestException

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
        raise InputError(f"{source}: {_github_failure(exc.status, exc.headers or {})}") from None
    except Exception as exc:  # connection errors: one line, not a traceback
        if isinstance(exc, InputError):
            raise
        if isinstance(exc, (OSError, RequestException)):
            raise InputError(f"{source}: GitHub unreachable ({type(exc).__name__})") from None
        # PyGithub failed to read the answer (a header it could not parse, a body cut short)
        raise InputError(
            f"{source}: GitHub's answer could not be read ({type(exc).__name__}: {exc})"
        ) from None
    finally:
        client.close()


def _github_failure(status: int, headers: Mapping[str, Any]) -> str:
    """What a GitHub failure means for the reader: a spent rate limit says so, and when it
    resets (GitHub answers 403, or 429, with ``X-RateLimit-Remaining: 0``)."""
    if status == 404:
        return "not found"
    lower = {str(k).lower(): str(v) for k, v in headers.items()}
    if status in (403, 429) and lower.get("x-ratelimit-remaining") == "0":
        limit = lower.get("x-ratelimit-limit", "")
        per_hour = f" ({limit} requests an hour)" if limit.isdigit() else ""
        when = _reset_in(lower.get("x-ratelimit-reset", ""))
        advice = "; a token (GITHUB_TOKEN) allows 5,000 an hour" if limit == "60" else ""
        return f"GitHub's rate limit is spent{per_hour}; {when}{advice}"
    return f"GitHub answered HTTP {status}"


def _reset_in(reset: str, now: datetime | None = None) -> str:
    """When the window resets ("it resets at 14:05 UTC (in 23 min)"), from
    ``X-RateLimit-Reset`` (epoch seconds); a value that is not a time in the next day is not
    trusted."""
    moment = now or datetime.now(UTC)
    try:
        seconds = float(reset) - moment.timestamp()
    except ValueError:
        seconds = float("nan")
    if not 0 <= seconds <= 86_400:  # NaN included: a reset GitHub would never send
        return "try again within the hour"
    at = datetime.fromtimestamp(moment.timestamp() + seconds, UTC)
    return f"it resets at {at:%H:%M} UTC (in {max(1, round(seconds / 60))} min)"
