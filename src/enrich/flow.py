"""The nightly job as a Prefect flow: each step a task that calls one `enrich.pipeline` function.

::

    prepare (read + parse the list, open the raw folder)
      └─ fetch <source>, one task per chunk:
         concurrent; GitHub / Hub / web chunks share bounded limits; arXiv is one task
    finish (build the snapshot from the raw folder, guard, diff, publish)
      └─ artifacts (summary, entries, changelog) in the Prefect UI

Retries are owned by the client layer, not by Prefect: PyGithub's ``GithubRetry``, the arxiv
client's ``num_retries``, huggingface_hub's session and our bounded 202 loop retry transient
upstream failures per request, honouring Retry-After. A fetch task never raises for an upstream
failure (it records a status per entry), so a Prefect task retry would only repeat requests
that already succeeded; the tasks therefore have none.

Big values stay out of Prefect: tasks pass paths and small summaries, the raw documents and the
snapshot live on disk; results are not persisted, tokens are never parameters (the flow reads
`Settings` from its own environment).
"""

# No `from __future__ import annotations` here: Prefect validates the flow's parameters from
# its annotations when a deployment runs it, and string annotations would not resolve.

import logging
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from itertools import zip_longest
from pathlib import Path
from typing import Any, Literal

from prefect import flow, get_run_logger, task
from prefect.blocks.system import Secret
from prefect.cache_policies import NO_CACHE
from prefect.client.schemas.objects import State
from prefect.schedules import Cron
from prefect.settings import PREFECT_API_URL
from prefect.states import Completed, Failed
from prefect.task_runners import ThreadPoolTaskRunner
from prefect.utilities.annotations import quote
from pydantic import SecretStr

from enrich import limits, pipeline, report
from enrich.errors import ConfigError, EnrichError
from enrich.fsutil import exclusive
from enrich.model import Entry
from enrich.raw import RawStore
from enrich.settings import BUNDLED_LIST, Settings
from enrich.sources import SOURCES
from enrich.sources.base import Outcome, chunks

FLOW_NAME = "enrich-awesome-list"
TaskRunnerName = Literal["threads", "dask"]

# Progress callbacks of the process that runs the flow (the CLI's bars), by run and source.
# Tasks on Dask workers find none there and report nothing; their progress is in the logs.
_progress: dict[tuple[str, str], Callable[[int], None]] = {}
_reporter: pipeline.Reporter = pipeline.Reporter()
_reporter_lock = threading.Lock()


@contextmanager
def reporting(reporter: pipeline.Reporter) -> Iterator[None]:
    """Show this process's flow runs' progress on ``reporter`` (the CLI's progress bars)."""
    global _reporter
    with _reporter_lock:
        previous, _reporter = _reporter, reporter
    try:
        yield
    finally:
        _reporter = previous


@task(name="prepare", cache_policy=NO_CACHE, persist_result=False)
def prepare_task(
    list_source: str,
    raw_dir: str,
    sources: list[str] | None,
    skip: dict[str, str] | None,
    settings: Settings,
) -> str | State[Any]:
    # A bad list is the user's error, not a crash: a failed state with one line, no traceback.
    try:
        store = pipeline.prepare(
            list_source, raw_root=Path(raw_dir), settings=settings, sources=sources, skip=skip
        )
    except EnrichError as exc:
        return Failed(message=str(exc))
    return str(store.run_dir)


@task(
    name="fetch",
    task_run_name="fetch-{name}-{part}",
    cache_policy=NO_CACHE,
    persist_result=False,
)
def fetch_task(
    name: str,
    part: int,
    entries: list[Entry],
    run_dir: str,
    settings: Settings,
    limits_backend: str,
) -> dict[str, Outcome]:
    """The chunk's outcomes; none when the source failed (the raw store says why)."""
    limits.use(settings, limits_backend)
    progress = _progress.get((run_dir, name))
    logger = get_run_logger()
    logger.info("fetching %d %s entries", len(entries), name)
    store = RawStore(Path(run_dir))
    failure = pipeline.fetch_source(name, entries, store, settings, progress)
    if failure:
        logger.error("%s failed for these %d entries: %s", name, len(entries), failure)
        return {}
    # Normalized here, while slower sources still fetch: `finish` only assembles.
    return pipeline.normalize_source(name, entries, store)


