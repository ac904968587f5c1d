"""The documentation as the tests read it: the front door (README.md) and the pages of docs/
(the MkDocs site of `make docs`), so that what they say is checked and their commands run as
written."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).parent.parent
DOCS = ROOT / "docs"
README = (ROOT / "README.md").read_text(encoding="utf-8")


def docs_page(name: str) -> str:
    """One page of docs/, by its file name (``nightly.md``)."""
    return (DOCS / name).read_text(encoding="utf-8")


def docs_pages() -> list[str]:
    """Every page of docs/, as paths relative to it (``nightly.md``), sorted."""
    return sorted(p.relative_to(DOCS).as_posix() for p in DOCS.rglob("*.md"))


def docs_text() -> str:
    """The README and every page of docs/, one text: where something is documented at all."""
    return "\n\n".join([README, *(docs_page(name) for name in docs_pages())])


def nav_pages() -> list[str]:
    """The pages mkdocs.yml's nav lists, in its order."""
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))

    def walk(node: object) -> list[str]:
        if isinstance(node, str):
            return [node]
        if isinstance(node, list):
            return [page for item in node for page in walk(item)]
        if isinstance(node, dict):
            return [page for value in node.values() for page in walk(value)]
        return []

    return walk(config["nav"])


def section(text: str, heading: str) -> str:
    """The text under ``heading`` (a line of its own) up to the next heading of its level or above."""
    level = heading.split(" ")[0]
    start = ("\n" + text).index(f"\n{heading}\n")  # a page's title is its first line
    rest = text[start + len(heading) + 1 :]
    stop = re.search(rf"^#{{1,{len(level)}}} ", rest, re.MULTILINE)
    return rest[: stop.start()] if stop else rest
