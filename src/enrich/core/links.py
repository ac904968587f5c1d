"""URL -> source reference: what kind of thing a list link points at, and its stable id.

Pure functions; no network. The entry id is what identifies an entry across nights, so every
spelling of the same thing (``/pdf/2204.05862v3.pdf``, ``/abs/2204.05862``, ``http://www.``…)
must map to one id. Papers on other hosts (conference proceedings, DOIs, OpenReview, arXiv
mirrors, the Hub's paper pages) are `enrich.core.paperhosts`', whose docstring holds the table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import SplitResult, parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

from enrich.core.errors import RejectedURLError
from enrich.core.paperhosts import PaperLink, is_paper_host, paper_link


class Kind(StrEnum):
    """What a list link points at; decides which source enriches it."""

    PAPER = "paper"
    REPO = "repo"
    DATASET = "dataset"
    MODEL = "model"
    SPACE = "space"
    COLLECTION = "collection"  # a Hub collection: a curated set of Hub objects, not a repository
    WEB = "web"


HUB_KINDS = (Kind.DATASET, Kind.MODEL, Kind.SPACE)


@dataclass(frozen=True)
class SourceRef:
    """A classified link: ``entry_id`` is the stable key, ``source_id`` what the API is asked."""

    kind: Kind
    source_id: str
    entry_id: str
    url: str
    version: int | None = None  # arXiv: the version the list links to, if any


# arXiv ids: new style since 2007 (YYMM.NNNN, 5 digits since 2015), and old style
# archive(.SUBJECT)/YYMMNNN. https://info.arxiv.org/help/arxiv_identifier.html
_ARXIV_NEW = r"\d{4}\.\d{4,5}"
_ARXIV_OLD = r"[a-z][a-z\-]*(?:\.[A-Z]{2})?/\d{7}"
ARXIV_ID = re.compile(rf"^(?P<id>{_ARXIV_NEW}|{_ARXIV_OLD})(?:v(?P<version>\d+))?$")
_ARXIV_HOSTS = {"arxiv.org", "www.arxiv.org", "export.arxiv.org", "browse.arxiv.org"}
_ARXIV_PATHS = {"abs", "pdf", "html", "format", "ps"}

_GITHUB_HOSTS = {"github.com", "www.github.com"}
# First path segments of github.com that are site pages, not owners.
_GITHUB_RESERVED = {
    "about", "apps", "collections", "customer-stories", "enterprise", "events", "explore",
    "features", "login", "marketplace", "new", "notifications", "orgs", "organizations",
    "pricing", "pulls", "issues", "search", "security", "settings", "site", "sponsors",
    "topics", "trending", "users", "codespaces", "readme", "team", "resources", "solutions",
}  # fmt: skip

_HUB_HOSTS = {"huggingface.co", "www.huggingface.co", "hf.co"}
# First path segments of huggingface.co that are site pages (docs, courses, blog…), not owners.
_HUB_RESERVED = {
    "api", "blog", "changelog", "chat", "collections", "course", "datasets", "docs", "join",
    "learn", "login", "models", "new", "new-dataset", "new-space", "notifications",
    "organizations", "papers", "posts", "pricing", "privacy", "settings", "spaces", "tasks",
    "terms-of-service", "enterprise", "inference-endpoints", "hub", "support", "welcome",
    "deep-rl-course", "mcp-course", "agents-course", "nlp-course", "audio-course",
    "cookbook", "leaderboards", "search",
}  # fmt: skip
# The Hub's first models had no owner (``bert-base-uncased``, ``gpt2``, ``t5-11b``); they moved
# under organizations (``google-t5/t5-11b``) and their old URLs still lead there. Such a URL
# looks like a user's page (``huggingface.co/THUDM``); these families' names are told apart.
_LEGACY_MODEL = re.compile(
    r"^(?:bert|distilbert|roberta|distilroberta|gpt2|distilgpt2|openai-gpt|t5|xlnet|xlm"
    r"|xlm-roberta|albert|bart|ctrl|camembert|flaubert|electra|longformer|transfo-xl)"
    r"(?:-[a-z0-9-]+)?$"
)
_HUB_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._\-]*$")
# A collection's slug is its title made a URL segment (emoji and all) and, until 2026, the
# collection's object id (24 hex digits) after a hyphen: ``yi-vl-663f557228538eae745769f3``.
# The id stays when the title, and with it the slug, changes; newer short slugs have none.
_COLLECTION_SLUG = re.compile(r"^[^\s/?#]{1,200}$")
_COLLECTION_OBJECT_ID = re.compile(r"-(?P<id>[0-9a-f]{24})$")
# GitHub owners (users, organizations; enterprise-managed users add ``_shortcode``) and
# repository names. ``.`` and ``..`` are not names: in a request path they walk out of
# ``/repos/`` (``/repos/../user`` is ``GET /user``), so they are refused before any request.
_GITHUB_OWNER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$")
_GITHUB_REPO = re.compile(r"^[A-Za-z0-9._-]{1,100}$")

_DEFAULT_PORTS = {"http": 80, "https": 443}

# Escapes that stay escapes in a normalized path: decoding them changes what the URL names
# (``a%2Fb`` is one segment, ``a/b`` two), so ``%2F``, ``%3F``, ``%23`` and ``%25`` are kept.
_MEANINGFUL_ESCAPE = re.compile(r"(%2[Ff]|%3[Ff]|%23|%25)")

# Hosts that serve badge images (shields, visitor counters, the awesome seal): a link to one of
# them is decoration, not something the list recommends. Matched on the host and its subdomains.
BADGE_HOSTS = frozenset({
    "shields.io", "badgen.net", "badge.fury.io", "forthebadge.com", "awesome.re",
    "visitor-badge.laobi.icu", "visitor-badge.lithub.cc", "visitor-badge.glitch.me",
    "komarev.com", "hits.seeyoufarm.com", "hits.sh", "badgesize.io", "api.star-history.com",
    "img.buymeacoffee.com", "camo.githubusercontent.com",
})  # fmt: skip
_BADGE_URL = re.compile(
    r"^https?://(?:[^/?#@]*@)?(?:[a-z0-9-]+\.)*(?:"
    + "|".join(re.escape(host) for host in sorted(BADGE_HOSTS))
    + r")\.?(?::\d+)?(?:[/?#]|$)",
    re.IGNORECASE,
)


def normalize_url(url: str) -> str:
    """The canonical spelling of a web URL: the id of a web-page entry.

    Lower-case scheme and host (IDN hosts as punycode), default port dropped, fragment and
    ``utm_*`` tracking parameters dropped, an empty path is ``/``, percent-escapes in the
    path normalized (so ``%7E`` and ``~`` are one URL).

    Written here rather than with url-normalize (3.1): on the 14,246 web-page URLs of the 40
    real lists the two agree on all but 32 (with fragments and ``utm_*`` dropped on top of
    it), and those 32 are why not: it folds ``//`` in a path, which breaks archive links
    (``web.archive.org/web/…/https://x`` becomes ``…/https:/x``, another page), and it keeps
    ``%28``/``%27`` escaped where the same page written ``(``/``'`` would get a second id. The
    result is each web entry's published id, so a change of spelling is a change of schema.
    """
    parts = _split(url)
    scheme = parts.scheme.lower()
    host = _host(parts.hostname or "")
    port = parts.port
    if ":" in host:  # an IPv6 literal keeps its brackets
        host = f"[{host}]"
    netloc = host if port is None or _DEFAULT_PORTS.get(scheme) == port else f"{host}:{port}"
    path = _normalize_path(parts.path) or "/"
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)]
    query = [(k, v) for k, v in query if not k.lower().startswith("utm_")]
    return urlunsplit((scheme, netloc, path, urlencode(query, doseq=True), ""))


def _normalize_path(path: str) -> str:
    """Percent-escapes in one spelling (``%7E`` is ``~``), the meaningful ones kept as escapes."""
    pieces = _MEANINGFUL_ESCAPE.split(path)
    return "".join(
        piece.upper() if n % 2 else quote(unquote(piece), safe="/:@!$&'()*+,;=~%-._")
        for n, piece in enumerate(pieces)
    )


def is_badge_service(url: str) -> bool:
    """Whether a URL points at a badge image service (see `BADGE_HOSTS`)."""
    return _BADGE_URL.match(url.strip()) is not None


# The shape of most links of a list, read without `urlsplit`: http(s), a lower-case host of
# letters, digits, dots and hyphens, and a path of characters that are never escaped and that
# `normalize_url` keeps as they are (no ``%``, no query, no fragment, no space). For such a URL
# `urlsplit` gives exactly these host and path, so the same readers below give the same answer.
_PLAIN = re.compile(
    r"(?P<scheme>https?)://(?P<host>[a-z0-9-]+(?:\.[a-z0-9-]+)*)"
    r"(?P<path>(?:/[A-Za-z0-9._~!$&'()*+,;=:@-]*)*)\Z"
)


def classify(url: str) -> SourceRef:
    """Classify one absolute URL; raises `RejectedURLError` for one that must never be fetched."""
    plain = _PLAIN.match(url)
    if plain is not None:
        ref = _plain(url, plain["scheme"], plain["host"], plain["path"])
        if ref is not None:
            return ref
    return _read(url)


def _read(url: str) -> SourceRef:
    """`classify` on any URL, by way of `urlsplit`."""
    parts = _split(url)
    host = _host(parts.hostname or "")
    segments = [unquote(s) for s in parts.path.split("/") if s]
    if host in _ARXIV_HOSTS:
        ref = _arxiv(url, segments)
        if ref:
            return ref
    elif host in _GITHUB_HOSTS:
        ref = _github(url, segments)
        if ref:
            return ref
    elif host in _HUB_HOSTS:
        ref = _hub(url, segments)
        if ref:
            return ref
    paper = paper_link(host, parts.path, parts.query)
    if paper is not None:
        ref = _paper(url, paper)
        if ref:
            return ref
    key = normalize_url(url)
    return SourceRef(Kind.WEB, key, key, url)


def _plain(url: str, scheme: str, host: str, path: str) -> SourceRef | None:
    """`classify`'s answer for a URL of the `_PLAIN` shape, or None where it is not one of the
    common kinds (a repository, an arXiv paper, a Hub object, a page on a host that has no
    papers): `classify` then reads it in full."""
    segments = [s for s in path.split("/") if s]  # no escapes: `unquote` leaves each as it is
    if host in _ARXIV_HOSTS:
        return _arxiv(url, segments)
    if host in _GITHUB_HOSTS:
        return _github(url, segments)
    if host in _HUB_HOSTS:
        return _hub(url, segments)
    if is_paper_host(host):
        return None
    key = f"{scheme}://{host}{path or '/'}"  # what `normalize_url` makes of it
    return SourceRef(Kind.WEB, key, key, url)


def _split(url: str) -> SplitResult:
    text = url.strip()
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError as exc:
        raise RejectedURLError(f"unparseable URL: {exc}", url=url) from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        what = f"{scheme}: URL" if scheme else "relative URL"
        raise RejectedURLError(f"{what} is not fetched", url=url)
    if not parts.hostname:
        raise RejectedURLError("URL has no host", url=url)
    return parts


def _host(hostname: str) -> str:
    host = hostname.lower().rstrip(".")
    if host.isascii():  # the IDNA codec returns an ASCII host as it is (or refuses it): as is
        return host
    try:
        return str(host.encode("idna").decode("ascii"))
    except UnicodeError:
        return host


def _arxiv(url: str, segments: list[str]) -> SourceRef | None:
    if len(segments) < 2 or segments[0] not in _ARXIV_PATHS:
        return None
    raw = "/".join(segments[1:])
    for suffix in (".pdf", ".ps", ".ps.gz"):
        if raw.endswith(suffix):
            raw = raw[: -len(suffix)]
    match = ARXIV_ID.match(raw)
    if not match:
        return None
    paper_id = match.group("id")
    version = int(match.group("version")) if match.group("version") else None
    return SourceRef(Kind.PAPER, paper_id, f"arxiv:{paper_id}", url, version)


def _paper(url: str, link: PaperLink) -> SourceRef | None:
    """A paper on another host (`enrich.core.paperhosts`): an arXiv mirror is the arXiv paper
    itself; any other scheme is read from its landing page, the entry's ``source_id``."""
    if link.scheme == "arxiv":
        return _arxiv(url, ["abs", link.key])
    assert link.landing is not None
    return SourceRef(Kind.PAPER, link.landing, f"{link.scheme}:{link.key}", url)


def _github(url: str, segments: list[str]) -> SourceRef | None:
    if len(segments) < 2 or segments[0].lower() in _GITHUB_RESERVED:
        return None
    owner, repo = segments[0], segments[1]
    if repo.endswith(".git"):
        repo = repo[:-4]
    if github_name(f"{owner}/{repo}") is None:
        return None
    full_name = f"{owner}/{repo}"
    return SourceRef(Kind.REPO, full_name, f"github:{full_name.lower()}", url)


def github_name(full_name: str) -> tuple[str, str] | None:
    """``(owner, repo)`` of a valid ``owner/repo``, else None: the only segments a GitHub
    request path is built from."""
    owner, slash, repo = full_name.partition("/")
    if not slash or not _GITHUB_OWNER.match(owner) or not _GITHUB_REPO.match(repo):
        return None
    if set(repo) == {"."}:  # ".", "..": path traversal, never a repository
        return None
    return owner, repo


def _hub(url: str, segments: list[str]) -> SourceRef | None:
    if not segments:
        return None
    head = segments[0]
    if head == "collections":
        return _collection(url, segments[1:])
    kind = {"datasets": Kind.DATASET, "spaces": Kind.SPACE, "models": Kind.MODEL}.get(head)
    if kind is not None:
        rest = segments[1:]
    elif head.lower() in _HUB_RESERVED:
        return None
    else:
        kind, rest = Kind.MODEL, segments
    # Legacy canonical repos have no owner (huggingface.co/datasets/squad, /gpt2): the
    # explicit /datasets/ and /models/ forms, and the first models' names (_LEGACY_MODEL).
    if len(rest) >= 2 and rest[1] not in ("tree", "blob", "resolve", "discussions", "viewer"):
        repo_id = f"{rest[0]}/{rest[1]}"
    elif (rest and head in ("datasets", "models")) or (
        len(rest) == 1 and _LEGACY_MODEL.match(rest[0])
    ):
        repo_id = rest[0]
    else:
        return None
    if not all(_HUB_NAME.match(part) for part in repo_id.split("/")):
        return None
    return SourceRef(kind, repo_id, f"hf:{kind.value}/{repo_id.lower()}", url)


def _collection(url: str, rest: list[str]) -> SourceRef | None:
    """``huggingface.co/collections/OWNER/SLUG``: a Hub collection (a Hub object, asked of
    ``/api/collections/OWNER/SLUG``); ``/collections`` and ``/collections/OWNER`` are pages."""
    if len(rest) != 2:
        return None
    owner, slug = rest
    if not _HUB_NAME.match(owner) or not _COLLECTION_SLUG.match(slug) or set(slug) == {"."}:
        return None
    return SourceRef(Kind.COLLECTION, f"{owner}/{slug}", collection_id(owner, slug), url)


def collection_id(owner: str, slug: str) -> str:
    """A Hub collection's entry id: ``hf:collection/OWNER/OBJECT_ID`` when the slug ends in the
    collection's object id (the title part of the slug changes with the title, the id does
    not), else ``hf:collection/OWNER/SLUG``; lower-case, as the Hub's other ids."""
    found = _COLLECTION_OBJECT_ID.search(slug)
    key = found.group("id") if found else slug
    return f"hf:collection/{owner.lower()}/{key.lower()}"


_HUB_ITEM_KINDS = {"model": Kind.MODEL, "dataset": Kind.DATASET, "space": Kind.SPACE}


def hub_object_id(item_type: str, item_id: str) -> str | None:
    """The entry id of a Hub object a collection holds (``type`` and ``id`` as the Hub names
    them: a repo id, a paper's arXiv id, a collection's ``owner/slug``), or None for a type or
    an id no entry has (a bucket, a paper the Hub names otherwise)."""
    kind = _HUB_ITEM_KINDS.get(item_type)
    if kind is not None:
        parts = item_id.split("/")
        if len(parts) <= 2 and all(_HUB_NAME.match(part) for part in parts):
            return f"hf:{kind.value}/{item_id.lower()}"
        return None
    if item_type == "paper":
        match = ARXIV_ID.match(item_id)
        return f"arxiv:{match.group('id')}" if match else None
    if item_type == "collection":
        owner, slash, slug = item_id.partition("/")
        if slash and _HUB_NAME.match(owner) and _COLLECTION_SLUG.match(slug):
            return collection_id(owner, slug)
    return None
