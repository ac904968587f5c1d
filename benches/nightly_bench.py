"""The nightly job on a 2,000-entry list, cold and warm, against the fake API with 50 ms latency.

Each run is ``enrich run`` (the Prefect flow, as the nightly job runs it) in a fresh process,
measured by `measure.py`: wall time and peak RSS. The fake API runs in this process and counts
what it answered: requests, 304s and bytes per upstream. Beside each figure, the floor: the
fewest requests each API allows for the fields we record, times the latency, divided by the
concurrency the API's guidelines allow, or bounded by its published request rate, plus arXiv's
spacing; sources run at once, so the run's floor is the slowest source's.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from enrich.sandbox import github_graphql
from enrich.sandbox.server import FakeAPI
from workload import Sizes, generate, landing_resolvable, paper_id

HERE = Path(__file__).parent
LATENCY = 0.05
# What the APIs' published guidelines allow (README of this folder cites each one).
GITHUB_CONCURRENCY = 100  # "No more than 100 concurrent requests are allowed"
GITHUB_REST_PER_SECOND = 900 / 60  # "No more than 900 points per minute ... REST API endpoints"
ARXIV_SPACING = 3.0  # "no more than one request every three seconds"
HUB_CONCURRENCY = 8  # the Hub publishes 5-minute quotas, no concurrency cap: our setting
WEB_CONCURRENCY = 8  # distinct hosts in real lists; our setting
REST_REPOS = 50
SOURCES = {"github": "github", "arxiv": "arxiv", "hf": "huggingface", "pages": "web",
           "sites": "web"}  # fmt: skip
TITLES_PER_SEARCH = 10  # ENRICH_ARXIV_TITLE_BATCH_SIZE


@dataclass
class Floor:
    seconds: dict[str, float]
    requests: dict[str, int]

    @property
    def run(self) -> float:
        return max(self.seconds.values())


def floor(sizes: Sizes, warm: bool) -> Floor:
    queries = math.ceil(sizes.repos / 100)
    contributors = 0 if warm else sizes.repos  # unchanged branches: nothing to recount
    papers = math.ceil(sizes.papers / 100)
    hub = sizes.datasets * (1 if warm else 2)  # the card only when the sha moved
    # Conference papers: one title search per 10 cold; warm, an unchanged page keeps its tie
    # (its record asked again by id) and a miss is not searched again within a week.
    resolvable = sum(landing_resolvable(i, sizes) for i in range(sizes.landing))
    searches = math.ceil(resolvable / 100) if warm else math.ceil(sizes.landing / TITLES_PER_SEARCH)
    # every arXiv paper's Hub page, once; a resolved paper's is its arXiv version's (listed)
    hub_papers = sizes.papers
    requests = {"github": queries + contributors, "arxiv": papers + searches, "huggingface": hub,
                "web": sizes.pages + sizes.landing, "papers": hub_papers}  # fmt: skip
    seconds = {
        "github": max(
            (queries + contributors) * LATENCY / GITHUB_CONCURRENCY,
            contributors / GITHUB_REST_PER_SECOND,
            LATENCY,
        ),
        "arxiv": (papers + searches - 1) * ARXIV_SPACING + LATENCY,
        "huggingface": hub * LATENCY / HUB_CONCURRENCY,
        "web": (sizes.pages + sizes.landing) * LATENCY / WEB_CONCURRENCY,
        "papers": hub_papers * LATENCY / HUB_CONCURRENCY,
    }
    return Floor(seconds, requests)


def counts(api: FakeAPI) -> dict[str, dict[str, int]]:
    """What the fake answered, per upstream; the Hub's paper pages (the papers source) apart."""
    out = {name: {"requests": 0, "not_modified": 0, "bytes": 0}
           for name in [*dict.fromkeys(SOURCES.values()), "papers"]}  # fmt: skip
    for e in api.requests():
        name = "papers" if e.path.startswith("/hf/api/papers/") else SOURCES.get(e.source)
        if name is None:
            continue
        out[name]["requests"] += 1
        out[name]["not_modified"] += e.status == 304
        out[name]["bytes"] += e.bytes
    return out


