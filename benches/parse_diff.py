"""The parser's output, this checkout's against another revision's, field by field.

Usage: ``python parse_diff.py [--ref REF] [FILE ...]``. Without files: every real list of
``$ENRICH_SHARED/lists/real/`` (read in place, never copied; each under its own name and as the
nightly run names it, ``github:owner/repo/path``, which decides its own repository and its
relative links), the bundled list, and the benchmark's synthetic lists (generated sample data).
``REF`` (default ``main``) is extracted with ``git archive`` into a temporary folder; each side
parses in a fresh process (``dump``) and prints, per file, its entries (``model_dump``, JSON),
skipped links, title and section descriptions. Prints every difference (a field of an entry)
and their count; exits 1 when there is one. A speed-up of the parser must leave it at 0.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import corpus  # noqa: E402
import parse_bench  # noqa: E402

BUNDLED = ROOT / "src" / "enrich" / "lists" / "awesome-rlhf-language-models.md"
_SYNTHETIC_N = 20_000  # enough of every style; the 100,000-link lists say nothing more here


def reference(ref: str, into: Path) -> Path:
    """``src/`` of revision ``ref`` of this repository, extracted under ``into``."""
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", ref, "src/enrich"], capture_output=True, check=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into / "src"


def run_with(src: Path, *args: str, script: Path = Path(__file__)) -> str:
    """A script of this folder run in a fresh process with ``src`` first on the import path."""
    env = {**os.environ, "PYTHONPATH": str(src)}
    return subprocess.run(
        [sys.executable, str(script), *args], env=env, capture_output=True, text=True,
        check=True,
    ).stdout  # fmt: skip


def dump(pairs: list[str]) -> None:
    """One JSON line per ``FILE=SOURCE``: what `parse_list` made of it (or the error)."""
    import enrich
    from enrich.core.errors import InputError
    from enrich.core.listing import parse_list

    print(json.dumps({"module": enrich.__file__}))
    for pair in pairs:
        path, _, source = pair.partition("=")
        try:
            parsed = parse_list(Path(path).read_bytes(), source)
        except InputError as exc:
            print(json.dumps({"error": str(exc)}))
            continue
        print(json.dumps({
            "entries": [e.model_dump(mode="json") for e in parsed.entries],
            "skipped": [s.model_dump(mode="json") for s in parsed.skipped],
            "title": parsed.title,
            "sections": sorted(["/".join(k), v] for k, v in parsed.section_descriptions.items()),
        }))  # fmt: skip


def differences(old: dict[str, object], new: dict[str, object]) -> Iterator[str]:
    """Each field that differs: an entry's (by id), a skipped link's (by position), the rest."""
    if old.keys() != new.keys() or "error" in old:
        if old != new:
            yield f"outcome: {old.get('error')!r} -> {new.get('error')!r}"
        return
    before = {e["id"]: e for e in old["entries"]}  # type: ignore[attr-defined]
    after = {e["id"]: e for e in new["entries"]}  # type: ignore[attr-defined]
    for gone in sorted(before.keys() - after.keys()):
        yield f"entry {gone}: only in the reference"
    for added in sorted(after.keys() - before.keys()):
        yield f"entry {added}: only in this checkout"
    for key in sorted(before.keys() & after.keys()):
        for name in sorted(before[key].keys() | after[key].keys()):
            if before[key].get(name) != after[key].get(name):
                was, now = before[key].get(name), after[key].get(name)
                yield f"entry {key}.{name}: {was!r} -> {now!r}"
    if [e["id"] for e in old["entries"]] != [e["id"] for e in new["entries"]]:  # type: ignore[attr-defined]
        yield "entries: in another order"
    for name in ("skipped", "title", "sections"):
        if old[name] != new[name]:
            yield f"{name}: {old[name]!r} -> {new[name]!r}"


def inputs(files: list[str], tmp: Path) -> list[str]:
    """``FILE=SOURCE`` pairs: the files named, else the real lists, bundled and synthetic."""
    if files:
        return [f"{f}={Path(f).name}" for f in files]
    pairs: list[str] = []
    named = corpus.sources(corpus.REAL) if corpus.REAL.is_dir() else {}
    for path in sorted(corpus.REAL.glob("*.md")) if corpus.REAL.is_dir() else []:
        if path.name != "README.md":
            pairs.append(f"{path}={path.name}")
            if path.name in named:
                pairs.append(f"{path}={named[path.name]}")
    if not pairs:
        print(f"{corpus.REAL} is absent (ENRICH_SHARED, default ../shared): real lists left out")
    pairs.append(f"{BUNDLED}=github:sample/awesome-rlhf/README.md")
    for make in (parse_bench.varied, parse_bench.bullets, parse_bench.table):
        path = tmp / f"{make.__name__}.md"
        path.write_bytes(make(_SYNTHETIC_N))
        pairs.append(f"{path}={path.name}")
    return pairs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ref", default="main", help="the revision to compare with")
    parser.add_argument("files", nargs="*", type=str)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        pairs = inputs(args.files, tmp)
        (tmp / "ref").mkdir()
        old_lines = run_with(reference(args.ref, tmp / "ref"), "dump", *pairs).splitlines()
        new_lines = run_with(ROOT / "src", "dump", *pairs).splitlines()
    old_module, new_module = json.loads(old_lines[0])["module"], json.loads(new_lines[0])["module"]
    assert old_module.startswith(folder) and new_module.startswith(str(ROOT / "src")), (
        f"not the parsers meant: {old_module}, {new_module}"
    )
    total = entries = 0
    for pair, old, new in zip(pairs, old_lines[1:], new_lines[1:], strict=True):
        before, after = json.loads(old), json.loads(new)
        found = list(differences(before, after))
        entries += len(after.get("entries", []))
        total += len(found)
        print(f"{pair.rpartition('=')[2]}: {len(after.get('entries', [])):,} entries, "
              f"{len(found)} differences")  # fmt: skip
        for line in found[:20]:
            print(f"  {line}")
    print(f"{len(pairs)} parses, {entries:,} entries: {total} differences against {args.ref}")
    return 1 if total else 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["dump"]:
        dump(sys.argv[2:])
    else:
        sys.exit(main())
