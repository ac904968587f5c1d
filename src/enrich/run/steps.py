"""The steps of the nightly job as plain functions over plain data: prepare, the fetch tasks,
finish. `enrich.run.job` composes them; whatever runs them (threads, Prefect, Dask workers) hands
each one picklable arguments and gets picklable results back.

::

    prepare   read + parse the list, open the run's raw folder, read the previous snapshot
              (a catalog's lists: what the plan orders by; each in its own finish),
              plan the fetch tasks (`plan`: chunks per source, arXiv as one task)   -> Run
    fetch     one task: fetch its entries, normalize them              -> outcomes by id
              (a catalog's tasks of a source kept per entity: none; each list's finish
              normalizes its own entries from the raw folder)
    finish    build the snapshot, guard, diff, publish, check the list (+ upload to the Hub)
              -> RunResult

What prepare learns is computed once and handed along in the `enrich.run.state.Run`: no step
reads the manifest or parses the list again.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from itertools import zip_longest
from pathlib import Path

from enrich.core import budget, score
from enrich.core.check import Report
from enrich.core.diff import Diff, frame
from enrich.core.errors import EnrichError, InputError
from enrich.core.listing import ParsedList, parse_list
from enrich.core.model import Entry, Snapshot
from enrich.core.rawdocs import Manifest, RequestCounts, Usage
from enrich.core.settings import Settings
from enrich.run import budgets, context, external
from enrich.run.build import EXTERNAL, Outcomes, SourceOutcomes, build_run, normalize_source
from enrich.run.catalog import read_lists
from enrich.run.check import try_publish_check
from enrich.run.guard import guard
from enrich.run.retention import Pruned
from enrich.run.state import CatalogJob, FetchTask, Job, Listing, ListRun, Run
from enrich.sources import NAMES
from enrich.sources.base import FetchContext, after, chunks, claims, depends, single_task
from enrich.sources.github.ratelimit import merge as merge_usage
from enrich.sources.listfile import read_list_source
from enrich.sources.registry import SOURCES
from enrich.store import diffs, history, hub
from enrich.store.codec import read_planned, read_snapshot, to_arrow
from enrich.store.compare import diff_snapshots
from enrich.store.files import atomic_write_bytes
from enrich.store.hub import HubUpload
from enrich.store.publish import publish
from enrich.store.raw import RawStore
from enrich.views import About, Published, report
from enrich.views.registry import VIEWS

logger = logging.getLogger(__name__)


@dataclass
class RunResult:
    snapshot: Snapshot
    run_dir: Path
    published: list[Path] = field(default_factory=list)
    requests: dict[str, RequestCounts] = field(default_factory=dict)
    # per upstream rate limit ("github.core", "github.graphql"): spent, limit, remaining, reset
    rate_limits: dict[str, Usage] = field(default_factory=dict)
    # The sources that failed this run (their fetch raised, or none of their entries could be
    # fetched: published all the same, those entries keep their last values), with why.
    source_failures: dict[str, str] = field(default_factory=dict)
    diff: Diff | None = None
    check: Report | None = None  # the list checked against what was published (check.md)
    hub: HubUpload | None = None  # the upload to the Hub, when the run publishes there
    # the entries whose score moved most since the previous snapshot (the top-movers artifact)
    movers: list[score.Mover] = field(default_factory=list)
    pruned: Pruned | None = None  # what the prune after the publish removed (`run_job`)


@dataclass(frozen=True)
class FinishInput:
    """What finish receives: the run, and what its fetch tasks made (by source, then id)."""

    run: Run
    outcomes: SourceOutcomes


def check_sources(sources: list[str] | None) -> None:
    """An unknown source name is the user's error, found before anything starts."""
    unknown = sorted(set(sources or []) - set(NAMES))
    if unknown:
        raise InputError(f"unknown source {', '.join(unknown)} (known: {', '.join(NAMES)})")


