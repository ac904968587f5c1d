"""The published folder as a dataset others' tools take as it is: the Hub dataset card (read by
huggingface_hub's card classes, loaded by `datasets`), croissant.json (validated and read back by
mlcroissant), feed.xml (read by feedparser); each describing the files beside it; every file
readable by others (0644)."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import feedparser
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from huggingface_hub import DatasetCard, DatasetCardData

from enrich.core.diff import Diff
from enrich.core.model import LinksDocument
from enrich.core.settings import Settings
from enrich.run.steps import RunResult, about
from enrich.sandbox.server import FakeAPI
from enrich.store import diffs, history
from enrich.store.codec import read_snapshot, to_arrow
from enrich.store.files import atomic_write_bytes
from enrich.store.history import HISTORY_COLUMNS
from enrich.views import About, Published, card, feed
from enrich.views.tables import Column, tables
from nights import ADDED_PAPER, NEW_RELEASE, NIGHT_3, night, two_nights

ENTRIES = 27  # the bundled list
LICENSE = "cc0-1.0"


# One worker runs this module: its two nights (`published`) are built once, not once a worker.
pytestmark = pytest.mark.xdist_group("dataset-views")


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, RunResult, RunResult]]:
    """Two nights into one folder; the second adds a paper, trlx gains stars and a release."""
    root = tmp_path_factory.mktemp("views")
    extra = root / "fake-data"
    extra.mkdir()
    with FakeAPI([extra]) as api:
        settings = api.settings(allow_loopback=True, http_retries=0, dataset_license=LICENSE)
        first, second = two_nights(settings, extra, root / "out", root / "raw")
        yield root / "out", first, second


def views_input(out: Path, **about: Any) -> Published:
    """What a run hands the views, rebuilt from the folder (as `enrich render` would)."""
    snapshot = read_snapshot(out / "latest.json")
    day = snapshot.header.generated_at.date().isoformat()
    diff: Diff = json.loads((out / "diffs" / f"{day}.json").read_text())
    table = to_arrow(snapshot)
    return Published(snapshot, diff, None, history.with_run(out, table, snapshot.header),
                     diffs.recent(out, 30, before=snapshot.header.run_id), About(**about))


# -- the dataset card -----------------------------------------------------------------------------
def test_card_reads_with_huggingface_hubs_card_classes(published: tuple[Path, RunResult, RunResult]) -> None:
    out, _, second = published
    loaded = DatasetCard.load(out / "README.md")
    data = loaded.data
    assert isinstance(data, DatasetCardData)
    assert data.license == LICENSE
    assert data.pretty_name == "awesome-rlhf-language-models (enriched)"
    assert data.size_categories == ["n<1K"]
    assert data.source_datasets == ["original"]
    assert "awesome-list" in data.tags
    configs = {c["config_name"]: c for c in data.to_dict()["configs"]}
    assert configs["latest"]["data_files"] == [{"split": "train", "path": "latest.parquet"}]
    assert configs["latest"]["default"] is True
    assert configs["history"]["data_files"] == [{"split": "train", "path": "history/*/*.parquet"}]
    # The same metadata builds a card data object again (what push_to_hub and the Hub do).
    assert DatasetCardData(**data.to_dict()).to_dict() == data.to_dict()
    text = loaded.text
    header = second.snapshot.header
    assert header.list_sha256 in text and header.run_id in text
    assert "## What changed in the last run" in text and NEW_RELEASE in text


@pytest.mark.parametrize(
    ("section", "must_hold"),
    [
        ("## What it holds", ["| paper | 8 |", "| repo | 7 |", "| dataset | 2 |", "| web |"]),
        ("## Load it", ['load_dataset("OWNER/NAME", split="train")', "pd.read_parquet", "pl.read_parquet",
                        "duckdb.sql", "hf://datasets/OWNER/NAME/latest.parquet"]),
        ("## Fields", ["| `repo.stars` | `int64` |", "| `paper.authors[].name` | `string` |",
                       "| `hub.card.license` | `string` |", "| `stars` | `int64` | ", "`list<struct>`",
                       "| `scholar.citations` | `int64` |", "| `scholar.references[].arxiv` | `string` |",
                       "| `citations` | `int64` | "]),
        ("## Licences", ["`cc0-1.0`", "CC0 1.0", "hub.card.license"]),
        ("## Limitations", ["stale_since"]),
    ],
)
def test_card_prose_says(published: tuple[Path, RunResult, RunResult], section: str, must_hold: list[str]) -> None:
    text = (published[0] / "README.md").read_text()
    assert section in text
    body = text.split(section, 1)[1].split("\n## ", 1)[0]
    assert [s for s in must_hold if s not in body] == []


def test_card_names_the_hub_repository_and_the_notice(published: tuple[Path, RunResult, RunResult]) -> None:
    out = published[0]
    text = card.card_text(views_input(out, hub_repo="someone/rlhf", notice="Sample data, not live"))
    assert 'load_dataset("someone/rlhf", split="train")' in text and "OWNER/NAME" not in text
    assert "> **Sample data, not live**" in text
    unknown = DatasetCard(card.card_text(views_input(out)))
    assert unknown.data.license == "unknown" and "ENRICH_DATASET_LICENSE" in unknown.text


def test_card_escapes_the_list_source(published: tuple[Path, RunResult, RunResult]) -> None:
    given = views_input(published[0])
    header = given.snapshot.header.model_copy(update={"list_source": "lists/evil`|<b>x.md"})
    text = card.card_text(Published(given.snapshot.model_copy(update={"header": header}), given.diff,
                                    None, given.history))
    prose = text.split("\n---\n", 1)[1]
    assert "| list | `lists/evil'¦<b>x.md` |" in prose  # a code span: shown, never rendered
    assert "# evil\\`\\|&lt;b&gt;x \\(enriched\\)" in prose
    assert DatasetCard(text).data.pretty_name == "evil`|<b>x (enriched)"  # YAML quotes it


@pytest.mark.slow  # a Python process of its own, offline, with a fresh HF_HOME
def test_datasets_loads_both_configs_offline(published: tuple[Path, RunResult, RunResult], tmp_path: Path) -> None:
    out = published[0]
    script = (
        "import json, sys, datasets\n"
        "folder = sys.argv[1]\n"
        "latest = datasets.load_dataset(folder, split='train')\n"
        "history = datasets.load_dataset(folder, 'history', split='train')\n"
        "links = datasets.load_dataset(folder, 'links', split='train')\n"
        "print(json.dumps({'latest': [latest.num_rows, latest.column_names, sorted(latest['id'])],\n"
        "                  'history': [history.num_rows, history.column_names],\n"
        "                  'links': [[r['source'], r['target'], r['relation']] for r in links],\n"
        "                  'stars': [r['stars'] for r in history if r['id'] == 'github:carperai/trlx']}))\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "HUGGINGFACE"))}
    env.update(HF_DATASETS_OFFLINE="1", HF_HUB_OFFLINE="1", HF_HOME=str(tmp_path / "hf-home"))
    done = subprocess.run([sys.executable, "-c", script, str(out)], env=env, capture_output=True, text=True,
                          timeout=240, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    loaded = json.loads(done.stdout.strip().splitlines()[-1])
    snapshot = read_snapshot(out / "latest.json")
    assert loaded["latest"][0] == ENTRIES + 1
    assert loaded["latest"][1] == list(pq.read_schema(out / "latest.parquet").names)
    assert loaded["latest"][2] == sorted(e.id for e in snapshot.entries)
    assert loaded["history"] == [(ENTRIES) + (ENTRIES + 1), list(HISTORY_COLUMNS)]
    assert loaded["stars"][1] - loaded["stars"][0] == 100
    document = LinksDocument.model_validate_json((out / "links.json").read_bytes())
    assert loaded["links"] == [[e.source, e.target, e.relation.value] for e in document.links] != []


# -- Croissant ------------------------------------------------------------------------------------
def test_croissant_validates_and_reads_back_through_mlcroissant(published: tuple[Path, RunResult, RunResult]) -> None:
    mlc = pytest.importorskip("mlcroissant")
    out = published[0]
    dataset = mlc.Dataset(out / "croissant.json")
    issues = dataset.metadata.ctx.issues
    assert (issues.errors, issues.warnings) == (set(), set())
    snapshot = read_snapshot(out / "latest.json")
    records = list(dataset.records("latest"))
    assert sorted(r["latest/id"].decode() for r in records) == sorted(e.id for e in snapshot.entries)
    trlx = next(r for r in records if r["latest/id"] == b"github:carperai/trlx")
    expected = next(e for e in snapshot.entries if e.id == "github:carperai/trlx").repo
    assert expected is not None
    assert trlx["latest/repo"]["latest/repo/stars"] == expected.stars
    assert trlx["latest/repo/latest_release"]["latest/repo/latest_release/tag"] == NEW_RELEASE.encode()
    paper = next(r for r in records if r["latest/id"] == b"arxiv:2204.05862")
    authors = next(e for e in snapshot.entries if e.id == "arxiv:2204.05862").paper.authors  # type: ignore[union-attr]
    assert [a["latest/paper/authors/name"].decode() for a in paper["latest/paper/authors"]] == [a.name for a in authors]
    cited = next(e for e in snapshot.entries if e.id == "arxiv:2204.05862").scholar
    assert cited is not None and cited.citations is not None and cited.found
    assert paper["latest/scholar"]["latest/scholar/citations"] == cited.citations
    rows = list(dataset.records("history"))
    assert len(rows) == ENTRIES + ENTRIES + 1
    assert {r["history/id"].decode() for r in rows} >= {ADDED_PAPER, "github:carperai/trlx"}
    links = LinksDocument.model_validate_json((out / "links.json").read_bytes()).links
    edges = [(r["links/source"].decode(), r["links/target"].decode(), [v.decode() for v in r["links/evidence"]])
             for r in dataset.records("links")]  # fmt: skip
    assert edges == [(e.source, e.target, [v.value for v in e.evidence]) for e in links] != []


def _check(columns: tuple[Column, ...], schema: pa.Schema | pa.StructType, where: str) -> list[str]:
    """Where the declared columns and the Parquet schema disagree (names, order, types)."""
    fields = list(schema) if isinstance(schema, pa.Schema) else [schema.field(i) for i in range(schema.num_fields)]
    problems = []
    if [c.name for c in columns] != [f.name for f in fields]:
        return [f"{where}: {[c.name for c in columns]} != {[f.name for f in fields]}"]
    for column, field in zip(columns, fields, strict=True):
        kind = field.type
        if column.repeated:
            if not pa.types.is_list(kind):
                problems.append(f"{where}.{column.name}: declared a list, is {kind}")
                continue
            kind = kind.value_type
        if column.children:
            if not pa.types.is_struct(kind):
                problems.append(f"{where}.{column.name}: declared a struct, is {kind}")
            else:
                problems += _check(column.children, kind, f"{where}.{column.name}")
            continue
        actual = "string" if pa.types.is_large_string(kind) else str(kind)
        if actual != column.type:
            problems.append(f"{where}.{column.name}: declared {column.type}, is {actual}")
    return problems


def test_declared_fields_are_the_parquet_schema_beside_them(published: tuple[Path, RunResult, RunResult]) -> None:
    out = published[0]
    given = views_input(out)
    for table in tables(given):
        files = sorted(out.glob(table.files))
        assert files, table.files
        for path in files:
            assert _check(table.columns, pq.read_schema(path), table.config) == []
    # croissant.json declares the same fields, in the same order, with the card's types.
    document = json.loads((out / "croissant.json").read_text())
    for record_set, table in zip(document["recordSet"], tables(given), strict=True):
        assert [f["name"] for f in record_set["field"]] == [c.name for c in table.columns]
    card_text = (out / "README.md").read_text()
    assert all(f"| `{c.name}` | `{c.display_type}` |" in card_text for t in tables(given) for c in t.columns)


# -- the Atom feed --------------------------------------------------------------------------------
def test_feed_reads_with_feedparser(published: tuple[Path, RunResult, RunResult]) -> None:
    out = published[0]
    parsed = feedparser.parse((out / "feed.xml").read_bytes())
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.feed.title == "awesome-rlhf-language-models (enriched): what changed"
    runs = [e for e in parsed.entries if e.tags[0].term == "run"]
    assert [e.title for e in runs] == [
        "2026-11-26: 1 added to the list; 1 new release",
        f"2026-11-25: first snapshot, {ENTRIES} entries",
    ]
    run_id = published[2].snapshot.header.run_id
    assert runs[0].link == f"diffs/runs/{run_id}.md" and "<h2>New release (1)</h2>" in runs[0].content[0].value
    assert (out / runs[0].link).is_file()
    events = {e.tags[0].term: e for e in parsed.entries if e.tags[0].term != "run"}
    assert set(events) == {"added", "new_release"}  # the first night announces itself in one item
    assert events["new_release"].link == "https://github.com/CarperAI/trlx"
    assert NEW_RELEASE in events["new_release"].title
    assert events["added"].link == "https://arxiv.org/abs/2210.01241"
    assert len({e.id for e in parsed.entries}) == len(parsed.entries)


def test_feed_item_ids_are_stable_and_carried_forward(published: tuple[Path, RunResult, RunResult], tmp_path: Path) -> None:
    out = published[0]
    before = {e.id: e.title for e in feedparser.parse((out / "feed.xml").read_bytes()).entries}
    # Re-rendered from the published files: the same items, the same ids.
    again = feedparser.parse(feed.feed_xml(views_input(out, license=LICENSE)))
    assert {e.id: e.title for e in again.entries} == before
    # A third night, into a copy: the earlier items are still there, with their ids.
    copy = tmp_path / "out"
    subprocess.run(["cp", "-a", str(out), str(copy)], check=True)
    with FakeAPI() as api:
        settings = api.settings(allow_loopback=True, http_retries=0, feed_runs=2)
        night(settings, copy, tmp_path / "raw", NIGHT_3)
    third = feedparser.parse((copy / "feed.xml").read_bytes())
    ids = {e.id: e.title for e in third.entries}
    kept = {i: t for i, t in before.items() if not t.startswith("2026-11-25")}
    assert kept.items() <= ids.items()  # night 2's items, as they were
    assert not any(t.startswith("2026-11-25") for t in ids.values())  # feed_runs=2: night 1 is out
    assert next(iter(ids.values())).startswith("2026-11-27")


def test_feed_escapes_untrusted_titles(published: tuple[Path, RunResult, RunResult]) -> None:
    given = views_input(published[0])
    assert given.diff is not None
    evil = dict(given.diff["events"][0], title="<script>alert(1)</script>", url="javascript:alert(1)")
    diff = {**given.diff, "events": [evil]}
    parsed = feedparser.parse(feed.feed_xml(Published(given.snapshot, diff, None, given.history)))  # type: ignore[arg-type]
    item = next(e for e in parsed.entries if e.tags[0].term != "run")
    assert "javascript" not in item.get("link", "") and "<script>" not in parsed.entries[0].content[0].value


# -- the files themselves -------------------------------------------------------------------------
def test_views_are_published_before_latest(published: tuple[Path, RunResult, RunResult]) -> None:
    names = [p.name for p in published[2].published]
    for view in ("README.md", "croissant.json", "feed.xml"):
        assert names.index(view) < names.index("latest.parquet") < names.index("latest.json")


def test_run_settings_reach_the_views() -> None:
    settings = Settings(dataset_license="mit", dataset_name="RLHF", dataset_notice="note")
    assert about(settings, "o/n") == About(name="RLHF", license="mit", hub_repo="o/n", notice="note")


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o027, 0o640), (0o002, 0o664)])
def test_published_files_honour_the_umask(tmp_path: Path, umask: int, mode: int) -> None:
    old = os.umask(umask)
    try:
        atomic_write_bytes(tmp_path / "sub" / "latest.json", b"{}")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "sub" / "latest.json").stat().st_mode) == mode


def test_every_published_file_is_readable_by_others(published: tuple[Path, RunResult, RunResult]) -> None:
    out = published[0]
    umask = os.umask(0)
    os.umask(umask)
    modes = {str(p.relative_to(out)): stat.S_IMODE(p.stat().st_mode) for p in out.rglob("*")
             if p.is_file() and p.name != ".lock"}
    assert modes and {name for name, mode in modes.items() if mode != 0o666 & ~umask} == set()


def test_the_run_summary_links_the_feed(published: tuple[Path, RunResult, RunResult]) -> None:
    from enrich.run.summary import summary, summary_markdown

    out, _, second = published
    link = (out / "feed.xml").resolve().as_uri()
    assert summary(second)["feed"] == link
    assert f"- Atom feed of the changes: <{link}>" in summary_markdown(second)
