"""What changed between two snapshots: entries added, removed and moved, field changes, counter
deltas (per day of real time between the snapshots) and events, computed as columnar joins.
Pure: snapshots as files are `enrich.store.compare`'s, published diffs `enrich.store.diffs`'.

Both snapshots are flattened into one polars row per entry (`frame`, `read_frame`); entries are
matched by id, then the unmatched by GitHub's numeric repository id, so a renamed or transferred
repository is one entry that was renamed, not one removed and one added (paper ids are already
versionless). Everything after that is a vectorized filter over the matched pairs; no Python
loop walks the entries, which keeps 100,000-entry snapshots within seconds (`make bench`).

The graph (`enrich.core.graph`) has events of its own: ``code_released``, a paper with a code
tie it did not have (its ``ties`` compared as lists), and ``hub_adoption``, the models and
datasets citing a paper on the Hub up by ``ENRICH_HUB_ADOPTION_MIN``; a paper's Hub upvotes are
a counter.

Counters get a rate per day only over a gap of at least a day: two runs an hour apart would
turn a delta of 5 into 120 a day. Values keep their types (``archived`` is a boolean,
``http_status`` a number), as in the snapshot.

The result is a `Diff`, a JSON-able typed dict (layout in the README, "Diffs");
`enrich.core.changelog` renders it as Markdown. Pure: reading snapshot files is the store's job
(`enrich.store.compare`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NotRequired, TypedDict, cast

import polars as pl
import pyarrow as pa

from enrich.core.model import SCHEMA_VERSION, Header, Relation
from enrich.core.settings import Settings
from enrich.core.spec import ENTRY_COLUMNS, Registry
from enrich.core.specs import REGISTRY

# The counters (reported with their deltas) and the fields reported old -> new: each source's
# spec says which of its record's fields are which (`enrich.core.spec`), in registry order.
COUNTERS = REGISTRY.counters
# Counters get a rate per day over gaps of at least this many days, else their delta alone.
MIN_RATE_DAYS = 1.0
FIELDS = REGISTRY.fields

# Event kinds, most significant first: the changelog's order.
EVENTS = {
    "added": "Added to the list",
    "removed": "Removed from the list",
    "renamed": "Repository renamed or transferred",
    "link_broke": "Link broke",
    "went_error": "Could not be fetched",
    "went_stale": "Went stale (last good values kept)",
    "archived": "Repository archived",
    "new_version": "New arXiv version",
    "new_release": "New release",
    "code_released": "Code released",
    "hub_adoption": "Adopted on the Hub",
    "license_changed": "License changed",
    "became_gated": "Dataset became gated",
    "became_ungated": "Dataset no longer gated",
    "card_changed": "Dataset card changed",
    "recovered": "Recovered",
    "link_recovered": "Link recovered",
    "unarchived": "Repository unarchived",
    "moved": "Moved to another section",
}


class Stamp(TypedDict):
    generated_at: str
    run_id: str


# A compared field's value, with the snapshot's type.
Value = str | int | bool | None


class Listed(TypedDict):
    """An entry that entered or left the list (``title``: its display title)."""

    id: str
    kind: str
    section: str
    title: str | None
    url: str


class Change(TypedDict):
    id: str
    field: str
    old: Value
    new: Value


class CounterChange(TypedDict):
    id: str
    title: str | None
    field: str
    old: int
    new: int
    delta: int
    per_day: float | None


class Event(TypedDict):
    event: str
    id: str
    title: str | None
    url: str | None
    old: Value
    new: Value
    # code_released only: why the repository (``new``) is the paper's code, most trusted first
    # (`enrich.core.model.Evidence` values), and the repository's URL.
    evidence: NotRequired[list[str]]
    code_url: NotRequired[str]


class Summary(TypedDict):
    added: int
    removed: int
    changed: int
    events: dict[str, int]


# "from" is a keyword: the functional form.
Diff = TypedDict(
    "Diff",
    {
        "schema_version": str,
        "first_run": bool,
        "from": Stamp | None,
        "to": Stamp,
        "days": float | None,
        "summary": Summary,
        "added": list[Listed],
        "removed": list[Listed],
        "changes": list[Change],
        "counters": list[CounterChange],
        "events": list[Event],
    },
)


def paths(registry: Registry = REGISTRY) -> dict[str, str]:
    """Each compared column and where it lives in a snapshot's Arrow/Parquet schema: the
    entry's own (`enrich.core.spec.ENTRY_COLUMNS`), each slot's (its spec's columns), the ties."""
    return {**ENTRY_COLUMNS, **registry.paths(), "ties": "ties"}


PATHS = paths()
# Top-level fields a snapshot of an older minor version may lack (display_title: since 1.1,
# ties: since 1.3; a slot: since its source joined, hub_paper in 1.1); `_MISSING`: the type of
# the entry columns they leave out (a slot's columns take theirs from its record).
OPTIONAL = {"display_title", "ties"}
_TIE = pl.Struct({
    "relation": pl.String, "direction": pl.String, "other": pl.String, "url": pl.String,
    "listed": pl.Boolean, "evidence": pl.List(pl.String),
})  # fmt: skip
_MISSING: dict[str, pl.DataType | type[pl.DataType]] = {"title": pl.String, "ties": pl.List(_TIE)}
_POLARS: dict[Any, type[pl.DataType]] = {
    int: pl.Int64,
    str: pl.String,
    bool: pl.Boolean,
    float: pl.Float64,
}
# The Hub adoption of a paper: models and datasets citing it (Spaces are left out: most are
# demos, duplicated in bulk, and say less about use than a fine-tune or a dataset does).
ADOPTION = ("num_models", "num_datasets")
HUB_ADOPTION_MIN: int = Settings.model_fields["hub_adoption_min"].default


def columns(names: Iterable[str], registry: Registry = REGISTRY) -> list[str]:
    """The dotted columns to read of a snapshot whose top-level fields are ``names``."""
    present = set(names)
    optional = OPTIONAL | set(registry.record_fields)
    return [p for p in paths(registry).values() if _top(p) not in optional or _top(p) in present]


def _top(path: str) -> str:
    return path.split(".", 1)[0]


def frame(table: pa.Table, registry: Registry = REGISTRY) -> pl.DataFrame:
    """One row per entry with the compared fields as plain columns, from a snapshot's table."""
    wanted = columns(table.column_names, registry)
    while any(pa.types.is_struct(f.type) for f in table.schema):
        table = table.flatten()
    by_path = {dotted: name for name, dotted in paths(registry).items()}
    return _finish(table.select(wanted).rename_columns([by_path[p] for p in wanted]), registry)


def from_columns(table: pa.Table, registry: Registry = REGISTRY) -> pl.DataFrame:
    """`frame` of a table that holds only the compared leaf columns, under their leaf names (what
    reading `columns` out of a Parquet snapshot gives; the registry keeps leaf names unique)."""
    by_leaf = {dotted.rsplit(".", 1)[-1]: name for name, dotted in paths(registry).items()}
    return _finish(table.rename_columns([by_leaf[n] for n in table.column_names]), registry)


def _missing(registry: Registry) -> dict[str, pl.DataType | type[pl.DataType]]:
    """The type of every column a snapshot may lack: the entry's, then each slot's (from the
    annotation of its record's field)."""
    found = dict(_MISSING)
    for name, annotation in registry.column_types().items():
        found[name] = _POLARS[annotation]
    return found


def _finish(table: pa.Table, registry: Registry) -> pl.DataFrame:
    result = pl.from_arrow(table)
    assert isinstance(result, pl.DataFrame)
    result = result.with_columns(
        pl.lit(None, kind).alias(name)
        for name, kind in _missing(registry).items()
        if name not in result.columns
    )
    # A paper's code: its outgoing code ties (null, not empty, for a snapshot without ties, so
    # that the first night after 1.3 releases no code).
    code = pl.col("ties").list.filter(
        (pl.element().struct.field("relation") == Relation.CODE.value)
        & (pl.element().struct.field("direction") == "out")
    )
    result = result.with_columns(
        pl.coalesce("title", "list_title").alias("title"),
        pl.col("section").list.join(" › "),
        code.list.eval(pl.element().struct.field("other")).alias("code"),
        code.list.eval(pl.element().struct.field("evidence").list.join(" ")).alias("code_evidence"),
        code.list.eval(pl.element().struct.field("url")).alias("code_url"),
    )
    keep = (*paths(registry), *_CODE)
    return result.select([name for name in keep if name not in ("list_title", "ties")])


# Derived from the ties: the ids of the paper's code repositories, and per repository its
# evidence (space-separated) and URL, in the same order.
_CODE = ("code", "code_evidence", "code_url")


def _pairs(old: pl.DataFrame, new: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """(matched pairs with ``_old``/``_new`` columns, removed rows, added rows)."""
    o = old.rename({c: f"{c}_old" for c in old.columns})
    n = new.rename({c: f"{c}_new" for c in new.columns})
    joined = o.join(n, left_on="id_old", right_on="id_new", how="full", coalesce=False)
    matched = joined.filter(pl.col("id_old").is_not_null() & pl.col("id_new").is_not_null())
    gone = joined.filter(pl.col("id_new").is_null()).select(o.columns)
    came = joined.filter(pl.col("id_old").is_null()).select(n.columns)
    # A repository that changed name (or owner) keeps its numeric id: one entry, renamed.
    renamed = gone.filter(pl.col("repo_id_old").is_not_null()).join(
        came.filter(pl.col("repo_id_new").is_not_null()),
        left_on="repo_id_old",
        right_on="repo_id_new",
        how="inner",
        coalesce=False,
    )
    matched = pl.concat([matched, renamed.select(matched.columns)], how="vertical")
    gone = gone.filter(~pl.col("id_old").is_in(renamed["id_old"].implode()))
    came = came.filter(~pl.col("id_new").is_in(renamed["id_new"].implode()))
    gone = gone.rename({c: c.removesuffix("_old") for c in gone.columns})
    came = came.rename({c: c.removesuffix("_new") for c in came.columns})
    return matched, gone, came


def _changed(column: str) -> pl.Expr:
    return pl.col(f"{column}_old").ne_missing(pl.col(f"{column}_new"))


def _rows(frame: pl.DataFrame, **columns: pl.Expr) -> list[dict[str, Any]]:
    return frame.select(**columns).to_dicts()


def _adoption(side: str) -> pl.Expr:
    """A paper's Hub adoption (`ADOPTION` summed) on one side of the pairs; null without a page."""
    counts = [pl.col(f"{c}_{side}") for c in ADOPTION]
    return pl.when(pl.any_horizontal(c.is_not_null() for c in counts)).then(
        pl.sum_horizontal(counts)
    )


def _code_released(matched: pl.DataFrame) -> list[dict[str, Any]]:
    """One event per code repository a paper is tied to tonight and was not last night. Only
    for a paper that had its values last night (ok or stale) in a snapshot with ties: an entry
    that could not be fetched, or a snapshot older than the graph, had no ties to compare."""
    papers = matched.filter(
        ((pl.col("kind_new") == "paper") | pl.col("versioned_id_new").is_not_null())
        & pl.col("status_old").is_in(("ok", "stale"))
        & pl.col("code_old").is_not_null()
        & (pl.col("code_new").list.len() > 0)
    )
    gained = (
        papers.select(
            "id_new", "title_new", "url_new", "code_old", "code_new", "code_evidence_new",
            "code_url_new",
        )
        .explode("code_new", "code_evidence_new", "code_url_new")
        .filter(~pl.col("code_old").list.contains(pl.col("code_new")))
    )  # fmt: skip
    return _rows(
        gained,
        event=pl.lit("code_released"),
        id=pl.col("id_new"),
        title=pl.col("title_new"),
        url=pl.col("url_new"),
        old=pl.lit(None, pl.String),
        new=pl.col("code_new"),
        evidence=pl.col("code_evidence_new").str.split(" "),
        code_url=pl.col("code_url_new"),
    )


def _event_rows(matched: pl.DataFrame, hub_adoption_min: int) -> list[dict[str, Any]]:
    ok = ("ok",)
    bad = ("error", "stale")
    status_old, status_new = pl.col("status_old"), pl.col("status_new")
    broke_old = pl.col("http_status_old").fill_null(0) >= 400
    broke_new = pl.col("http_status_new").fill_null(0) >= 400
    conditions: dict[str, tuple[pl.Expr, pl.Expr, pl.Expr]] = {
        # event: (when, old value, new value)
        "renamed": (
            pl.col("id_old").ne(pl.col("id_new"))
            | (pl.col("full_name_old").is_not_null() & _changed("full_name")),
            pl.coalesce("full_name_old", "id_old"),
            pl.coalesce("full_name_new", "id_new"),
        ),
        "link_broke": (
            (pl.col("kind_new") == "web") & broke_new & ~broke_old
            & pl.col("http_status_old").is_not_null(),
            pl.col("http_status_old"), pl.col("http_status_new"),
        ),
        "went_error": (
            (status_new == "error") & (status_old != "error"),
            status_old, pl.col("status_reason_new"),
        ),
        "went_stale": (
            (status_new == "stale") & (status_old != "stale"),
            status_old, pl.col("status_reason_new"),
        ),
        "archived": (
            (pl.col("archived_new") == True) & (pl.col("archived_old") == False),  # noqa: E712
            pl.lit(False), pl.lit(True),
        ),
        "new_version": (
            pl.col("version_new") > pl.col("version_old"),
            pl.col("versioned_id_old"), pl.col("versioned_id_new"),
        ),
        "new_release": (
            pl.col("release_new").is_not_null() & _changed("release")
            & pl.col("repo_id_old").is_not_null(),
            pl.col("release_old"), pl.col("release_new"),
        ),
        "hub_adoption": (
            (_adoption("new") - _adoption("old")) >= hub_adoption_min,
            _adoption("old"), _adoption("new"),
        ),
        "license_changed": (
            pl.col("full_name_old").is_not_null() & pl.col("full_name_new").is_not_null()
            & _changed("license"),
            pl.col("license_old"), pl.col("license_new"),
        ),
        "became_gated": (
            pl.col("gated_new").is_not_null() & pl.col("gated_old").is_null()
            & pl.col("hub_sha_old").is_not_null(),
            pl.lit(None, pl.String), pl.col("gated_new").cast(pl.String),
        ),
        "became_ungated": (
            pl.col("gated_old").is_not_null() & pl.col("gated_new").is_null()
            & pl.col("hub_sha_new").is_not_null(),
            pl.col("gated_old").cast(pl.String), pl.lit(None, pl.String),
        ),
        "card_changed": (
            pl.col("hub_sha_old").is_not_null() & pl.col("hub_sha_new").is_not_null()
            & _changed("hub_sha"),
            pl.col("hub_sha_old"), pl.col("hub_sha_new"),
        ),
        "recovered": (
            status_old.is_in(bad) & status_new.is_in(ok),
            status_old, status_new,
        ),
        "link_recovered": (
            (pl.col("kind_new") == "web") & broke_old & ~broke_new
            & pl.col("http_status_new").is_not_null(),
            pl.col("http_status_old"), pl.col("http_status_new"),
        ),
        "unarchived": (
            (pl.col("archived_new") == False) & (pl.col("archived_old") == True),  # noqa: E712
            pl.lit(True), pl.lit(False),
        ),
        "moved": (
            _changed("section"),
            pl.col("section_old"), pl.col("section_new"),
        ),
    }  # fmt: skip
    events: list[dict[str, Any]] = []
    for event, (when, old, new) in conditions.items():
        rows = matched.filter(when.fill_null(False))
        events += _rows(
            rows,
            event=pl.lit(event),
            id=pl.col("id_new"),
            title=pl.col("title_new"),
            url=pl.coalesce("html_url_new", "url_new"),
            old=old,
            new=new,
        )
    return events + _code_released(matched)


def compare(
    old: pl.DataFrame | None,
    new: pl.DataFrame,
    old_header: Header | None,
    new_header: Header,
    *,
    hub_adoption_min: int = HUB_ADOPTION_MIN,
    registry: Registry = REGISTRY,
) -> Diff:
    """The diff document of two flattened snapshots (``old`` None: the first run); a paper's
    Hub adoption that grew by ``hub_adoption_min`` or more is a ``hub_adoption`` event."""
    stamp = Stamp(generated_at=new_header.generated_at.isoformat(), run_id=new_header.run_id)
    if old is None or old_header is None:
        listed = {k: pl.col(k) for k in ("id", "kind", "section", "title", "url")}
        added = cast(list[Listed], _rows(new, **listed))
        return {
            "schema_version": SCHEMA_VERSION,
            "first_run": True,
            "from": None,
            "to": stamp,
            "days": None,
            "summary": {"added": len(added), "removed": 0, "changed": 0, "events": {}},
            "added": added,
            "removed": [],
            "changes": [],
            "counters": [],
            "events": [],
        }
    matched, gone, came = _pairs(old, new)
    days = (new_header.generated_at - old_header.generated_at).total_seconds() / 86400
    changes: list[Change] = []
    fields, counter_names = registry.fields, registry.counters
    for name in fields:
        rows = matched.filter(_changed(name))
        changes += _rows(  # type: ignore[arg-type]
            rows, id=pl.col("id_new"), field=pl.lit(name),
            old=pl.col(f"{name}_old"), new=pl.col(f"{name}_new"),
        )  # fmt: skip
    counters: list[CounterChange] = []
    for name in counter_names:
        old_c, new_c = pl.col(f"{name}_old"), pl.col(f"{name}_new")
        rows = matched.filter(old_c.is_not_null() & new_c.is_not_null() & (old_c != new_c))
        delta = (new_c - old_c).cast(pl.Int64)
        counters += _rows(  # type: ignore[arg-type]
            rows, id=pl.col("id_new"), title=pl.col("title_new"), field=pl.lit(name),
            old=old_c, new=new_c, delta=delta,
            per_day=(delta / days).round(3) if days >= MIN_RATE_DAYS else pl.lit(None, pl.Float64),
        )  # fmt: skip
    listing = {"id": "id", "kind": "kind", "section": "section", "title": "title", "url": "url"}
    added = cast(list[Listed], _rows(came, **{k: pl.col(v) for k, v in listing.items()}))
    removed = cast(list[Listed], _rows(gone, **{k: pl.col(v) for k, v in listing.items()}))
    events = [_listed_event("added", row) for row in added]
    events += [_listed_event("removed", row) for row in removed]
    events += cast(list[Event], _event_rows(matched, hub_adoption_min))
    order = list(EVENTS)
    events.sort(key=lambda e: (order.index(e["event"]), e["id"], str(e["new"])))
    changes.sort(key=lambda c: (c["id"], fields.index(c["field"])))
    counters.sort(key=lambda c: (c["id"], counter_names.index(c["field"])))
    changed_ids = {c["id"] for c in changes} | {c["id"] for c in counters}
    tally: dict[str, int] = {}
    for event in events:
        tally[event["event"]] = tally.get(event["event"], 0) + 1
    return {
        "schema_version": SCHEMA_VERSION,
        "first_run": False,
        "from": Stamp(generated_at=old_header.generated_at.isoformat(), run_id=old_header.run_id),
        "to": stamp,
        "days": round(days, 4),
        "summary": {
            "added": len(added),
            "removed": len(removed),
            "changed": len(changed_ids),
            "events": tally,
        },
        "added": added,
        "removed": removed,
        "changes": changes,
        "counters": counters,
        "events": events,
    }


def _listed_event(event: str, row: Listed) -> Event:
    return Event(event=event, id=row["id"], title=row["title"], url=row["url"], old=None,
                 new=row["section"])  # fmt: skip