def _manifest(job: Job | CatalogJob, started: datetime, run_id: str, source: str) -> Manifest:
    """The run's manifest: which sources and entries it leaves out, and why."""
    enabled = job.sources or list(NAMES)
    skip = {k: v for k, v in (job.skip or {}).items() if k in NAMES}
    for name in NAMES:
        if name not in enabled:
            skip.setdefault(name, "source disabled for this run")
    manifest = Manifest(
        run_id=run_id, started_at=started.isoformat(), list_source=source, skipped_sources=skip,
    )  # fmt: skip
    entries = {k: v for k, v in (job.skip or {}).items() if k not in NAMES}
    if entries:
        manifest["skipped_entries"] = entries
    return manifest


def prepare_catalog(job: CatalogJob) -> Run:
    """A catalog run's prepare: every list read and parsed once (the unreadable reported and
    skipped), one raw folder holding each as ``lists/<slug>.md``, one plan over the union of
    their entries (an entity linked by many lists is one entry: fetched once), ordered by what
    each list's previous snapshot (``out_dir/lists/<slug>/``) says of its entities' ages; those
    snapshots are read again each in its list's finish, not held by the run. The tasks of a
    source whose documents are kept per entity return no outcomes (`FetchTask.returns`): each
    list's finish normalizes its own entries' documents (an entity in k lists k times), so
    the run never holds every entity's outcomes (about 18 KB an entity, measured)."""
    real = datetime.now(UTC)
    started = job.now or real
    check_sources(job.sources)
    found, unread = read_lists(
        list(job.list_sources), job.settings, follow=job.follow, max_lists=job.max_lists
    )
    if not found:
        why = "; ".join(f"{source}: {reason}" for source, reason in unread.items())
        raise InputError(f"no list could be read ({why})")
    run_id = started.strftime("%Y%m%dT%H%M%S%fZ")
    store = RawStore(job.raw_root / run_id)
    for one in found:
        atomic_write_bytes(store.run_dir / "lists" / f"{one.slug}.md", one.data)
    manifest = _manifest(job, started, run_id, found[0].source)
    manifest["lists"] = {one.slug: one.source for one in found}
    if unread:
        manifest["unread"] = dict(unread)
    if job.publish_repo:
        manifest["publish_repo"] = job.publish_repo
    written = store.write_manifest(manifest)
    union: dict[str, Entry] = {}
    for one in found:
        for entry in one.parsed.entries:
            union.setdefault(entry.id, entry)
    every = ParsedList(source="catalog", sha256="", entries=tuple(union.values()))
    # Each list's previous snapshot is read in its own finish (`ListRun.read_previous`) and let
    # go after it; the plan keeps of them only what it orders by (`budget.keep_newest`).
    lists = tuple(
        ListRun(
            Listing(store.run_dir, Manifest(**{**written, "list_source": one.source}),
                    one.parsed, f"lists/{one.slug}.md"),
            job.out_dir / "lists" / one.slug,
            None,
            one.slug,
            read_previous=True,
        )
        for one in found
    )  # fmt: skip
    known: dict[str, list[Entry]] = {}
    for each in lists:
        budget.keep_newest(known, _planned_previous(each.out_dir))
    linked = Counter(e.id for one in found for e in one.parsed.entries)
    listing = Listing(store.run_dir, written, every)
    tasks = [
        replace(task, returns=not SOURCES[task.source].per_entry_documents)
        for task in plan(
            listing, job.settings, known, linked, _left(listing, job.settings), real=real
        )
    ]
    base = Job(found[0].source, job.out_dir, job.raw_root, job.settings, job.sources, job.skip,
               started, publish_repo=job.publish_repo)  # fmt: skip
    return Run(base, lists, tuple(tasks), unread)


