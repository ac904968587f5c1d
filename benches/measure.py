"""Run one ``enrich`` command in this process; write its wall time and peak RSS to a file.

Usage: ``python measure.py RESULT.json ARGS...`` (the arguments of ``enrich``). Peak RSS is this
process's VmHWM: the pipeline and its threads (Prefect's ephemeral API server included when it
runs in-process), not the fake API, which runs in the benchmark's own process.
"""

from __future__ import annotations

import atexit
import json
import sys
import time
from pathlib import Path

started = time.perf_counter()
result = Path(sys.argv[1])


def _report() -> None:
    status = Path("/proc/self/status").read_text()
    hwm = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM"))
    wall = time.perf_counter() - started
    result.write_text(json.dumps({"wall_seconds": wall, "peak_rss_mb": hwm / 1024}))


atexit.register(_report)
sys.argv = ["enrich", *sys.argv[2:]]

from enrich.cli import main  # noqa: E402 - the clock starts before the imports

main()
