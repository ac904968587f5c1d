"""What a run says about itself: the summary, one line, the Markdown summary and the rows of the
entries table (the Prefect UI artifacts are `enrich.run.artifacts`). Not the HTML report of the
dataset (``index.html``: `enrich.views.report`), nor the list check's report (`enrich.core.check`).

Titles, descriptions and reasons come from untrusted lists, cards and upstream answers: every
one goes through `enrich.core.markdown` before it is put in Markdown.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypedDict

from enrich.core.diff import Summary
from enrich.core.markdown import code, link, md
from enrich.core.model import Entry, Snapshot, Status
from enrich.core.naming import display_title
from enrich.core.rawdocs import RequestCounts, Usage
from enrich.run.retention import Pruned
from enrich.run.steps import RunResult
from enrich.store.hub import HubUpload


class RunSummary(TypedDict):
    """The flow's return value (``state.result()``): plain JSON-able data."""

    run_id: str
    list_source: str
    list_sha256: str
    entries: int
    by_kind_status: dict[str, dict[str, int]]  # kind -> status -> count
    requests: dict[str, RequestCounts]
    rate_limits: dict[str, Usage]
    source_failures: dict[str, str]
    problems: dict[str, str]  # entry id -> "status: reason"
    published: list[str]
    changes: Summary | None
    feed: str | None  # where the run's Atom feed is: the Hub's copy, else the local file
    hub: HubSummary | None


class HubSummary(TypedDict):
    repo_id: str
    commit_url: str | None  # None: the Hub held every file already
    uploaded: int
    unchanged: int
    # report pages the Hub held and the folder no longer has, deleted in the same commit
    deleted: list[str]
    error: str | None


def by_kind_status(snapshot: Snapshot) -> dict[str, dict[str, int]]:
    table: dict[str, dict[str, int]] = {}
    for entry in snapshot.entries:
        row = table.setdefault(entry.kind.value, {})
        row[entry.status.value] = row.get(entry.status.value, 0) + 1
    return dict(sorted(table.items()))


def problems(snapshot: Snapshot) -> list[Entry]:
    return [e for e in snapshot.entries if e.status in (Status.ERROR, Status.STALE)]


def summary(result: RunResult) -> RunSummary:
    """The run's outcome as plain JSON-able data (the flow's return value)."""
    header = result.snapshot.header
    return RunSummary(
        run_id=header.run_id,
        list_source=header.list_source,
        list_sha256=header.list_sha256,
        entries=header.entries,
        by_kind_status=by_kind_status(result.snapshot),
        requests=result.requests,
        rate_limits=result.rate_limits,
        source_failures=result.source_failures,
        problems={e.id: f"{e.status.value}: {e.status_reason}" for e in problems(result.snapshot)},
        published=[str(p) for p in result.published],
        changes=result.diff["summary"] if result.diff else None,
        feed=feed_link(result),
        hub=hub_summary(result.hub) if result.hub else None,
    )


def feed_link(result: RunResult) -> str | None:
    """The feed's address: on the Hub when this run uploaded it, else the published file."""
    uploaded = result.hub
    if uploaded is not None and uploaded.error is None and uploaded.repo_url:
        return f"{uploaded.repo_url.rstrip('/')}/resolve/main/feed.xml"
    local = [p for p in result.published if p.name == "feed.xml"]
    return local[0].resolve().as_uri() if local else None


def hub_summary(uploaded: HubUpload) -> HubSummary:
    return HubSummary(
        repo_id=uploaded.repo_id, commit_url=uploaded.commit_url, uploaded=len(uploaded.uploaded),
        unchanged=uploaded.unchanged, deleted=list(uploaded.deleted), error=uploaded.error,
    )  # fmt: skip


def _deleted(uploaded: HubSummary, name: Callable[[str], str] = str) -> str:
    """``, 2 deleted (pages/3.html, pages/4.html)``: what the commit removed from the Hub, the
    first five named (each by ``name``: `enrich.core.markdown.code` in Markdown); empty when
    nothing (a summary made before this field existed has none)."""
    gone = uploaded.get("deleted") or []
    if not gone:
        return ""
    shown = ", ".join(name(g) for g in gone[:5])
    shown += f", … {len(gone) - 5} more" if len(gone) > 5 else ""
    return f", {len(gone)} deleted ({shown})"


def hub_line(uploaded: HubSummary) -> str:
    """One line on the upload, for the CLI and the Prefect summary."""
    repo = uploaded["repo_id"]
    if uploaded["error"]:
        return f"Hub {repo}: not uploaded, the next run retries ({uploaded['error']})"
    if uploaded["commit_url"] is None:
        return f"Hub {repo}: up to date ({uploaded['unchanged']} files), no commit"
    return (f"Hub {repo}: {uploaded['uploaded']} files uploaded ({uploaded['unchanged']} "
            f"unchanged){_deleted(uploaded)} in {uploaded['commit_url']}")  # fmt: skip


class CatalogSummary(TypedDict):
    """A catalog run's return value: each published list's summary (by slug), the lists not
    published with why, the catalog's files, its upload to the Hub (None: not asked)."""

    lists: dict[str, RunSummary]
    failed: dict[str, str]
    catalog: list[str]
    hub: HubSummary | None


@dataclass(frozen=True)
class ListDone:
    """What a catalog run keeps of a list it published: its summary (`summary`),
    made at its finish, not its result: every list's snapshot, diff and check held until the
    run ends grew the run by about 16 KB a link (#24 item 8)."""

    summary: RunSummary


