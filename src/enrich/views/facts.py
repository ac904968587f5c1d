"""What the people-facing views (list.md, index.html) say about each entry, in one place.

A `Facts` per entry holds the values both views show: the main counter of its kind and its
trend over the history, marks (new, archived, renamed, broken…), and the few facts that matter
for its kind. The views only format them, so the Markdown list and the HTML report never
disagree. Every string here is still untrusted text: each view escapes it its own way.

The trend series is every published observation the run hands the views (the history's last
90 days: `enrich.store.history.VIEW_DAYS`; the trend needs 30): one history row per day and,
when this run replaced an earlier run of the same day (the history keeps one row a day), that
run's value too, taken from the diff. So two runs on one day plot as two points, and ``enrich
render``, which reads the diff back from ``diffs/``, draws the same series as the run did.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import polars as pl

from enrich.core.diff import Diff
from enrich.core.graph import code_repos
from enrich.core.model import Count, Entry, Header, Snapshot, Status, utc_date
from enrich.core.naming import display_title
from enrich.core.score import percentiles
from enrich.core.spec import Registry, Shown
from enrich.core.specs import REGISTRY
from enrich.core.wording import ago, compact, span

if TYPE_CHECKING:
    from enrich.views import Published

__all__ = [
    "DAY_US", "KIND_NAMES", "MAX_POINTS", "TREND_DAYS", "Code", "Facts", "Point", "ago",
    "compact", "counted", "facts", "list_key", "list_name", "micros", "series", "thin", "trend",
    "trend_span",
]  # fmt: skip

TREND_DAYS = 30
# How the views count each kind: (one, many).
KIND_NAMES = {"repo": ("repository", "repositories"), "paper": ("paper", "papers"),
              "dataset": ("dataset", "datasets"), "model": ("model", "models"),
              "space": ("space", "spaces"), "collection": ("Hub collection", "Hub collections"),
              "web": ("web page", "web pages")}  # fmt: skip
# A sparkline is 80 CSS pixels wide: more points than this (2 px apart) cannot be told apart.
MAX_POINTS = 40

# (time in microseconds since the epoch, value): ints, so that a year of history for 2,000 entries
# stays cheap (no datetime object per row).
Point = tuple[int, int]
DAY_US = 86_400 * 1_000_000
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def micros(moment: datetime) -> int:
    return (moment - EPOCH) // timedelta(microseconds=1)


@dataclass(frozen=True)
class Code:
    """A repository tied to a paper."""

    name: str
    url: str
    stars: int | None


@dataclass
class Facts:
    entry: Entry
    name: str
    url: str
    new: bool = False
    marks: list[str] = field(default_factory=list)  # archived, renamed from …, broken (404) …
    counter: str | None = None  # stars, downloads, upvotes
    value: int | None = None
    delta: int | None = None  # change of the counter over the trend window
    delta_days: float | None = None  # how long that window really is
    series: list[Point] = field(default_factory=list)
    score: float | None = None
    # where the score stands in its kind (`enrich.core.score.percentiles`): what the views show,
    # sort and filter by, so a paper and a repository compare
    percentile: float | None = None
    peers: str = ""  # "the list's 7 repositories": whom the percentile compares with
    details: list[str] = field(default_factory=list)  # kind-specific facts, in display order
    code: Code | None = None


def trend_span(days: float) -> str:
    """The length of a trend window (a float of days, as `trend` measures it)."""
    return span(timedelta(days=days))


def counted(counts: list[Count], names: Mapping[str, tuple[str, str]] | None = None) -> str:
    """``7 papers, 7 repositories, 1 web page``: a header's tallies in words (a name the table
    does not know, as it is: ``16 ok``)."""
    words = []
    for c in counts:
        one, many = (names or {}).get(c.name, (c.name, c.name))
        words.append(f"{c.count:,} {one if c.count == 1 else many}")
    return ", ".join(words)


def list_name(header: Header) -> str:
    """What the views call the list: its own title (its first level-1 heading, in the header
    since schema 1.4), else `list_key`. Never a path: where the list comes from is the
    header's ``list_source``, shown with the snapshot's other facts."""
    title = getattr(header, "list_title", None)  # schema 1.4; older headers have none
    if isinstance(title, str) and title.strip():
        return " ".join(title.split())
    return list_key(header)


def list_key(header: Header) -> str:
    """The list's file name without ``.md`` (a README: its repository's or folder's name),
    whichever way its source was spelt (a path relative or absolute, ``github:``, a URL, the
    bundled copy): what the feed's ids and the dataset's default name are made of."""
    source = header.list_source.split("@")[0].rstrip("/")
    source = source.removeprefix("bundled:").removeprefix("github:")
    path = urlsplit(source).path if "://" in source else source.replace("\\", "/")
    parts = [part for part in path.split("/") if part]
    if not parts:
        return header.list_source
    stem = parts[-1].removesuffix(".md").removesuffix(".MD")
    if stem.lower() == "readme" and len(parts) > 1:  # OWNER/REPO/README.md: the repository
        stem = parts[-2]
    return stem


def series(
    history: pl.DataFrame, diff: Diff | None, snapshot: Snapshot, registry: Registry = REGISTRY
) -> dict[str, list[Point]]:
    """Each entry's main counter over time, oldest first (see the module's docstring)."""
    out: dict[str, list[Point]] = {}
    kinds = sorted({e.kind for e in snapshot.entries})
    main = {k: [c.name for _, c in registry.main_counters(k)] for k in kinds}
    if any(c in history.columns for names in main.values() for c in names) and not (
        history.is_empty()
    ):
        # The counter of each row's kind (the first of its kind's main counters that has a
        # value), one column; then one list per entry (columnar: a 2,000-entry list with a year
        # of history is 730,000 rows).
        value = pl.lit(None, pl.Int64)
        for kind, names in main.items():
            present = [pl.col(c) for c in names if c in history.columns]
            if present:
                value = (
                    pl.when(pl.col("kind") == kind.value)
                    .then(pl.coalesce(present))
                    .otherwise(value)
                )
        grouped = (
            history.select(
                "id", pl.col("observed_at").dt.epoch("us"), value.cast(pl.Int64).alias("value")
            )
            .drop_nulls("value")
            .filter(pl.col("id").is_in([e.id for e in snapshot.entries]))
            .sort("observed_at")
            .group_by("id", maintain_order=True)
            .agg("observed_at", "value")
        )
        for entry_id, times, values in grouped.iter_rows():
            out[entry_id] = list(zip(times, values, strict=True))
    for entry_id, point in _replaced_points(diff, snapshot, registry).items():
        points = out.setdefault(entry_id, [])
        points.append(point)
        points.sort(key=lambda p: p[0])
    return out


def _replaced_points(diff: Diff | None, snapshot: Snapshot, registry: Registry) -> dict[str, Point]:
    """The previous run's values when this run replaced its day in the history."""
    start = diff["from"] if diff is not None else None
    if diff is None or start is None:
        return {}
    when = datetime.fromisoformat(start["generated_at"])
    if utc_date(when) != utc_date(snapshot.header.generated_at):
        return {}  # that run's day is still in the history
    added = {row["id"] for row in diff["added"]}
    # An entry that had no values before (error, pending, skipped) had no point either.
    blank = {
        c["id"]
        for c in diff["changes"]
        if c["field"] == "status" and c["old"] in ("error", "pending", "skipped")
    }
    old = {(c["id"], c["field"]): c["old"] for c in diff["counters"]}
    points: dict[str, Point] = {}
    for entry in snapshot.entries:
        column, value = registry.main_counter(entry)
        if column is None or value is None or entry.id in added or entry.id in blank:
            continue
        points[entry.id] = (micros(when), old.get((entry.id, column), value))
    return points


