"""The list checked against what the nightly runs learnt: pure, from the list's bytes, the
published snapshot and each entry's recent runs.

The list given is parsed again (it may have changed since the run): its lines are the ones
reported and patched, and its entries are looked up in the snapshot by id. An entry the run
did not see (added since) is counted, not checked.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from urllib.parse import unquote, urlsplit

from enrich.core.check.model import Finding, FindingKind, Report, Rewrite, Rules, Run
from enrich.core.check.patch import decode, lines_of, locate, written_bare
from enrich.core.links import Kind, normalize_url
from enrich.core.listing import ListedLink, ParsedList, extract_links, parse_list
from enrich.core.model import Entry, Snapshot, Status, WebPage

Runs = Mapping[str, Sequence[Run | None]]

# Failure reasons, as the sources word them (tests drive the sources to each of them).
# An API that says "not found" is believed at once; a web server or DNS is believed after
# `Rules.dead_after_runs` consecutive runs (arXiv's answers silently drop ids now and then).
_GONE_AT_ONCE = re.compile(
    r"^(not found on GitHub|not found on the Hub|GitHub answered HTTP 410|Hub answered HTTP 410)"
)
_GONE_AFTER_RUNS = re.compile(
    r"^(broken link: HTTP (404|410)$|host does not resolve|unknown to arXiv)"
)
_FAILED = (Status.ERROR.value, Status.STALE.value)
_PERMANENT = (301, 308)
_HUB_PAPER = re.compile(
    r"^https?://(?:www\.)?(?:huggingface\.co|hf\.co)/papers/(?P<id>\d{4}\.\d{4,5})(?:v\d+)?/?$",
    re.IGNORECASE,
)
_GITHUB_URL = re.compile(
    r"^(?P<head>https?://(?:www\.)?github\.com/)(?P<name>[^/?#]+/[^/?#]+?)(?P<tail>\.git)?"
    r"(?P<rest>[/?#].*)?$",
    re.IGNORECASE,
)
# Characters a rewritten URL may not carry into Markdown (they would end or break the link).
_UNSAFE_IN_MARKDOWN = re.compile(r"[\s<>\"\\`]")


def check(
    data: bytes,
    source: str,
    snapshot: Snapshot,
    runs: Runs,
    rules: Rules,
    parsed: ParsedList | None = None,
) -> Report:
    """Every finding about the list ``data`` (named ``source``), from the published
    ``snapshot`` and ``runs`` (per entry id, its newest runs first; None: absent that run).
    ``parsed``: ``data`` parsed already (the run that published ``snapshot`` holds it)."""
    parsed = parsed if parsed is not None else parse_list(data, source)
    text = decode(data)
    lines = lines_of(text)
    by_index = _LinksByIndex(text.removeprefix("\ufeff"))
    facts = {e.id: e for e in snapshot.entries}
    listed = [e for e in parsed.entries if e.id in facts]
    findings: list[Finding] = []
    for entry in listed:
        known = facts[entry.id]
        history = runs.get(entry.id) or [Run(known.status.value, known.status_reason)]
        gone = _gone(entry, known, history, rules)
        if gone is not None:
            findings.append(gone)
        else:
            findings += _moved(entry, known, by_index, lines)
            findings += _stale(entry, known, history, rules)
        if gone is None or gone.kind != FindingKind.DEAD:
            findings += _unmaintained(entry, known, snapshot, rules)
    findings += _duplicates(listed, facts, by_index)
    order = list(FindingKind)
    findings.sort(key=lambda f: (order.index(f.kind), f.lines[0] if f.lines else 0, f.id))
    return Report(
        list_source=source,
        list_sha256=parsed.sha256,
        dataset_generated_at=snapshot.header.generated_at,
        dataset_run_id=snapshot.header.run_id,
        rules=rules,
        entries=len(parsed.entries),
        checked=len(listed),
        not_in_dataset=[e.id for e in parsed.entries if e.id not in facts],
        findings=findings,
    )


class _LinksByIndex(Mapping[int, ListedLink]):
    """The list's links by index, extracted (the list walked again) only when a finding
    needs one: a moved entry's rewrite, an entry listed twice. Most nights none does."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._links: dict[int, ListedLink] | None = None

    def _all(self) -> dict[int, ListedLink]:
        if self._links is None:
            links, _ = extract_links(self._text)
            self._links = {link.index: link for link in links}
        return self._links

    def __getitem__(self, index: int) -> ListedLink:
        return self._all()[index]

    def __iter__(self) -> Iterator[int]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())


def _lines(entry: Entry) -> list[int]:
    return sorted({p.line for p in entry.positions})


def _finding(kind: FindingKind, entry: Entry, message: str, **fields: object) -> Finding:
    return Finding(kind=kind, id=entry.id, url=entry.url, lines=_lines(entry), message=message,
                   **fields)  # type: ignore[arg-type]  # fmt: skip