def measure(args: list[str], env: dict[str, str], tmp: Path) -> dict[str, Any]:
    result = tmp / "measure.json"
    done = subprocess.run(
        [sys.executable, str(HERE / "measure.py"), str(result), *args],
        env=env, capture_output=True, text=True,
    )  # fmt: skip
    if done.returncode != 0:
        raise SystemExit(f"enrich {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    figures: dict[str, Any] = json.loads(result.read_text())
    return figures


def run(sizes: Sizes | None = None) -> dict[str, Any]:
    sizes = sizes or Sizes()
    with tempfile.TemporaryDirectory(prefix="enrich-nightly-bench-") as folder:
        tmp = Path(folder)
        data = tmp / "data"
        github_graphql.schema()  # load GitHub's schema before the clock starts
        with FakeAPI([data], latency=LATENCY) as api:
            listing = generate(data, api.base_url, sizes)
            one = tmp / "one-link.md"
            link = (f"https://arxiv.org/abs/{paper_id(0)}" if sizes.landing  # pages are mirrored
                    else f"{api.base_url}/pages/ok")  # fmt: skip
            one.write_text(f"# One link\n\n- [a page]({link})\n")
            env = {
                **{k: v for k, v in os.environ.items() if k not in ("HF_TOKEN", "GH_TOKEN")},
                **api.environment(
                    arxiv_delay_seconds=ARXIV_SPACING,
                    github_rest_per_minute=900.0,
                    allow_loopback=True,
                    **({"web_mirror_url": api.sites_url} if sizes.landing else {}),
                ),
                "GITHUB_TOKEN": "bench-fake-token",
                "PREFECT_HOME": str(tmp / "prefect"),
            }
            results: dict[str, Any] = {"sizes": sizes.__dict__}
            one_run = ["run", str(one), "--out", str(tmp / "1-out"), "--raw", str(tmp / "1-raw")]
            # Prefect's first run in a new home creates its database: done once, not measured.
            measure(one_run, env, tmp)
            for name in ("cold", "warm"):
                api.log.clear()
                figures = measure(
                    ["run", str(listing), "--out", str(tmp / "out"), "--raw", str(tmp / "raw")],
                    env, tmp,
                )  # fmt: skip
                results[name] = {**figures, "upstream": counts(api)}
                results[name]["floor"] = floor(sizes, warm=name == "warm").__dict__
            if sizes.landing:  # the papers variant: its cold and warm nights only
                return results
            # The REST path (no GraphQL), on 50 repositories: requests per repository, 304s.
            rest_env = {**env, "ENRICH_GITHUB_GRAPHQL": "false"}
            rest_list = tmp / "rest.md"
            repos = [line for line in listing.read_text().splitlines()
                     if line.startswith("- [bench-org-")][:REST_REPOS]  # fmt: skip
            rest_list.write_text("# REST\n\n" + "\n".join(repos) + "\n")
            for name in ("rest_cold", "rest_warm"):
                api.log.clear()
                figures = measure(
                    ["run", str(rest_list), "--out", str(tmp / "rest-out"), "--raw",
                     str(tmp / "rest-raw")], rest_env, tmp,
                )  # fmt: skip
                results[name] = {**figures, "upstream": counts(api)}
            results["rest_repos"] = len(repos)
            # Prefect's own overhead: the flow on a one-link list (an empty list is refused);
            # the median of three runs.
            overheads = sorted((measure(one_run, env, tmp) for _ in range(3)),
                               key=lambda m: m["wall_seconds"])  # fmt: skip
            results["overhead"] = overheads[1]
    return results


if __name__ == "__main__":
    if sys.argv[1:] == ["papers"]:  # 200 conference papers in place of the 200 web pages
        print(json.dumps(run(Sizes(pages=0, landing=200)), indent=1))
    else:
        print(json.dumps(run(), indent=1))