def prepare(job: Job) -> Run:
    """Read and parse the list, open the run's raw folder, read the previous snapshot and plan
    the fetch tasks: the `Run`. An unusable list fails here."""
    real = datetime.now(UTC)
    started = job.now or real
    check_sources(job.sources)
    data = (
        job.list_bytes
        if job.list_bytes is not None
        else read_list_source(job.list_source, job.settings)
    )
    given = job.parsed
    same = given is not None and job.list_bytes is not None and given.source == job.list_source
    parsed = given if same and given is not None else parse_list(data, job.list_source)
    run_id = started.strftime("%Y%m%dT%H%M%S%fZ")
    store = RawStore(job.raw_root / run_id)
    store.write_list(data)
    manifest = _manifest(job, started, run_id, job.list_source)
    listing = Listing(store.run_dir, store.write_manifest(manifest), parsed)
    # Read now, once: finish compares with it (the output folder is locked for the whole run).
    previous = read_previous(job.out_dir)
    known = {e.id: [e] for e in previous.entries} if previous is not None else {}
    tasks = plan(listing, job.settings, known, left=_left(listing, job.settings), real=real)
    return Run(job, (ListRun(listing, job.out_dir, previous),), tuple(tasks))


def _left(listing: Listing, settings: Settings) -> dict[str, int]:
    """What GitHub says is left, read before fetching (free), when the run asks GitHub."""
    if not settings.plan_budget or "github" in listing.skipped_sources:
        return {}
    if not any(claims(SOURCES["github"], e) for e in listing.parsed.entries):
        return {}
    return budgets.read_left(settings)


def plan(
    listing: Listing,
    settings: Settings,
    known: Mapping[str, Sequence[Entry]] | None = None,
    lists: Mapping[str, int] | None = None,
    left: Mapping[str, int] | None = None,
    real: datetime | None = None,
) -> list[FetchTask]:
    """The run's fetch tasks, round robin over the sources so that every source starts at once
    and none waits behind another's chunks. Each source's entries are taken in order of
    staleness (`enrich.core.budget.order`: never fetched, then oldest, then linked by more
    ``lists``, then by id), from what was published before (``known``: an id's entries in the
    previous snapshots); GitHub's tasks are then given their shares of what GitHub says is
    ``left`` (`enrich.run.budgets.apportion`). Each source's entries are cut into chunks of
    ``task_chunk_size`` (the unit of scale-out); arXiv's spacing holds within one task only, so
    a source that asks arXiv (`single_task`) stays one task. The entries of a source that need
    others' documents first (`depends` on its ``after`` sources) are one last task, started by
    the composition once those sources' tasks (and its own others) have ended
    (`enrich.run.job`). Each task holds the slots of this process until the composition
    says which (`FetchTask.limits`, set by the executor). Each task carries the run's start
    (the manifest's) and the ``real`` time then, its clock's (`enrich.sources.clock`)."""
    parsed, run_dir = listing.parsed, str(listing.run_dir)
    skipped, left_out = listing.skipped_sources, listing.skipped_entries
    per_source: list[list[FetchTask]] = []
    last: list[FetchTask] = []
    known = known or {}
    ranked = budget.order(budget.candidates([e.id for e in parsed.entries], known, lists or {}))
    rank = {c.id: n for n, c in enumerate(ranked)}
    for name, source in SOURCES.items():
        entries = [e for e in parsed.entries if claims(source, e) and e.id not in left_out]
        if settings.plan_budget:  # (off: list order, as a run did before; for comparison)
            entries.sort(key=lambda e: rank[e.id])
        if name in skipped or not entries:
            continue
        bound = [e for e in entries if depends(source, e)]
        free = [e for e in entries if not depends(source, e)]
        size = max(len(free), 1) if single_task(source) else settings.task_chunk_size
        tasks = [
            FetchTask(run_dir, name, part, chunk, settings)
            for part, chunk in enumerate(chunks(free, size))
        ]
        if tasks:
            per_source.append(tasks)
        if bound:
            waits = after(source) + ((name,) if tasks else ())
            last.append(FetchTask(run_dir, name, len(tasks), bound, settings, after=waits))
    if settings.external_code_repos and "github" not in skipped:
        # One last task, its entries found when it starts (`enrich.run.external`).
        last.append(FetchTask(run_dir, "github", 0, [], settings, after=external.AFTER,
                              external_limit=settings.external_code_repos,
                              listing=listing))  # fmt: skip
    tasks = [task for row in zip_longest(*per_source) for task in row if task is not None]
    timed = [replace(task, started=listing.started, real_started=real) for task in tasks + last]
    return budgets.apportion(timed, left or {}, known, settings)


