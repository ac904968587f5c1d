"""`make bench`: run every benchmark, print the figures and rewrite benches/RESULTS.md.

Benchmarks print numbers; nothing here asserts a time (machines are noisy).
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))


def machine() -> str:
    cpu = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem = int(Path("/proc/meminfo").read_text().split()[1]) / 1024 / 1024
    return f"{os.cpu_count()} cores ({cpu}), {mem:.0f} GiB, Python {platform.python_version()}"


def diff_benchmark(tmp: Path) -> list[str]:
    import diff_bench

    started = time.perf_counter()
    old, new = diff_bench.generate(tmp)
    generated = time.perf_counter() - started
    runs = []
    for _ in range(3):
        out = subprocess.run(
            [sys.executable, str(HERE / "diff_bench.py"), "measure", str(old), str(new)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        runs.append(out)
    seconds = sorted(float(r[0]) for r in runs)[1]
    peak = max(int(r[1]) for r in runs)
    changed, events = runs[0][2], runs[0][3]
    expected = int(diff_bench.N * diff_bench.CHANGED)
    print(
        f"diff of two {diff_bench.N:,}-entry snapshots: {seconds:.2f} s (median of 3), "
        f"peak RSS {peak} MB, {changed} entries changed, {events} events; "
        f"data generated in {generated:.0f} s"
    )
    return [
        "## Diff (issue: diff over time)",
        "",
        f"Two synthetic snapshots of {diff_bench.N:,} entries (Parquet; "
        f"{diff_bench.CHANGED:.0%} of entries changed: stars, open issues, release, arXiv "
        "version and the paper's Hub upvotes, adoption (+5) and code (odd papers), dataset sha "
        "and downloads, web status; every paper with its Hub page and graph ties), diffed by "
        "`enrich.store.compare.diff_files` and rendered by `changelog`, in a fresh process.",
        "",
        "| figure | measured | target |",
        "|---|---:|---:|",
        f"| time (median of 3) | {seconds:.2f} s | a few seconds |",
        f"| peak RSS (max of 3, whole process incl. Python and imports) | {peak} MB | < 1,024 MB |",
        f"| entries changed / events found | {changed} / {events} | {expected} changed |",
        "",
    ]


def _ratio(measured: float, floor: float) -> str:
    return f"{measured / floor:.2f}×" if floor else "n/a"


def nightly_benchmark() -> list[str]:
    import nightly_bench

    r = nightly_bench.run()
    sizes = r["sizes"]
    overhead = r["overhead"]["wall_seconds"]
    cold, warm = r["cold"], r["warm"]
    repos, papers, datasets, pages = (sizes[k] for k in ("repos", "papers", "datasets", "pages"))
    per = {"github": repos, "arxiv": papers, "huggingface": datasets, "web": pages,
           "papers": papers}  # fmt: skip
    lines = [
        "## The nightly job on 2,000 entries (issue: performance)",
        "",
        f"`enrich run` (the Prefect flow, threads) on a synthetic list of {repos:,} GitHub "
        f"repositories, {papers} arXiv papers (four in five with a Hub paper page), {datasets} "
        f"Hub datasets and {pages} web pages "
        f"(benches/workload.py; synthetic sample data), against the fake API with "
        f"{nightly_bench.LATENCY * 1000:.0f} ms added to every answer, a GitHub token set "
        "(GraphQL), arXiv spacing 3 s, GitHub REST paced to 900 a minute. Cold: empty raw and "
        "output folders. Warm: the same command again, nothing changed upstream. Each run in a "
        "fresh process; the fake API counts what it answered.",
        "",
        "Floor: per source, the fewest requests the API allows for the fields we record × "
        "latency ÷ the concurrency its guidelines allow, or its published rate limit, whichever "
        "binds, plus arXiv's 3 s spacing; sources run at once, so the run's floor is the "
        "slowest source's. GitHub: 100 concurrent requests, 900 REST points a minute (binding "
        "for the cold run's contributor counts). Hub and web: no published concurrency cap, our "
        "settings (8).",
        "",
        "| figure | cold | warm | |",
        "|---|---:|---:|---:|",
    ]
    for run in (cold, warm):
        run["net"] = run["job_seconds"]
    lines += [
        f"| wall time, whole command | {cold['wall_seconds']:.1f} s | "
        f"{warm['wall_seconds']:.1f} s | |",
        f"| the job: the flow's body (read the list, fetch, build, publish) | "
        f"{cold['net']:.1f} s | {warm['net']:.1f} s | |",
        f"| Prefect's overhead: the whole command on a one-link list (median of 3) | "
        f"{overhead:.1f} s | | |",
        f"| floor | {cold['floor']['seconds'] and max(cold['floor']['seconds'].values()):.1f} s | "
        f"{max(warm['floor']['seconds'].values()):.1f} s | |",
        f"| the job ÷ floor | "
        f"{_ratio(cold['net'], max(cold['floor']['seconds'].values()))} | "
        f"{_ratio(warm['net'], max(warm['floor']['seconds'].values()))} | |",
        f"| cold ÷ warm: the job / whole command | {cold['net'] / warm['net']:.1f}× / "
        f"{cold['wall_seconds'] / warm['wall_seconds']:.1f}× | | |",
        f"| peak RSS (the `enrich run` process) | {cold['peak_rss_mb']:.0f} MB | "
        f"{warm['peak_rss_mb']:.0f} MB | |",
        "",
        "| source | cold requests (floor) | per entry | warm requests (floor) | warm 304s | "
        "cold bytes | warm bytes | floor time cold / warm |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name in ("github", "arxiv", "huggingface", "web", "papers"):
        c, w = cold["upstream"][name], warm["upstream"][name]
        fc, fw = cold["floor"]["requests"][name], warm["floor"]["requests"][name]
        tc, tw = cold["floor"]["seconds"][name], warm["floor"]["seconds"][name]
        lines.append(
            f"| {name} | {c['requests']:,} ({fc:,}) | {c['requests'] / per[name]:.3f} | "
            f"{w['requests']:,} ({fw:,}) | {w['not_modified']:,} | {c['bytes']:,} | "
            f"{w['bytes']:,} | {tc:.2f} s / {tw:.2f} s |"
        )
    rc, rw, n = r["rest_cold"], r["rest_warm"], r["rest_repos"]
    gc = rc["upstream"]["github"]
    gw = rw["upstream"]["github"]
    lines += [
        "",
        f"REST path (`ENRICH_GITHUB_GRAPHQL=false`, what runs without a token), {n} "
        f"repositories: cold {gc['requests']} requests ({gc['requests'] / n:.1f} a repository, "
        f"including one 202 per repository from `/stats/commit_activity` on its first call), "
        f"warm {gw['requests']} requests of which {gw['not_modified']} answered 304 "
        f"({gw['not_modified'] / max(gw['requests'], 1):.0%}); wall {rc['wall_seconds']:.1f} s "
        f"cold, {rw['wall_seconds']:.1f} s warm (paced to 900 a minute either way).",
        "",
    ]
    lines += _targets(r, cold, warm, per)
    print("\n".join(lines))
    return lines


def _targets(r: dict, cold: dict, warm: dict, per: dict[str, int]) -> list[str]:  # type: ignore[type-arg]
    """Each target of the performance issue, the figure measured above, met or by how much not."""
    gh_cold = cold["upstream"]["github"]["requests"]
    queries = gh_cold - per["github"]  # the rest are the contributor counts
    rest = r["rest_cold"]["upstream"]["github"]["requests"] / r["rest_repos"]
    rest_warm = r["rest_warm"]["upstream"]["github"]
    share_304 = rest_warm["not_modified"] / max(rest_warm["requests"], 1)
    cold_floor = max(cold["floor"]["seconds"].values())
    speedup = cold["net"] / warm["net"]
    whole = cold["wall_seconds"] / warm["wall_seconds"]
    hub = cold["upstream"]["huggingface"]["requests"] / per["huggingface"]
    arxiv = cold["upstream"]["arxiv"]["requests"] / per["arxiv"] * 100
    peak = max(cold["peak_rss_mb"], warm["peak_rss_mb"])
    overhead_s = r["overhead"]["wall_seconds"]
    papers_cold = cold["upstream"]["papers"]["requests"] / per["papers"]
    papers_warm = warm["upstream"]["papers"]["requests"] / per["papers"]

    def mark(ok: bool) -> str:
        return "met" if ok else "**missed**"

    per_repo = queries / per["github"]
    warm_hub = warm["upstream"]["huggingface"]["requests"]
    rest_miss = (
        f" by {rest - 5:.1f}: the field groups we record (repository, languages, release, "
        "newest commit, contributors, weekly activity) are six REST endpoints; dropping one "
        "drops a field"
    )
    rows = [
        ("GitHub cold, token: ≤ 0.05 requests a repository (all but contributors)",
         f"{per_repo:.3f} ({queries} GraphQL queries)", mark(per_repo <= 0.05)),
        ("GitHub cold, REST fallback: ≤ 5 requests a repository",
         f"{rest:.1f} (6 endpoints + the 202 of a cold statistics cache)",
         mark(rest <= 5) + ("" if rest <= 5 else rest_miss)),
        ("GitHub warm: ≥ 90% of REST answers 304", f"{share_304:.0%} (REST path); 0 REST requests "
         "with a token (unchanged branches need no contributor recount)", mark(share_304 >= 0.9)),
        ("arXiv: ≤ 1 request per 100 papers, spacing kept", f"{arxiv:.1f} per 100; spacing "
         "asserted in tests/test_requests.py", mark(arxiv <= 1)),
        ("Hub: ≤ 2 requests a dataset cold; card only when the sha moved",
         f"{hub:.1f} cold; warm {warm_hub} for {per['huggingface']}",
         mark(hub <= 2)),
        ("Cold wall within 1.5× the floor", f"{cold['net'] / cold_floor:.2f}× (the job; "
         f"{cold['wall_seconds'] / cold_floor:.2f}× whole command)",
         mark(cold["net"] / cold_floor <= 1.5)),
        ("Warm rerun ≥ 5× faster than cold", f"{speedup:.1f}× the job; {whole:.1f}× whole "
         f"command, which pays Prefect's start-up ({overhead_s:.0f} s) on every run",
         mark(speedup >= 5) + ("" if speedup >= 5 else
                               f" by {5 / speedup:.2f}×: the warm floor is arXiv's (5 requests 3 s "
                               "apart = 12 s; arXiv's API has no conditional requests, so every "
                               "paper is asked again), and the arxiv client counts its 3 s from "
                               "the end of each answer, not its start")),
        ("Papers: ≤ 1 Hub paper-page request per arXiv paper a night",
         f"{papers_cold:.2f} cold, {papers_warm:.2f} warm (the Hub documents no conditional "
         "requests for `/api/papers`)", mark(max(papers_cold, papers_warm) <= 1)),
        ("Peak RSS < 500 MB", f"{peak:.0f} MB", mark(peak < 500)),
    ]  # fmt: skip
    out = ["", "### Targets", "", "| target | measured | |", "|---|---|---|"]
    out += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    return [*out, ""]


def views_benchmark(tmp: Path) -> list[str]:
    import views_bench

    cases = []
    demo = tmp / "views-demo"
    views_bench.demo(demo / "out", demo / "raw")
    cases.append(("the bundled list (sample data), after two runs", demo / "out"))
    for days in (30, 365):
        folder = tmp / f"views-{days}"
        views_bench.synthetic(folder, days)
        cases.append((f"2,000 synthetic entries, {days} days of history", folder))
    lines = [
        "## Views: list.md and index.html (issue: views people read)",
        "",
        "Every registered view rendered from a published folder in a fresh process (what "
        "`enrich render` does): the folder read back (`store/published.py`), the views "
        "rendered (median of 3), written. 2,000 entries: the mix of benches/workload.py "
        "(1,000 repositories, 500 papers, 300 datasets, 200 pages; synthetic sample data) "
        "with stars and downloads "
        "drifting every day. Sizes are the files as written; gzip is what a static host that "
        "compresses (GitHub Pages does) sends.",
        "",
        f"Measured on {machine()}, shared with other work (load average "
        f"{os.getloadavg()[0]:.1f} at the start): times are noisy, sizes are not.",
        "",
        "| dataset | entries | history rows | read | render | write | index.html | gzip "
        "| list.md |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for label, folder in cases:
        out = subprocess.run(
            [sys.executable, str(HERE / "views_bench.py"), "measure", str(folder)],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
        m = json.loads(out)
        lines.append(
            f"| {label} | {m['entries']:,} | {m['history_rows']:,} | {m['read_seconds']:.2f} s | "
            f"{m['render_seconds']:.2f} s | {m['write_seconds']:.2f} s | "
            f"{m['html_bytes'] / 1024:,.0f} KB | {m['html_gzip_bytes'] / 1024:,.0f} KB | "
            f"{m['list_bytes'] / 1024:,.0f} KB |"
        )
        print(lines[-1])
    return [*lines, ""]


def parse_benchmark(tmp: Path) -> list[str]:
    import parse_bench

    inputs: list[tuple[str, Path]] = []
    for name in parse_bench.REAL_LISTS:
        if (parse_bench.REAL / name).is_file():
            inputs.append((f"real list `{name}`", parse_bench.REAL / name))
        else:
            print(f"parse benchmark: {parse_bench.REAL / name} is absent (../shared), skipped")
    n = parse_bench.N
    for label, make in (
        (f"synthetic: about {n:,} links in varied styles", parse_bench.varied),
        (f"synthetic: {n:,} bullets, one link each", parse_bench.bullets),
        (f"synthetic: a table of {n // 2:,} rows, a paper and its code each", parse_bench.table),
        ("synthetic: one paragraph of 20,000 links on one line", parse_bench.paragraph),
    ):
        path = tmp / f"{make.__name__}.md"
        path.write_bytes(make())
        inputs.append((label, path))
    lines = [
        "## Parse (issue: real awesome lists; issue 18, item 13; issue 24, item 8)",
        "",
        "`parse_list` on one file in a fresh process (`benches/parse_bench.py`): wall and CPU "
        "time of the parse (imports included), peak RSS of the whole process. Median of 3 runs "
        "(time), max of 3 (memory). Target (issue 24, item 8): 100,000 links in 5 s and "
        "300 MB.",
        "",
        "| input | size | entries | skipped | wall | CPU | peak RSS |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for label, path in inputs:
        runs = [
            subprocess.run(
                [sys.executable, str(HERE / "parse_bench.py"), "measure", str(path)],
                capture_output=True, text=True, check=True,
            ).stdout.split()
            for _ in range(3)
        ]  # fmt: skip
        wall = sorted(float(r[0]) for r in runs)[1]
        cpu = sorted(float(r[1]) for r in runs)[1]
        peak = max(int(r[2]) for r in runs)
        size = path.stat().st_size / 1e6
        row = (f"| {label} | {size:.1f} MB | {int(runs[0][3]):,} | {int(runs[0][4]):,} | "
               f"{wall:.1f} s | {cpu:.1f} s | {peak} MB |")  # fmt: skip
        print(row)
        lines.append(row)
    return [*lines, ""]


SECTIONS = {
    "nightly": "nightly", "diff": "diff", "views": "views", "parse": "parse", "corpus": "corpus",
    "retention": "retention", "bigpage": "bigpage",
}  # fmt: skip


def corpus_benchmark() -> list[str]:
    import corpus

    if not corpus.REAL.is_dir():
        print(f"corpus report: {corpus.REAL} is absent (../shared or ENRICH_SHARED), skipped")
        return []
    section = corpus.section()
    print("\n".join(section))
    return section


def _run(name: str, tmp: Path) -> list[str]:
    if name == "nightly":
        return nightly_benchmark()
    if name == "diff":
        return diff_benchmark(tmp)
    if name == "parse":
        return parse_benchmark(tmp)
    if name == "corpus":
        return corpus_benchmark()
    if name == "bigpage":
        import bigpage_bench

        section = bigpage_bench.section(bigpage_bench.main([1000, 10_000]))
        print("\n".join(section))
        return section
    if name == "retention":
        import retention_bench

        section = retention_bench.section()
        print("\n".join(section))
        return section
    return views_benchmark(tmp)


def _splice(old: str, sections: list[list[str]]) -> list[str]:
    """The results file with these sections replaced (by heading), the others and the header
    (the machine they were measured on) kept."""
    blocks: list[list[str]] = []
    for line in old.splitlines():
        if line.startswith("## ") or not blocks:
            blocks.append([])
        blocks[-1].append(line)
    body = [b if b[-1] == "" else [*b, ""] for b in blocks]
    for section in sections:
        heading = section[0].split(" (")[0]
        at = next((i for i, b in enumerate(body) if b[0].split(" (")[0] == heading), None)
        if at is None:
            body.append(section)
        else:
            body[at] = section
    return [line for block in body for line in block]


def main() -> None:
    """``run.py`` runs every benchmark; ``run.py views diff`` only those, keeping the other
    sections of RESULTS.md as they are."""
    names = sys.argv[1:] or list(SECTIONS)
    unknown = [n for n in names if n not in SECTIONS]
    if unknown:
        sys.exit(f"unknown benchmark {', '.join(unknown)} (known: {', '.join(SECTIONS)})")
    with tempfile.TemporaryDirectory(prefix="enrich-bench-") as folder:
        sections = [s for s in (_run(name, Path(folder)) for name in names) if s]
    results = HERE / "RESULTS.md"
    if sys.argv[1:] and results.is_file():
        text = _splice(results.read_text(), sections)
    else:
        text = [
            "# Benchmark results",
            "",
            f"Machine: {machine()}. Reproduce: `make bench` (rewrites this file; "
            "`python benches/run.py views` reruns one section).",
            "",
            *(line for section in sections for line in section),
        ]
    results.write_text("\n".join(text).rstrip("\n") + "\n")
    print(f"wrote {results}")


if __name__ == "__main__":
    main()
