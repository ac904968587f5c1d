"""Crash safety: a publish killed with SIGKILL at every file replacement leaves each published
file either as it was or completely new, and a rerun then completes normally. Each publish runs
in a forked child (the imports are already made), which kills itself at its N-th replacement."""

from __future__ import annotations

import hashlib
import json
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import BUNDLED, run
from enrich.core.settings import Settings

pytestmark = pytest.mark.slow  # forks publishing processes

# A zygote: one interpreter that imports everything once, then forks a child per publish. The
# child publishes raw run B over the given folder and SIGKILLs itself at its N-th os.replace.
# (The test process itself cannot fork safely: polars and the fake API already run threads.)
ZYGOTE = """
import os, signal, sys
from pathlib import Path
from enrich.core.settings import Settings
from enrich.run.steps import finish
from enrich.store.codec import read_snapshot
from enrich.run.state import Listing, ListRun

for line in sys.stdin:
    raw, out, kill_at = line.split()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        real, calls = os.replace, [0]
        def replace(src, dst):
            calls[0] += 1
            if calls[0] == int(kill_at):
                os.kill(os.getpid(), signal.SIGKILL)
            real(src, dst)
        os.replace = replace
        finish(ListRun(Listing.read(Path(raw)), Path(out),
                       read_snapshot(Path(out) / "latest.json")), Settings())
        os.write(write, str(calls[0]).encode())
        os._exit(0)
    os.close(write)
    _, status = os.waitpid(pid, 0)
    made = os.read(read, 64).decode() or "0"
    os.close(read)
    print(os.waitstatus_to_exitcode(status), made, flush=True)
"""


class Zygote:
    def __init__(self) -> None:
        self.process = subprocess.Popen([sys.executable, "-c", ZYGOTE], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, text=True)

    def publish_b(self, raw_b: Path, out: Path, kill_at: int) -> tuple[int, int]:
        """(the child's exit code, -9 when killed; how many replacements it made)."""
        assert self.process.stdin and self.process.stdout
        self.process.stdin.write(f"{raw_b} {out} {kill_at}\n")
        self.process.stdin.flush()
        code, made = self.process.stdout.readline().split()
        return int(code), int(made)

    def close(self) -> None:
        assert self.process.stdin
        self.process.stdin.close()
        self.process.wait(timeout=30)


WATCHED = ("latest.json", "latest.parquet", "snapshots/*", "diffs/*", "diffs/runs/*",
           "history/*/*.parquet", "README.md", "croissant.json", "feed.xml")


def state(folder: Path) -> dict[str, str]:
    files = [p for pattern in WATCHED for p in folder.glob(pattern) if p.is_file() and not p.name.startswith(".")]
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


def test_sigkill_at_every_replacement(settings: Settings, tmp_path: Path) -> None:
    # Night A publishes; night B (one more entry in the list) is only fetched, into raw B.
    base = tmp_path / "a"
    run(str(BUNDLED), settings=settings, out_dir=base, raw_root=tmp_path / "raw-a", skip={"web": "offline"})
    longer = BUNDLED.read_bytes() + b"\n* [RL4LMs paper](https://arxiv.org/abs/2210.01241)\n"
    b_result = run(str(BUNDLED), settings=settings, out_dir=tmp_path / "scratch", raw_root=tmp_path / "raw-b",
                   skip={"web": "offline"}, list_bytes=longer)
    raw_b = b_result.run_dir
    before = state(base)

    zygote = Zygote()
    reference = tmp_path / "reference"
    shutil.copytree(base, reference)
    code, replacements = zygote.publish_b(raw_b, reference, kill_at=0)
    assert code == 0
    after = state(reference)
    assert replacements >= 7 and after["latest.json"] != before["latest.json"]

    for kill_at in range(1, replacements + 1):
        out = tmp_path / f"killed-{kill_at}"
        shutil.copytree(base, out)
        code, _ = zygote.publish_b(raw_b, out, kill_at)
        assert code == -signal.SIGKILL, kill_at
        for name, digest in state(out).items():
            assert digest in (before.get(name), after.get(name)), (kill_at, name)
        for name in ("latest.json", "latest.parquet"):
            assert state(out)[name] in (before[name], after[name])
        json.loads((out / "latest.json").read_text())  # never a torn file
        code, _ = zygote.publish_b(raw_b, out, kill_at=0)
        assert code == 0
        assert state(out)["latest.json"] == after["latest.json"]
        assert state(out)["latest.parquet"] == after["latest.parquet"]
        assert not list(out.rglob(".*.tmp"))  # what the kill left behind is swept
    zygote.close()