# -- dead, flaky, stale --------------------------------------------------------------------


def _streak(history: Sequence[Run | None], counts: re.Pattern[str] | tuple[str, ...]) -> int:
    """How many of the newest runs in a row match: a reason pattern, or a set of statuses."""
    streak = 0
    for run in history:
        if run is None:
            break
        if isinstance(counts, re.Pattern):
            matched = run.status in _FAILED and bool(counts.match(run.reason or ""))
        else:
            matched = run.status in counts
        if not matched:
            break
        streak += 1
    return streak


def _gone(
    entry: Entry, known: Entry, history: Sequence[Run | None], rules: Rules
) -> Finding | None:
    if known.status.value not in _FAILED:
        return None
    reason = known.status_reason or ""
    if _GONE_AT_ONCE.match(reason):
        streak = max(1, _streak(history, _GONE_AT_ONCE))
        return _finding(FindingKind.DEAD, entry, reason, runs=streak)
    if not _GONE_AFTER_RUNS.match(reason):
        return None
    streak = max(1, _streak(history, _GONE_AFTER_RUNS))
    if streak >= rules.dead_after_runs:
        return _finding(FindingKind.DEAD, entry, f"{reason} (the last {streak} runs)", runs=streak)
    return _finding(
        FindingKind.FLAKY, entry,
        f"{reason} ({streak} of the {rules.dead_after_runs} runs in a row that make it dead)",
        runs=streak,
    )  # fmt: skip


def _stale(
    entry: Entry, known: Entry, history: Sequence[Run | None], rules: Rules
) -> list[Finding]:
    if known.status.value not in _FAILED:
        return []
    streak = max(1, _streak(history, _FAILED))
    if streak <= rules.stale_after_runs:
        return []
    reason = known.status_reason or "no reason recorded"
    if known.status == Status.STALE and known.stale_since is not None:
        kept = known.stale_since.strftime("%Y-%m-%d")
        message = f"stale for {streak} runs (values of {kept} kept): {reason}"
    else:
        message = f"failing for {streak} runs, never fetched: {reason}"
    return [_finding(FindingKind.STALE, entry, message, runs=streak)]


# -- unmaintained --------------------------------------------------------------------------


def _unmaintained(entry: Entry, known: Entry, snapshot: Snapshot, rules: Rules) -> list[Finding]:
    repo = known.repo
    if repo is None:
        return []
    last = repo.last_commit_at or repo.pushed_at
    since = f", last commit {last:%Y-%m-%d}" if last else ""
    if repo.archived:
        return [_finding(FindingKind.UNMAINTAINED, entry, f"archived on GitHub{since}")]
    if last is None:
        return []
    days = (snapshot.header.generated_at - last).days
    if days <= rules.unmaintained_days:
        return []
    message = f"no commit for {days} days (last {last:%Y-%m-%d})"
    return [_finding(FindingKind.UNMAINTAINED, entry, message)]


# -- moved ---------------------------------------------------------------------------------


def _moved(
    entry: Entry, known: Entry, by_index: Mapping[int, ListedLink], lines: list[str]
) -> list[Finding]:
    """A renamed or transferred repository, a page moved permanently, an http:// page that
    https serves the same: what the list should say now, and the rewrite of each link."""
    repo = known.repo
    if repo is not None and repo.renamed_from and repo.full_name.lower() != entry.source_id.lower():
        target = repo.full_name
        message = f"GitHub repository moved: {entry.source_id} is now {target}"
        return [_with_fix(entry, by_index, lines, message, f"https://github.com/{target}",
                          lambda url: _renamed(url, target))]  # fmt: skip
    page = known.web
    if known.kind != Kind.WEB or page is None or known.status != Status.OK:
        return []
    moved = _permanent_target(page)
    if moved is not None:
        target, statuses = moved
        if normalize_url(target) != normalize_url(entry.url):
            via = "/".join(str(s) for s in statuses)
            message = f"moved permanently (HTTP {via}) to {target}"
            unsafe = _unsafe_target(entry.url, target)
            return [_with_fix(entry, by_index, lines, message, target,
                              lambda url: _at(url, target), unsafe)]  # fmt: skip
        return []
    if page.https_equivalent and urlsplit(entry.url).scheme.lower() == "http":
        target = _https(entry.url)
        message = "served the same over https: the link can be https://"
        return [_with_fix(entry, by_index, lines, message, target, _https)]
    return []