def trend(points: list[Point], now: datetime) -> tuple[int, float] | None:
    """(change, days) of a series over the last `TREND_DAYS`: from the newest point at least
    that old, else the oldest one; None with fewer than two points."""
    if len(points) < 2:
        return None
    current_time, current = points[-1]
    cutoff = micros(now) - TREND_DAYS * DAY_US
    earlier = [p for p in points[:-1] if p[0] <= cutoff]
    base_time, base = earlier[-1] if earlier else points[0]
    return current - base, (current_time - base_time) / DAY_US


def thin(points: list[Point], limit: int = MAX_POINTS) -> list[Point]:
    """At most ``limit`` points, evenly spread, the first and the last kept."""
    if len(points) <= limit:
        return points
    step = (len(points) - 1) / (limit - 1)
    return [points[round(i * step)] for i in range(limit)]


def _marks(entry: Entry, registry: Registry) -> list[str]:
    """Each slot's warnings (its spec's: archived, renamed, broken, gated), then the status."""
    marks = registry.marks(entry)
    if entry.status is Status.STALE:
        since = f" since {entry.stale_since.date().isoformat()}" if entry.stale_since else ""
        marks.append(f"stale{since}")
    elif entry.status is Status.ERROR:
        reason = " ".join((entry.status_reason or "unknown").split())
        marks.append(f"error: {reason[:79] + '…' if len(reason) > 80 else reason}")
    return marks