@task(name="finish", cache_policy=NO_CACHE, persist_result=False)
def finish_task(
    run_dir: str, out_dir: str, settings: Settings, outcomes: dict[str, Outcome]
) -> pipeline.RunResult | State[Any]:
    try:
        return pipeline.finish(RawStore(Path(run_dir)), Path(out_dir), settings, outcomes)
    except EnrichError as exc:  # rejected by the guard, or not writable: one line
        return Failed(message=str(exc))


def _task_runner(kind: TaskRunnerName, settings: Settings) -> Any:
    if kind == "dask":
        try:
            from prefect_dask.task_runners import DaskTaskRunner
        except ImportError:  # pragma: no cover - the [dask] extra is not installed
            raise EnrichError("task_runner=dask needs the [dask] extra (prefect-dask)") from None
        logging.getLogger("distributed").setLevel(logging.WARNING)
        address = os.environ.get("ENRICH_DASK_ADDRESS")
        if address:  # an existing cluster: its workers need this project and PREFECT_API_URL
            return DaskTaskRunner(address=address)
        # Worker processes can report to a Prefect server, not to this process's ephemeral
        # API: without a server, the local cluster's workers are threads of this process.
        api_url = PREFECT_API_URL.value()
        if api_url:  # spawned workers inherit the environment, not Prefect's settings context
            os.environ.setdefault("PREFECT_API_URL", api_url)
        processes = bool(api_url)
        return DaskTaskRunner(
            cluster_kwargs={
                "n_workers": 2, "threads_per_worker": 4, "processes": processes,
                "dashboard_address": None,
            }
        )  # fmt: skip
    # Tasks wait on the network; each source bounds its own requests, so two per source.
    return ThreadPoolTaskRunner(max_workers=2 * len(SOURCES))


@flow(name=FLOW_NAME, log_prints=False, persist_result=False)
def enrich_awesome_list(
    list_source: str = str(BUNDLED_LIST),
    out_dir: str = "data/enriched",
    raw_dir: str = "data/raw",
    sources: list[str] | None = None,
    skip: dict[str, str] | None = None,
    task_runner: TaskRunnerName = "threads",
) -> State[Any]:
    """Enrich an awesome list and publish the dataset.

    Args:
        list_source: a local path, an https URL, or ``github:OWNER/REPO/PATH[@REF]``.
        out_dir: folder of the published dataset (latest.*, snapshots/, diffs/, history/).
        raw_dir: folder of the raw layer (one sub-folder per run).
        sources: enable only these sources (arxiv, github, huggingface, web); all by default.
        skip: sources not fetched this run, each with the reason the snapshot will give.
        task_runner: ``threads`` (this process) or ``dask`` (``ENRICH_DASK_ADDRESS``, else a
            local cluster).
    """
    logger = get_run_logger()
    try:
        settings = _with_secret_blocks(Settings())
        with exclusive(Path(out_dir)):
            result = _run(list_source, out_dir, raw_dir, sources, skip, task_runner, settings)
    except EnrichError as exc:
        logger.error("nothing published: %s", exc)
        report.failure_artifact(str(exc))
        return Failed(message=str(exc))
    summary = report.summary(result)
    report.artifacts(result)
    logger.info(report.one_line(result))
    return Completed(message=report.one_line(result), data=summary)


