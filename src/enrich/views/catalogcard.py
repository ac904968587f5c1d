"""The catalog's dataset card: ``OUT/README.md`` of a catalog run, in the Hugging Face Hub's
format (a list's own card is `enrich.views.card`, in ``OUT/lists/<slug>/README.md``).

Its YAML front matter (huggingface_hub's `DatasetCardData`) names the catalog's tables as
configs, so ``load_dataset(REPO, "memberships")`` (or a copy of the folder) reads
``catalog/memberships.parquet``; ``entities`` is the default config, and each table's history
is a config too (``memberships_history`` …). Then prose for a person: what the catalog is, its
lists, its files, how to load it.

Pure: a function of the catalog's tables and what the operator said (`enrich.views.About`).
Every list source and error is outside text: it goes through `enrich.core.markdown`.

What the card is drawn from besides the tables (the run's time and id, what the operator said:
settings and the run's Hub repository, nowhere else in the folder) is written beside the tables,
``catalog/card.json`` (`DRAWN`), so that ``enrich render`` redraws the card byte for byte
(`read_drawn`), as a list's ``about.json`` does for its views.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from datetime import datetime

import pyarrow as pa
from huggingface_hub import DatasetCardData

from enrich.core.markdown import code, md
from enrich.views import About
from enrich.views.card import TAGS, size_category

PATH = "README.md"
DRAWN = "catalog/card.json"  # what else the card was drawn from: `read_drawn`
# config name -> (files, what a row is), the default first.
CONFIGS = {
    "entities": ("catalog/entities.parquet",
                 "one row per entity of any list: `id` and its enriched fields"),
    "memberships": ("catalog/memberships.parquet",
                    "one row per (list, entity): the list's slug, the entity's id, and the "
                    "section, line, title and description as that list wrote them"),
    "lists": ("catalog/lists.parquet",
              "one row per list: its source, sha256, counts per kind and status, when its text "
              "last changed, when its dataset was built (`last_seen`), why it was not "
              "published (`error`)"),
    "entities_history": ("catalog/history/entities/*/*.parquet",
                         "one row per entity per run day: status and every counter"),
    "memberships_history": ("catalog/history/memberships/*/*.parquet",
                            "one row per (list, entity) per run day: who listed what, each "
                            "night"),
    "lists_history": ("catalog/history/lists/*/*.parquet",
                      "one row per list per run day: its row of `lists`"),
}  # fmt: skip


@dataclass(frozen=True)
class CatalogCard:
    """What the card is drawn from: the catalog's tables (`enrich.store.catalog.TABLES`), the
    run's time, and what the operator said."""

    tables: Mapping[str, pa.Table]
    built: datetime
    run_id: str
    about: About


def render(given: CatalogCard) -> dict[str, bytes]:
    drawn = {"built": given.built.isoformat(), "run_id": given.run_id, **asdict(given.about)}
    text = json.dumps(drawn, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    return {PATH: card_text(given).encode("utf-8"), DRAWN: text.encode("utf-8")}


def read_drawn(data: bytes) -> tuple[datetime, str, About] | None:
    """The run's time, its id and the `About` a card was drawn from (`DRAWN`); None when the
    file is not one (edited by hand, cut short): the caller draws from what it has."""
    try:
        stored = json.loads(data)
        built, run_id = datetime.fromisoformat(stored["built"]), stored["run_id"]
    except (ValueError, KeyError, TypeError):
        return None
    if not isinstance(run_id, str) or built.tzinfo is None:
        return None
    said = {f.name: stored.get(f.name) for f in fields(About)}
    return built, run_id, About(**{k: v for k, v in said.items() if isinstance(v, str)})


def card_text(given: CatalogCard) -> str:
    return f"---\n{card_data(given).to_yaml()}\n---\n\n{prose(given)}"


def title(given: CatalogCard) -> str:
    return given.about.name or "Awesome lists catalog (enriched)"


def card_data(given: CatalogCard) -> DatasetCardData:
    configs = [
        {
            "config_name": name,
            "data_files": [{"split": "train", "path": files}],
            **({"default": True} if name == "entities" else {}),
        }
        for name, (files, _) in CONFIGS.items()
    ]
    return DatasetCardData(
        pretty_name=title(given),
        license=given.about.license or "unknown",
        tags=[*TAGS, "catalog"],
        size_categories=[size_category(given.tables["entities"].num_rows)],
        source_datasets=["original"],
        configs=configs,
    )


def prose(given: CatalogCard) -> str:
    lists = given.tables["lists"].to_pylist()
    repo = given.about.hub_repo or "OWNER/NAME"
    published = [row for row in lists if row["error"] is None]
    lines = [f"# {md(title(given))}", ""]
    if given.about.notice:
        lines += [f"> **{md(given.about.notice)}**", ""]
    lines += [
        "Many awesome lists enriched together, every night, by enrich: each entity (paper, "
        "repository, Hub repository, page) fetched once however many lists link it, each list "
        "published as its own dataset under `lists/<slug>/`, and the catalog's tables in "
        "`catalog/`.",
        "",
        "| | |",
        "|---|---|",
        f"| built | {given.built.strftime('%Y-%m-%d %H:%M UTC')} (run {code(given.run_id)}) |",
        f"| lists | {len(lists)} ({len(published)} published by this run) |",
        f"| entities | {given.tables['entities'].num_rows} |",
        f"| memberships | {given.tables['memberships'].num_rows} |",
        "",
        "## Configs",
        "",
        "| config | files | a row is |",
        "|---|---|---|",
        *(f"| `{name}` | `{files}` | {what} |" for name, (files, what) in CONFIGS.items()),
        "",
        "Each list's own dataset (its `latest.parquet`, snapshots, history, diffs, card and "
        "views) is in `lists/<slug>/`, as a run of that list alone publishes it.",
        "",
        "## Load it",
        "",
        "```python",
        "from datasets import load_dataset",
        "",
        f'entities = load_dataset("{repo}", split="train")                 # config "entities"',
        f'memberships = load_dataset("{repo}", "memberships", split="train")',
        f'lists = load_dataset("{repo}", "lists", split="train")',
        "",
        "import polars as pl",
        'history = pl.read_parquet("catalog/history/memberships/**/*.parquet", '
        "hive_partitioning=True)",
        "```",
        "",
        "## Lists",
        "",
        "| list | source | entries | not published |",
        "|---|---|---:|---|",
    ]
    for row in lists:
        entries = "" if row["entries"] is None else str(row["entries"])
        why = md(row["error"]) if row["error"] else ""
        lines.append(f"| {code(row['slug'])} | {code(row['source'])} | {entries} | {why} |")
    return "\n".join(lines).rstrip("\n") + "\n"
