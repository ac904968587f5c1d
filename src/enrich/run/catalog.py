"""Which lists a catalog run reads, and what each is called: the lists given, and with
``follow`` every list they link, read once each and parsed once.

A list links another list as a GitHub repository (its README, read through the contents API as a
``github:`` list source is) or as a link to a Markdown file (``.md``: on GitHub, through the same
API; elsewhere, over https). A list that cannot be read (gone, not Markdown, over the size cap,
no links) is reported with why and skipped: the others are read and published.

Each list's folder is named by its slug: ``owner-repo`` for a list read from a GitHub
repository's README, ``owner-repo-path`` for another file of it, else the file's stem.

The catalog's finish (`finish_catalog`, a step after every list's own finish) writes
``OUT/catalog/``: its tables and their history (`enrich.store.catalog`), its page and feed
(`enrich.views.catalog`, from the lists' published diffs), the catalog's card ``OUT/README.md``
(`enrich.views.catalogcard`), and the upload of the whole folder to the Hub, when the run
publishes there.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

import pyarrow as pa

from enrich.core.diff import Diff
from enrich.core.errors import EnrichError
from enrich.core.links import Kind
from enrich.core.listing import ParsedList, parse_list
from enrich.core.settings import Settings
from enrich.sources.listfile import read_list_source
from enrich.store import catalog as catalog_files
from enrich.store import diffs
from enrich.store.hub import HubUpload, upload_catalog
from enrich.views import About, catalogcard
from enrich.views import catalog as catalog_views

logger = logging.getLogger(__name__)

# A GitHub ``github:`` list source, and a link to a file of a repository.
_GITHUB_SOURCE = re.compile(r"github:(?P<owner>[^/]+)/(?P<repo>[^/]+)/(?P<path>[^@]+)(?:@.*)?")
_BLOB = re.compile(
    r"https://github\.com/(?P<owner>[\w.-]+)/(?P<repo>[\w.-]+)/(?:blob|raw)/(?P<ref>[^/]+)/"
    r"(?P<path>.+\.md)",
    re.IGNORECASE,
)
_SLUG_UNSAFE = re.compile(r"[^a-z0-9._-]+")
README = "README.md"
# How many lists a catalog run reads at most, when not told (``--max-lists``): a list of lists
# links hundreds; a night reads these first, in the order given and linked.
MAX_LISTS = 50


@dataclass(frozen=True)
class ListFile:
    """A list a catalog run reads: its slug, its source, its bytes and its parse."""

    slug: str
    source: str
    data: bytes
    parsed: ParsedList


def slug(source: str) -> str:
    """The folder name of the list read from ``source`` (see the module)."""
    match = _GITHUB_SOURCE.fullmatch(source)
    if match:
        parts = [match["owner"], match["repo"]]
        path = PurePosixPath(match["path"])
        if path.name.lower() != README.lower() or path.parent != PurePosixPath("."):
            parts += [*path.parent.parts, path.stem]
        name = "-".join(parts)
    else:
        name = PurePosixPath(urlsplit(source).path if "://" in source else source).stem
    return _SLUG_UNSAFE.sub("-", name.lower()).strip("-.") or "list"


def linked_lists(parsed: ParsedList) -> list[str]:
    """The lists ``parsed`` links, as list sources, in list order, each once: a GitHub
    repository's README, or a linked Markdown file."""
    found: dict[str, None] = {}
    in_order = sorted(parsed.entries, key=lambda e: e.positions[0].index if e.positions else 0)
    for entry in in_order:
        # Every spelling: a link to a file of a repository is an entry of that repository,
        # one entry with the repository's own link.
        for url in entry.urls or [entry.url]:
            blob = _BLOB.fullmatch(url)
            if blob:
                found.setdefault(
                    f"github:{blob['owner']}/{blob['repo']}/{blob['path']}@{blob['ref']}"
                )
            elif entry.kind == Kind.REPO:
                found.setdefault(f"github:{entry.source_id}/{README}")
            elif urlsplit(url).path.lower().endswith(".md") and url.startswith("https://"):
                found.setdefault(url)
    return list(found)


def read_lists(
    sources: list[str], settings: Settings, *, follow: bool = False, max_lists: int = MAX_LISTS
) -> tuple[list[ListFile], dict[str, str]]:
    """The lists to read (``sources``, and with ``follow`` the lists they link), at most
    ``max_lists``, each read and parsed once; and the lists that could not be, with why."""
    queue = list(dict.fromkeys(sources))
    read: list[ListFile] = []
    skipped: dict[str, str] = {}
    slugs: set[str] = set()
    given = set(queue)
    while queue and len(read) < max_lists:
        source = queue.pop(0)
        try:
            data = read_list_source(source, settings)
            parsed = parse_list(data, source)
        except EnrichError as exc:
            logger.warning("list skipped: %s", exc)
            skipped[source] = str(exc)
            continue
        name = _unique(slug(source), slugs)
        read.append(ListFile(name, source, data, parsed))
        if follow and source in given:  # one level: the lists a given list links
            known = {f.source for f in read} | set(skipped) | set(queue)
            queue += [s for s in linked_lists(parsed) if s not in known]
    for source in queue:
        skipped.setdefault(source, f"over --max-lists {max_lists}")
    return read, skipped