def _code(entry: Entry, by_id: dict[str, Entry]) -> Code | None:
    """The paper's most-starred code repository (a ``code`` tie out), listed or external."""
    repos = code_repos(entry, by_id)
    if not repos:
        return None
    best = max(repos, key=lambda e: e.repo.stars if e.repo else 0)
    assert best.repo is not None
    return Code(best.repo.full_name, best.repo.html_url, best.repo.stars)


def facts_of(published: Published) -> list[Facts]:
    """`facts` of what is published, made once per render (`Published.memo`): the list and
    the report read the same."""
    memo = published.memo
    if "facts" not in memo:
        memo["facts"] = facts(
            published.snapshot, published.diff, published.history, published.registry
        )
    found: list[Facts] = memo["facts"]
    return found


def facts(
    snapshot: Snapshot,
    diff: Diff | None,
    history: pl.DataFrame,
    registry: Registry = REGISTRY,
) -> list[Facts]:
    """The facts of every entry, in the snapshot's order (by id): what each source's spec says
    of it (``registry``: its main counter, name, link, facts line and marks)."""
    now = snapshot.header.generated_at
    by_id = {e.id: e for e in snapshot.external} | {e.id: e for e in snapshot.entries}
    new = (
        {row["id"] for row in diff["added"]}
        if diff is not None and not diff["first_run"]
        else set()
    )
    trends = series(history, diff, snapshot, registry)
    ranks = percentiles(snapshot.entries)
    plural = {scheme.name: scheme.plural for scheme in registry.schemes}
    sizes: dict[str, int] = {}
    for entry in snapshot.entries:
        if entry.score is not None:
            sizes[entry.score.scheme] = sizes.get(entry.score.scheme, 0) + 1
    out = []
    for entry in snapshot.entries:
        points = trends.get(entry.id, [])
        moved = trend(points, now)
        code = _code(entry, by_id) if entry.paper is not None else None
        counter, value = registry.main_counter(entry)
        out.append(
            Facts(
                entry=entry,
                name=display_title(entry, registry),
                url=registry.link(entry),
                new=entry.id in new,
                marks=_marks(entry, registry),
                counter=counter,
                value=value,
                delta=moved[0] if moved else None,
                delta_days=moved[1] if moved else None,
                series=thin(points),
                score=entry.score.total if entry.score is not None else None,
                percentile=ranks.get(entry.id),
                peers=_peers(entry, sizes, plural),
                details=registry.details(entry, Shown(now, has_code=code is not None)),
                code=code,
            )
        )
    return out


def _peers(entry: Entry, sizes: dict[str, int], plural: dict[str, str]) -> str:
    if entry.score is None:
        return ""
    scheme = entry.score.scheme
    return f"the list's {sizes[scheme]} {plural.get(scheme.rsplit('-', 1)[0], 'entries')}"
