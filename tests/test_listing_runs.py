"""Plain inline runs are tokenized without markdown-it's inline parser (`listing.runs`), to the
very tokens it makes; any other run is left to it."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token

from enrich.core.listing.runs import Piece, simple_tokens
from enrich.core.listing.walker import MAX_NESTING, markdown
from shared_data import ABSENT, real_lists

MD = markdown()


def _read(tokens: Sequence[Token | Piece]) -> list[tuple[str, str, str]]:
    """What the reader takes from tokens: types, contents, hrefs; adjacent texts as one, empty
    ones as nothing (markdown-it leaves one beside each ``strong_open`` and closer)."""
    out: list[tuple[str, str, str]] = []
    for token in tokens:
        href = str(token.attrs.get("href", ""))
        if token.type == "text" and not token.content:
            continue
        if token.type == "text" and out and out[-1][0] == "text":
            out[-1] = ("text", out[-1][1] + token.content, "")
        else:
            out.append((token.type, token.content, href))
    return out


def _markdown_it(content: str) -> list[tuple[str, str, str]]:
    children: list[Token] = []
    MD.inline.parse(content, MD, {}, children)
    return _read(children)


@pytest.mark.parametrize(
    "run",
    [
        "Just words, numbers 1-2 and symbols: ~ # $ % + = @ ^ { } |",
        "[Name](https://github.com/owner/repo) - What it does.",
        "[Name](https://github.com/owner/repo): uses `code` and [Other](https://example.org/a?b=1&c=2).",
        "Q&A and R&D, [](https://example.org/empty-label)",
        "`  spaced  ` and ` ` and `x`",
        "Wow! [Paper](https://arxiv.org/abs/2401.00001)!",
        "[Ünïcode näme](https://example.org/ä/ö) — 中文描述",
        "[Name](https://example.org/%E4%B8%AD)",
        "**[Bold](https://example.org)** - emphasis",
        "*[Emphasized](https://example.org)*: and text",
        "**Title.** [pdf](https://arxiv.org/abs/2401.00001)",
        "intra**word**s and a [link](https://example.org)",
        "**`code` in bold**",
    ],
)
def test_a_plain_run_gets_the_tokens_markdown_it_makes(run: str) -> None:
    tokens = simple_tokens(run, MD.normalizeLink)
    assert tokens is not None
    assert _read(tokens) == _markdown_it(run)


@pytest.mark.parametrize(
    "run",
    [
        "_emphasis_ and *more* and **more**",
        "***both***",
        "** not opening** at all",
        "**not closing **",
        "a ** lone pair ** of stars",
        "`a**b` and **c**",
        "[a](https://example.org/**) b**",
        "![image](https://example.org/a.png)",
        "Wow![not an image](https://example.org)",
        "[a](https://example.org/(paren))",
        '[a](https://example.org "a title")',
        "[a](<https://example.org>)",
        "[ref][1] and [shortcut]",
        "<https://example.org> and <b>html</b>",
        "an escape \\* here",
        "an entity &amp; here, [x](https://example.org/?a&amp;b)",
        "two\nlines",
        "``double`` and `a``",
        "[a `code` label](https://example.org)",
    ],
)
def test_any_other_run_is_left_to_markdown_it(run: str) -> None:
    assert simple_tokens(run, MD.normalizeLink) is None


@pytest.mark.skipif(not real_lists(), reason=ABSENT)
def test_every_plain_run_of_the_real_lists_gets_markdown_its_tokens() -> None:
    plain = 0
    for path in real_lists():
        for block in MD.parse(path.read_text(encoding="utf-8-sig")):
            if block.type != "inline":
                continue
            tokens = simple_tokens(block.content, MD.normalizeLink)
            if tokens is not None:
                plain += 1
                assert _read(tokens) == _markdown_it(block.content), (path.name, block.content)
    assert plain > 10_000  # the fast path is the common one, not a curiosity


# Lists whose items are one line of text (read by the walker's one-line path) and the shapes
# around them that it must leave to markdown-it: a loose list, a lazy continuation, an item
# going on after a blank line, bold and thematic breaks, a reference definition, nested and
# deeply indented items, setext underlines, tables, quotes, indented code, tabs, no newline.
ITEM_SHAPES = [
    "- [Name](https://github.com/o/r) - What it does.\n- **[Bold](https://x.org)** - Text.\n",
    "- a\n- b\n\n- c\n", "- a\nlazy\n- b\n", "- a\n\n  more\n- b\n", "- **x** y\n- **\n- ***\n",
    "- [a]: https://x.org\n- b\n", "- a\n  - b\n    - c\n- d\n\n\n# h\n", "* a\n- b\n+ c\n",
    "- a\n---\n", "- a\n===\n", "- a\n| x |\n|---|\n", "1. a\n2. b\n\n3. c\n",
    "> - a\n> - b\nc\n", "- a\n    code\n- b\n", "- é\n- 中文\n- — x\n", "- a\n\t- b\n",
    "-\ta\n- b\n", "- a\n  b\n", "- a\n\n\n", "- a", "  - a\n   - b\n    - c\n     - d\n",
    "- a\n\n## Next\n- b\n<div>\n", "- a\n```\ncode\n```\n",
]  # fmt: skip


# Thematic breaks and the lines like them: the hr rule is asked only about a line of its
# markers, spaces and tabs (`walker._NOT_RULE`); any other is a list item, a paragraph, bold.
RULE_SHAPES = [
    "---\n", "***\n", "___\n", "- - -\n", "* * *\n", "_ _ _\n", " -\t-  -\n", "-- -\n",
    "- -- x\n", "**\n", "*-*\n", "- [a](https://x.org)\n---\n- b\n", "a\n***\n",
    "- a\n* * *\n- b\n", "--\n", "---x\n", "___ _\n", "    ---\n", "> ---\n", "-\n-\n-\n",
]  # fmt: skip


def _plain_block_tokens(text: str) -> list[tuple[object, ...]]:
    """Block tokens of markdown-it itself (the walker's options, none of its shortcuts)."""
    md = MarkdownIt("commonmark", {"maxNesting": MAX_NESTING}).enable("table")
    md.disable(["inline", "text_join"])
    fields = ("type", "tag", "nesting", "map", "level", "content", "markup", "info", "hidden")
    return [tuple(getattr(t, f) for f in fields) for t in md.parse(text, {})]


@pytest.mark.parametrize("text", RULE_SHAPES + ITEM_SHAPES)
def test_block_rules_asked_only_where_they_may_match_give_markdown_its_tokens(text: str) -> None:
    assert _block_tokens(text, fast=True) == _plain_block_tokens(text)


def _block_tokens(text: str, fast: bool) -> list[tuple[object, ...]]:
    md = markdown()
    if not fast:  # the tokenizer the walker wraps
        md.block.tokenize = md.block.tokenize.__closure__[0].cell_contents  # type: ignore[attr-defined]
    fields = ("type", "tag", "nesting", "map", "level", "content", "markup", "info", "hidden")
    return [tuple(getattr(t, f) for f in fields) for t in md.parse(text, {})]


@pytest.mark.parametrize("text", ITEM_SHAPES)
def test_one_line_items_are_the_block_tokens_markdown_it_makes(text: str) -> None:
    assert _block_tokens(text, fast=True) == _block_tokens(text, fast=False)


@pytest.mark.skipif(not real_lists(), reason=ABSENT)
def test_the_real_lists_have_the_block_tokens_markdown_it_makes() -> None:
    for path in real_lists():
        text = path.read_text(encoding="utf-8").replace("\r\n", "\n").replace("\r", "\n")
        fast = _block_tokens(text, fast=True)
        assert fast == _block_tokens(text, fast=False), path.name
        assert fast == _plain_block_tokens(text), path.name  # no shortcut changes a token
