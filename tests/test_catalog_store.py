"""The catalog's store over nights (#24 items 1, 2, 7): the memberships' history answers "when
did list X add entity Y"; a list that vanished from the catalog keeps its folder and its rows,
marked; `enrich rebuild` of a catalog run writes every file the run wrote, byte for byte; the
catalog goes to the Hub in one commit, with a card whose configs are its tables.

Two nights against the fake API: night 1 reads three lists (and one that is gone); by night 2
trlx gained stars, ``code`` added RL4LMs, and ``more`` is no longer among the lists.
The lists here are sample data written by the tests (labelled so in their text).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path

import huggingface_hub.constants
import polars as pl
import pyarrow.parquet as pq
import pytest
from huggingface_hub import DatasetCard, hf_hub_download

from docsite import docs_page, section
from enrich.cli import main
from enrich.core.errors import InputError
from enrich.core.settings import Settings
from enrich.run.job import CatalogJob, CatalogResult, run_catalog
from enrich.run.rebuild import rebuild
from enrich.run.retention import prune
from enrich.sandbox.server import FakeAPI, Fault
from enrich.store.catalog import ABSENT
from enrich.store.hub import local_files
from nights import NIGHT_1, NIGHT_2, change_upstream

SAMPLE = "<!-- Sample list written by enrich's tests, not a real list. -->\n"
SKIP = {name: "not in this test" for name in ("web", "papers", "scholar")}
TRLX, RL4LMS = "https://github.com/CarperAI/trlx", "https://github.com/allenai/RL4LMs"
TEXTRL, PALM = "https://github.com/voidful/TextRL", "https://github.com/lucidrains/PaLM-rlhf-pytorch"
INSTRUCTGPT = "https://arxiv.org/abs/2203.02155"
REPO = "enrich-bot/awesome-catalog"
TOKEN = "hf_fake_token_0123456789"


def sample_list(title: str, *links: str) -> str:
    return SAMPLE + f"# {title}\n\n" + "".join(f"- [{u.rsplit('/', 1)[-1]}]({u})\n" for u in links)


@dataclass
class Nights:
    out: Path
    raw: Path
    results: list[CatalogResult]
    after_first: dict[str, bytes]  # every file of OUT after night 1


def catalog_night(settings: Settings, tmp_path: Path, when: datetime, lists: dict[str, str],
                  publish_repo: str | None = None) -> CatalogResult:
    sources = []
    for name, text in lists.items():
        path = tmp_path / "lists" / f"{name}.md"
        path.parent.mkdir(exist_ok=True)
        if text:
            path.write_text(text)
        sources.append(str(path))
    return run_catalog(CatalogJob(tuple(sources), tmp_path / "OUT", tmp_path / "raw", settings, skip=SKIP,
                                  now=when, publish_repo=publish_repo))  # fmt: skip


def two_nights(settings: Settings, extra_data: Path, tmp_path: Path, publish_repo: str | None = None) -> Nights:
    first = catalog_night(settings, tmp_path, NIGHT_1, {
        "papers-and-code": sample_list("Papers and code", TRLX, RL4LMS, INSTRUCTGPT),
        "code": sample_list("Code", TRLX, TEXTRL),
        "more": sample_list("More", PALM, TRLX),
        "gone": "",  # never written: unreadable both nights
    }, publish_repo)  # fmt: skip
    after_first = files(tmp_path / "OUT")
    change_upstream(extra_data)
    second = catalog_night(settings, tmp_path, NIGHT_2, {
        "papers-and-code": sample_list("Papers and code", TRLX, RL4LMS, INSTRUCTGPT),
        "code": sample_list("Code", TRLX, TEXTRL, RL4LMS),
        "gone": "",
    }, publish_repo)  # fmt: skip
    return Nights(tmp_path / "OUT", tmp_path / "raw", [first, second], after_first)


def files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and not p.name.startswith(".")}  # fmt: skip


def table(path: Path) -> list[dict[str, object]]:
    return pq.read_table(path).to_pylist()


@pytest.fixture(scope="module")
def _two_nights(tmp_path_factory: pytest.TempPathFactory) -> Nights:
    """The two nights, run once for the module on a fake of its own (`nights` copies them)."""
    folder = tmp_path_factory.mktemp("catalog-nights")
    extra = folder / "fake-data"
    extra.mkdir()
    with FakeAPI([extra]) as fake:
        return two_nights(fake.settings(allow_loopback=True, http_retries=0), extra, folder)


@pytest.fixture
def nights(_two_nights: Nights, tmp_path: Path) -> Nights:
    """The module's two nights, their folders (the lists', OUT, raw) copied for this test to
    change: the same files, the runs' folders as the copy's."""
    origin = _two_nights.out.parent
    for name in ("lists", "OUT", "raw"):
        shutil.copytree(origin / name, tmp_path / name, symlinks=True)
    moved = [replace(r, run_dir=tmp_path / r.run_dir.relative_to(origin)) for r in _two_nights.results]
    return replace(_two_nights, out=tmp_path / "OUT", raw=tmp_path / "raw", results=moved)


def test_a_list_that_vanished_keeps_its_folder_and_its_rows_marked(nights: Nights) -> None:
    out = nights.out
    assert sorted(nights.results[1].results) == ["code", "papers-and-code"]
    # Its folder is as night 1 left it, byte for byte.
    before = {k.removeprefix("lists/more/"): v for k, v in nights.after_first.items() if k.startswith("lists/more/")}
    assert before and files(out / "lists" / "more") == before
    rows = {r["slug"]: r for r in table(out / "catalog" / "lists.parquet")}
    night1 = {r["slug"]: r for r in table(out / "catalog" / "history" / "lists" / "date=2026-11-25" / "part-0.parquet")}
    assert sorted(rows) == ["code", "gone", "more", "papers-and-code"]
    more = rows["more"]
    assert more["error"] == ABSENT and more["last_seen"] == NIGHT_1
    assert (more["sha256"], more["entries"], more["kind_repo"], more["changed_at"]) == (
        night1["more"]["sha256"], 2, 2, NIGHT_1)
    assert rows["code"]["error"] is None and rows["code"]["last_seen"] == NIGHT_2 and rows["code"]["entries"] == 3
    assert rows["code"]["changed_at"] == NIGHT_2  # its text changed tonight
    assert rows["papers-and-code"]["changed_at"] == NIGHT_1  # the same text as night 1's
    assert rows["gone"]["error"] and rows["gone"]["last_seen"] is None and rows["gone"]["sha256"] is None
    # Its memberships stay, from the dataset its folder keeps; PaLM, which only it links, keeps
    # night 1's values (fetched_at says so); trlx has tonight's.
    members = table(out / "catalog" / "memberships.parquet")
    assert sorted(m["id"] for m in members if m["list"] == "more") == ["github:carperai/trlx", "github:lucidrains/palm-rlhf-pytorch"]
    entities = {e["id"]: e for e in table(out / "catalog" / "entities.parquet")}
    kept = {e["id"]: e for e in table(out / "lists" / "more" / "latest.parquet")}
    tonight_code = {e["id"]: e for e in table(out / "lists" / "code" / "latest.parquet")}
    palm, trlx = "github:lucidrains/palm-rlhf-pytorch", "github:carperai/trlx"
    assert entities[palm]["fetched_at"] == kept[palm]["fetched_at"]
    assert entities[trlx]["fetched_at"] == tonight_code[trlx]["fetched_at"] > kept[trlx]["fetched_at"]
    assert entities[trlx]["repo"]["stars"] == kept[trlx]["repo"]["stars"] + 100  # type: ignore[index]
    # The history holds what was observed: night 2 did not read `more`.
    day2 = out / "catalog" / "history"
    tonight = table(day2 / "memberships" / "date=2026-11-26" / "part-0.parquet")
    assert {m["list"] for m in tonight} == {"code", "papers-and-code"}
    assert "github:lucidrains/palm-rlhf-pytorch" not in {e["id"] for e in table(day2 / "entities" / "date=2026-11-26" / "part-0.parquet")}
    # The catalog's page names it, not published, with why.
    page = (out / "catalog" / "index.html").read_text()
    assert "not among this run" in page


def test_a_vanished_list_leaves_the_catalog_when_its_folder_is_removed(nights: Nights, settings: Settings,
                                                                       tmp_path: Path) -> None:
    shutil.rmtree(nights.out / "lists" / "more")
    catalog_night(settings, tmp_path, datetime(2026, 11, 27, 3, 0, tzinfo=UTC),
                  {"code": sample_list("Code", TRLX, TEXTRL, RL4LMS)})  # fmt: skip
    rows = {r["slug"]: r["error"] for r in table(nights.out / "catalog" / "lists.parquet")}
    # papers-and-code was not given: kept, marked; more's folder is gone: so is its row.
    assert rows == {"code": None, "papers-and-code": ABSENT}
    members = {m["list"] for m in table(nights.out / "catalog" / "memberships.parquet")}
    assert members == {"code", "papers-and-code"}


def test_the_memberships_history_says_when_a_list_added_an_entity(nights: Nights, monkeypatch: pytest.MonkeyPatch) -> None:
    """The example of docs/many-lists.md, run as written (from the folder holding OUT)."""
    snippet = re.findall(r"```python\n(.*?)```", section(docs_page("many-lists.md"), "## When a list added an entity"),
                         re.DOTALL)  # fmt: skip
    assert len(snippet) == 1
    monkeypatch.chdir(nights.out.parent)
    scope: dict[str, object] = {}
    exec(snippet[0], scope)
    added = scope["added"]
    assert isinstance(added, pl.DataFrame)
    when = {(r["list"], r["id"]): r["added"] for r in added.iter_rows(named=True)}
    assert when[("code", "github:allenai/rl4lms")] == date(2026, 11, 26)
    assert when[("code", "github:carperai/trlx")] == date(2026, 11, 25)
    assert when[("more", "github:lucidrains/palm-rlhf-pytorch")] == date(2026, 11, 25)
    days = pl.read_parquet("OUT/catalog/history/memberships/**/*.parquet", hive_partitioning=True)
    assert days.columns == ["list", "id", "section", "line", "title", "description", "observed_at", "date"]
    assert days.height == (3 + 2 + 2) + (3 + 3)  # night 1: three lists; night 2: two


def test_a_prune_keeps_the_catalogs_history_whole(nights: Nights, settings: Settings) -> None:
    history = files(nights.out / "catalog" / "history")
    assert sorted({name.split("/")[0] for name in history}) == ["entities", "lists", "memberships"]
    assert sum(1 for name in history if name.startswith("memberships/")) == 2
    done = prune(nights.out, nights.raw, settings.model_copy(update={"keep_runs": 1, "keep_daily_days": 1,
                                                                     "keep_weekly_days": 1}))  # fmt: skip
    assert any(r.kind == "run" for r in done.removed)  # night 1's raw folder went
    assert files(nights.out / "catalog" / "history") == history


def test_rebuilding_a_catalog_run_writes_what_the_run_wrote(nights: Nights, settings: Settings) -> None:
    out, last = nights.out, nights.results[1]
    published = files(out)
    rebuilt = rebuild(last.run_dir, out, settings)
    assert isinstance(rebuilt, CatalogResult)
    assert sorted(rebuilt.results) == sorted(last.results) and rebuilt.failed == last.failed
    changed = sorted(name for name, data in files(out).items() if published.get(name) != data)
    assert changed == []
    assert sorted(files(out)) == sorted(published)


def test_rebuilding_an_older_catalog_run_is_refused(nights: Nights, settings: Settings,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    published = files(nights.out)
    with pytest.raises(InputError, match=r"holds a newer run .* \(--force to do so\)"):
        rebuild(nights.results[0].run_dir, nights.out, settings)
    assert files(nights.out) == published
    with pytest.raises(SystemExit) as exit_:
        main(["rebuild", str(nights.results[0].run_dir), "--out", str(nights.out)])
    assert exit_.value.code == 2 and "holds a newer run" in capsys.readouterr().err


def test_the_cli_rebuilds_a_catalog_run(nights: Nights, capsys: pytest.CaptureFixture[str]) -> None:
    published = files(nights.out)
    capsys.readouterr()
    with pytest.raises(SystemExit) as exit_:
        main(["rebuild", str(nights.results[1].run_dir), "--out", str(nights.out)])
    assert exit_.value.code in (0, None)
    said = capsys.readouterr().out
    assert "lists/code: 3 entries" in said and "not published: " in said and "catalog: " in said
    assert files(nights.out) == published


# The Hub ------------------------------------------------------------------------------------


@pytest.fixture
def hub_settings(fake: FakeAPI, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """The fake Hub takes LFS uploads, not Xet (huggingface_hub read HF_HUB_DISABLE_XET when it
    was imported)."""
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_DISABLE_XET", True)
    return fake.settings(allow_loopback=True, http_retries=0, hf_token=TOKEN)


def commits(fake: FakeAPI) -> list[str]:
    repo = fake.hub.repo(REPO)
    return [c.title for c in repo.commits] if repo else []


def test_a_catalog_goes_to_the_hub_in_one_commit_a_night(fake: FakeAPI, hub_settings: Settings, extra_data: Path,
                                                         tmp_path: Path) -> None:
    nights = two_nights(hub_settings, extra_data, tmp_path, publish_repo=REPO)
    first, second = nights.results
    assert first.hub is not None and first.hub.error is None, first.hub
    assert commits(fake) == [
        "initial commit", "enrich catalog 2026-11-25: 3 lists, 5 entities; not published: gone",
        "enrich catalog 2026-11-26: 2 lists, 5 entities; not published: gone, more",
    ]
    sent = set(first.hub.uploaded)
    for name in ("README.md", "catalog/entities.parquet", "catalog/memberships.parquet", "catalog/lists.parquet",
                 "catalog/history/memberships/date=2026-11-25/part-0.parquet", "catalog/index.html",
                 "lists/code/latest.parquet", "lists/code/README.md", "lists/more/latest.json"):  # fmt: skip
        assert name in sent, name
    # Night 2: what changed, not the kept list's folder nor night 1's history.
    assert second.hub is not None and second.hub.error is None
    again = set(second.hub.uploaded)
    assert "catalog/history/memberships/date=2026-11-26/part-0.parquet" in again
    assert not [n for n in again if n.startswith("lists/more/") or "2026-11-25" in n]
    assert second.hub.unchanged + len(again) == len(local_files(nights.out))
    # The description holds each published list's changelog of the night.
    description = fake.hub.repo(REPO).commits[-1].description  # type: ignore[union-attr]
    assert "# lists/code" in description and "RL4LMs" in description
    # What the Hub serves is the folder, byte for byte.
    for name in ("catalog/memberships.parquet", "lists/code/latest.parquet", "README.md"):
        path = hf_hub_download(REPO, name, repo_type="dataset", endpoint=fake.hf_url, token=TOKEN,
                               cache_dir=tmp_path / "hf-cache")  # fmt: skip
        assert Path(path).read_bytes() == (nights.out / name).read_bytes(), name
    # The card's configs are the catalog's tables, entities the default; it names the repository.
    card = DatasetCard((nights.out / "README.md").read_text())
    configs = {c["config_name"]: c for c in card.data.configs}
    assert configs["entities"]["default"] is True
    assert {n: c["data_files"][0]["path"] for n, c in configs.items()} == {
        "entities": "catalog/entities.parquet", "memberships": "catalog/memberships.parquet",
        "lists": "catalog/lists.parquet", "entities_history": "catalog/history/entities/*/*.parquet",
        "memberships_history": "catalog/history/memberships/*/*.parquet",
        "lists_history": "catalog/history/lists/*/*.parquet",
    }  # fmt: skip
    assert f'load_dataset("{REPO}", "memberships", split="train")' in card.text


def test_a_failed_catalog_upload_loses_nothing(fake: FakeAPI, hub_settings: Settings, tmp_path: Path) -> None:
    fake.faults.append(Fault(r"/commit/", status=500, body=b'{"error": "Internal Error"}'))
    done = catalog_night(hub_settings, tmp_path, NIGHT_1, {"code": sample_list("Code", TRLX, TEXTRL)}, REPO)
    assert done.hub is not None and done.hub.error and "500" in done.hub.error and TOKEN not in done.hub.error
    assert (tmp_path / "OUT" / "catalog" / "lists.parquet").is_file() and commits(fake) == ["initial commit"]


def test_publish_uploads_a_catalogs_folder(fake: FakeAPI, hub_settings: Settings, tmp_path: Path) -> None:
    from enrich.run.upload import publish_to_hub

    catalog_night(hub_settings, tmp_path, NIGHT_1, {"code": sample_list("Code", TRLX, TEXTRL),
                                                    "more": sample_list("More", PALM)})  # fmt: skip
    (tmp_path / "OUT" / "lists" / "code" / "rejected").mkdir()
    (tmp_path / "OUT" / "lists" / "code" / "rejected" / "x.json").write_text("{}")
    done = publish_to_hub(tmp_path / "OUT", REPO, hub_settings)
    assert done.error is None and sorted(done.uploaded) == sorted(local_files(tmp_path / "OUT"))
    assert "lists/code/rejected/x.json" not in done.uploaded and "lists/code/latest.json" in done.uploaded


@pytest.mark.slow  # a Python process of its own, offline, with a fresh HF_HOME
def test_datasets_loads_the_catalogs_configs_offline(nights: Nights, tmp_path: Path) -> None:
    script = (
        "import json, sys, datasets\n"
        "folder = sys.argv[1]\n"
        "entities = datasets.load_dataset(folder, split='train')\n"
        "members = datasets.load_dataset(folder, 'memberships', split='train')\n"
        "lists = datasets.load_dataset(folder, 'lists', split='train')\n"
        "history = datasets.load_dataset(folder, 'memberships_history', split='train')\n"
        "print(json.dumps({'entities': entities.num_rows, 'members': members.num_rows,\n"
        "                  'lists': sorted(lists['slug']), 'history': history.num_rows}))\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "HUGGINGFACE"))}
    env.update(HF_DATASETS_OFFLINE="1", HF_HUB_OFFLINE="1", HF_HOME=str(tmp_path / "hf-home"))
    done = subprocess.run([sys.executable, "-c", script, str(nights.out)], env=env, capture_output=True, text=True,
                          timeout=240, cwd=tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    loaded = json.loads(done.stdout.strip().splitlines()[-1])
    assert loaded == {"entities": 5, "members": 3 + 3 + 2, "lists": ["code", "gone", "more", "papers-and-code"],
                      "history": 7 + 6}  # fmt: skip


@pytest.mark.parametrize(
    ("name", "uploaded"),
    [
        ("README.md", True),
        ("catalog/lists.parquet", True),
        ("lists/code/latest.parquet", True),
        ("lists/code/rejected/20261126T030000000000Z.json", False),  # its guard's refused run
        ("lists/rejected/latest.parquet", True),  # a list whose slug is "rejected"
        ("lists/code/.latest.json.abc.tmp", False),
        (".lock", False),
    ],
)
def test_what_of_a_catalogs_folder_goes_to_the_hub(name: str, uploaded: bool, tmp_path: Path) -> None:
    for path in ("catalog/lists.parquet", name):
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_bytes(b"x")
    assert (name in local_files(tmp_path)) is uploaded


def test_the_catalogs_card_shows_the_lists_text_never_renders_it() -> None:
    import pyarrow as pa

    from enrich.store.catalog import LIST_SCHEMA, MEMBERSHIP_SCHEMA
    from enrich.views import About
    from enrich.views.catalogcard import CatalogCard, card_text

    row = {name: None for name in LIST_SCHEMA.names}
    row.update(slug="evil", source="lists/evil`|<b>x.md", error="gone | <script>alert(1)</script>")
    tables = {"entities": pa.table({"id": pa.array([], pa.string())}), "memberships": MEMBERSHIP_SCHEMA.empty_table(),
              "lists": pa.Table.from_pylist([row], schema=LIST_SCHEMA)}  # fmt: skip
    text = card_text(CatalogCard(tables, NIGHT_1, "20261125T030000000000Z", About(license="cc0-1.0")))
    assert "| `evil` | `lists/evil'¦<b>x.md` |  | gone \\| &lt;script&gt;alert\\(1\\)&lt;/script&gt; |" in text
    card = DatasetCard(text)
    assert card.data.license == "cc0-1.0" and card.data.size_categories == ["n<1K"]
    assert 'load_dataset("OWNER/NAME", "memberships", split="train")' in text
