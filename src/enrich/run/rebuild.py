"""``enrich rebuild`` of a catalog run: every list's dataset and the catalog's files derived
again from the run's raw folder, with no network, as the run published them.

A catalog's raw folder holds each list's bytes (``lists/<slug>.md``) and a manifest naming them
(``lists``: slug -> source), the lists that could not be read (``unread``) and the Hub
repository the run uploaded to (``publish_repo``, named by the card; a rebuild uploads
nothing). Each list is finished as the run finished it (`enrich.run.steps.finish`: build, guard,
diff, views, publish in ``OUT/lists/<slug>/``), compared with the snapshot that run compared it
with (`published_before`); then the catalog's finish writes ``OUT/catalog/`` and the card.
Rebuilding the newest run reproduces every file the run wrote, byte for byte; a run older than a
list's ``latest.*`` is refused (it would roll that list back) unless forced.

`rebuild` is the command's one entry: a run of one list goes to `enrich.run.job.rebuild`.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from enrich.core.errors import EnrichError, InputError
from enrich.core.listing import parse_list
from enrich.core.model import Snapshot
from enrich.core.rawdocs import Manifest
from enrich.core.settings import Settings
from enrich.run import catalog
from enrich.run.job import CatalogResult, RunResult, keep_list
from enrich.run.job import rebuild as rebuild_list
from enrich.run.state import Listing, ListRun
from enrich.run.steps import finish
from enrich.store import catalog as catalog_files
from enrich.store.files import exclusive
from enrich.store.published import newer_latest, published_before
from enrich.store.raw import RawStore


def is_catalog_run(raw_run: Path) -> bool:
    """Whether ``raw_run`` is a catalog run's raw folder (its manifest names its lists)."""
    return "lists" in RawStore(raw_run).manifest()


def rebuild(
    raw_run: Path,
    out_dir: Path,
    settings: Settings,
    previous: Snapshot | None = None,
    *,
    force: bool = False,
) -> RunResult | CatalogResult:
    """Rebuild a run of one list (`enrich.run.job.rebuild`) or of a catalog (`rebuild_catalog`),
    whichever ``raw_run`` is."""
    if not is_catalog_run(raw_run):
        return rebuild_list(raw_run, out_dir, settings, previous, force=force)
    if previous is not None:
        raise InputError("--previous names one list's snapshot: a catalog's lists have their own")
    return rebuild_catalog(raw_run, out_dir, settings, force=force)


def rebuild_catalog(
    raw_run: Path, out_dir: Path, settings: Settings, *, force: bool = False
) -> CatalogResult:
    """Every list of catalog run ``raw_run`` finished again from its raw folder (the guard
    applies unless ``force``: a list it refuses is reported as the run reported it), then the
    catalog's finish (see the module)."""
    manifest = RawStore(raw_run).manifest()
    named = manifest.get("lists")
    if not named:
        raise InputError(f"{raw_run}: not a catalog run (its manifest names no lists)")
    run_id, started = manifest["run_id"], datetime.fromisoformat(manifest["started_at"])
    result = CatalogResult(raw_run, failed=dict(manifest.get("unread", {})))
    with exclusive(out_dir):
        for slug in named:
            newer = None if force else newer_latest(out_dir / "lists" / slug, started)
            if newer is not None:
                raise InputError(
                    f"{out_dir / 'lists' / slug} holds a newer run ({newer.run_id}) than "
                    f"{run_id}: rebuilding it would roll latest.* back (--force to do so)"
                )
        listed: list[catalog_files.CatalogList] = []
        records = catalog_files.FirstRecords()  # each entity's record kept once, not per list
        for slug, source in named.items():
            one = _list_run(raw_run, manifest, out_dir, slug, source)
            try:
                done = finish(one, settings, check=not force)
            except EnrichError as exc:
                result.failed[slug] = str(exc)
                listed.append(catalog_files.CatalogList(slug, source, None, str(exc)))
                continue
            listed.append(keep_list(result, records, slug, source, done))
            del done
        listed += [
            catalog_files.CatalogList(catalog.slug(source), source, None, why)
            for source, why in manifest.get("unread", {}).items()
        ]
        done_catalog = catalog.finish_catalog(
            catalog.CatalogFinish(out_dir, tuple(listed), run_id, started, settings,
                                  manifest.get("publish_repo"), upload=False)
        )  # fmt: skip
    result.catalog = done_catalog.files
    return result


def _list_run(raw_run: Path, manifest: Manifest, out_dir: Path, slug: str, source: str) -> ListRun:
    """One list of the catalog run as the run's prepare made it (`prepare_catalog`), compared
    with the snapshot the run compared it with."""
    list_file = f"lists/{slug}.md"
    parsed = parse_list((raw_run / list_file).read_bytes(), source)
    listing = Listing(raw_run, Manifest(**{**manifest, "list_source": source}), parsed, list_file)
    folder = out_dir / "lists" / slug
    return ListRun(listing, folder, published_before(folder, listing.run_id, listing.started), slug)


__all__ = ["is_catalog_run", "rebuild", "rebuild_catalog"]
