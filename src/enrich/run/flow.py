"""The nightly job as a Prefect flow: `enrich.run.job.run_job`, its steps run as Prefect tasks.

::

    prepare                   (task)  read + parse the list, open the raw folder
      └─ fetch-<source>-<n>   (tasks) on the flow's task runner: threads, or Dask workers
    finish                    (task)  build, guard, diff, publish (a catalog: finish-<slug>
                                      per list, then catalog: its tables, page and feed)
      └─ artifacts (summary, entries, list check, changelog, top movers) in the Prefect UI

The flow supplies only how a step runs (`PrefectExecutor`), logging and artifacts; which steps
run and how failures are isolated is `run_job`'s, the function the tests run too.

Retries are owned by the client layer, not by Prefect: PyGithub's ``GithubRetry``, the arxiv
client's ``num_retries``, huggingface_hub's ``http_backoff`` and our bounded 202 loop retry
transient upstream failures per request, honouring Retry-After. A fetch task never raises for an
upstream failure (it records a status per entry), so a Prefect task retry would only repeat
requests that already succeeded; the tasks therefore have none.

Big values stay out of Prefect: tasks take plain data (paths, settings, ids, entries), the raw
documents and the snapshot live on disk; results are not persisted, tokens are never parameters
(the flow reads `Settings` from its own environment or Prefect Secret blocks).
"""

# No `from __future__ import annotations` here: Prefect validates the flow's parameters from
# its annotations when a deployment runs it, and string annotations would not resolve.

import contextvars
import logging
import os
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal, TypeVar

import httpx
from prefect import flow, get_run_logger, task
from prefect.blocks.system import Secret
from prefect.cache_policies import NO_CACHE
from prefect.client.schemas.objects import State
from prefect.exceptions import FailedRun
from prefect.futures import PrefectFuture
from prefect.logging.handlers import APILogHandler
from prefect.schedules import Cron
from prefect.settings import PREFECT_API_URL
from prefect.states import Completed, Failed
from prefect.task_runners import ThreadPoolTaskRunner
from prefect.utilities.annotations import quote
from pydantic import SecretStr

from enrich.core.errors import ConfigError, EnrichError
from enrich.core.listing import ParsedList
from enrich.core.settings import Settings
from enrich.run import artifacts, prefect_limits, summary
from enrich.run.catalog import MAX_LISTS
from enrich.run.job import CatalogJob, Job, Reporter, run_catalog, run_job
from enrich.run.state import FetchTask, Limits
from enrich.sources import NAMES
from enrich.sources.listfile import as_given, default_list_source
from enrich.store.hub import upload_token

FLOW_NAME = "enrich-awesome-list"
TaskRunnerName = Literal["threads", "dask"]
# How long `check_api` waits for a configured Prefect server's health answer.
API_CHECK_SECONDS = 3.0


def _one_handler(library: str) -> None:
    """PyGithub and huggingface_hub give their loggers a handler of their own when imported
    (PyGithub at INFO): every line they log ("Following Github server redirection", "Retrying
    in 1s") would print twice, once through that handler and once through the root logger's.
    Their records go to the root's handlers (the console, Prefect's API log handler) only,
    from WARNING up."""
    logger = logging.getLogger(library)
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
    asked = logging.getLevelName(os.environ.get("ENRICH_LOG_LEVEL", "WARNING").upper())
    logger.setLevel(min(logging.WARNING, asked) if isinstance(asked, int) else logging.WARNING)


for _library in ("github", "huggingface_hub"):  # both imported by enrich.sources, above
    _one_handler(_library)


