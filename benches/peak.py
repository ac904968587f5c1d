"""This process's peak resident memory, for the benches that measure a case in a child process."""

from __future__ import annotations

import resource
from pathlib import Path


def peak_rss_mb() -> float:
    """Peak RSS (VmHWM). Not ``ru_maxrss``: after fork+exec that still counts the parent's
    pages (a child started by a 300 MB pytest process reads at least 300 MB)."""
    status = Path("/proc/self/status")
    if status.is_file():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
