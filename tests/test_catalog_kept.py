"""What a catalog run keeps of each list it published until the catalog's finish (#24 item 8:
a 100,000-link catalog within 2 GB): its header, its memberships rows and the entities no
earlier list held (`enrich.store.catalog.FirstRecords`), not its snapshot; the catalog's
tables, history, page, feed and card read exactly as from every list's whole snapshot.

The entries are sample data (generated repository names).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from enrich.core.links import Kind
from enrich.core.model import Count, Entry, Header, Position, Repo, Snapshot, Status, updated
from enrich.core.settings import Settings
from enrich.run.catalog import CatalogFinish, finish_catalog
from enrich.store.catalog import CatalogList, FirstRecords, union
from enrich.store.codec import to_json

NIGHT = datetime(2026, 11, 25, 3, tzinfo=UTC)
RUN_ID = "20261125T030000000000Z"


def fetched(name: str, stars: int, line: int, title: str | None = None) -> Entry:
    base = Entry(id=f"github:sample-org/{name}", kind=Kind.REPO, source_id=f"sample-org/{name}",
                 url=f"https://github.com/sample-org/{name}", urls=[f"https://github.com/sample-org/{name}"],
                 title=title or name, section=["Libraries"], positions=[Position(section=["Libraries"], line=line, index=line)])  # fmt: skip
    repo = Repo(repo_id=line, full_name=f"sample-org/{name}", html_url=base.url,
                description=f"{name}, a sample repository (sample data)", stars=stars, forks=1, watchers=1,
                open_issues=0, topics=["sample"])  # fmt: skip
    return updated(base, status=Status.OK, fetched_at=NIGHT, repo=repo)


def list_snapshot(slug: str, names: list[str], stars: int = 120) -> Snapshot:
    entries = [fetched(n, stars + i, i + 3, f"{n}, as {slug} names it") for i, n in enumerate(names)]
    header = Header(run_id=RUN_ID, generated_at=NIGHT, list_source=f"lists/{slug}.md", list_sha256=slug[0] * 64,
                    entries=len(entries), by_kind=[Count(name="repo", count=len(entries))],
                    by_status=[Count(name="ok", count=len(entries))])  # fmt: skip
    return Snapshot(header=header, entries=entries)


# Each case: the lists published tonight (slug -> its entities, in its order), the lists whose
# folders keep an older dataset (not published tonight), the lists refused tonight.
CASES = [
    ("one list", {"rlhf": ["trlx", "textrl"]}, {}, []),
    ("lists sharing entities, each its own words", {"rlhf": ["trlx", "textrl"], "agents": ["palm", "trlx"],
                                                     "papers": ["textrl", "trlx", "rl4lms"]}, {}, []),
    ("a list whose entities an earlier list holds", {"rlhf": ["trlx", "textrl"], "mirror": ["textrl", "trlx"]}, {}, []),
    ("a kept list and a refused one", {"rlhf": ["trlx"], "agents": ["trlx", "palm"]}, {"old": ["trlx", "rl4lms"]},
     ["refused"]),
    ("no list published tonight", {}, {"old": ["trlx"]}, ["refused"]),
]


def catalog_files(out: Path, lists: list[CatalogList]) -> dict[str, bytes]:
    finish_catalog(CatalogFinish(out, tuple(lists), RUN_ID, NIGHT, Settings()))
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()
            and not p.is_relative_to(out / "lists")}  # fmt: skip


@pytest.mark.parametrize(("name", "tonight", "kept", "refused"), CASES, ids=[c[0] for c in CASES])
def test_the_catalog_reads_the_same_from_what_is_kept_of_each_list(
    name: str, tonight: dict[str, list[str]], kept: dict[str, list[str]], refused: list[str], tmp_path: Path
) -> None:
    written: dict[str, dict[str, bytes]] = {}
    for how in ("whole", "kept"):
        out = tmp_path / how
        for slug, names in kept.items():  # older values: other star counts
            (out / "lists" / slug).mkdir(parents=True)
            (out / "lists" / slug / "latest.json").write_bytes(to_json(list_snapshot(slug, names, 7)))
        records = FirstRecords()
        lists = [
            CatalogList(slug, f"lists/{slug}.md", list_snapshot(slug, names)) if how == "whole"
            else records.reduce(slug, f"lists/{slug}.md", list_snapshot(slug, names))
            for slug, names in tonight.items()
        ]  # fmt: skip
        lists += [CatalogList(slug, f"lists/{slug}.md", None, "refused by its guard") for slug in refused]
        written[how] = catalog_files(out, lists)
    assert "catalog/memberships.parquet" in written["kept"] and "README.md" in written["kept"]
    assert written["kept"] == written["whole"]


def test_each_entity_is_kept_once_under_the_first_list_that_links_it() -> None:
    records = FirstRecords()
    lists = [records.reduce(slug, f"lists/{slug}.md", list_snapshot(slug, names))
             for slug, names in CASES[1][1].items()]  # fmt: skip
    held = [(one.slug, e.id) for one in lists for e in (one.snapshot.entries if one.snapshot else [])]
    assert held == [("rlhf", "github:sample-org/trlx"), ("rlhf", "github:sample-org/textrl"),
                    ("agents", "github:sample-org/palm"), ("papers", "github:sample-org/rl4lms")]  # fmt: skip
    assert [one.snapshot.header.entries for one in lists if one.snapshot] == [2, 2, 3]  # headers whole
    assert [one.members.num_rows for one in lists if one.members is not None] == [2, 2, 3]
    assert records.ids == {e for _, e in held}
    every = union(lists)
    assert every is not None and every.entries[0].title == "trlx, as rlhf names it"  # the first list's record