def _with_secret_blocks(settings: Settings) -> Settings:
    """Tokens from Prefect Secret blocks, when named and not already in the environment."""
    update: dict[str, SecretStr] = {}
    for field, block in (
        ("github_token", settings.github_token_block),
        ("hf_token", settings.hf_token_block),
    ):
        if block and getattr(settings, field) is None:
            try:
                stored: Any = Secret.load(block, _sync=True)  # type: ignore[call-arg]
                update[field] = SecretStr(str(stored.get()))
            except Exception as exc:  # ValueError for a missing block; never the value
                raise ConfigError(f"Prefect Secret block {block!r} unreadable: {exc}") from None
    return settings.model_copy(update=update) if update else settings


def _run(
    list_source: str,
    out_dir: str,
    raw_dir: str,
    sources: list[str] | None,
    skip: dict[str, str] | None,
    runner_kind: TaskRunnerName,
    settings: Settings,
) -> pipeline.RunResult:
    prepared = prepare_task(list_source, raw_dir, sources, skip, settings, return_state=True)
    if not prepared.is_completed():
        raise EnrichError(prepared.message or "the list could not be read")
    run_dir = str(prepared.result())
    plan = pipeline.plan(RawStore(Path(run_dir)))
    backend = "prefect" if limits.prefect_limits_available() else "local"
    reporter = _reporter
    with _task_runner(runner_kind, settings) as runner:
        work = []
        for name, entries in plan.items():
            _progress[(run_dir, name)] = reporter.start(name, len(entries))
            # arXiv's spacing holds within one task only: it is never split.
            size = len(entries) if name == "arxiv" else settings.task_chunk_size
            work.append([(name, part, chunk) for part, chunk in enumerate(chunks(entries, size))])
        futures = []
        # Round robin over sources: every source starts at once, none waits behind another's
        # chunks (each source bounds its own requests).
        for name, part, chunk in (task for tasks in zip_longest(*work) for task in tasks if task):
            # quote: Prefect would walk every record looking for futures. Not on Dask, whose
            # graph reads a tuple (what a quote is) as a task.
            given: Any = quote(chunk) if runner_kind == "threads" else chunk
            parameters = {
                "name": name, "part": part, "entries": given, "run_dir": run_dir,
                "settings": settings, "limits_backend": backend,
            }  # fmt: skip
            futures.append((name, runner.submit(fetch_task, parameters)))
        outcomes: dict[str, Outcome] = {}
        for name, future in futures:
            future.wait()
            state = future.state
            if not state.is_completed():  # a crash in a task (a bug): its entries say so
                RawStore(Path(run_dir)).put_failure(name, f"{name} failed: {state.message}")
                continue
            outcomes.update(state.result())
        for name in plan:
            reporter.finish(name)
            _progress.pop((run_dir, name), None)
    # quote: Prefect would otherwise walk thousands of records looking for futures.
    finished = finish_task(run_dir, out_dir, settings, quote(outcomes), return_state=True)
    if not finished.is_completed():
        raise EnrichError(finished.message or "the snapshot could not be published")
    result = finished.result()
    assert isinstance(result, pipeline.RunResult)
    return result


def serve_nightly(list_source: str, out_dir: str, raw_dir: str, cron: str = "0 3 * * *") -> None:
    """Serve deployment ``nightly``: the flow on ``cron`` (UTC), and on demand with
    ``prefect deployment run 'enrich-awesome-list/nightly'``. Needs ``PREFECT_API_URL``."""
    if not PREFECT_API_URL.value():
        raise EnrichError(
            "serve needs a Prefect server: start `prefect server start`, then "
            "`prefect config set PREFECT_API_URL=http://127.0.0.1:4200/api`"
        )
    enrich_awesome_list.serve(
        name="nightly",
        schedules=[Cron(cron, timezone="UTC")],
        parameters={"list_source": list_source, "out_dir": out_dir, "raw_dir": raw_dir},
        description="Enrich the awesome list and publish the dataset, every night at 03:00 UTC.",
        tags=["enrich"],
    )
