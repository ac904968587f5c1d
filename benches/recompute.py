"""How often one ``enrich demo`` recomputes what it knows: list parses, manifest and failure
reads, graph builds, ``diff.frame`` calls (issue 23, item 4).

The demo runs in this process (the Prefect flow, threads) into a temporary folder, with each of
those functions wrapped by a counter. A parse counts once per real parse of the list's bytes
(while the parser kept an ``lru_cache``, the calls it answered are counted apart); the CLI's own
checks of the list (before Prefect starts) are counted apart from the run's. Two nights: the
first, and one with a previous snapshot to compare with.

    .venv/bin/python benches/recompute.py
"""

from __future__ import annotations

import functools
import sys
import tempfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

counts: Counter[str] = Counter()
phase = ["cli"]


def counted(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        counts[f"{name} ({phase[0]})"] += 1
        return fn(*args, **kwargs)

    return wrapper


def install() -> None:
    """The counters, put in place before the modules that import these names by value load."""
    from enrich.core import diff, graph, listing
    from enrich.store.raw import RawStore

    # The parse behind any cache the module keeps: a real parse of the bytes.
    inner = getattr(listing, "_parse_list", None)
    if inner is not None and hasattr(inner, "__wrapped__"):  # an lru_cache: count its misses
        wrapped = counted("list parsed", inner.__wrapped__)
        listing._parse_list = functools.lru_cache(maxsize=4)(wrapped)
        listing.parse_list = counted("parse_list called", listing.parse_list)
    else:
        listing.parse_list = counted("list parsed", listing.parse_list)
    graph.with_graph = counted("graph built", graph.with_graph)
    diff.frame = counted("diff.frame", diff.frame)
    RawStore.manifest = counted("manifest read", RawStore.manifest)  # type: ignore[method-assign]
    RawStore.failures = counted("failures read", RawStore.failures)  # type: ignore[method-assign]
    import enrich.run.flow as flow

    nightly = flow.nightly

    def in_run(*args: Any, **kwargs: Any) -> Any:
        phase[0] = "run"
        try:
            return nightly(*args, **kwargs)
        finally:
            phase[0] = "cli"

    flow.enrich_awesome_list.fn = in_run


def main() -> None:
    install()
    from enrich.cli import main as cli

    nights: list[Counter[str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        out, raw = Path(tmp, "enriched"), Path(tmp, "raw")
        for _ in range(2):  # the first night, then one with a previous snapshot to compare with
            counts.clear()
            try:
                cli(["demo", "--out", str(out), "--raw", str(raw), "--quiet"])
            except SystemExit as exc:  # typer's standalone mode exits 0 when done
                if exc.code:
                    print(f"demo exited {exc.code}", file=sys.stderr)
            nights.append(Counter(counts))
    print("| calls per `enrich demo` | first night | second night |\n|---|---:|---:|")
    for key in sorted(set(nights[0]) | set(nights[1])):
        print(f"| {key} | {nights[0][key]} | {nights[1][key]} |")


if __name__ == "__main__":
    main()