def fetch_source(name: str, entries: list[Entry], store: RawStore, ctx: FetchContext) -> str | None:
    """Fetch one source's entries into the raw store.

    A source that fails entirely fails only its entries: the reason is recorded in the raw
    folder (the snapshot gives it to each of them) and returned, never raised.
    """
    try:
        SOURCES[name].fetch(entries, store, ctx)
    except Exception as exc:
        ours = isinstance(exc, EnrichError)
        message = str(exc) if ours else f"{type(exc).__name__}: {exc}"
        logger.error("source %s failed: %s", name, message, exc_info=not ours)
        store.put_failure(name, f"{name} failed: {message}")
        return message
    return None


def fetch(task: FetchTask) -> Outcomes:
    """One fetch task: its entries fetched into the raw store and normalized there, while
    slower sources still fetch (`finish` only assembles). None of its outcomes when the source
    failed as a whole (the raw store says why), or when the task returns none
    (`FetchTask.returns`: the finish normalizes them from the folder, as a rebuild does)."""
    store = RawStore(Path(task.run_dir))
    if task.external_limit:
        listing = task.listing or Listing.read(Path(task.run_dir))
        with context.scope(task.run_id, task.settings, task.limits) as scope:
            # Its own progress key: the external repositories are not the list's GitHub bar.
            ctx = scope.fetch_context(task.settings, EXTERNAL, task.part, task.quota, task.clock())
            made = external.fetch(listing, ctx, task.external_limit)
            return made if task.returns else {}
    logger.info("fetching %d %s entries", len(task.entries), task.source)
    with context.scope(task.run_id, task.settings, task.limits) as scope:
        ctx = scope.fetch_context(task.settings, task.source, task.part, task.quota, task.clock())
        failure = fetch_source(task.source, task.entries, store, ctx)
    if failure:
        logger.error("%s failed for these %d entries: %s", task.source, len(task.entries), failure)
        return {}
    return normalize_source(task.source, task.entries, store) if task.returns else {}


def finish(
    one: ListRun,
    settings: Settings,
    outcomes: SourceOutcomes | None = None,
    *,
    check: bool = True,
    publish_repo: str | None = None,
) -> RunResult:
    """Build the snapshot of one list of a run from the raw folder and publish it in its out
    folder, compared with its previous snapshot, unless the guard refuses it (``check=False``
    bypasses the guard: ``enrich rebuild --force``); then upload the folder to Hub repository
    ``publish_repo``, when given (`upload_to_hub`)."""
    listing, out_dir = one.listing, one.out_dir
    before = read_previous(out_dir) if one.read_previous else one.previous
    store = listing.store
    failures = store.failures()  # read once, now that every fetch task has ended
    snapshot, failed = build_run(listing, before, outcomes, failures)
    if check:
        guard(snapshot, settings.publish_max_failed_share, out_dir, before)
    table = to_arrow(snapshot)
    flat = frame(table)  # the compared fields: what the diff and the history rows read
    changes = diff_snapshots(
        before, snapshot, new_frame=flat, hub_adoption_min=settings.hub_adoption_min
    )
    day_rows = history.rows_of(flat, snapshot.header)
    views = (
        render_views(
            Published(
                snapshot, changes, before,
                history.with_run(out_dir, table, snapshot.header, day_rows=day_rows),
                diffs.recent(out_dir, settings.feed_runs - 1, before=snapshot.header.run_id),
                about(settings, publish_repo), settings,
                history_days=history.day_count(out_dir, snapshot.header),
            )
        )
        if VIEWS
        else {}
    )  # fmt: skip
    movers = score.movers(before, snapshot, changes)
    # The table and the views' bytes are let go before the check (which is given the snapshot
    # just published, equal to latest.json read back, and the run's parsed list).
    del before, flat
    published = publish(snapshot, out_dir, changes, table, views, day_rows)
    sweep_views(out_dir, views)
    del table, views, day_rows
    checked, check_files = try_publish_check(listing, out_dir, settings, snapshot)
    result = RunResult(
        snapshot=snapshot,
        run_dir=store.run_dir,
        published=published + check_files,
        diff=changes,
        check=checked,
        requests={name: store.requests(name) for name in NAMES},
        rate_limits={
            f"{name}.{resource}": used
            for name in NAMES
            for resource, used in merge_usage(store.usage(name)).items()
        },
        # A source whose fetch raised says so in its own words; one whose every entry failed
        # says how many and why.
        source_failures={**failed, **failures},
        movers=movers,
    )
    if publish_repo:
        result.hub = upload_to_hub(out_dir, publish_repo, settings)
    return result


