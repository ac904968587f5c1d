"""Hostile answers per upstream (#22 items 1-2): peak memory under a decompression bomb, and the
time a dripping answer holds a source.

Usage: ``python benches/hostile_bench.py [--bomb BYTES] [--deadline SECONDS]`` prints one row per
upstream: the peak RSS of a process that fetches two entries, one of them answered with a gzip
body decoding to ``--bomb`` bytes (1 GB by default; the caps are the settings' defaults), and
the seconds until a fetch whose answer drips one byte every 2 s ends (every deadline set to
``--deadline``), with the status each hit entry got.

Each case runs in a process of its own (``--one CASE KIND``, which prints one JSON line), so
that one case's memory is not another's; peak RSS is the child's own ``ru_maxrss``, its fake API
included (the bomb is ~1 MB compressed). The figures go into benches/RESULTS.md by hand.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

from peak import peak_rss_mb  # benches/peak.py (the script's folder is on the path)

ROOT = Path(__file__).resolve().parent.parent

# upstream: (source, hit URL, other URL, the fake's path of the hit, its query, settings)
CASES: dict[str, tuple[str, str, str, str, str | None, dict[str, Any]]] = {
    "github-rest": (
        "github",
        "https://github.com/huggingface/trl",
        "https://github.com/CarperAI/trlx",
        r"^/github/repos/huggingface/trl$",
        None,
        {},
    ),
    "github-graphql": (
        "github",
        "https://github.com/huggingface/trl",
        "https://github.com/CarperAI/trlx",
        r"^/github/graphql$",
        None,
        {"github_token": "fake-token", "github_graphql_batch_size": 1},
    ),
    "hub-info": (
        "huggingface",
        "https://huggingface.co/datasets/Anthropic/hh-rlhf",
        "https://huggingface.co/datasets/stanfordnlp/SHP",
        r"^/hf/api/datasets/Anthropic/hh-rlhf$",
        None,
        {},
    ),
    "hub-paper-page": (
        "papers",
        "https://arxiv.org/abs/1909.08593",
        "https://arxiv.org/abs/2204.05862",
        r"^/hf/api/papers/1909.08593$",
        None,
        {},
    ),
    "arxiv": (
        "arxiv",
        "https://arxiv.org/abs/1909.08593",
        "https://arxiv.org/abs/2204.05862",
        r"^/arxiv/api/query$",
        "id_list=1909.08593",
        {"arxiv_batch_size": 1, "arxiv_missing_retries": 0},
    ),
    "scholar": (
        "scholar",
        "https://arxiv.org/abs/1909.08593",
        "https://arxiv.org/abs/2204.05862",
        r"^/s2/graph/v1/paper/batch$",
        None,
        {"s2_batch_size": 1},
    ),
    "web": (
        "web",
        "{base}/pages/bomb",
        "{base}/pages/ok",
        r"^/pages/bomb$",
        None,
        {"web_probe_https": False},
    ),
}
DEADLINES = (
    "github_deadline_seconds",
    "hub_deadline_seconds",
    "arxiv_deadline_seconds",
    "s2_deadline_seconds",
    "web_timeout_seconds",
)


def one(case: str, kind: str, bomb: int, deadline: float) -> dict[str, Any]:
    """Fetch the case's two entries against a fake whose answer for one is hostile."""
    from enrich.core.links import classify
    from enrich.core.model import Entry
    from enrich.sandbox.server import FakeAPI, Fault, _bomb
    from enrich.sources.base import FetchContext
    from enrich.sources.registry import SOURCES
    from enrich.sources.scholar import ScholarSource
    from enrich.store.raw import RawStore

    source_name, hit_url, other_url, pattern, query, overrides = CASES[case]

    def entry(url: str) -> Entry:
        ref = classify(url)
        return Entry(
            id=ref.entry_id,
            kind=ref.kind,
            source_id=ref.source_id,
            url=url,
            urls=[url],
            section=[],
            positions=[],
        )

    fault = Fault(
        pattern,
        status=200,
        query=query,
        times=None if query else 1,
        bomb=bomb if kind == "bomb" else 0,
        drip=2.0 if kind == "drip" else 0.0,
        headers={"Content-Type": "text/html"} if case == "web" else {},
    )
    if kind == "bomb":
        _bomb(bomb)  # the fake's own work, before the clock starts
    with FakeAPI() as fake, TemporaryDirectory() as tmp:
        fake.faults.append(fault)
        timing = {name: deadline for name in DEADLINES} if kind == "drip" else {}
        settings = fake.settings(http_retries=0, allow_loopback=True, **{**overrides, **timing})
        source = ScholarSource() if source_name == "scholar" else SOURCES[source_name]
        hit = entry(hit_url.format(base=fake.base_url))
        other = entry(other_url.format(base=fake.base_url))
        store = RawStore(Path(tmp) / "raw")
        started = time.monotonic()
        source.fetch([hit, other], store, FetchContext.standalone(settings))
        seconds = time.monotonic() - started
        outcomes = source.normalize([hit, other], store.documents(source_name))
    got = outcomes.get(hit.id)
    return {
        "case": case,
        "kind": kind,
        "seconds": round(seconds, 2),
        "peak_rss_mb": round(peak_rss_mb()),
        "hit": f"{got.status.value}: {got.reason}" if got else "no outcome",
        "other": outcomes[other.id].status.value if other.id in outcomes else "no outcome",
    }


def spawn(case: str, kind: str, bomb: int, deadline: float) -> dict[str, Any]:
    """`one` in a process of its own."""
    result = subprocess.run(
        [
            sys.executable,
            __file__,
            "--one",
            case,
            kind,
            "--bomb",
            str(bomb),
            "--deadline",
            str(deadline),
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    line: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return line


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--one", nargs=2, metavar=("CASE", "KIND"))
    parser.add_argument("--bomb", type=int, default=1_000_000_000)
    parser.add_argument("--deadline", type=float, default=5.0)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(args.one[0], args.one[1], args.bomb, args.deadline)))
        return
    print(
        f"bomb: gzip decoding to {args.bomb:,} bytes; drip: one byte every 2 s, "
        f"deadlines {args.deadline:g} s"
    )
    print(
        f"{'upstream':16} {'bomb: peak RSS':>15} {'drip: ends after':>17}  hit entry (bomb | drip)"
    )
    for case in CASES:
        bomb = spawn(case, "bomb", args.bomb, args.deadline)
        drip = spawn(case, "drip", args.bomb, args.deadline)
        print(
            f"{case:16} {bomb['peak_rss_mb']:>12} MB {drip['seconds']:>15.1f} s  "
            f"{bomb['hit'][:60]} | {drip['hit'][:60]}"
        )


if __name__ == "__main__":
    main()