def _unique(name: str, taken: set[str]) -> str:
    """``name``, or ``name-2``, ``name-3``… when two lists would share a folder."""
    candidate, n = name, 1
    while candidate in taken:
        n += 1
        candidate = f"{name}-{n}"
    taken.add(candidate)
    return candidate


@dataclass(frozen=True)
class CatalogFinish:
    """What the catalog's finish receives: the run's output folder, id and time, every list
    of the run (when it published: its snapshot, or what `enrich.store.catalog.FirstRecords`
    kept of it), the settings (the feed's look-back, the
    notice, the card's name and licence) and the Hub repository it uploads to, if any."""

    out_dir: Path
    lists: tuple[catalog_files.CatalogList, ...]
    run_id: str
    now: datetime
    settings: Settings
    publish_repo: str | None = None
    upload: bool = True  # False: the card names ``publish_repo``, nothing is sent (a rebuild)


@dataclass(frozen=True)
class CatalogDone:
    """What the catalog's finish wrote, and its upload to the Hub (when it uploads)."""

    files: list[Path]
    hub: HubUpload | None = None


def list_nights(
    out_dir: Path, slugs: list[str], feed_runs: int, run_id: str | None = None
) -> tuple[dict[str, Diff], dict[str, list[catalog_views.ListNight]]]:
    """Each list's newest diff and its last ``feed_runs`` nights as the catalog's page tells
    them, from what its folder published (one list's diffs at a time: each kept as a few
    words). ``run_id``: only the newest diffs `of_run` keeps of that run (a cold night's are
    every list's first, every entry added: none kept)."""
    newest: dict[str, Diff] = {}
    nights: dict[str, list[catalog_views.ListNight]] = {}
    for slug in slugs:
        published = diffs.recent(out_dir / "lists" / slug, feed_runs)
        nights[slug] = [catalog_views.night_of(diff) for diff in published]
        if published and (run_id is None or of_run({slug: published[0]}, run_id)):
            newest[slug] = published[0]
    return newest, nights


def of_run(newest: Mapping[str, Diff], run_id: str) -> dict[str, Diff]:
    """The lists' diffs of run ``run_id``; not a first snapshot's (every entry new: the page
    names the list instead)."""
    return {
        slug: diff
        for slug, diff in newest.items()
        if diff["to"]["run_id"] == run_id and not diff["first_run"]
    }


def finish_catalog(given: CatalogFinish) -> CatalogDone:
    """``OUT/catalog/``: the tables, their history, ``index.html`` and ``feed.xml``, from the
    lists' snapshots and what each list's folder published (its diffs, this run's included);
    the catalog's card, ``OUT/README.md``; then, with ``publish_repo``, the whole folder
    uploaded to the Hub in one commit (a failed upload is reported, never raised: the catalog
    is published, the next run uploads what the Hub lacks)."""
    snapshots = {one.slug: one.snapshot for one in given.lists if one.snapshot is not None}
    linked = {
        one.slug: one.members.column("id").to_pylist()
        for one in given.lists
        if one.snapshot is not None and one.members is not None
    }
    # Given the run's id, the newest diffs are those of this run only (`of_run`): tonight's.
    tonight, nights = list_nights(given.out_dir, [one.slug for one in given.lists],
                                  given.settings.feed_runs, given.run_id)  # fmt: skip

    def views(rows: pa.Table) -> dict[str, bytes]:
        return catalog_views.render(
            catalog_views.CatalogPublished(
                given.run_id, given.now, rows.to_pylist(), snapshots, tonight, nights,
                given.settings.dataset_notice, linked=linked,
            )
        )  # fmt: skip

    settings = given.settings
    about = About(settings.dataset_name, settings.dataset_license, given.publish_repo,
                  settings.dataset_notice)  # fmt: skip

    def card(tables: Mapping[str, pa.Table]) -> dict[str, bytes]:
        return catalogcard.render(catalogcard.CatalogCard(tables, given.now, given.run_id, about))

    files = catalog_files.write(given.out_dir, given.lists, given.now, views, card)
    hub = None
    if given.publish_repo and given.upload:
        hub = upload_catalog_to_hub(given.out_dir, given.publish_repo, settings)
    return CatalogDone(files, hub)


def upload_catalog_to_hub(out_dir: Path, repo_id: str, settings: Settings) -> HubUpload:
    """A catalog run's upload, after the catalog is written (the lock held by the run): as a
    list's run uploads (`enrich.run.steps.upload_to_hub`), a failure is this step's only loss,
    reported in the result, and the next run uploads whatever the Hub lacks."""
    try:
        return upload_catalog(out_dir, repo_id, settings)
    except EnrichError as exc:
        logger.error("%s; the next run uploads it", exc)
        return HubUpload(repo_id, error=str(exc))