def about(settings: Settings, publish_repo: str | None = None) -> About:
    """What the settings say about the dataset, for its card, Croissant file and feed."""
    return About(
        name=settings.dataset_name,
        license=settings.dataset_license,
        hub_repo=publish_repo,
        notice=settings.dataset_notice,
    )


def upload_to_hub(out_dir: Path, repo_id: str, settings: Settings) -> HubUpload:
    """The published folder to the Hub, after a publish (the guard passed). A failed upload is
    this step's only loss: the local dataset is published already, the run still succeeds, and
    the next run uploads whatever the Hub lacks (`enrich.store.hub` compares, it keeps no
    state)."""
    try:
        return hub.upload(out_dir, repo_id, settings)
    except EnrichError as exc:
        logger.error("%s; the next run uploads it", exc)
        return HubUpload(repo_id, error=str(exc))


def render_views(published: Published) -> dict[str, bytes]:
    """Every view's files, by path relative to the dataset folder."""
    files: dict[str, bytes] = {}
    for view in VIEWS:
        files.update(view.render(published))
    return files


def sweep_views(out_dir: Path, files: Mapping[str, bytes]) -> list[Path]:
    """Remove the report's pages that this render did not write (``pages/N.html`` of a list
    that was longer), once the views are written: no page a reader can no longer reach
    stays behind to be served or uploaded. Returns the paths removed."""
    folder = out_dir / report.PAGES
    if not folder.is_dir():
        return []
    keep = {out_dir / relative for relative in files}
    gone = sorted(path for path in folder.glob("*.html") if path not in keep)
    for path in gone:
        path.unlink(missing_ok=True)
    return gone


def finish_step(given: FinishInput) -> RunResult:
    """The run's finish: its list built, published and checked (`finish`)."""
    run = given.run
    return finish(run.only, run.job.settings, given.outcomes, publish_repo=run.job.publish_repo)


@dataclass(frozen=True)
class FinishList:
    """What a catalog's finish of one list receives: the run's settings, the list, and what
    the fetch tasks made of the union of entries."""

    settings: Settings
    one: ListRun
    outcomes: SourceOutcomes


def finish_list(given: FinishList) -> RunResult:
    """One list of a catalog built from the shared raw folder (a projection of the shared
    results) and published in its own folder, as a run of that list alone would."""
    return finish(given.one, given.settings, given.outcomes)


def _planned_previous(out_dir: Path) -> list[Entry]:
    """What a plan reads of the snapshot published in ``out_dir`` (`codec.read_planned`); none
    when there is none or it does not read (the list's finish says so: `read_previous`)."""
    try:
        return read_planned(out_dir / "latest.json")
    except EnrichError:
        return []


def read_previous(out_dir: Path) -> Snapshot | None:
    """The snapshot published in ``out_dir`` (``latest.json``), or None: none yet, or one that
    no longer reads (a fresh history starts, with a warning)."""
    path = out_dir / "latest.json"
    if not path.is_file():
        return None
    try:
        return read_snapshot(path)
    except EnrichError as exc:
        logger.warning("previous snapshot unreadable, starting a fresh history: %s", exc)
        return None