class _SaidAlready(logging.Filter):
    """A run that fails on purpose says why in one line ("nothing published: …") and ends
    Failed with that message. Prefect would say it again at length: a step's Failed state is
    logged with ``exc_info`` and no exception (a stray "NoneType: None"), and under a worker
    the engine raises the final Failed state again as `FailedRun`, logging its traceback
    ("Engine execution exited with unexpected exception"). Those two records are dropped;
    an exception of the flow's own (a bug) keeps its traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, FailedRun):
            return False
        no_exception = record.exc_info is not None and record.exc_info[0] is None
        return not (no_exception and record.getMessage().startswith("Task run failed with state"))


for _logger in ("prefect.flow_runs", "prefect.task_runs"):
    logging.getLogger(_logger).addFilter(_SaidAlready())

P = TypeVar("P")
T = TypeVar("T")

# Where this process shows its flow runs' progress (the CLI's bars); set by `reporting`.
_reporter: contextvars.ContextVar[Reporter | None] = contextvars.ContextVar(
    "enrich_reporter", default=None
)


@contextmanager
def reporting(reporter: Reporter) -> Iterator[None]:
    """Show the flow runs of this process on ``reporter`` (the CLI's progress bars)."""
    token = _reporter.set(reporter)
    try:
        yield
    finally:
        _reporter.reset(token)


# The list the CLI already read and parsed (its bytes, parsed), to check it before Prefect
# started; set by `given_list`. They stay out of the flow's parameters (Prefect stores those).
_given: contextvars.ContextVar[ParsedList | None] = contextvars.ContextVar(
    "enrich_given_list", default=None
)
_given_bytes: contextvars.ContextVar[bytes] = contextvars.ContextVar(
    "enrich_given_bytes", default=b""
)


@contextmanager
def given_list(parsed: ParsedList, data: bytes) -> Iterator[None]:
    """Flow runs of this process on ``parsed.source`` take ``data`` as its bytes and
    ``parsed`` as its parse: read and parsed once, by the CLI's checks, not a second time (a
    ``github:`` list costs two requests of the budget)."""
    token = _given.set(parsed)
    bytes_token = _given_bytes.set(data)
    try:
        yield
    finally:
        _given.reset(token)
        _given_bytes.reset(bytes_token)


def _step(fn: Callable[[Any], Any], payload: Any) -> Any:
    """A step inside a task: our errors end the task Failed with one line (no traceback), and
    carry the error itself, which `PrefectExecutor.call` raises again."""
    try:
        return fn(payload)
    except EnrichError as exc:
        return Failed(message=str(exc), data=exc)


# The tasks wrap module-level functions, so that a worker process unpickles them by reference
# (by name): a function pickled by value would drag its module's globals along.
def run_step(fn: Callable[[Any], Any], payload: Any) -> Any:
    return _step(fn, payload)


def run_fetch(name: str, fn: Callable[[FetchTask], Any], task: FetchTask) -> Any:
    get_run_logger().info("fetching %d %s entries", len(task.entries), task.source)
    return fn(task)


prepare_task = task(name="prepare", cache_policy=NO_CACHE, persist_result=False)(run_step)
finish_task = task(name="finish", cache_policy=NO_CACHE, persist_result=False)(run_step)
prune_task = task(name="prune", cache_policy=NO_CACHE, persist_result=False)(run_step)
catalog_task = task(name="catalog", cache_policy=NO_CACHE, persist_result=False)(run_step)
fetch_task = task(
    name="fetch", task_run_name="{name}", cache_policy=NO_CACHE, persist_result=False
)(run_fetch)


_CALLS = {"prepare": prepare_task, "finish": finish_task, "catalog": catalog_task,
          "prune": prune_task}  # fmt: skip


class PrefectExecutor:
    """Each step a Prefect task; fetch tasks submitted to the flow's task runner."""

    def __init__(self, runner: Any, quoted: bool, limits: Limits = "local") -> None:
        self.runner = runner
        # quote: Prefect would walk every record of a task's arguments looking for futures.
        # Not on Dask, whose graph reads a tuple (what a quote is) as a task.
        self.quoted = quoted
        self.limits = limits

    def call(self, step: str, fn: Callable[[P], T], payload: P) -> T:
        """``step``: "prepare", "finish", "finish-<slug>" (a catalog's list: its own task
        run, named so), "catalog" (the catalog's tables, page and feed) or "prune"."""
        kind = "finish" if step.startswith("finish-") else step
        task_call = _CALLS[kind] if kind == step else _CALLS[kind].with_options(task_run_name=step)
        state = task_call(fn, quote(payload), return_state=True)
        if state.is_completed():
            return state.result()  # type: ignore[no-any-return]
        error = state.result(raise_on_failure=False)
        if isinstance(error, EnrichError):
            raise error
        raise EnrichError(state.message or f"{step} ended {state.name}")

    def submit(self, name: str, fn: Callable[[FetchTask], T], task: FetchTask) -> "_Future":
        given: Any = quote(task) if self.quoted else task
        return _Future(self.runner.submit(fetch_task, {"name": name, "fn": fn, "task": given}))


class _Future:
    """A submitted fetch task's result, or its failure as an exception."""

    def __init__(self, future: PrefectFuture[Any]) -> None:
        self.future = future

    def result(self) -> Any:
        # The task's own result (or its exception), from the runner's future: the state the
        # API holds may lag behind a Dask worker's.
        return self.future.result(raise_on_failure=True)


def dask_runner() -> Any:
    """Prefect's Dask task runner class, or `ConfigError` naming the extra that brings it."""
    try:
        from prefect_dask.task_runners import DaskTaskRunner
    except ImportError:
        raise ConfigError(
            "dask needs the [dask] extra (prefect-dask): pip install 'enrich[dask]'"
        ) from None
    return DaskTaskRunner


def _task_runner(kind: TaskRunnerName) -> Any:
    if kind == "dask":
        DaskTaskRunner = dask_runner()
        logging.getLogger("distributed").setLevel(logging.WARNING)
        address = os.environ.get("ENRICH_DASK_ADDRESS")
        if address:  # an existing cluster: its workers need this project installed
            return DaskTaskRunner(address=address)
        # A local cluster of worker processes, told the API this flow run reports to (a
        # server's, or the ephemeral one `enrich run` starts): a worker that knows none would
        # start an API of its own and report its task runs there. No dashboard; the scheduler's
        # HTTP server (health routes, started even then) on a free loopback port, not 8787:
        # two clusters at once (two runs, two test workers) would fight over 8787, and the
        # second's "port in use" warning fails a test.
        return DaskTaskRunner(
            cluster_kwargs={
                "n_workers": 2, "threads_per_worker": 4, "processes": True,
                "dashboard_address": None, "env": {"PREFECT_API_URL": _api_url()},
                "scheduler_kwargs": {"dashboard": False, "dashboard_address": "127.0.0.1:0"},
            }
        )  # fmt: skip
    # Tasks wait on the network; each source bounds its own requests, so two per source.
    return ThreadPoolTaskRunner(max_workers=2 * len(NAMES))


@contextmanager
def _started(runner: Any) -> Iterator[Any]:
    """The task runner, entered and left; but on a signal (SIGTERM as Prefect's
    `TerminationSignal`, Ctrl-C, the CLI's stop: a `BaseException` that is not an `Exception`)
    its threads are abandoned rather than joined. Leaving a thread pool joins its threads, and
    a task blocked on a request that hangs would hold the run (and ignore the signal) for as
    long as the request hangs. The output folder's lock is already released by then
    (`run_job` left it on the way out)."""
    runner.__enter__()
    try:
        yield runner
    except Exception:
        runner.__exit__(*sys.exc_info())
        raise
    except BaseException:
        executor = getattr(runner, "_executor", None)  # ThreadPoolTaskRunner's pool
        if isinstance(executor, ThreadPoolExecutor):
            for event in getattr(runner, "_cancel_events", {}).values():
                event.set()
            executor.shutdown(wait=False, cancel_futures=True)
            runner._executor = None
        runner.__exit__(*sys.exc_info())
        raise
    runner.__exit__(None, None, None)


def check_api() -> None:
    """A configured Prefect server (``PREFECT_API_URL``, from the environment or the Prefect
    profile) must answer now, within seconds: else one line says so and how to unset it, where
    Prefect would retry for a minute and end in a long traceback. Without one, the run starts
    Prefect's embedded API."""
    url = PREFECT_API_URL.value()
    if not url:
        return
    try:
        httpx.get(f"{url.rstrip('/')}/health", timeout=API_CHECK_SECONDS)
    except httpx.HTTPError as exc:
        where = (
            "unset PREFECT_API_URL"
            if "PREFECT_API_URL" in os.environ
            else "prefect config unset PREFECT_API_URL"
        )
        raise ConfigError(
            f"the Prefect server at {url} is not reachable ({type(exc).__name__}): start it, "
            f"or `{where}` to run on Prefect's embedded API"
        ) from None


def _api_url() -> str:
    """The Prefect API this process reports to: the configured server, or the ephemeral one."""
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        return str(client.api_url)


def nightly(
    list_source: str | None = None,
    out_dir: str = "data/enriched",
    raw_dir: str = "data/raw",
    sources: list[str] | None = None,
    skip: dict[str, str] | None = None,
    task_runner: TaskRunnerName = "threads",
    publish_repo: str | None = None,
    list_sources: list[str] | None = None,
    follow: bool = False,
    max_lists: int = MAX_LISTS,
) -> State[Any]:
    """Enrich an awesome list and publish the dataset.

    Args:
        list_source: a local path, an https URL, ``github:OWNER/REPO/PATH[@REF]`` or
            ``bundled:NAME``; by default ``data/raw/lists/awesome-rlhf-language-models.md`` of
            the folder the run starts in, else the list bundled in the package.
        out_dir: folder of the published dataset (latest.*, snapshots/, diffs/, history/).
        raw_dir: folder of the raw layer (one sub-folder per run).
        sources: enable only these sources (arxiv, github, huggingface, collections, web,
            papers, scholar); all by default.
        skip: sources not fetched this run, each with the reason the snapshot will give.
        task_runner: ``threads`` (this process) or ``dask`` (``ENRICH_DASK_ADDRESS``, else a
            local cluster).
        publish_repo: a Hub dataset repository (``OWNER/NAME``) to upload the published folder
            to, in one commit (token: ``HF_TOKEN`` or the ``ENRICH_HF_TOKEN_BLOCK`` block).
        list_sources: several lists: a catalog run (``list_source`` is then not read), each
            list published under ``out_dir/lists/<slug>/``, the catalog in ``out_dir/catalog/``.
        follow: also read every list the lists link (a catalog run, of ``list_sources`` or of
            ``list_source``).
        max_lists: a catalog run reads at most this many lists.
    """
    logger = get_run_logger()
    # Relative paths are read from the folder the run starts in (the CLI's, `enrich serve`'s,
    # the checkout for prefect.yaml's worker), and the list is named as given from there.
    source = as_given(list_source or default_list_source())
    given = _given.get()
    try:
        settings = _with_secret_blocks(Settings())
        if publish_repo:
            upload_token(settings)  # a missing token: said now, not after the night's fetching
        if settings.github_token is None and "github" in (sources or NAMES):
            logging.getLogger(__name__).warning(
                "no GITHUB_TOKEN: anonymous GitHub requests are limited to 60 an hour"
            )
        same = given is not None and given.source == source
        job = Job(
            source, Path(out_dir), Path(raw_dir), settings, sources, skip,
            list_bytes=_given_bytes.get() if same else None, parsed=given if same else None,
            publish_repo=publish_repo,
        )  # fmt: skip
        limits: Limits = "prefect" if prefect_limits.available() else "local"
        if list_sources or follow:
            many = CatalogJob(
                tuple(list_sources or [source]), Path(out_dir), Path(raw_dir), settings,
                follow, max_lists, sources, skip, publish_repo=publish_repo,
            )  # fmt: skip
            with _started(_task_runner(task_runner)) as runner:
                executor = PrefectExecutor(runner, quoted=task_runner == "threads", limits=limits)
                done = run_catalog(many, executor, _reporter.get())
            logger.info(summary.catalog_line(done))
            _send_logs()
            return Completed(message=summary.catalog_line(done), data=summary.catalog_summary(done))
        with _started(_task_runner(task_runner)) as runner:
            executor = PrefectExecutor(runner, quoted=task_runner == "threads", limits=limits)
            result = run_job(job, executor, _reporter.get())
    except EnrichError as exc:
        logger.error("nothing published: %s", exc)
        artifacts.for_failure(str(exc))
        _send_logs()
        return Failed(message=str(exc))
    said = summary.summary(result)
    artifacts.for_run(result, settings.public_url)
    logger.info(summary.one_line(result))
    _send_logs()
    return Completed(message=summary.one_line(result), data=said)


def _send_logs() -> None:
    """Send the run's log lines to the server before its final state: ``prefect deployment run
    --watch`` stops at that state, and would end before showing why the run failed."""
    try:
        APILogHandler().flush()
    except Exception as exc:  # pragma: no cover - logs are best effort, never the run's outcome
        logging.getLogger(__name__).debug("could not send the logs: %s", exc)


# The flow wraps a module-level function for the same reason as the tasks: Dask pickles the flow
# run's context (the flow among it) with every task, and by name is the only way that travels.
enrich_awesome_list = flow(name=FLOW_NAME, log_prints=False, persist_result=False)(nightly)


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


def serve_nightly(list_source: str, out_dir: str, raw_dir: str, cron: str = "0 3 * * *") -> None:
    """Serve deployment ``nightly``: the flow on ``cron`` (UTC), and on demand with
    ``prefect deployment run 'enrich-awesome-list/nightly'``. Needs ``PREFECT_API_URL``."""
    if not PREFECT_API_URL.value():
        raise ConfigError(
            "serve needs a Prefect server: start `prefect server start`, then "
            "`export PREFECT_API_URL=http://127.0.0.1:4200/api`"
        )
    check_api()
    # The flow runs (child processes) log to the server like any flow's, the library's own
    # log lines (per-source failures, rate-limit waits) included.
    os.environ.setdefault("PREFECT_LOGGING_EXTRA_LOGGERS", "enrich")
    enrich_awesome_list.serve(
        name="nightly",
        schedules=[Cron(cron, timezone="UTC")],
        parameters={"list_source": list_source, "out_dir": out_dir, "raw_dir": raw_dir},
        description="Enrich the awesome list and publish the dataset, every night at 03:00 UTC.",
        tags=["enrich"],
    )
