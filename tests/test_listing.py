"""The list parser: every link of a Markdown list becomes an entry with its context."""

from __future__ import annotations

from pathlib import Path

import pytest

from enrich.core.errors import InputError
from enrich.core.links import Kind
from enrich.core.listing import extract_links, parse_list

BUNDLED = Path(__file__).parent.parent / "data/raw/lists/awesome-rlhf-language-models.md"


def links_of(markdown: str) -> list[tuple[str, str | None, str | None, tuple[str, ...], int]]:
    links, _ = extract_links(markdown)
    return [(link.url, link.text, link.description, link.section, link.line) for link in links]


def skipped_of(markdown: str) -> list[tuple[str, str]]:
    _, skipped = extract_links(markdown)
    return [(s.url, s.reason) for s in skipped]


@pytest.mark.parametrize(
    ("markdown", "expected"),
    [
        (  # inline link in a bullet, description after a dash
            "# Tools\n\n* [trl](https://github.com/lvwerra/trl) - PPO for transformers\n",
            [("https://github.com/lvwerra/trl", "trl", "PPO for transformers", ("Tools",), 3)],
        ),
        (  # bare URL found by linkify; the text after it is the description
            "# Code\n## Libs\n\n* https://github.com/lvwerra/trl -  train transformer models\n",
            [("https://github.com/lvwerra/trl", None, "train transformer models", ("Code", "Libs"), 4)],
        ),
        (  # URL in parentheses after a name: the name is the title
            "* ChatGPT (https://openai.com/blog/chatgpt/)\n",
            [("https://openai.com/blog/chatgpt/", "ChatGPT", None, (), 1)],
        ),
        (  # dash and numbered bullets, autolink
            "- <https://example.org/a>\n\n1. [B](https://example.org/b)\n2) [C](https://example.org/c)\n",
            [
                ("https://example.org/a", None, None, (), 1),
                ("https://example.org/b", "B", None, (), 3),
                ("https://example.org/c", "C", None, (), 4),
            ],
        ),
        (  # emphasis-only paragraph is a pseudo-heading below the current heading
            "# Papers\n\n*2020*\n* [P1](https://arxiv.org/abs/1909.08593)\n\n**2022**\n* [P2](https://arxiv.org/abs/2204.05862)\n",
            [
                ("https://arxiv.org/abs/1909.08593", "P1", None, ("Papers", "2020"), 4),
                ("https://arxiv.org/abs/2204.05862", "P2", None, ("Papers", "2022"), 7),
            ],
        ),
        (  # a new heading replaces pseudo-headings and deeper headings
            "# A\n## B\n*2020*\n# C\n* <https://c.org>\n",
            [("https://c.org", None, None, ("C",), 5)],
        ),
        (  # several links in one item: each keeps its text as title, the item's prose is shared
            "* [One](https://a.org) and [Two](https://b.org) - both\n",
            [("https://a.org", "One", "and Two - both", (), 1), ("https://b.org", "Two", "and Two - both", (), 1)],
        ),
        (  # reference-style links
            "* [trlx][1] - distributed RLHF\n\n[1]: https://github.com/CarperAI/trlx\n",
            [("https://github.com/CarperAI/trlx", "trlx", "distributed RLHF", (), 1)],
        ),
        (  # a link in prose counts; multi-line paragraph gives the link's own line
            "Intro text\nthen [the catalog](https://arxiv.org/pdf/2302.07730.pdf) helps.\n",
            [("https://arxiv.org/pdf/2302.07730.pdf", "the catalog", "helps.", (), 2)],
        ),
        (  # nested list: parent item text is recorded, section is the heading
            "# Products\n* OpenAI\n  * InstructGPT (https://openai.com/research/instruction-following)\n",
            [("https://openai.com/research/instruction-following", "InstructGPT", None, ("Products",), 3)],
        ),
    ],
)
def test_links(markdown: str, expected: list[tuple[object, ...]]) -> None:
    assert links_of(markdown) == expected


def test_nested_item_parent() -> None:
    links, _ = extract_links("* OpenAI ChatGPT\n  * ChatGPT (https://openai.com/blog/chatgpt/)\n")
    assert links[0].parent == "OpenAI ChatGPT"


@pytest.mark.parametrize(
    ("markdown", "skipped"),
    [
        ("![logo](https://x.org/logo.png)\n", [("https://x.org/logo.png", "image")]),
        (  # a badge to a repository's own pages, above the list's first item: the list's own repository
            "[![CI](https://img.shields.io/badge.svg)](https://github.com/o/r/actions)\n",
            [("https://github.com/o/r/actions", "the list's own repository")],
        ),
        ("* [Contributing](CONTRIBUTING.md)\n", [("CONTRIBUTING.md", "relative link")]),
        ("* [Top](#contents)\n", [("#contents", "in-page anchor")]),
        ("Mail [me](mailto:a@b.org)\n", [("mailto:a@b.org", "mailto link")]),
    ],
)
def test_skipped_links(markdown: str, skipped: list[tuple[str, str]]) -> None:
    assert skipped_of(markdown) == skipped
    assert links_of(markdown) == []


