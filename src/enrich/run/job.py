"""The one composition of the nightly job: `run_job`. The CLI, the Prefect flow, the deployment
and the tests all run this function; they differ only in the `Executor` that runs its steps.

::

    lock the output folder
    prepare                 (executor.call)    read + parse the list, open the raw folder,
                                               read the previous snapshot, plan the fetch
                                               tasks (round robin, arXiv as one task): the Run
    fetch tasks             (executor.submit)  concurrent; a task that crashes fails only its
                                               entries (recorded in the raw folder); a source
                                               that reads others' documents (``after``) starts
                                               when their tasks are done
    finish                  (executor.call)    build, guard, diff, publish

What prepare learned travels in one `enrich.run.state.Run`, computed once: the steps after it
neither parse the list nor read the manifest again.

An executor says *how* a step runs: `InProcess` calls it here and runs fetch tasks on a thread
pool; `enrich.run.flow.PrefectExecutor` runs each as a Prefect task on the flow's task runner
(threads or Dask). Which steps run, in which order, with which failure handling, is decided here
only, so the fault tests exercise what ships.
"""

from __future__ import annotations

import contextlib
import logging
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any, Protocol, TypeVar

from enrich.core.errors import EnrichError, InputError
from enrich.core.model import Snapshot
from enrich.core.settings import Settings
from enrich.run import catalog, context
from enrich.run.build import SourceOutcomes
from enrich.run.retention import Pruned, PruneInput, policy, prune_step
from enrich.run.state import CatalogJob, FetchTask, Job, Limits, Listing, ListRun, Run
from enrich.run.steps import (
    FinishInput,
    FinishList,
    RunResult,
    fetch,
    finish,
    finish_list,
    finish_step,
    prepare,
    prepare_catalog,
)
from enrich.run.summary import CatalogResult, ListDone, summary
from enrich.sources import NAMES
from enrich.store import catalog as catalog_files
from enrich.store.files import exclusive, exclusive_all
from enrich.store.hub import check_repo_id
from enrich.store.published import newer_latest, published_before

logger = logging.getLogger(__name__)

P = TypeVar("P")
T = TypeVar("T")
Progress = Callable[[int], None]


class Pending(Protocol[T]):  # type: ignore[misc]
    def result(self) -> T: ...


class Executor(Protocol):
    """How the steps of a run are run; never which."""

    # Which request slots the fetch tasks hold: "local" (this process) or "prefect".
    limits: Limits

    def call(self, step: str, fn: Callable[[P], T], payload: P) -> T:
        """Run one step now and return its result (raise its error)."""
        ...

    def submit(self, name: str, fn: Callable[[FetchTask], T], task: FetchTask) -> Pending[T]:
        """Start one fetch task; its result (or error) is read later."""
        ...


class InProcess:
    """Steps called in this process, fetch tasks on a pool of threads (two per source: each
    source bounds its own requests)."""

    limits: Limits = "local"

    def __init__(self, workers: int = 2 * len(NAMES)) -> None:
        self.workers = workers
        self._pool: ThreadPoolExecutor | None = None

    def call(self, step: str, fn: Callable[[P], T], payload: P) -> T:
        return fn(payload)

    def submit(self, name: str, fn: Callable[[FetchTask], T], task: FetchTask) -> Future[T]:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="enrich-task")
        return self._pool.submit(fn, task)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None


class Reporter(Protocol):
    """Progress callbacks: the CLI draws bars; `Silent` ignores them."""

    def start(self, source: str, total: int) -> Progress: ...

    def finish(self, source: str) -> None: ...


class Silent:
    def start(self, source: str, total: int) -> Progress:
        return lambda n: None

    def finish(self, source: str) -> None:
        pass


def run_job(
    job: Job, executor: Executor | None = None, reporter: Reporter | None = None
) -> RunResult:
    """Run the nightly job once: the one composition every caller shares."""
    own = executor is None
    runner: Executor = executor if executor is not None else InProcess()
    reporter = reporter or Silent()
    if job.publish_repo:
        check_repo_id(job.publish_repo)  # a typo fails now, not after the night's fetching
    try:
        with exclusive_all((job.out_dir, job.raw_root)):
            run = runner.call("prepare", prepare, job)
            outcomes = _fetch_all(run, runner, reporter)
            result = runner.call("finish", finish_step, FinishInput(run, outcomes))
            result.pruned = _prune(runner, job.out_dir, job.raw_root, job.settings)
            return result
    finally:
        if own and isinstance(runner, InProcess):
            runner.close()


