"""The dataset card: ``README.md`` of the dataset folder, in the Hugging Face Hub's format.

YAML front matter (built with huggingface_hub's own `DatasetCardData`, so the keys are the ones
the Hub and `datasets` read: ``configs`` with ``data_files`` makes ``load_dataset(folder)`` load
``latest.parquet`` and ``load_dataset(folder, "history")`` the history partitions), then prose
for a person: what the dataset is, where it comes from, what it holds, how to load it, every
field (`enrich.views.tables`, from the models), the last run's changelog, licences and limits.

Everything from the list or an upstream goes through `enrich.core.markdown`; the changelog
already does.
"""

from __future__ import annotations

from collections.abc import Mapping

from huggingface_hub import DatasetCardData

from enrich.core.changelog import changelog
from enrich.core.markdown import code, md
from enrich.core.model import Snapshot, Status
from enrich.views import Published
from enrich.views.facts import list_key
from enrich.views.tables import Table, flat, tables

name = "card"
PATH = "README.md"

# The Hub's size categories (the `size_categories` key), by number of rows.
_SIZES = [(1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"),
          (1_000_000, "100K<n<1M"), (10_000_000, "1M<n<10M")]  # fmt: skip
TAGS = ["awesome-list", "metadata", "papers", "github", "huggingface-hub", "tabular"]


def render(published: Published) -> Mapping[str, bytes]:
    return {PATH: card_text(published).encode("utf-8")}


def card_text(published: Published) -> str:
    return f"---\n{card_data(published).to_yaml()}\n---\n\n{prose(published)}"


def title(published: Published) -> str:
    """The dataset's name: the configured one, else the list's file or repository name."""
    if published.about.name:
        return published.about.name
    return f"{list_key(published.snapshot.header)} (enriched)"


def card_data(published: Published) -> DatasetCardData:
    tables_ = tables(published)
    configs = [
        {
            "config_name": t.config,
            "data_files": [{"split": "train", "path": t.files}],
            **({"default": True} if t.default else {}),
        }
        for t in tables_
    ]
    return DatasetCardData(
        pretty_name=title(published),
        license=published.about.license or "unknown",
        tags=TAGS,
        size_categories=[size_category(published.snapshot.header.entries)],
        source_datasets=["original"],
        configs=configs,
    )


def size_category(rows: int) -> str:
    return next((label for limit, label in _SIZES if rows < limit), "n>10M")


def repo_id(published: Published) -> str:
    return published.about.hub_repo or "OWNER/NAME"


def prose(published: Published) -> str:
    snap = published.snapshot
    header = snap.header
    days = published.history_days
    if days is None:
        days = published.history["date"].n_unique() if "date" in published.history.columns else 0
    lines = [f"# {md(title(published))}", ""]
    if published.about.notice:
        lines += [f"> **{md(published.about.notice)}**", ""]
    lines += [
        "Every link of a curated awesome list, enriched from its upstream API: arXiv authors and "
        "abstracts, GitHub stars, licences and activity, Hugging Face Hub dataset cards. "
        "Rebuilt every night by enrich; each night's values are kept in "
        "the history, so counters can be charted over time.",
        "",
        "| | |",
        "|---|---|",
        f"| list | {code(header.list_source)} |",
        f"| list sha256 | {code(header.list_sha256)} |",
        f"| built | {header.generated_at.strftime('%Y-%m-%d %H:%M UTC')} "
        f"(run {code(header.run_id)}) |",
        f"| schema version | {md(header.schema_version)} |",
        f"| entries | {header.entries} |",
        f"| history | {days} day{'s' if days != 1 else ''} |",
        "",
        "## What it holds",
        "",
        *counts_table(snap),
        "",
        "`ok`: fetched this run; `stale`: this run failed, the last good values are kept; "
        "`error`: failed, nothing earlier; `skipped`: not fetched on purpose.",
        "",
        "## Files",
        "",
        "| file | what it holds |",
        "|---|---|",
        "| `latest.parquet`, `latest.json` | the newest snapshot, one row per entry "
        "(config `latest`) |",
        "| `external.parquet` | the repositories the list does not link that are a listed "
        "paper's code, enriched like entries (config `external`) |",
        "| `snapshots/YYYY-MM-DD.{parquet,json}` | one snapshot per UTC day; older ones thinned to "
        "one a week by the publisher's retention (by default past 90 days) |",
        "| `history/date=YYYY-MM-DD/part-0.parquet` | one row per entry per day "
        "(config `history`) |",
        "| `diffs/runs/RUN-ID.{md,json}`, `diffs/YYYY-MM-DD.{md,json}` | what changed since "
        "the previous snapshot: every run's, and the day's latest |",
        "| `schema.json` | JSON Schema of a snapshot |",
        "| `croissant.json` | this dataset in MLCommons Croissant (JSON-LD) |",
        "| `feed.xml` | Atom feed of the changes: one item per run that changed something and "
        "per notable event |",
        "| `list.md`, `index.html` | the list enriched, and the report with trends |",
        "| `about.json` | what the publisher said about the dataset: name, licence, Hub "
        "repository, notice |",
        "",
        *loading(published),
        "## Fields",
        "",
        "The Parquet schema is declared from the models, so a column's type never changes "
        "between nights; nested records are structs (`repo.stars`, `paper.authors[].name`).",
        "",
    ]
    for table in tables(published):
        lines += fields_table(table)
    lines += ["## What changed in the last run", ""]
    lines += (
        _demoted(changelog(published.diff))
        if published.diff is not None
        else ["No changelog for this snapshot.", ""]
    )
    lines += [*licences(published), *limitations()]
    return "\n".join(lines).rstrip("\n") + "\n"


def counts_table(snap: Snapshot) -> list[str]:
    statuses = [s.value for s in Status]
    tally: dict[str, dict[str, int]] = {}
    for entry in snap.entries:
        row = tally.setdefault(entry.kind.value, {})
        row[entry.status.value] = row.get(entry.status.value, 0) + 1
    used = [s for s in statuses if any(s in row for row in tally.values())]
    lines = ["| kind | " + " | ".join(used) + " | total |", "|---|" + "---:|" * (len(used) + 1)]
    for kind, row in sorted(tally.items()):
        cells = [str(row.get(s, "")) for s in used]
        lines.append(f"| {kind} | " + " | ".join(cells) + f" | {sum(row.values())} |")
    return lines


def loading(published: Published) -> list[str]:
    repo = repo_id(published)
    hub = "" if published.about.hub_repo else " (`OWNER/NAME`: the repository it is published to)"
    return [
        "## Load it",
        "",
        f"With 🤗 `datasets`, from the Hub{hub} or from a copy of this folder:",
        "",
        "```python",
        "from datasets import load_dataset",
        "",
        f'entries = load_dataset("{repo}", split="train")             # config "latest"',
        f'history = load_dataset("{repo}", "history", split="train")',
        f'links = load_dataset("{repo}", "links", split="train")      # the graph',
        'entries = load_dataset("path/to/this/folder", split="train")',
        "```",
        "",
        "pandas, polars and DuckDB read the Parquet files, from the folder or from the Hub "
        "(`hf://` paths):",
        "",
        "```python",
        "import pandas as pd",
        'df = pd.read_parquet("latest.parquet")',
        f'df = pd.read_parquet("hf://datasets/{repo}/latest.parquet")',
        "",
        "import glob",
        "import polars as pl",
        "files = sorted(glob.glob('history/*/*.parquet'), reverse=True)  # newest day first",
        'history = pl.read_parquet(files, hive_partitioning=True, missing_columns="insert")',
        "",
        "import duckdb",
        "duckdb.sql(\"select repo.full_name, repo.stars from 'latest.parquet' \"",
        "           \"where kind = 'repo' order by repo.stars desc\")",
        "duckdb.sql(\"select date, stars from read_parquet('history/*/*.parquet', \"",
        '           "hive_partitioning = true, union_by_name = true) "',
        "           \"where id = 'github:huggingface/trl'\")",
        "duckdb.sql(\"select l.source, c.repo.full_name, c.repo.stars from 'links.parquet' l \"",
        "           \"join 'latest.parquet' c on c.id = l.target where l.relation = 'code'\")",
        "```",
        "",
    ]


def fields_table(table: Table) -> list[str]:
    lines = [
        f"### `{table.config}`: `{table.files}`",
        "",
        md(table.description),
        "",
        "| field | type | description |",
        "|---|---|---|",
    ]
    for path, column in flat(table.columns):
        lines.append(f"| `{path}` | `{column.display_type}` | {md(column.description)} |")
    return [*lines, ""]


def licences(published: Published) -> list[str]:
    licence = published.about.license
    given = f"`{licence}`" if licence else "not given (`unknown`; set `ENRICH_DATASET_LICENSE`)"
    return [
        "## Licences",
        "",
        f"- The list's own text (titles, descriptions, sections): the list's licence, {given}.",
        "- arXiv metadata (titles, authors, abstracts): CC0 1.0, as arXiv publishes its "
        "descriptive metadata.",
        "- Hub dataset cards (`hub.card.text`, `hub.card.summary`): each dataset's own licence, "
        "in `hub.card.license` (often a CC-BY variant: attribute the dataset).",
        "- GitHub repository facts and descriptions: as the GitHub API returns them, under "
        "GitHub's terms; each repository's licence is in `repo.license`.",
        "",
    ]


def limitations() -> list[str]:
    return [
        "## Limitations",
        "",
        "- Values are as of `fetched_at`; a `stale` entry carries its last good values "
        "(`stale_since`), an `error` entry none.",
        "- Counters are the upstreams' own (GitHub's `open_issues` includes pull requests; Hub "
        "`downloads` are the last 30 days).",
        "- An entry is one upstream object: a link listed twice is one entry with two "
        "`positions`; links that are not entries are in the snapshot header "
        "(`skipped_links`).",
        "- Web pages are checked for their status and title only.",
        "- The history has one row per entry per day on which a run was published; days "
        "without a run are absent, not zero.",
        "",
    ]


def _demoted(markdown: str) -> list[str]:
    """The changelog under this card's headings (its ``#`` becomes ``###``)."""
    return [f"##{line}" if line.startswith("#") else line for line in markdown.splitlines()] + [""]