@dataclass
class CatalogResult:
    """A catalog run: each published list's summary (by slug), the lists not published with
    why (by slug, or by source for a list that could not be read), the catalog's files, and
    the ids of the published lists' entities."""

    run_dir: Path
    results: dict[str, ListDone] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)
    catalog: list[Path] = field(default_factory=list)
    pruned: Pruned | None = None  # what the prune after the publish removed
    hub: HubUpload | None = None  # the catalog's upload to the Hub, when the run publishes there
    entities: set[str] = field(default_factory=set)


def catalog_summary(result: CatalogResult) -> CatalogSummary:
    return CatalogSummary(
        lists={slug: one.summary for slug, one in result.results.items()},
        failed=dict(result.failed),
        catalog=[str(p) for p in result.catalog],
        hub=hub_summary(result.hub) if result.hub is not None else None,
    )


def catalog_line(result: CatalogResult) -> str:
    """A catalog run in one line: lists published, entities, lists not published."""
    line = f"published {len(result.results)} lists ({len(result.entities)} entities)"
    if result.failed:
        line += f"; not published: {', '.join(sorted(result.failed))}"
    return line


def one_line(result: RunResult) -> str:
    """The run in one line (the Prefect run's state message), naming any source that failed."""
    header = result.snapshot.header
    totals = sorted((c.name, c.count) for c in header.by_status)
    statuses = ", ".join(f"{n} {s}" for s, n in totals)
    published = f"published {header.entries} entries ({statuses}) from {header.list_source}"
    return published + failed_sources(result.source_failures)


def failed_sources(failures: Mapping[str, str]) -> str:
    """The clause that names the sources that failed ("" when none failed): the run was
    published all the same, so the first line of its summary must say what it lacks."""
    return "".join(
        f"; source {name} failed: {' '.join(why.removeprefix(f'{name} failed: ').split())}"
        for name, why in sorted(failures.items())
    )


# The views people read, by file name (`enrich.views.registry`), as the summary names them.
VIEW_LINKS = {"index.html": "report", "list.md": "enriched list"}


def view_links(result: RunResult, public_url: str | None = None) -> dict[str, str]:
    """Each view the run published (report, enriched list) and where to open it: under
    ``public_url`` when the folder is served there, else the local file's path."""
    links = {}
    for path in result.published:
        label = VIEW_LINKS.get(path.name)
        if label is not None and path.parent.name != "diffs":
            links[label] = f"{public_url.rstrip('/')}/{path.name}" if public_url else str(path)
    return links


def summary_markdown(result: RunResult, public_url: str | None = None) -> str:
    snap = result.snapshot
    statuses = [s.value for s in Status]
    lines = [
        f"# {md(snap.header.entries)} entries from {md(snap.header.list_source)}"
        + md(failed_sources(result.source_failures)),
        "",
        f"Run `{snap.header.run_id}`, list sha256 `{snap.header.list_sha256[:12]}`.",
        "",
    ]
    views = view_links(result, public_url)
    if views:
        lines += [
            " · ".join(
                f"{label}: {link(where, where) if public_url else code(where)}"
                for label, where in views.items()
            ),
            "",
        ]
    lines += [
        "| kind | " + " | ".join(statuses) + " |",
        "|---|" + "---:|" * len(statuses),
    ]
    for kind, row in by_kind_status(snap).items():
        cells = [str(row.get(s, "")) for s in statuses]
        lines.append(f"| {kind} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "## Requests per source",
        "",
        "| source | sent | 304 | reused |",
        "|---|---:|---:|---:|",
    ]
    lines += [
        f"| {name} | {n['sent']} | {n['not_modified']} | {n['reused']} |"
        for name, n in result.requests.items()
    ]
    if result.rate_limits:
        lines += ["", "## Rate limits", "",
                  "| limit | spent | remaining | of | resets | deferred to a later night |",
                  "|---|---:|---:|---:|---|---:|"]  # fmt: skip
        lines += [
            f"| {name} | {u['spent']} | {u['remaining']} | {u['limit']} | {md(str(u['reset']))} "
            f"| {u.get('deferred', 0)} |"
            for name, u in result.rate_limits.items()
        ]
    if result.source_failures:
        lines += ["", "## Sources that failed", ""]
        lines += [f"- **{name}**: {md(why)}" for name, why in result.source_failures.items()]
    feed = feed_link(result)
    if feed or result.hub:
        lines += ["", "## Published", ""]
    if feed:
        lines.append(f"- Atom feed of the changes: <{feed}>")
    if result.hub:
        hub = hub_summary(result.hub)
        if hub["commit_url"] and not hub["error"]:
            counts = f"{hub['uploaded']} files uploaded ({hub['unchanged']} unchanged)"
            counts += _deleted(hub, code)
            lines.append(f"- Hub {code(hub['repo_id'])}: {counts}, [commit](<{hub['commit_url']}>)")
        else:
            lines.append(f"- {md(hub_line(hub))}")
    trouble = problems(snap)
    if trouble:
        lines += ["", f"## Entries in error or stale ({len(trouble)})", ""]
        lines += [f"- {code(e.id)} {e.status.value}: {md(e.status_reason or '')}" for e in trouble]
    return "\n".join(lines) + "\n"


def entry_rows(snapshot: Snapshot) -> list[dict[str, Any]]:
    """One flat row per entry for the UI's table artifact."""
    rows = []
    for e in snapshot.entries:
        repo, paper, hub = e.repo, e.paper, e.hub
        rows.append(
            {
                "id": e.id,
                "kind": e.kind.value,
                "status": e.status.value,
                "title": display_title(e),  # the one naming rule, as in every view
                "section": " › ".join(e.section),
                "stars": repo.stars if repo else None,
                "downloads": hub.downloads if hub else None,
                "score": e.score.total if e.score else None,
                "published": paper.published.date().isoformat()
                if paper and paper.published
                else None,
                "reason": e.status_reason or "",
            }
        )
    return rows
