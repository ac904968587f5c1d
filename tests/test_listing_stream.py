"""The block walk reads a file's block tokens as they are made: one top-level block at a time,
and a top-level list or table item by item, row by row (`walker.blocks`). What it finds is what
it finds reading the whole file's tokens at once; a file that may define link references is
read whole (a link may use a reference defined below it)."""

from __future__ import annotations

import pytest

from enrich.core.listing.entries import listed_links
from enrich.core.listing.walker import Walker, blocks, markdown
from shared_data import ABSENT, real_lists

_FIELDS = ("type", "tag", "nesting", "map", "level", "content", "markup", "info", "hidden")

# The shapes around the places a list or table is handed over (an item, a row begins): tight,
# loose and nested lists, lists in quotes and items, tables alone, in items and in quotes,
# labelled links under a bold line (read whole: the walk looks at the whole list first), a
# heading, HTML and code in items, a list going on after a lazy line, no newline at the end.
SHAPES = {
    "tight list": "# T\n\n- [A](https://github.com/o/a) - One.\n- [B](https://x.org/b) - Two.\n",
    "loose list": "- [A](https://github.com/o/a)\n\n- [B](https://x.org/b)\n\n- c\n",
    "nested": "- [A](https://github.com/o/a)\n  - Code: [Official](https://github.com/o/b)\n"
    "  - [C](https://x.org/c)\n- [D](https://x.org/d)\n    - [E](https://x.org/e)\n",
    "ordered": "1. [A](https://arxiv.org/abs/2101.00001) [[code](https://github.com/o/a)]\n"
    "2. [B](https://arxiv.org/abs/2101.00002)\n10. c\n",
    "marker change": "- [A](https://x.org/a)\n* [B](https://x.org/b)\n+ [C](https://x.org/c)\n",
    "quoted list": "> - [A](https://x.org/a)\n> - [B](https://x.org/b)\nlazy\n",
    "table": "| Title | Code |\n|---|---|\n| [P](https://arxiv.org/abs/2101.00001) | "
    "[code](https://github.com/o/p) |\n| [Q](https://x.org/q) | - |\n",
    "table in item": "- [A](https://x.org/a)\n\n  | T | C |\n  |---|---|\n  | [P](https://x.org/p) "
    "| x |\n- [B](https://x.org/b)\n",
    "quoted table": "> | T |\n> |---|\n> | [P](https://x.org/p) |\n",
    "two tables": "| T |\n|---|\n| [P](https://x.org/p) |\n\n| U |\n|---|\n| [Q](https://x.org/q) |\n",
    "labelled links": "**GraphRAG**\n\n- Paper: [arXiv](https://arxiv.org/abs/2404.16130)\n"
    "- Code: [GitHub](https://github.com/microsoft/graphrag)\n",
    "bold line, plain list": "**Tools**\n\n- [A](https://x.org/a) - One.\n- [B](https://x.org/b)\n",
    "heading in item": "- ## [A](https://x.org/a)\n- [B](https://x.org/b)\n",
    "html in item": '- <a href="https://x.org/a">A</a> - One.\n- [B](https://x.org/b)\n',
    "code in item": "- [A](https://x.org/a)\n  ```\n  https://x.org/in-code\n  ```\n- b\n",
    "lazy line": "- [A](https://x.org/a)\nlazy https://x.org/lazy\n- [B](https://x.org/b)\n",
    "list then table": "- [A](https://x.org/a)\n\n| T |\n|---|\n| [P](https://x.org/p) |\n",
    "no newline at the end": "- [A](https://x.org/a)\n- [B](https://x.org/b)",
    "deep": "".join(f"{'  ' * d}- [L{d}](https://x.org/{d})\n" for d in range(60)),
}


def _found(text: str, whole: bool) -> tuple[object, ...]:
    walk = Walker(text, whole=whole).walk()
    links, skips = listed_links(walk, "sample.md")
    return links, walk.skipped + skips, walk.sections.descriptions, walk.sections.title


@pytest.mark.parametrize("text", SHAPES.values(), ids=SHAPES.keys())
def test_a_list_read_as_it_is_tokenized_finds_what_the_whole_tokens_do(text: str) -> None:
    streamed, whole = _found(text, whole=False), _found(text, whole=True)
    assert streamed == whole
    assert streamed[0]  # every shape has links to find


@pytest.mark.parametrize("text", SHAPES.values(), ids=SHAPES.keys())
def test_block_tokens_one_top_level_block_at_a_time_are_markdown_its(text: str) -> None:
    md = markdown()
    chunks = list(blocks(md, text, {}))
    assert all(chunk and chunk[0].level == 0 for chunk in chunks)
    tokens = [tuple(getattr(t, f) for f in _FIELDS) for chunk in chunks for t in chunk]
    assert tokens == [tuple(getattr(t, f) for f in _FIELDS) for t in md.parse(text, {})]


def test_a_reference_defined_below_its_use_is_found() -> None:
    text = "- [A][a]\n- [B](https://x.org/b)\n\n[a]: https://x.org/a\n"
    links, _, _, _ = _found(text, whole=False)
    assert [link.url for link in links] == ["https://x.org/a", "https://x.org/b"]


@pytest.mark.skipif(not real_lists(), reason=ABSENT)
def test_the_real_lists_read_as_they_are_tokenized_find_what_the_whole_tokens_do() -> None:
    streamed = 0
    for path in real_lists():
        text = path.read_text(encoding="utf-8-sig").replace("\r\n", "\n").replace("\r", "\n")
        if "]:" in text:
            continue  # read whole either way
        assert _found(text, whole=False) == _found(text, whole=True), path.name
        streamed += 1
    assert streamed >= 30  # most real lists define no reference