def test_url_listed_twice_is_one_entry_with_both_positions() -> None:
    md = b"# A\n* [trl](https://github.com/lvwerra/trl)\n# B\n* https://github.com/lvwerra/trl/\n"
    parsed = parse_list(md, "dup.md")
    (entry,) = parsed.entries
    assert entry.id == "github:lvwerra/trl"
    assert [(p.section, p.line, p.index) for p in entry.positions] == [(["A"], 2, 1), (["B"], 4, 2)]
    assert entry.urls == ["https://github.com/lvwerra/trl", "https://github.com/lvwerra/trl/"]


def test_rejected_url_is_reported_not_an_entry() -> None:
    parsed = parse_list(b"* [x](javascript:alert(1))\n* [ok](https://ok.org)\n", "bad.md")
    assert [e.id for e in parsed.entries] == ["https://ok.org/"]
    assert [(s.url, s.reason) for s in parsed.skipped] == [
        ("javascript:alert(1)", "javascript: URL is not fetched")
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "is empty"),
        (b"  \n\n", "is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "is a binary file"),
        ("# Liste\n* [é](https://e.org)\n".encode("latin-1"), "is not UTF-8"),
        (b"# Just a title\n\nNo links here.\n", "has no links"),
    ],
)
def test_bad_lists(data: bytes, message: str) -> None:
    with pytest.raises(InputError, match=message):
        parse_list(data, "list.md")


# Every link of the bundled list, with its expected kind and id (27 links, 27 entries).
BUNDLED_ENTRIES = {
    "arxiv:2302.07730": Kind.PAPER,
    "arxiv:1909.08593": Kind.PAPER,
    "arxiv:2211.15006": Kind.PAPER,
    "arxiv:2204.05862": Kind.PAPER,
    "arxiv:2209.07858": Kind.PAPER,
    "arxiv:2302.06476": Kind.PAPER,
    "arxiv:2302.07459": Kind.PAPER,
    "github:openai/lm-human-preferences": Kind.REPO,
    "github:laion-ai/open-assistant": Kind.REPO,
    "github:allenai/rl4lms": Kind.REPO,
    "github:lvwerra/trl": Kind.REPO,
    "github:lucidrains/palm-rlhf-pytorch": Kind.REPO,
    "github:carperai/trlx": Kind.REPO,
    "github:voidful/textrl": Kind.REPO,
    "hf:dataset/anthropic/hh-rlhf": Kind.DATASET,
    "hf:dataset/stanfordnlp/shp": Kind.DATASET,
    "https://en.wikipedia.org/wiki/Proximal_Policy_Optimization": Kind.WEB,
    "https://www.anthropic.com/": Kind.WEB,
    "https://openai.com/blog/chatgpt/": Kind.WEB,
    "https://openai.com/research/instruction-following": Kind.WEB,
    "https://blog.google/technology/ai/bard-google-ai-search-updates/": Kind.WEB,
    "https://www.youtube.com/watch?v=2MBJOuVq380": Kind.WEB,
    "http://web.stanford.edu/class/cs224n/slides/cs224n-2023-lecture11-prompting-rlhf.pdf": Kind.WEB,
    "https://www.youtube.com/playlist?list=PLoROMvodv4rOSOPzutgyCTapiGlY2Nd8u": Kind.WEB,
    "https://huggingface.co/deep-rl-course/unit0/introduction": Kind.WEB,
    "http://www.eleuther.ai/": Kind.WEB,
    "https://carper.ai/": Kind.WEB,
}


def test_bundled_list() -> None:
    parsed = parse_list(BUNDLED.read_bytes(), str(BUNDLED))
    assert {e.id: e.kind for e in parsed.entries} == BUNDLED_ENTRIES
    assert sum(len(e.positions) for e in parsed.entries) == 27
    assert parsed.skipped == []
    by_id = {e.id: e for e in parsed.entries}
    trl = by_id["github:lvwerra/trl"]
    assert trl.section == ["Code", "RLFH open source libraries"]
    assert trl.description is not None and trl.description.startswith("train transformer")
    assert by_id["arxiv:1909.08593"].section == ["Papers", "2020"]
    assert by_id["https://openai.com/blog/chatgpt/"].positions[0].parent == "OpenAI ChatGPT"
    assert sorted(p.index for e in parsed.entries for p in e.positions) == list(range(1, 28))


@pytest.mark.slow
def test_a_100000_link_list_is_parsed_whole() -> None:
    """Every link of a very long list becomes an entry (linear time; no cap, no traceback)."""
    kinds = [
        ("https://github.com/org{n}/repo-{i}", Kind.REPO),
        ("https://arxiv.org/abs/{n:04d}.{i:05d}", Kind.PAPER),
        ("https://huggingface.co/datasets/org/ds-{i}", Kind.DATASET),
        ("https://example{n}.org/page/{i}", Kind.WEB),
    ]
    lines = ["# Long list", ""]
    for i in range(100_000):
        url, _kind = kinds[i % 4]
        lines.append(f"- [item {i}]({url.format(n=1001 + i % 1200, i=i)}) - entry {i}")
    lines.append(lines[-1])  # one duplicate: still one entry, two positions
    parsed = parse_list("\n".join(lines).encode(), "long.md")
    assert len(parsed.entries) == 100_000
    assert len({e.id for e in parsed.entries}) == 100_000
    assert [sum(e.kind == k for e in parsed.entries) for _, k in kinds] == [25_000] * 4
    last = next(e for e in parsed.entries if e.url == "https://example1400.org/page/99999")
    assert [p.line for p in last.positions] == [100_002, 100_003]
