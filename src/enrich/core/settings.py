"""Endpoints, tokens and limits, from the environment (CLI flags override them).

The upstreams' own variable names are honoured (``GITHUB_API_URL``, ``HF_ENDPOINT``,
``GITHUB_TOKEN``…) so a machine already set up for ``gh`` or ``huggingface-cli`` needs nothing
more; the project's own settings use the ``ENRICH_`` prefix. Tokens are `SecretStr`: their
repr is ``**********``, so they cannot leak through a log line or an error message.
"""

from __future__ import annotations

from pathlib import Path

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
    # GitHub asks integrators not to make concurrent requests for one token; a small pool
    # keeps latency hidden without tripping the secondary rate limit.
    github_concurrency: int = 4
    # GitHub's secondary rate limit: no more than 900 points a minute to REST endpoints (a GET
    # is one point). REST requests are paced to this; GraphQL (2,000 a minute) is not near it.
    # https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api
    github_rest_per_minute: float = Field(default=900.0, ge=0.0)
    # PyGithub's own spacing between any two requests; the pacing above replaces it.
    github_seconds_between_requests: float = 0.0
    # Longest wait for a rate-limit reset before an entry is given up for this night.
    github_max_rate_limit_wait: float = 900.0
    # With a token, repositories are read through GraphQL, this many per query (GitHub's
    # node limit allows 100); without one, through REST (GraphQL needs authentication).
    github_graphql: bool = True
    github_graphql_batch_size: int = Field(default=100, ge=1, le=100)
    # Statistics endpoints answer 202 while GitHub computes them; each wait doubles.
    github_stats_retries: int = 4
    github_stats_wait_seconds: float = 1.0
    # The Hub publishes request quotas per 5 minutes (1,000 API calls, 5,000 file resolves for a
    # free account), not a concurrency cap; 8 at a time stays well inside those quotas.
    hub_concurrency: int = 8
    web_concurrency: int = 8
    # Caps for untrusted web links: a page is read for its <title>, not archived.
    web_timeout_seconds: float = 15.0
    web_max_bytes: int = 2_000_000
    web_max_redirects: int = 5
    # Only tests and benchmarks may fetch loopback addresses from list URLs.
    allow_loopback: bool = False
    # Client-level retries for transient upstream failures (5xx, 429, connection errors).
    http_retries: int = 3
    # The first wait before a retry; it doubles at each try (urllib3's and huggingface_hub's
    # exponential backoff), unless the answer says how long (Retry-After, a reset time).
    http_backoff_seconds: float = Field(default=1.0, ge=0.0)
    http_timeout_seconds: float = 30.0
    # Total time a run may wait before retries (backoff, Retry-After, rate-limit resets),
    # shared by all its GitHub requests; then failing entries go stale instead of waiting.
    retry_budget_seconds: float = Field(default=900.0, ge=0.0)
    # Every wait before a retry is slept times this (the full wait is still drawn from the
    # budget). 1 in production; the fault tests set 0, so a table of faults does not sleep.
    retry_wait_scale: float = Field(default=1.0, ge=0.0)
    # Publish guard: a run in which more than this share of fetched entries failed (network
    # down, token revoked) does not replace latest.*; the attempt is kept beside it, rejected.
    publish_max_failed_share: float = Field(default=0.5, ge=0.0, le=1.0)
    # Entries per fetch task in the flow: the unit of scale-out over Dask workers (a multiple
    # of the GraphQL batch, so no query goes out half full).
    task_chunk_size: int = Field(default=200, ge=1)
    user_agent: str = "enrich (awesome-list enrichment; +https://github.com/)"
