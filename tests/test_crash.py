"""Crash safety: a publish killed with SIGKILL at every file replacement leaves each published
file either as it was or completely new, and a rerun then completes normally."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

from conftest import BUNDLED
from enrich.pipeline import run
from enrich.settings import Settings

# Publishes raw run B over the dataset of run A, SIGKILLing itself at the N-th os.replace.
KILLER = """
import os, signal, sys
from pathlib import Path
from enrich.pipeline import build
from enrich.raw import RawStore
from enrich.snapshot import publish, read_snapshot
from enrich.diff import diff_snapshots

raw, out, n = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
real, calls = os.replace, [0]
def replace(src, dst):
    calls[0] += 1
    if calls[0] == n:
        os.kill(os.getpid(), signal.SIGKILL)
    real(src, dst)
os.replace = replace
prior = read_snapshot(out / "latest.json")
snap = build(RawStore(raw), prior)
publish(snap, out, diff_snapshots(prior, snap))
print("completed", calls[0])
"""

WATCHED = ("latest.json", "latest.parquet", "snapshots/*", "diffs/*", "history/*/*.parquet")


def state(folder: Path) -> dict[str, str]:
    files = [p for pattern in WATCHED for p in folder.glob(pattern) if not p.name.startswith(".")]
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


def publish_b(raw_b: Path, out: Path, kill_at: int) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", KILLER, str(raw_b), str(out), str(kill_at)],
                          capture_output=True, text=True, timeout=120)


def test_sigkill_at_every_replacement(settings: Settings, tmp_path: Path) -> None:
    # Night A publishes; night B (one more entry in the list) is only fetched, into raw B.
    base = tmp_path / "a"
    run(str(BUNDLED), settings=settings, out_dir=base, raw_root=tmp_path / "raw-a", skip={"web": "offline"})
    longer = BUNDLED.read_bytes() + b"\n* [RL4LMs paper](https://arxiv.org/abs/2210.01241)\n"
    b_result = run(str(BUNDLED), settings=settings, out_dir=tmp_path / "scratch", raw_root=tmp_path / "raw-b",
                   skip={"web": "offline"}, list_bytes=longer)
    raw_b = b_result.run_dir
    before = state(base)

    reference = tmp_path / "reference"
    subprocess.run(["cp", "-r", str(base), str(reference)], check=True)
    done = publish_b(raw_b, reference, kill_at=0)
    assert done.returncode == 0 and done.stdout.startswith("completed"), done.stderr
    after = state(reference)
    replacements = int(done.stdout.split()[1])
    assert replacements >= 7 and after["latest.json"] != before["latest.json"]

    for kill_at in range(1, replacements + 1):
        out = tmp_path / f"killed-{kill_at}"
        subprocess.run(["cp", "-r", str(base), str(out)], check=True)
        killed = publish_b(raw_b, out, kill_at)
        assert killed.returncode == -9, killed.stderr
        for name, digest in state(out).items():
            assert digest in (before.get(name), after.get(name)), (kill_at, name)
        for name in ("latest.json", "latest.parquet"):
            assert state(out)[name] in (before[name], after[name])
        json.loads((out / "latest.json").read_text())  # never a torn file
        rerun = publish_b(raw_b, out, kill_at=0)
        assert rerun.returncode == 0, rerun.stderr
        assert state(out)["latest.json"] == after["latest.json"]
        assert state(out)["latest.parquet"] == after["latest.parquet"]
        assert not list(out.rglob(".*.tmp"))  # what the kill left behind is swept