def keep_list(
    result: CatalogResult,
    records: catalog_files.FirstRecords,
    slug: str,
    source: str,
    done: RunResult,
) -> catalog_files.CatalogList:
    """What a catalog run (or its rebuild) keeps of a list it published, once its finish is
    done: its summary in ``result``, and for the catalog's finish its header, memberships rows
    and the entities no earlier list held (`enrich.store.catalog.FirstRecords`)."""
    result.results[slug] = ListDone(summary(done))
    kept = records.reduce(slug, source, done.snapshot)
    result.entities = records.ids
    return kept


def run_catalog(
    job: CatalogJob, executor: Executor | None = None, reporter: Reporter | None = None
) -> CatalogResult:
    """A run over many lists (the catalog): the same steps as `run_job`, over the union of the
    lists' entities (each fetched once), then each list's finish (build, guard, diff, views,
    publish in ``out_dir/lists/<slug>/``) on its own: a list refused by its guard, or that
    fails, costs only itself. Then the catalog's finish, ``out_dir/catalog/``: its tables,
    their history, its page and feed (`enrich.run.catalog.finish_catalog`).

    The fetch tasks return only the outcomes of the sources whose documents are not kept per
    entity (arXiv's queries, the Hub's papers, Semantic Scholar's batches: a list's finish
    would read them all again); each list's finish normalizes its other entries from the raw
    folder (`FetchTask.returns`)."""
    own = executor is None
    runner: Executor = executor if executor is not None else InProcess()
    reporter = reporter or Silent()
    if job.publish_repo:
        check_repo_id(job.publish_repo)  # a typo fails now, not after the night's fetching
    try:
        with exclusive_all((job.out_dir, job.raw_root)):
            run = runner.call("prepare", prepare_catalog, job)
            outcomes = _fetch_all(run, runner, reporter)
            result = CatalogResult(run.run_dir, failed=dict(run.unread))
            listed: list[catalog_files.CatalogList] = []
            records = catalog_files.FirstRecords()  # each entity's record kept once, not per list
            waiting = Counter(e.id for one in run.lists for e in one.listing.parsed.entries)
            for one in run.lists:
                slug = one.slug or one.listing.parsed.source
                ours = {e.id for e in one.listing.parsed.entries}
                try:
                    done = runner.call(
                        f"finish-{slug}", finish_list,
                        FinishList(job.settings, one, _projected(outcomes, ours, waiting)),
                    )  # fmt: skip
                except EnrichError as exc:
                    logger.error("list %s not published: %s", slug, exc)
                    result.failed[slug] = str(exc)
                    listed.append(catalog_files.CatalogList(slug, one.listing.parsed.source,
                                                            None, str(exc)))  # fmt: skip
                    continue
                finally:
                    _finished(outcomes, ours, waiting)
                listed.append(keep_list(result, records, slug, one.listing.parsed.source, done))
                del done
            listed += [
                catalog_files.CatalogList(catalog.slug(source), source, None, why)
                for source, why in run.unread.items()
            ]
            first = run.lists[0].listing
            written = runner.call(
                "catalog", catalog.finish_catalog,
                catalog.CatalogFinish(job.out_dir, tuple(listed), first.run_id, first.started,
                                      job.settings, job.publish_repo),
            )  # fmt: skip
            result.catalog, result.hub = written.files, written.hub
            result.pruned = _prune(runner, job.out_dir, job.raw_root, job.settings)
            return result
    finally:
        if own and isinstance(runner, InProcess):
            runner.close()


def _projected(
    outcomes: SourceOutcomes, ours: set[str], waiting: Mapping[str, int]
) -> SourceOutcomes:
    """What one list's finish is handed of the fetch's outcomes: its own entries', and those
    of no list (the external repositories its graph may name), not every entity's (a payload
    that travels to another process when the executor runs steps there)."""
    return {
        source: {i: o for i, o in made.items() if i in ours or i not in waiting}
        for source, made in outcomes.items()
    }


def _finished(outcomes: dict[str, dict[str, Any]], ours: set[str], waiting: Counter[str]) -> None:
    """One list finished (published or not): the outcomes of the entities no list left to
    finish links are let go (the run no longer holds every entity's until the last list)."""
    for entity in ours:
        waiting[entity] -= 1
        if waiting[entity] == 0:
            for made in outcomes.values():
                made.pop(entity, None)