def _with_fix(
    entry: Entry,
    by_index: Mapping[int, ListedLink],
    lines: list[str],
    message: str,
    target: str,
    rewrite: Callable[[str], str | None],
    unsafe: str | None = None,
) -> Finding:
    """A moved finding with the rewrite of each of the entry's links (or why there is none)."""
    fixes: list[Rewrite] = []
    missing: list[int] = []
    bare: list[int] = []
    if unsafe is None:
        for position in entry.positions:
            link = by_index.get(position.index)
            found = locate(lines, position.line, link.url, rewrite) if link else None
            if found is not None and found not in fixes:
                fixes.append(found)
            elif found is None and link and written_bare(lines, position.line, link.url):
                bare.append(position.line)
            elif found is None:
                missing.append(position.line)
    if bare and unsafe is None:
        unsafe = f"a bare domain in the text on line {_join(bare)}, not a URL to rewrite"
    if missing and unsafe is None:
        unsafe = f"the URL is not written out on line {_join(missing)} (a reference link?)"
    return _finding(FindingKind.MOVED, entry, message, new_url=target, fix=fixes, not_fixed=unsafe)


def _renamed(url: str, full_name: str) -> str | None:
    match = _GITHUB_URL.match(url)
    if match is None:
        return None
    tail, rest = match.group("tail") or "", match.group("rest") or ""
    return f"{match.group('head')}{full_name}{tail}{rest}"


def _https(url: str) -> str:
    return "https" + url[len("http") :] if url[:5].lower() == "http:" else url


def _at(url: str, target: str) -> str:
    """``target``, keeping the link's #fragment when the target has none (it is not sent)."""
    fragment = urlsplit(url).fragment
    return f"{target}#{fragment}" if fragment and "#" not in target else target


def _permanent_target(page: WebPage) -> tuple[str, list[int]] | None:
    """Where the leading permanent redirects (301/308) of the chain lead, and their statuses;
    a temporary redirect (302/303/307) ends what the list may follow."""
    target: str | None = None
    statuses: list[int] = []
    for i, hop in enumerate(page.redirects):
        if hop.status not in _PERMANENT:
            break
        target = page.redirects[i + 1].url if i + 1 < len(page.redirects) else page.final_url
        statuses.append(hop.status)
    return (target, statuses) if target else None


def _unsafe_target(url: str, target: str) -> str | None:
    """Why a redirect target must not be written into the list, or None."""
    old, new = urlsplit(url), urlsplit(target)
    if new.scheme.lower() not in ("http", "https"):
        return f"redirects to a {new.scheme}: URL"
    if old.scheme.lower() == "https" and new.scheme.lower() == "http":
        return "redirects from https to http"
    if _UNSAFE_IN_MARKDOWN.search(target) or target.count("(") != target.count(")"):
        return "the new URL cannot be written into a Markdown link as is"
    query = unquote(new.query)
    path = old.path.rstrip("/")
    if url in query or (len(path) > 1 and path in query):
        return "redirects to a sign-in or consent page that names the old URL"
    return None


# -- duplicates ----------------------------------------------------------------------------


def _duplicates(
    listed: list[Entry], facts: Mapping[str, Entry], by_index: Mapping[int, ListedLink]
) -> list[Finding]:
    """The same upstream object on more than one line: one entry listed again (the abs and pdf
    forms of a paper are one entry already), one repository under two names (its numeric id),
    a paper's Hub page beside its arXiv link. Links on one line are one item: not duplicates."""
    found: list[Finding] = []
    for entry in listed:
        lines = _lines(entry)
        if len(lines) > 1:
            spelled = sorted(
                {by_index[p.index].url for p in entry.positions if p.index in by_index}
            )
            written = " and ".join(spelled) if len(spelled) > 1 else entry.url
            message = f"listed {len(lines)} times (lines {_join(lines)}), as {written}"
            found.append(_finding(FindingKind.DUPLICATE, entry, message))
    groups: dict[int, list[Entry]] = defaultdict(list)
    for entry in listed:
        repo = facts[entry.id].repo
        if repo is not None:
            groups[repo.repo_id].append(entry)
    pairs = [(same, f"the same GitHub repository (id {repo_id})")
             for repo_id, same in groups.items() if len(same) > 1]  # fmt: skip
    papers = {e.id: e for e in listed if e.kind == Kind.PAPER}
    for entry in listed:
        match = _HUB_PAPER.match(entry.url) if entry.kind == Kind.WEB else None
        paper = papers.get(f"arxiv:{match.group('id')}") if match else None
        if paper is not None:
            pairs.append(([paper, entry], f"arXiv {paper.source_id} and its Hub paper page"))
    found += [f for f in (_group(same, what) for same, what in pairs) if f is not None]
    return found


def _group(entries: list[Entry], what: str) -> Finding | None:
    """One finding for entries that are one upstream object, unless they share their line."""
    lines = sorted({line for e in entries for line in _lines(e)})
    if len(lines) < 2:
        return None
    names = ", ".join(f"{e.url} (line {_join(_lines(e))})" for e in entries)
    first = min(entries, key=lambda e: _lines(e)[0] if e.positions else 0)
    return Finding(kind=FindingKind.DUPLICATE, id=first.id, url=first.url, lines=lines,
                   message=f"{what}, listed as {names}")  # fmt: skip


def _join(numbers: Sequence[int]) -> str:
    return ", ".join(str(n) for n in numbers)
