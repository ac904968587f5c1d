"""Run one ``enrich`` command in this process; write its wall time and peak RSS to a file.

Usage: ``python measure.py RESULT.json ARGS...`` (the arguments of ``enrich``). Peak RSS is this
process's VmHWM: the pipeline and its threads (Prefect's ephemeral API server included when it
runs in-process), not the fake API, which runs in the benchmark's own process. ``job_seconds``
is the job (read the list, fetch, build, publish), timed around ``run_job`` as the flow calls it:
the wall time without Python's start-up, Prefect's server and the flow run's bookkeeping.
"""

from __future__ import annotations

import atexit
import json
import sys
import time
from pathlib import Path
from typing import Any

started = time.perf_counter()
result = Path(sys.argv[1])
job: dict[str, float] = {}


def _report() -> None:
    status = Path("/proc/self/status").read_text()
    hwm = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM"))
    wall = time.perf_counter() - started
    figures = {"wall_seconds": wall, "peak_rss_mb": hwm / 1024, **job}
    result.write_text(json.dumps(figures))


atexit.register(_report)
sys.argv = ["enrich", *sys.argv[2:]]

from enrich.cli import main, prepare_environment  # noqa: E402 - the clock starts first

prepare_environment()  # as `main` does, before this module imports Prefect

import enrich.run.flow  # noqa: E402

_body = enrich.run.flow.run_job


def _timed(*args: Any, **kwargs: Any) -> Any:
    begun = time.perf_counter()
    try:
        return _body(*args, **kwargs)
    finally:
        job["job_seconds"] = time.perf_counter() - begun


enrich.run.flow.run_job = _timed
main()