def _fetch_all(run: Run, executor: Executor, reporter: Reporter) -> dict[str, dict[str, Any]]:
    """Every fetch task of the run's plan, concurrently, holding the executor's request slots;
    a task that crashes (a bug, a lost worker) fails its own entries, with the reason in the
    raw folder, and nothing else. A task whose source runs ``after`` others is submitted once
    their tasks have ended (however they ended)."""
    store, settings = run.store, run.job.settings
    tasks = [replace(t, limits=executor.limits) for t in run.tasks]
    outcomes: dict[str, dict[str, Any]] = {}
    with context.scope(store.run_dir.name, settings, executor.limits) as scope:
        # (The external repositories' task has no bar: its entries are found when it starts.)
        for name in dict.fromkeys(t.source for t in tasks if not t.external_limit):
            total = sum(len(t.entries) for t in tasks if t.source == name)
            scope.progress[name] = reporter.start(name, total)
        try:
            pending = [(t, executor.submit(t.name, fetch, t)) for t in tasks if not t.after]
            for task in (t for t in tasks if t.after):
                for earlier, future in list(pending):
                    if earlier.source in task.after:
                        _wait(future)
                pending.append((task, executor.submit(task.name, fetch, task)))
            for task, future in pending:
                try:
                    outcomes.setdefault(task.source, {}).update(future.result())
                except Exception as exc:
                    message = str(exc) if isinstance(exc, EnrichError) else _one_line(exc)
                    logger.error("%s crashed: %s", task.name, message)
                    store.put_failure(task.source, f"{task.source} failed: {message}")
                # Tasks that ran in another process ticked nothing here: the bar catches up.
                missing = len(task.entries) - scope.ticks[(task.source, task.part)]
                if missing > 0 and task.source in scope.progress:
                    scope.progress[task.source](missing)
        finally:
            for name in scope.progress:
                reporter.finish(name)
    return outcomes


def _prune(executor: Executor, out_dir: Path, raw_root: Path, settings: Settings) -> Pruned | None:
    """The run's last step, after its publish and inside its lock (``ENRICH_PRUNE``): the raw
    layer and the snapshots past the retention policy removed. A failed prune is logged and
    costs nothing else: the run is published, the next prune removes what this one left."""
    if not settings.prune:
        return None
    try:
        return executor.call("prune", prune_step, PruneInput(out_dir, raw_root, policy(settings)))
    except EnrichError as exc:
        logger.error("prune failed (the run is published; the next prune retries): %s", exc)
        return None


def _wait(future: Pending[Any]) -> None:
    """Until ``future`` has ended; its error is read (and handled) with the other results."""
    with contextlib.suppress(Exception):  # reported where the results are collected
        future.result()


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def rebuild(
    raw_run: Path,
    out_dir: Path,
    settings: Settings,
    previous: Snapshot | None = None,
    *,
    force: bool = False,
) -> RunResult:
    """Re-derive a run's snapshot from its raw folder (no network) and publish it through the
    same finish step as a run, publish guard included unless ``force``.

    It is compared with ``previous``, else with the snapshot that run was compared with when it
    was published (`published_before`): the day's diff, changelog and feed item stay what they
    were. A run older than the folder's ``latest.*`` is refused unless ``force``: it would roll
    the dataset back."""
    listing = Listing.read(raw_run)  # a folder that is not a run, or of another format, fails
    run_id, started = listing.run_id, listing.started
    with exclusive(out_dir):
        newer = None if force else newer_latest(out_dir, started)
        if newer is not None:
            raise InputError(
                f"{out_dir} holds a newer run ({newer.run_id}) than {run_id}: rebuilding it "
                "would roll latest.* back (--force to do so)"
            )
        before = previous if previous is not None else published_before(out_dir, run_id, started)
        return finish(ListRun(listing, out_dir, before), settings, check=not force)


@contextmanager
def in_process() -> Iterator[InProcess]:
    """An `InProcess` executor that is closed afterwards."""
    executor = InProcess()
    try:
        yield executor
    finally:
        executor.close()


__all__ = [
    "CatalogJob",
    "CatalogResult",
    "Executor",
    "InProcess",
    "Job",
    "ListDone",
    "Reporter",
    "RunResult",
    "Silent",
    "in_process",
    "rebuild",
    "run_catalog",
    "run_job",
]
