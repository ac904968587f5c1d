"""``enrich render``: the views regenerated from a published folder, with no network (a template
or formula change needs no refetch). Every registered view is rendered, as a run would, from
what the run handed them: the snapshot, its diff, the earlier diffs the feed looks back over,
the history, and what the operator said about the dataset (``about.json``: its name, licence,
Hub repository, notice), each overridden by a setting given now.

A catalog's output folder (``lists/`` and ``catalog/``, `enrich.run.catalog`) renders every
list's views in ``lists/<slug>/``, then the catalog's page and feed from ``catalog/lists.parquet``
and what the lists published, and its card ``README.md`` from the catalog's tables and what the
run drew it from (``catalog/card.json``), as the run's catalog finish does (`render_catalog`)."""

from __future__ import annotations

from dataclasses import fields, replace
from pathlib import Path

import pyarrow.parquet as pq

from enrich.core.errors import InputError
from enrich.core.model import Header, Snapshot
from enrich.core.settings import Settings
from enrich.run.catalog import list_nights, of_run
from enrich.run.steps import about, render_views, sweep_views
from enrich.store import diffs, history
from enrich.store.catalog import TABLES
from enrich.store.codec import read_snapshot
from enrich.store.files import atomic_write_bytes, exclusive
from enrich.store.published import read_published
from enrich.views import About, Published, catalogcard
from enrich.views import about as about_view
from enrich.views import catalog as catalog_views

CATALOG, LISTS = "catalog", "lists"  # a catalog output folder's parts (`enrich.run.catalog`)


def render(out_dir: Path, settings: Settings) -> list[Path]:
    """Rewrite every view's files in ``out_dir`` (atomically, under the folder's lock): a
    list's dataset folder, or a catalog's output folder (`is_catalog`)."""
    if is_catalog(out_dir):
        return render_catalog(out_dir, settings)
    if not (out_dir / "latest.json").is_file():  # before the lock, which creates the folder
        read_published(out_dir)
    with exclusive(out_dir):
        return _render_list(out_dir, settings)


def is_catalog(out_dir: Path) -> bool:
    """A catalog run's output folder: its lists under ``lists/``, the catalog's files under
    ``catalog/``, and no dataset of its own."""
    return (
        (out_dir / CATALOG / "lists.parquet").is_file()
        and (out_dir / LISTS).is_dir()
        and not (out_dir / "latest.json").is_file()
    )


def render_catalog(out_dir: Path, settings: Settings) -> list[Path]:
    """Every published list's views (``lists/<slug>/``), then the catalog's ``index.html`` and
    ``feed.xml``, and its card, under the output folder's lock (the catalog run's)."""
    with exclusive(out_dir):
        rows = pq.read_table(out_dir / CATALOG / "lists.parquet").to_pylist()
        written: list[Path] = []
        snapshots: dict[str, Snapshot] = {}
        notice = settings.dataset_notice
        for row in rows:
            slug = str(row["slug"])
            folder = out_dir / LISTS / slug
            if (folder / "latest.json").is_file():
                written += _render_list(folder, settings)
                snapshots[slug] = read_snapshot(folder / "latest.parquet")
                notice = notice or _about(folder, About()).notice
        if not snapshots:
            raise InputError(f"{out_dir}: a catalog with no published list to render")
        # the catalog's run: its newest list's (every list a run publishes has its id and time)
        newest = max((s.header for s in snapshots.values()), key=lambda h: h.generated_at)
        last, nights = list_nights(out_dir, [str(row["slug"]) for row in rows], settings.feed_runs)
        tonight = of_run(last, newest.run_id)
        files = catalog_views.render(
            catalog_views.CatalogPublished(
                newest.run_id, newest.generated_at, rows, snapshots, tonight, nights, notice
            )
        )
        for name, data in files.items():
            path = out_dir / CATALOG / name
            atomic_write_bytes(path, data)
            written.append(path)
        for name, data in _catalog_card(out_dir, settings, newest).items():
            path = out_dir / name
            atomic_write_bytes(path, data)
            written.append(path)
    return written


def _catalog_card(out_dir: Path, settings: Settings, newest: Header) -> dict[str, bytes]:
    """The catalog's card (and what it is drawn from), as the run drew it: from the tables and
    ``catalog/card.json``, a setting given now taking precedence. A folder without that file
    (written before it) is drawn from its newest list's run and the settings."""
    tables = {name: pq.read_table(out_dir / CATALOG / f"{name}.parquet") for name in TABLES}
    try:
        drawn = catalogcard.read_drawn((out_dir / catalogcard.DRAWN).read_bytes())
    except OSError:
        drawn = None
    built, run_id, said = drawn or (newest.generated_at, newest.run_id, About())
    card = catalogcard.CatalogCard(tables, built, run_id, _given_over(said, about(settings)))
    return catalogcard.render(card)


def _render_list(out_dir: Path, settings: Settings) -> list[Path]:
    """One list's views, rewritten (the caller holds the lock)."""
    stored = read_published(out_dir)
    earlier = diffs.recent(out_dir, settings.feed_runs - 1, stored.snapshot.header.run_id)
    said = _about(out_dir, about(settings))
    days = history.day_count(out_dir, stored.snapshot.header)
    files = render_views(Published(*stored, earlier, said, settings, history_days=days))
    written = []
    for relative, data in files.items():
        path = out_dir / relative
        atomic_write_bytes(path, data)
        written.append(path)
    sweep_views(out_dir, files)
    return written


def _about(out_dir: Path, given: About) -> About:
    """What the published run said about the dataset, each value given now taking its place."""
    path = out_dir / about_view.PATH
    try:
        stored = about_view.read(path.read_bytes())
    except OSError:  # a folder published before about.json, or none there
        return given
    return _given_over(stored, given)


def _given_over(stored: About, given: About) -> About:
    """``stored``, each value ``given`` now taking its place."""
    now = {f.name: getattr(given, f.name) for f in fields(About)}
    return replace(stored, **{k: v for k, v in now.items() if v is not None})
