"""Parse benchmark: the two largest real lists and synthetic lists of 100,000 links.

Usage: ``python parse_bench.py measure PATH`` parses one list file in this (fresh) process and
prints ``wall_seconds cpu_seconds peak_rss_mb entries skipped``; ``run.py`` calls it once per
run so each peak RSS is that parse's own (the interpreter and imports included).
``python parse_bench.py compare [--ref REF] [--repeat N]`` times another revision's parser
(``main`` by default, extracted by ``parse_diff.reference``) and this checkout's, alternately in
fresh processes on the same files, and prints each one's fastest run and the ratio: on a busy
machine only a ratio measured in one sitting means anything. ``python parse_bench.py write
varied PATH`` writes a synthetic list (``varied``, ``bullets``, ``table``, ``paragraph``).
The real lists are read from ``$ENRICH_SHARED/lists/real/`` (``../shared`` beside the
checkout) when it is there (other people's files: read, never copied); the synthetic lists
are generated here (sample data, not real links).
"""

from __future__ import annotations

import os
import random
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The shared folder: $ENRICH_SHARED, else ../shared beside the checkout (as the tests find it).
REAL = Path(os.environ.get("ENRICH_SHARED") or ROOT.parent / "shared") / "lists" / "real"
# The two largest lists of ../shared/lists/real/ (974 KB of tables, 354 KB of tables).
REAL_LISTS = ("dair-ai-ML-Papers-of-the-Week.md", "zziz-pwc.md")
N = 100_000
_KINDS = (
    "https://github.com/org{n}/repo-{i}",
    "https://arxiv.org/abs/{n:04d}.{i:05d}",
    "https://huggingface.co/datasets/org/ds-{i}",
    "https://example{n}.org/page/{i}",
)


def bullets(n: int = N) -> bytes:
    """A list of n bullets, one link each (a quarter of each kind), as the slow test's."""
    lines = ["# Long list", ""]
    for i in range(n):
        url = _KINDS[i % 4].format(n=1001 + i % 1200, i=i)
        lines.append(f"- [item {i}]({url}) - entry {i}")
    return ("\n".join(lines) + "\n").encode()


