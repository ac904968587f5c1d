"""The output folder's lock (`enrich.store.files.exclusive`, filelock's flock): a second holder
is refused with the holder's pid, and a holder that dies, however, leaves no stale lock."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest

from enrich.core.errors import LockedError
from enrich.store.files import exclusive

pytestmark = pytest.mark.slow  # starts a holding process

HOLDER = """
import sys, time
from pathlib import Path
from enrich.store.files import exclusive
with exclusive(Path(sys.argv[1])):
    print("held", flush=True)
    time.sleep(120)
"""


def _holding(folder: Path) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(folder)], stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None and process.stdout.readline().strip() == "held"
    return process


@pytest.mark.parametrize("ended_by", [signal.SIGTERM, signal.SIGKILL, signal.SIGINT])
def test_a_holder_refuses_others_and_its_end_frees_the_lock(
    tmp_path: Path, ended_by: signal.Signals
) -> None:
    folder = tmp_path / "enriched"
    holder = _holding(folder)
    try:
        refused = rf"already writing here \(pid {holder.pid}\)"
        with pytest.raises(LockedError, match=refused), exclusive(folder):
            pass
    finally:
        holder.send_signal(ended_by)
        holder.wait(timeout=30)
    with exclusive(folder):  # free again: the kernel released it with the process
        pass


def test_two_holders_in_one_process_are_refused(tmp_path: Path) -> None:
    with exclusive(tmp_path / "x"), pytest.raises(LockedError), exclusive(tmp_path / "x"):
        pass
    with exclusive(tmp_path / "x"):  # both let go
        pass
