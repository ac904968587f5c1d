"""Endpoints, tokens and limits, from the environment (CLI flags override them).

The upstreams' own variable names are honoured (``GITHUB_API_URL``, ``HF_ENDPOINT``,
``GITHUB_TOKEN``…) so a machine already set up for ``gh`` or ``huggingface-cli`` needs nothing
more; the project's own settings use the ``ENRICH_`` prefix. Tokens are `SecretStr`: their
repr is ``**********``, so they cannot leak through a log line or an error message.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

# The first list, shipped inside the package (so `enrich demo` works from any folder, after a
# plain `pip install`), and the checkout's copy that prefect.yaml's deployment reads; a test
# checks that they are the same file.
BUNDLED_LIST = Path(__file__).resolve().parent.parent / "lists" / "awesome-rlhf-language-models.md"
CHECKOUT_LIST = Path("data/raw/lists/awesome-rlhf-language-models.md")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ENRICH_", extra="ignore", populate_by_name=True)

    github_api_url: str = Field(
        default="https://api.github.com",
        validation_alias=AliasChoices("GITHUB_API_URL", "ENRICH_GITHUB_API_URL"),
    )
    hf_endpoint: str = Field(
        default="https://huggingface.co",
        validation_alias=AliasChoices("HF_ENDPOINT", "ENRICH_HF_ENDPOINT"),
    )
    arxiv_api_url: str = Field(
        default="https://export.arxiv.org",
        validation_alias=AliasChoices("ARXIV_API_URL", "ENRICH_ARXIV_API_URL"),
    )
    github_token: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("GITHUB_TOKEN", "GH_TOKEN")
    )
    hf_token: SecretStr | None = Field(default=None, validation_alias=AliasChoices("HF_TOKEN"))
    # Or the names of Prefect Secret blocks holding them (read by the flow when the variables
    # above are unset): tokens then live in the Prefect server, not in the worker's environment.
    github_token_block: str | None = None
    hf_token_block: str | None = None

    # arXiv's terms of use ask for no more than one request every three seconds.
    # https://info.arxiv.org/help/api/tou.html
    arxiv_delay_seconds: float = 3.0
    # The API accepts long id_lists, but answers of more than 100 entries are slow and
    # more often come back short; 100 is the page size arXiv's own examples use.
    arxiv_batch_size: int = 100
    # How many times a batch that came back missing ids is asked again for the missing ones.
    arxiv_missing_retries: int = 2
    # Titles per exact-title search (ti:"…" OR …), resolving conference papers to arXiv: ten
    # phrases keep the query URL short and leave room for each title's near-namesakes in a
    # 100-result answer.
    arxiv_title_batch_size: int = Field(default=10, ge=1)
    # A landing page that declares what it did last night keeps last night's arXiv tie (its
    # record refreshed by id); one whose title matched nothing is searched again after this
    # many days, not every night (the preprint may appear later; rarely within a week).
    paper_search_days: float = Field(default=7.0, ge=0.0)
    # An arXiv paper the Hub has no page for (404) is asked again after this many days, then
    # twice as long after each further 404 (1, 2, 4, 8 weeks), at most the maximum; meanwhile it
    # keeps the last answer (not on the Hub, as of then). Most papers that get a page get it
    # within days of their arXiv release (Daily Papers); an older paper's 404 rarely changes, so
    # asking it every night spent a request a night on an answer known. 0: every night.
    hub_paper_recheck_days: float = Field(default=7.0, ge=0.0)
    hub_paper_recheck_max_days: float = Field(default=56.0, ge=0.0)
    # GitHub asks integrators not to make concurrent requests for one token; a small pool
    # keeps latency hidden without tripping the secondary rate limit.
    github_concurrency: int = 4
    # GitHub's secondary rate limit: no more than 900 points a minute to REST endpoints (a GET
    # is one point). REST requests are paced to this; GraphQL (2,000 a minute) is not near it.
    # https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api
    github_rest_per_minute: float = Field(default=900.0, ge=0.0)
    # PyGithub's own spacing between any two requests; the pacing above replaces it.
    github_seconds_between_requests: float = 0.0
    # PyGithub's own spacing between two POSTs (its default: GitHub asks for a second between
    # writes); every GraphQL query is a POST. The local fake (tests, demo) sets 0.
    github_seconds_between_writes: float = Field(default=1.0, ge=0.0)
    # Longest wait for a rate-limit reset before an entry is given up for this night.
    github_max_rate_limit_wait: float = 900.0
    # Redirects followed per GitHub request (a renamed or transferred repository is one; more
    # than a few in a row is a loop, which PyGithub alone would follow ~1,000 times).
    github_max_redirects: int = Field(default=5, ge=1)
    # With a token, repositories are read through GraphQL, this many per query (GitHub's
    # node limit allows 100); without one, through REST (GraphQL needs authentication).
    github_graphql: bool = True
    github_graphql_batch_size: int = Field(default=100, ge=1, le=100)
    # Warm nights ask a light query first (pushedAt, updatedAt, stars, forks, … for 100
    # repositories a point) and the full query only for what moved. What the light query cannot
    # see (open issues and pull requests, watchers, languages, topics, the 30/365-day commit
    # counts, which slide with time) is refreshed by the full query at least every this many
    # nights, a rota by repository so each night takes 1/N of the list. 14 keeps a quiet night
    # under a quarter of a cold one's points (docs/nightly.md); 1 asks the full query nightly.
    github_graphql_full_every: int = Field(default=14, ge=1)
    # The repositories that are a listed paper's code but that the list does not link (named by
    # its Hub paper page or arXiv comment) are enriched too, this many a run, most-named first:
    # "the paper's code has N stars" for every paper with code. 200 is two GraphQL batches, or
    # a few minutes of paced REST without a token; 0 turns it off.
    external_code_repos: int = Field(default=200, ge=0)
    # Statistics endpoints answer 202 while GitHub computes them; each wait doubles.
    github_stats_retries: int = 4
    github_stats_wait_seconds: float = 1.0
    # The Hub publishes request quotas per 5 minutes (1,000 API calls, 5,000 file resolves for a
    # free account), not a concurrency cap; 8 at a time stays well inside those quotas.
    hub_concurrency: int = 8
    web_concurrency: int = 8
    # Caps for untrusted web links: a page is read for its <title>, not archived. The timeout
    # is the whole page's, redirects included, not one per read: a server dripping a byte at a
    # time gets "timed out", not the night. The byte and redirect caps hold for Hub cards too.
    web_timeout_seconds: float = 15.0
    web_max_bytes: int = 2_000_000
    web_max_redirects: int = 5
    # An http:// link that answers over http is asked once more at its https:// form, so that
    # `enrich check` offers the https rewrite only when it is the same page: one request more
    # per such link, through the same address checks; false for a run that must not send it.
    web_probe_https: bool = True
    # Fetch web pages (and papers' landing pages) from {mirror}/{host}{path}?{query} instead of
    # their hosts: the fake API's sample pages in tests and the demo, or a caching mirror. Off
    # in production: pages are read where the list links them.
    web_mirror_url: str | None = None
    # Only tests and benchmarks may fetch loopback addresses from list URLs.
    allow_loopback: bool = False
    # Client-level retries for transient upstream failures (5xx, 429, connection errors).
    http_retries: int = 3
    # The first wait before a retry; it doubles at each try (urllib3's and huggingface_hub's
    # exponential backoff), unless the answer says how long (Retry-After, a reset time).
    http_backoff_seconds: float = Field(default=1.0, ge=0.0)
    # Per request, for the APIs (arXiv's client sends none: it gets this one).
    http_timeout_seconds: float = 30.0
    # Every API answer is bounded (`enrich.sources.bounded`): a total deadline per call (a
    # server that drips its answer a byte at a time never trips a per-read timeout) and a cap
    # on its decoded size (a 3 MB gzip can decode to 3 GB). Past either, that request failed
    # (timed out, or malformed), is retried per policy, then that entry or batch keeps its last
    # values. The caps are ten to a hundred times the largest real answer.
    # GitHub REST: a repository is ~6 KB, its parts less; GraphQL: 100 repositories ~1 MB.
    github_max_bytes: int = Field(default=5_000_000, ge=1_000)
    github_graphql_max_bytes: int = Field(default=50_000_000, ge=1_000)
    # GitHub gives up on a query after 10 s itself; a minute is an answer not coming.
    github_deadline_seconds: float = Field(default=60.0, gt=0.0)
    # The Hub's repository info (~5 KB with its siblings) and paper pages (~10 KB).
    hub_max_bytes: int = Field(default=5_000_000, ge=1_000)
    hub_deadline_seconds: float = Field(default=60.0, gt=0.0)
    # An arXiv feed of 100 entries is ~300 KB; arXiv is slow to answer large id lists.
    arxiv_max_bytes: int = Field(default=50_000_000, ge=1_000)
    arxiv_deadline_seconds: float = Field(default=120.0, gt=0.0)
    # The longest single wait an upstream may ask for (Retry-After, a 429's reset): longer, the
    # request is not retried and its entry keeps its last values, with the reason. Every wait
    # is drawn from the run's retry budget besides.
    retry_max_wait_seconds: float = Field(default=300.0, ge=0.0)
    # Total time a run may wait before retries (backoff, Retry-After, rate-limit resets),
    # shared by all its GitHub requests; then failing entries go stale instead of waiting.
    retry_budget_seconds: float = Field(default=900.0, ge=0.0)
    # Every wait before a retry is slept times this (the full wait is still drawn from the
    # budget). 1 in production; the fault tests set 0, so a table of faults does not sleep.
    retry_wait_scale: float = Field(default=1.0, ge=0.0)
    # Publish guard: a run in which more than this share of the entries that were ok last night
    # could not be fetched (network down, token revoked; a 404 is a fact, not a failure), or of
    # all entries on a first run, does not replace latest.*; the attempt is kept, rejected.
    publish_max_failed_share: float = Field(default=0.5, ge=0.0, le=1.0)
    # Entries per fetch task in the flow: the unit of scale-out over Dask workers (a multiple
    # of the GraphQL batch, so no query goes out half full).
    task_chunk_size: int = Field(default=200, ge=1)
    # Plan the night over GitHub's budget (`enrich.run.budgets`): read /rate_limit before
    # fetching and give each task its share, stalest first. Off: each task admits against the
    # windows its answers report, in list order (what a run did before; kept to measure one
    # against the other).
    plan_budget: bool = True
    # The dataset card and croissant.json: the list's own licence, as a Hub licence id (cc0-1.0,
    # cc-by-4.0, mit…). No default: only the list's maintainers know it; "unknown" until set.
    dataset_license: str | None = None
    # The dataset's name on the card and in the feed; by default the list's file (or repo) name.
    dataset_name: str | None = None
    # A line shown first on the card and in the feed (the demo says its data is sample data).
    dataset_notice: str | None = None
    # Runs the Atom feed looks back over: a month of nights, so a weekly reader misses nothing.
    feed_runs: int = Field(default=30, ge=1)
    # A paper's Hub adoption (models + datasets citing it) that grew by this many since the last
    # run is a hub_adoption event: one new model is often a quantized copy of another, five in a
    # night is people building on the paper.
    hub_adoption_min: int = Field(default=5, ge=1)
    # Deadline of each request of a Hub upload (huggingface_hub's client has none by default);
    # the Hub answers a commit once it is written, which takes minutes for large commits.
    hub_upload_timeout_seconds: float = Field(default=300.0, gt=0.0)
    # The enriched list (list.md): the order within a section, "list" (the list's own, which its
    # maintainer chose, so the default), "stars" or "score", the highest first.
    list_sort: Literal["list", "stars", "score"] = "list"
    # Leave entries scoring below this out of list.md (web pages have no score and stay): a
    # percentile within the entry's kind, so that papers and repositories, whose totals are on
    # different scales, are held to the same bar. None by default: every entry is shown.
    list_min_score: float | None = Field(default=None, ge=0.0, le=100.0)
    # Entries per page of index.html: a longer list's report is index.html (the first page, the
    # changelog) and pages/2.html, pages/3.html… beside it, each a complete page that a browser
    # opens in well under two seconds (benches/bigpage_bench.py); a shorter list is one page.
    report_page_entries: int = Field(default=1000, ge=1)
    # Where the published folder is served (a static host), so that the Prefect UI links the
    # report and the enriched list there; without it the run's local files are named.
    public_url: str | None = None
    user_agent: str = "enrich (awesome-list enrichment; +https://github.com/)"
    # enrich check: a web page answering 404/410 (or whose host does not resolve) is dead after
    # this many consecutive runs, flaky before (servers and DNS have bad nights); a 404 from
    # the GitHub or Hub API is dead at once (the API says the repository is gone).
    check_dead_after_runs: int = Field(default=3, ge=1)
    # ... an entry whose last good values are carried forward (stale) for more than this many
    # consecutive runs is reported: longer than any outage the retries and the budget ride out.
    check_stale_after_runs: int = Field(default=3, ge=0)
    # ... a repository with no commit for more than this many days is unmaintained (a year: a
    # project alive but quiet still tags or fixes something once a year).
    check_unmaintained_days: int = Field(default=365, ge=1)

    # Retention (`enrich prune`, and every run after its publish, unless ``prune`` is false): the
    # raw layer of the newest ``keep_runs`` runs (a warm run reads back 7 runs' ETags and cards,
    # and a rebuild needs its run's folder: 7 covers a week of nights), every snapshot of the
    # newest ``keep_daily_days`` days (a quarter: what anyone compares day by day), then the
    # newest of each week, for ``keep_weekly_days`` days or, unset, for ever. The history and
    # the diffs are never pruned (a day's history rows are a few percent of its snapshot).
    prune: bool = True
    keep_runs: int = Field(default=7, ge=1)
    keep_daily_days: int = Field(default=90, ge=1)
    keep_weekly_days: int | None = Field(default=None, ge=0)

    # Semantic Scholar's Academic Graph API (the scholar source: citations, references). The
    # key is optional: without one, requests share the public pool of every anonymous caller.
    s2_api_url: str = Field(
        default="https://api.semanticscholar.org",
        validation_alias=AliasChoices("S2_API_URL", "ENRICH_S2_API_URL"),
    )
    s2_api_key: SecretStr | None = Field(default=None, validation_alias=AliasChoices("S2_API_KEY"))
    # Ids per POST /graph/v1/paper/batch: the documented maximum (more is a 400), so a night
    # costs one request per 500 papers.
    s2_batch_size: int = Field(default=500, ge=1, le=500)
    # A key's introductory rate is 1 request a second on every endpoint; the anonymous pool is
    # shared and 429s under load. Both are paced to this.
    s2_per_minute: float = Field(default=60.0, ge=0.0)
    # A batch answer is at most 10 MB (Semantic Scholar answers a larger one with a 400); twice
    # that, decoded, is not an answer of theirs. Past it the batch is malformed (last values kept).
    s2_max_bytes: int = Field(default=20_000_000, ge=1_000)
    # The whole of one batch request: connecting, sending 500 ids, every byte of the answer. A
    # batch with references takes seconds; a minute and a half is no answer coming.
    s2_deadline_seconds: float = Field(default=90.0, gt=0.0)