def table(n: int = N) -> bytes:
    """A table of n/2 rows, each a paper and its code (the shape of the real paper lists)."""
    lines = ["# Papers", "", "| Title | Venue | Code |", "|---|---|---|"]
    for i in range(n // 2):
        paper = f"https://arxiv.org/abs/{1001 + i % 1200:04d}.{i:05d}"
        code = f"https://github.com/o{i}/r{i}"
        lines.append(f"| [Paper {i}]({paper}) | Venue {i % 7} | [code]({code}) |")
    return ("\n".join(lines) + "\n").encode()


def paragraph(n: int = 20_000) -> bytes:
    """One paragraph of n links on one line (the case that was quadratic)."""
    return " ".join(f"[p{i}](https://example.org/{i})" for i in range(n)).encode() + b"\n"


# -- a list of varied styles -----------------------------------------------------------------
# Sample data, generated: the shapes real awesome lists use (each template below imitates one),
# never their text. Names and ids are made up; a few targets repeat, as in real lists.
_WORDS = (
    "fast", "tiny", "deep", "open", "graph", "vision", "speech", "agent", "model", "data",
    "stream", "sparse", "neural", "robust", "query", "cache", "vector", "token", "search",
    "learning", "transformer", "diffusion", "retrieval", "benchmark", "toolkit", "library",
)  # fmt: skip
_VENUES = ("NeurIPS 2023", "ICLR 2024", "ACL 2023", "CVPR 2024", "arXiv", "EMNLP 2022")


def _name(r: random.Random) -> str:
    return "".join(w.capitalize() for w in r.sample(_WORDS, 2))


def _sentence(r: random.Random) -> str:
    words = r.sample(_WORDS, r.randint(4, 9))
    return " ".join(words).capitalize() + "."


def _target(r: random.Random, i: int) -> str:
    """A link target; about one in twenty repeats an earlier one (a thing listed twice)."""
    j = r.randrange(i) if i > 20 and r.random() < 0.05 else i
    kind = j % 10
    if kind < 4:
        return f"https://github.com/owner{j % 997}/{_WORDS[j % 26]}-{j}"
    if kind < 6:
        return f"https://arxiv.org/abs/{2001 + j % 400:04d}.{j % 100000:05d}"
    if kind == 6:
        hub = ("datasets/", "spaces/", "")[j % 3]
        return f"https://huggingface.co/{hub}org{j % 301}/{_WORDS[j % 26]}-{j}"
    if kind == 7:
        return f"https://openreview.net/forum?id=Ab{j}Cd"
    return f"https://www.example{j % 503}.org/{_WORDS[j % 26]}/{j}"


def _row(r: random.Random, i: int) -> tuple[str, int]:
    """One item in one of the styles, and how many links it holds."""
    name, text, url = _name(r), _sentence(r), _target(r, i)
    style = i % 12
    if style == 0:
        return f"- **[{name}]({url})** - {text}", 1
    if style == 1:
        return (
            f"* [{name}]({url}): {text} Uses `{name.lower()}` and "
            f"[{_name(r)}]({_target(r, i + 1)}).",
            2,
        )
    if style == 2:
        code = f"https://github.com/lab{i % 89}/{name.lower()}"
        return f"1. [{text[:-1]}]({url}) [[code]({code})] ({_VENUES[i % 6]})", 2
    if style == 3:
        return f"- {name} ([paper]({url}), [code](https://github.com/o{i}/r{i})) - {text}", 2
    if style == 4:
        badge = f"https://img.shields.io/github/stars/o{i}/r{i}?style=social"
        return f"- [{name}]({url}) [![Stars]({badge})](https://github.com/o{i}/r{i}) - {text}", 2
    if style == 5:
        return f'- <a href="{url}">{name}</a> - {text}', 1
    if style == 6:
        return f"- :star: [{name}]({url}) — {text}\n  - Code: [Official]({_target(r, i + 1)})", 2
    if style == 7:
        return f"- {name}: {text} {url}", 1
    return f"- [{name}]({url}) - {text}", 1  # the commonest shape, a third of the items


def varied(n: int = N) -> bytes:
    """A list of about n links in the styles real lists mix: bullets (bold, nested, badges,
    HTML, bare URLs, code), sections and subsections, tables of papers, paragraphs."""
    r = random.Random(24)
    lines = [
        "# Awesome Sample (generated sample data)",
        "",
        "[![Awesome](https://awesome.re/badge.svg)](https://awesome.re)",
        "",
        "> A generated list for the parse benchmark: no real project is named here.",
        "",
        "## Contents",
        "",
        "- [Section 1](#section-1)",
        "",
    ]
    links, i, section = 0, 0, 0
    while links < n:
        section += 1
        lines += ["", f"## Section {section}", "", f"*{_sentence(r)}*", ""]
        for sub in range(3):
            lines += [f"### {_name(r)} {sub + 1}", ""]
            if (section + sub) % 5 == 4:  # a table of papers and their code
                lines += ["| Title | Venue | Code |", "|---|---|---|"]
                for _ in range(40):
                    i += 1
                    code = f"https://github.com/t{i}/{_WORDS[i % 26]}"
                    lines.append(f"| [{_sentence(r)[:-1]}]({_target(r, i)}) | "
                                 f"{_VENUES[i % 6]} | [Code]({code}) |")  # fmt: skip
                    links += 2
            elif (section + sub) % 7 == 6:  # a paragraph of papers, one per line
                for _ in range(20):
                    i += 1
                    lines.append(
                        f"**{_name(r)}.** *A. Author, B. Author.* [[pdf]({_target(r, i)})]  "
                    )
                    links += 1
            else:
                for _ in range(60):
                    i += 1
                    row, count = _row(r, i)
                    lines.append(row)
                    links += count
            lines.append("")
    return ("\n".join(lines) + "\n").encode()


def measure(path: Path) -> None:
    data = path.read_bytes()
    started, cpu = time.perf_counter(), time.process_time()
    from enrich.core.listing import parse_list  # timed with its imports: what a run pays

    parsed = parse_list(data, path.name)
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(f"{wall:.2f} {cpu:.2f} {peak} {len(parsed.entries)} {len(parsed.skipped)}")


def compare(ref: str, repeat: int, names: list[str]) -> None:
    """``ref``'s parser and this checkout's, alternately in fresh processes, on generated lists:
    each one's fastest wall and CPU time, its peak RSS, and the ratio of the CPU times (the
    wall time of a machine others share says more about them than about the parse)."""
    import tempfile

    import parse_diff

    makers = {"varied": varied, "bullets": bullets, "table": table, "paragraph": paragraph}
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        (tmp / "ref").mkdir()
        sides = {ref: parse_diff.reference(ref, tmp / "ref"), "this": ROOT / "src"}
        print(
            f"| input | size | entries | {ref}: wall, CPU, peak RSS | this: wall, CPU, peak RSS "
            "| ratio (CPU) |"
        )
        print("|---|---:|---:|---:|---:|---:|")
        for name in names:
            path = tmp / f"{name}.md"
            path.write_bytes(makers[name]())
            runs: dict[str, list[list[str]]] = {side: [] for side in sides}
            for _ in range(repeat):
                for side, src in sides.items():
                    out = parse_diff.run_with(src, "measure", str(path), script=Path(__file__))
                    runs[side].append(out.split())
            wall = {side: min(float(r[0]) for r in rs) for side, rs in runs.items()}
            cpu = {side: min(float(r[1]) for r in rs) for side, rs in runs.items()}
            peak = {side: max(int(r[2]) for r in rs) for side, rs in runs.items()}
            old, new = (f"{wall[s]:.1f} s, {cpu[s]:.1f} s, {peak[s]} MB" for s in sides)
            print(
                f"| {name} | {path.stat().st_size / 1e6:.1f} MB | {int(runs['this'][0][3]):,} | "
                f"{old} | {new} | {cpu[ref] / cpu['this']:.2f}x |",
                flush=True,
            )


if __name__ == "__main__":
    if sys.argv[1:2] == ["measure"]:
        measure(Path(sys.argv[2]))
    elif sys.argv[1:2] == ["write"]:
        Path(sys.argv[3]).write_bytes(globals()[sys.argv[2]]())
    elif sys.argv[1:2] == ["compare"]:
        import argparse

        parser = argparse.ArgumentParser(prog="parse_bench.py compare")
        parser.add_argument("--ref", default="main")
        parser.add_argument("--repeat", type=int, default=3)
        parser.add_argument("names", nargs="*", default=["varied", "bullets", "table"])
        args = parser.parse_args(sys.argv[2:])
        compare(args.ref, args.repeat, args.names)
