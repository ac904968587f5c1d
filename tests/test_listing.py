"""The list parser: every link of a Markdown list becomes an entry with its context."""

from __future__ import annotations

import gc
import re
from pathlib import Path

import pytest

from enrich.core.errors import InputError
from enrich.core.links import Kind
from enrich.core.listing import extract_links, parse_list
from enrich.core.listing.entries import MAX_TIED
from enrich.core.model import Entry, ItemKind

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
        (  # a link in prose counts; multi-line paragraph gives the link's own line; words of
            # the sentence ("the catalog") are no title (the paper's own stands in); the
            # sentence describes it
            "Intro text\nthen [the catalog](https://arxiv.org/pdf/2302.07730.pdf) helps.\n",
            [("https://arxiv.org/pdf/2302.07730.pdf", None, "then the catalog helps.", (), 2)],
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


# Every link of the bundled list (the first list): its kind, id, section and title — the same
# as before items existed (27 links, 27 entries). Read off the list: its headings, its years.
CODE, LIBS, MODELS = ["Code", "RLFH open source libraries"], ["Code", "Open source projects which can produce models"], ["Commercial products"]
BUNDLED_ENTRIES = {
    "arxiv:2302.07730": (Kind.PAPER, ["Language models"], "Transformer models: an introduction and catalog"),
    "arxiv:1909.08593": (Kind.PAPER, ["Papers", "2020"], "Fine-Tuning Language Models from Human Preferences"),
    "arxiv:2211.15006": (Kind.PAPER, ["Papers", "2022"], "Fine-tuning language models to find agreement among humans with diverse preferences"),
    "arxiv:2204.05862": (Kind.PAPER, ["Papers", "2022"], "Training a Helpful and Harmless Assistant with Reinforcement Learning from Human Feedback"),
    "arxiv:2209.07858": (Kind.PAPER, ["Papers", "2022"], "Red Teaming Language Models to Reduce Harms: Methods, Scaling Behaviors, and Lessons Learned"),
    "arxiv:2302.06476": (Kind.PAPER, ["Papers", "2023"], "It's chatgpt a general-purpose natural language processing task solver?"),
    "arxiv:2302.07459": (Kind.PAPER, ["Papers", "2023"], "The Capacity for Moral Self-Correction in Large Language Models"),
    "github:openai/lm-human-preferences": (Kind.REPO, ["Code", "Reference implementations"], None),
    "github:laion-ai/open-assistant": (Kind.REPO, LIBS, None),
    "github:allenai/rl4lms": (Kind.REPO, CODE, None),
    "github:lvwerra/trl": (Kind.REPO, CODE, None),
    "github:lucidrains/palm-rlhf-pytorch": (Kind.REPO, CODE, None),
    "github:carperai/trlx": (Kind.REPO, CODE, None),
    "github:voidful/textrl": (Kind.REPO, CODE, None),
    "hf:dataset/anthropic/hh-rlhf": (Kind.DATASET, ["Datasets"], None),
    "hf:dataset/stanfordnlp/shp": (Kind.DATASET, ["Datasets"], None),
    "https://en.wikipedia.org/wiki/Proximal_Policy_Optimization": (Kind.WEB, ["Reinforcement Learning methods"], "Proximal Policy Optimization"),
    "https://www.anthropic.com/": (Kind.WEB, MODELS, "Anthropic"),
    "https://openai.com/blog/chatgpt/": (Kind.WEB, MODELS, "ChatGPT"),
    "https://openai.com/research/instruction-following": (Kind.WEB, MODELS, "InstructGPT"),
    "https://blog.google/technology/ai/bard-google-ai-search-updates/": (Kind.WEB, MODELS, "Google bard"),
    "https://www.youtube.com/watch?v=2MBJOuVq380": (Kind.WEB, ["Courses"], "Reinforcement Learning from Human Feedback: From Zero to chatGPT"),
    "http://web.stanford.edu/class/cs224n/slides/cs224n-2023-lecture11-prompting-rlhf.pdf": (Kind.WEB, ["Courses"], "CS224n: NLP w/ Deep Learning course at Stanford"),
    "https://www.youtube.com/playlist?list=PLoROMvodv4rOSOPzutgyCTapiGlY2Nd8u": (Kind.WEB, ["Courses"], "Stanford CS234: Reinforcement Learning | Winter 2019"),
    "https://huggingface.co/deep-rl-course/unit0/introduction": (Kind.WEB, ["Courses"], "Hugging Face Deep Reinforcement Learning Course"),
    "http://www.eleuther.ai/": (Kind.WEB, LIBS, "EluetherAI"),
    "https://carper.ai/": (Kind.WEB, LIBS, "Carper.ai"),
}


def test_bundled_list() -> None:
    """The first list gives the same entries, ids, sections and titles as before items existed."""
    parsed = parse_list(BUNDLED.read_bytes(), str(BUNDLED))
    assert {e.id: (e.kind, e.section, e.title) for e in parsed.entries} == BUNDLED_ENTRIES
    assert sum(len(e.positions) for e in parsed.entries) == 27
    assert parsed.skipped == ()
    by_id = {e.id: e for e in parsed.entries}
    trl = by_id["github:lvwerra/trl"]
    assert trl.description is not None and trl.description.startswith("train transformer")
    assert by_id["https://openai.com/blog/chatgpt/"].positions[0].parent == "OpenAI ChatGPT"
    assert sorted(p.index for e in parsed.entries for p in e.positions) == list(range(1, 28))
    # the new fields: one item per link, no two links share one in this list
    assert all(len(e.items) == 1 and e.same_item == [] for e in parsed.entries)
    assert by_id["arxiv:2302.07730"].items[0].kind == ItemKind.PARAGRAPH


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


def _bullets(count: int) -> bytes:
    return "".join(f"- [repo {i}](https://github.com/org/repo-{i}) - entry {i}\n"
                   for i in range(count)).encode()


@pytest.mark.parametrize(("size", "frozen", "enabled"), [
    pytest.param(3, False, True, id="a short list, nothing frozen"),
    pytest.param(3, True, True, id="a short list, the caller keeps objects frozen"),
    pytest.param(3, False, False, id="a short list, the collector off"),
    pytest.param(20_000, False, True, id="a long list, nothing frozen"),
    pytest.param(20_000, True, True, id="a long list, the caller keeps objects frozen"),
    pytest.param(20_000, False, False, id="a long list, the collector off"),
])
def test_a_parse_leaves_the_garbage_collector_as_it_found_it(size: int, frozen: bool,
                                                              enabled: bool) -> None:
    """The collector is paused for a parse and put back as it was: on or off, and what a caller
    froze stays frozen (a long list's objects are moved to the oldest generation only when
    nothing is). The test session itself freezes what its collection made (tests/conftest.py)."""
    data = _bullets(size)
    assert (len(data) >= 1_000_000) is (size > 3)
    was_enabled, kept = gc.isenabled(), gc.get_freeze_count()
    marker: list[object] = [object()]  # a container: the collector tracks it
    gc.unfreeze()
    try:
        if frozen:
            gc.freeze()
        (gc.enable if enabled else gc.disable)()
        assert len(parse_list(data, "list.md").entries) == size
        assert gc.isenabled() is enabled
        still_frozen = not any(o is marker for o in gc.get_objects())
        assert still_frozen is frozen
        assert (gc.get_freeze_count() > 0) is frozen
    finally:
        gc.enable() if was_enabled else gc.disable()
        if kept:
            gc.freeze()


# -- items: titles, descriptions, ties (issue 12) ------------------------------------------------


def parsed(markdown: str, source: str = "list.md") -> dict[str, Entry]:
    return {e.id: e for e in parse_list(markdown.encode(), source).entries}


@pytest.mark.parametrize(
    ("markdown", "titles"),
    [
        (  # a table row: "Paper"/"Code" take the row's title cell
            "| Title | Code |\n|---|---|\n| [Deep Image Prior](http://openaccess.thecvf.com/dip.pdf) | [code](https://github.com/DmitryUlyanov/deep-image-prior) |\n",
            {"http://openaccess.thecvf.com/dip.pdf": "Deep Image Prior", "github:dmitryulyanov/deep-image-prior": "Deep Image Prior"},
        ),
        (  # a bold title in a cell, then its summary; the links column has Paper / Tweet
            "| **Paper** | **Links** |\n|---|---|\n| 1) **Bi-Mamba** - a scalable 1-bit Mamba | [Paper](https://arxiv.org/abs/2411.11843), [Tweet](https://x.com/a/status/1) |\n",
            {"arxiv:2411.11843": "Bi-Mamba", "https://x.com/a/status/1": "Bi-Mamba"},
        ),
        (  # no bold: the title ends where two spaces start the summary
            "| Paper | Links |\n|---|---|\n| 2) s1: Simple test-time scaling  Researchers from Stanford introduce s1. | [Paper](http://arxiv.org/abs/2501.19393), [Code & Data](https://github.com/simplescaling/s1) |\n",
            {"arxiv:2501.19393": "s1: Simple test-time scaling", "github:simplescaling/s1": "s1: Simple test-time scaling"},
        ),
        (  # a bullet: bold title, then generic links
            "- **Attention Is All You Need** [[pdf]](https://arxiv.org/pdf/1706.03762) [Code](https://github.com/tensorflow/tensor2tensor)\n",
            {"arxiv:1706.03762": "Attention Is All You Need", "github:tensorflow/tensor2tensor": "Attention Is All You Need"},
        ),
        (  # the text before the links is the title; an emoji or "[QA]" is no title
            "* Weaviate Integration [(text2vec)](https://www.semi.technology/t2v.html) [🔗](https://www.semi.technology/qna.html) - Weaviate with Transformers.\n",
            {"https://www.semi.technology/t2v.html": "Weaviate Integration", "https://www.semi.technology/qna.html": "Weaviate Integration"},
        ),
        (  # a named link keeps its own text, even next to a generic one
            "* [trl](https://github.com/lvwerra/trl) ([Paper](https://arxiv.org/abs/1909.08593)) - PPO for transformers\n",
            {"github:lvwerra/trl": "trl", "arxiv:1909.08593": "trl"},
        ),
        (  # an untitled sub-item ("Code: [Official](…)") belongs to its parent item
            "- [Position: The RLHF Trilemma](https://arxiv.org/abs/2511.19504)\n  - Ana Author, Bo Author\n  - Code: [Official](https://github.com/rmovva/wimhf)\n",
            {"arxiv:2511.19504": "Position: The RLHF Trilemma", "github:rmovva/wimhf": "Position: The RLHF Trilemma"},
        ),
        (  # a titled sub-item is an item of its own
            "- [JavaScript](https://github.com/sorrycc/awesome-javascript)\n\t- [Promises](https://github.com/wbinnssmith/awesome-promises)\n",
            {"github:sorrycc/awesome-javascript": "JavaScript", "github:wbinnssmith/awesome-promises": "Promises"},
        ),
        (  # a paragraph: a title line, then the paper and its code as bare URLs
            "Visualization-of-Thought Elicits Spatial Reasoning\nhttps://arxiv.org/abs/2404.03622\nhttps://github.com/sitloboi2012/Visualization-of-Thought\n",
            {"arxiv:2404.03622": "Visualization-of-Thought Elicits Spatial Reasoning",
             "github:sitloboi2012/visualization-of-thought": "Visualization-of-Thought Elicits Spatial Reasoning"},
        ),
        (  # a title line, then a paragraph of badges
            "From Seeing to Doing: Bridging Reasoning and Decision\n\n[![Project](https://img.shields.io/badge/Project-blue)](https://embodied-fsd.github.io/)\n[![GitHub stars](https://img.shields.io/github/stars/p/Embodied-FSD)](https://github.com/p/Embodied-FSD)\n",
            {"https://embodied-fsd.github.io/": "From Seeing to Doing: Bridging Reasoning and Decision",
             "github:p/embodied-fsd": "From Seeing to Doing: Bridging Reasoning and Decision"},
        ),
        (  # "Paper name: X" is titled X, the "paper link:" label is not a title
            "RL's Razor\n论文名称：RL's Razor: Why Online RL Forgets Less\n论文链接：https://arxiv.org/pdf/2509.04259\n",
            {"arxiv:2509.04259": "RL's Razor: Why Online RL Forgets Less"},
        ),
        (  # prose around a generic link gives no title
            "Use [this](https://example.org/thread/11) thread to ask for your favourite conference.\n",
            {"https://example.org/thread/11": None},
        ),
        (  # a bare URL has no title of its own (as today), a name in front of it is its title
            "* https://github.com/openai/lm-human-preferences - The first code released\n* ChatGPT (https://openai.com/blog/chatgpt/)\n",
            {"github:openai/lm-human-preferences": None, "https://openai.com/blog/chatgpt/": "ChatGPT"},
        ),
        (  # a star badge image and a <br> before the bold title link; Github/Demo take the row's title
            "| Title | Venue | Date | Code | Demo |\n|---|---|---|---|---|\n"
            "| ![Star](https://img.shields.io/github/stars/B/Woodpecker.svg) <br> [**Woodpecker: Hallucination Correction**](https://arxiv.org/pdf/2310.16045.pdf) <br> "
            "| arXiv | 2023-10-24 | [Github](https://github.com/B/Woodpecker) | [Demo](https://woodpecker.example.org/) |\n",
            {"arxiv:2310.16045": "Woodpecker: Hallucination Correction", "github:b/woodpecker": "Woodpecker: Hallucination Correction",
             "https://woodpecker.example.org/": "Woodpecker: Hallucination Correction"},
        ),
        (  # a task-list box and :emoji: codes are not part of a title
            "- [ ] [Tool](https://github.com/t/t) - a task\n- :star: :fire: [Star tool](https://github.com/s/s) - hot\n",
            {"github:t/t": "Tool", "github:s/s": "Star tool"},
        ),
        (  # an HTML table row: the column named "Model" holds the title
            "<table><tr><th>Date</th><th>Model</th><th>Links</th></tr>\n<tr><td>2024-05</td><td>DeepSeek-V2</td><td><a href='https://arxiv.org/abs/2405.04434'>paper</a> <a href='https://github.com/deepseek-ai/DeepSeek-V2'>code</a></td></tr></table>\n",
            {"arxiv:2405.04434": "DeepSeek-V2", "github:deepseek-ai/deepseek-v2": "DeepSeek-V2"},
        ),
    ],
)
def test_titles(markdown: str, titles: dict[str, str | None]) -> None:
    entries = parsed(markdown)
    assert {entry_id: entries[entry_id].title for entry_id in titles} == titles


@pytest.mark.parametrize(
    ("markdown", "entry_id", "description"),
    [
        (  # the text of an inline link stays in the description
            "- [gevent](https://github.com/gevent/gevent) - A networking library that uses [greenlet](https://github.com/python-greenlet/greenlet).\n",
            "github:gevent/gevent", "A networking library that uses greenlet.",
        ),
        (  # parentheses stay balanced: nothing is cut at a link
            "- [gymnasium](https://github.com/Farama-Foundation/Gymnasium) - A standard API for RL ([gym](https://github.com/openai/gym) successor).\n",
            "github:farama-foundation/gymnasium", "A standard API for RL (gym successor).",
        ),
        (  # the closing parenthesis at the end is the text's own
            "* https://github.com/CarperAI/trlx - Distributed training with Human Feedback (RLHF)\n",
            "github:carperai/trlx", "Distributed training with Human Feedback (RLHF)",
        ),
        (  # separators and generic links are dropped
            "- **LIMO** -- less is more for reasoning [Paper](https://arxiv.org/abs/2502.03387) | [Code](https://github.com/GAIR-NLP/LIMO)\n",
            "arxiv:2502.03387", "less is more for reasoning",
        ),
        (  # a paper's bold title, then authors and venue, then bracketed [paper] [code] links
            "1. **Chain of Thought Prompting**. Wei et al. *NeurIPS 2022*. [[paper](https://arxiv.org/abs/2201.11903)] [[code](https://github.com/a/cot)]\n",
            "github:a/cot", "Wei et al. NeurIPS 2022.",
        ),
        (  # an aside after the title keeps its words, not its dash
            "* [Official Course](https://huggingface.co/course) (from Hugging Face) - The official course series.\n",
            "https://huggingface.co/course", "(from Hugging Face) The official course series.",
        ),
        (  # a table: the Notes column, not the size, the date or the yes/no column
            "| Dataset | # | Thinking | Notes |\n|---|---|---|---|\n| [open-perfectblend](https://huggingface.co/datasets/mlabonne/open-perfectblend) (Oct 2024) | 1.42M | No | Open reproduction of [this paper](https://arxiv.org/abs/2409.20370). |\n",
            "hf:dataset/mlabonne/open-perfectblend", "Open reproduction of this paper.",
        ),
        (  # a table without a notes column: the other text cells, named by their header
            "| Date | keywords | Institute | Paper |\n|---|---|---|---|\n| 2017-06 | Transformers | Google | [Attention Is All You Need](https://arxiv.org/pdf/1706.03762.pdf) |\n",
            "arxiv:1706.03762", "keywords: Transformers; Institute: Google",
        ),
        (  # what is left after the labels is nothing
            "HyperTree Planning\n> 项目网站：https://aintdoin.github.io/htp/ 代码链接：https://github.com/aintdoin/htp\n",
            "github:aintdoin/htp", None,
        ),
    ],
)
def test_descriptions(markdown: str, entry_id: str, description: str | None) -> None:
    assert parsed(markdown)[entry_id].description == description


def test_a_table_row_records_its_cells_by_header() -> None:
    entry = parsed(
        "| Title | Conf | Code | Stars |\n|:--|:--:|:--:|:--:|\n"
        "| [Video-to-Video Synthesis](https://arxiv.org/abs/1808.06601) | NIPS | [code](https://github.com/NVIDIA/vid2vid) | 5578 |\n"
    )["arxiv:1808.06601"]
    (item,) = entry.items
    assert (item.kind, item.title, item.description, item.line) == (ItemKind.TABLE_ROW, "Video-to-Video Synthesis", "Conf: NIPS", 3)
    assert list(zip(item.columns, item.cells, strict=True)) == [
        ("Title", "Video-to-Video Synthesis"), ("Conf", "NIPS"), ("Code", "code"), ("Stars", "5578"),
    ]


@pytest.mark.parametrize(
    ("markdown", "ties"),
    [
        (  # a paper and its code in one row are tied, both ways
            "| Title | Code |\n|---|---|\n| [Glow](http://arxiv.org/abs/1807.03039v2) | [code](https://github.com/openai/glow) |\n",
            {"arxiv:1807.03039": ["github:openai/glow"], "github:openai/glow": ["arxiv:1807.03039"]},
        ),
        (  # two bullets are two items: not tied
            "* [trl](https://github.com/lvwerra/trl)\n* [trlx](https://github.com/CarperAI/trlx)\n",
            {"github:lvwerra/trl": [], "github:carperai/trlx": []},
        ),
        (  # a bar of named links is several things, not one
            "[Follow me on X](https://twitter.com/m) • [Hugging Face](https://huggingface.co/mlabonne) • [Handbook](https://packt.link/a/1)\n",
            {"https://twitter.com/m": [], "https://packt.link/a/1": []},
        ),
        (  # badges that each name a different thing are not one thing either
            "[![OpenAI o1](https://img.shields.io/badge/OpenAI-o1-9cf)](https://openai.com/o1/)\n[![DeepSeek-R1](https://img.shields.io/github/stars/deepseek-ai/DeepSeek-R1)](https://github.com/deepseek-ai/DeepSeek-R1)\n",
            {"https://openai.com/o1/": [], "github:deepseek-ai/deepseek-r1": []},
        ),
        (  # a paper listed in two rows is tied to the code of each
            "| T | C |\n|---|---|\n| [A](https://arxiv.org/abs/2101.00001) | [code](https://github.com/a/one) |\n| [A](https://arxiv.org/abs/2101.00001) | [code](https://github.com/a/two) |\n",
            {"arxiv:2101.00001": ["github:a/one", "github:a/two"], "github:a/one": ["arxiv:2101.00001"]},
        ),
    ],
)
def test_same_item(markdown: str, ties: dict[str, list[str]]) -> None:
    entries = parsed(markdown)
    assert {entry_id: entries[entry_id].same_item for entry_id in ties} == ties


def test_an_item_of_many_links_is_a_collection_not_one_thing() -> None:
    line = " ".join(f"[p{i}](https://arxiv.org/abs/2101.{i:05d})" for i in range(MAX_TIED + 1))
    entries = parsed(f"* **Reading list** {line}\n")
    assert len(entries) == MAX_TIED + 1
    assert all(e.same_item == [] for e in entries.values())
    assert all(e.items[0].title == "Reading list" for e in entries.values())


def test_positions_point_at_their_items() -> None:
    entry = parsed("# A\n* [trl](https://github.com/lvwerra/trl) - one\n# B\n* [TRL](https://github.com/lvwerra/trl) - two\n")[
        "github:lvwerra/trl"
    ]
    assert [(p.item, p.section) for p in entry.positions] == [(1, ["A"]), (2, ["B"])]
    assert [(i.index, i.title, i.description, i.section) for i in entry.items] == [
        (1, "trl", "one", ["A"]), (2, "TRL", "two", ["B"]),
    ]
    assert (entry.title, entry.description) == ("trl", "one")  # the first position's


# -- headings as authors mean them (issue 12) ------------------------------------------------------


def sections_of(markdown: str) -> dict[str, list[str]]:
    return {e.id: e.section for e in parse_list(markdown.encode(), "list.md").entries}


@pytest.mark.parametrize(
    ("markdown", "sections"),
    [
        (  # the first list's years: emphasis paragraphs are sub-sections, the next replaces it
            "# Papers\n\n*2020*\n* [A](https://arxiv.org/abs/2001.00001)\n\n*2022*\n* [B](https://arxiv.org/abs/2201.00001)\n# Code\n* [C](https://github.com/c/c)\n",
            {"arxiv:2001.00001": ["Papers", "2020"], "arxiv:2201.00001": ["Papers", "2022"], "github:c/c": ["Code"]},
        ),
        (  # a bold group label above ### sections labels them, until the next label: never stacks
            "## Projects\n\n**AI & ML**\n\n### Deep Learning\n- [torch](https://github.com/pytorch/pytorch)\n### Vision\n- [cv](https://github.com/opencv/opencv)\n\n"
            "**Web Development**\n\n### Web Frameworks\n- [django](https://github.com/django/django)\n## Resources\n- [pb](https://pythonbytes.fm)\n",
            {"github:pytorch/pytorch": ["Projects", "AI & ML", "Deep Learning"], "github:opencv/opencv": ["Projects", "AI & ML", "Vision"],
             "github:django/django": ["Projects", "Web Development", "Web Frameworks"], "https://pythonbytes.fm/": ["Resources"]},
        ),
        (  # a tagline right under a heading is its description, not a level (with or without a link)
            "### Deep Learning\n\n_Frameworks for Neural Networks. Also see [awesome-dl](https://github.com/c/awesome-dl)._\n\n- [keras](https://github.com/keras-team/keras)\n"
            "## 🔁 Style Transfer\n*Transfer the style of text! Now you know why?*\n* [Styleformer](https://github.com/p/Styleformer)\n",
            {"github:c/awesome-dl": ["Deep Learning"], "github:keras-team/keras": ["Deep Learning"], "github:p/styleformer": ["🔁 Style Transfer"]},
        ),
        (  # a bracketed gloss under a heading is a description too
            "## 1. Why We Need Thinking?\n*（为什么我们需要思考）*\n\n* [W](https://en.wikipedia.org/wiki/Thinking)\n",
            {"https://en.wikipedia.org/wiki/Thinking": ["1. Why We Need Thinking?"]},
        ),
        (  # a pseudo-heading ends at the next heading, even a deeper one, and at ---
            "### 3.2 Understanding\n\n**VLM-FO1: Object Detection**\n\n[x](https://arxiv.org/abs/2509.00001)\n\n#### Video\n- [v](https://github.com/v/v)\n\n"
            "**Visual-RFT**\n\n[![arXiv](https://img.shields.io/badge/arXiv-2503.01785-b31b1b)](https://arxiv.org/pdf/2503.01785)\n\n---\n\n[after](https://github.com/a/after)\n",
            {"arxiv:2509.00001": ["3.2 Understanding", "VLM-FO1: Object Detection"], "github:v/v": ["3.2 Understanding", "Video"],
             "arxiv:2503.01785": ["3.2 Understanding", "Video", "Visual-RFT"], "github:a/after": ["3.2 Understanding", "Video"]},
        ),
        (  # <details><summary> is a sub-section until the block ends; one that repeats the heading is not
            "## Open LLM\n<details>\n<summary>DeepSeek</summary>\n\n  - [DeepSeek-V3](https://github.com/deepseek-ai/DeepSeek-V3)\n</details>\n\n"
            "- [after](https://github.com/a/after)\n## Milestone Papers\n<details>\n<summary> milestone papers </summary>\n\n- [T](https://arxiv.org/abs/1706.03762)\n</details>\n",
            {"github:deepseek-ai/deepseek-v3": ["Open LLM", "DeepSeek"], "github:a/after": ["Open LLM"], "arxiv:1706.03762": ["Milestone Papers"]},
        ),
        (  # an HTML heading is a heading
            '<h1 align="center">Awesome <u>P</u>I</h1>\n\n* [x](https://github.com/x/x)\n',
            {"github:x/x": ["Awesome PI"]},
        ),
    ],
)
def test_sections(markdown: str, sections: dict[str, list[str]]) -> None:
    assert sections_of(markdown) == sections


def test_a_tagline_is_recorded_as_its_sections_description() -> None:
    parsed_list = parse_list(b"## Web APIs\n\n_Libraries for building RESTful APIs._\n\n- [x](https://github.com/x/x)\n", "l.md")
    assert parsed_list.section_descriptions == {("Web APIs",): "Libraries for building RESTful APIs."}


# -- badges (issue 12) ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("markdown", "source", "entries", "skipped"),
    [
        (  # a badge to a paper or a repository is an entry; its alt is not its title
            "* **Tree of Thoughts** [![arXiv](https://img.shields.io/badge/arXiv-2305.10601-b31b1b)](https://arxiv.org/abs/2305.10601) "
            "[![GitHub](https://img.shields.io/github/stars/princeton-nlp/tree-of-thought-llm)](https://github.com/princeton-nlp/tree-of-thought-llm)\n",
            "list.md",
            {"arxiv:2305.10601": "Tree of Thoughts", "github:princeton-nlp/tree-of-thought-llm": "Tree of Thoughts"},
            [],
        ),
        (  # a badge to a badge service or to an image is skipped, with the reason
            "# L [![Awesome](https://awesome.re/badge.svg)](https://awesome.re)\n[![x](https://i.imgur.com/a.png)](https://i.imgur.com/a.png)\n* [a](https://github.com/a/a)\n",
            "list.md",
            {"github:a/a": "a"},
            [("https://awesome.re", "badge (links to a badge service)"), ("https://i.imgur.com/a.png", "image")],
        ),
        (  # the list's own repository (named by its source) and a licence file are skipped
            "[![License](https://img.shields.io/badge/License-MIT)](https://github.com/o/awesome/blob/main/LICENSE)\n"
            "* [a](https://github.com/a/a)\n* [stars](https://github.com/o/awesome/stargazers)\n",
            "github:o/awesome/README.md",
            {"github:a/a": "a"},
            [("https://github.com/o/awesome/blob/main/LICENSE", "a repository's licence or contributing guide"),
             ("https://github.com/o/awesome/stargazers", "the list's own repository")],
        ),
        (  # badges at the top linking to a repository's issues name the list's own repository
            '<p><a href="https://github.com/2-mo/A/issues"><img src="https://img.shields.io/badge/Issues-Track-orange"></a></p>\n\n'
            "* [xformers](https://github.com/x/x)\n* [me again](https://github.com/2-mo/A)\n",
            "list.md",
            {"github:x/x": "xformers"},
            [("https://github.com/2-mo/A/issues", "the list's own repository"), ("https://github.com/2-mo/A", "the list's own repository")],
        ),
        (  # a share button is not a page
            "* [a](https://github.com/a/a) [![Tweet](https://img.shields.io/twitter/url/x.svg)](https://twitter.com/intent/tweet?text=Hi)\n",
            "list.md",
            {"github:a/a": "a"},
            [("https://twitter.com/intent/tweet?text=Hi", "share button")],
        ),
    ],
)
def test_badges(markdown: str, source: str, entries: dict[str, str], skipped: list[tuple[str, str]]) -> None:
    result = parse_list(markdown.encode(), source)
    assert {e.id: e.title for e in result.entries} == entries
    assert [(s.url, s.reason) for s in result.skipped if s.reason != "image" or s.url in dict(skipped)] == skipped


# -- raw HTML (issue 12; issue 18 item 14) -----------------------------------------------------------


@pytest.mark.parametrize(
    ("markdown", "expected"),
    [
        (  # links in an HTML block are entries, positioned on their own line
            '<div align="center">\n  <p>\n    <a href="https://twitter.com/m">Follow me on X</a> •\n    <a href="https://huggingface.co/datasets/m/d">LLM Datasets</a>\n  </p>\n</div>\n',
            [("https://twitter.com/m", "Follow me on X", 3), ("https://huggingface.co/datasets/m/d", "LLM Datasets", 4)],
        ),
        (  # inline HTML links inside Markdown, with an image inside as a badge
            'Read <a href="https://arxiv.org/abs/2201.11903"><img src="https://img.shields.io/badge/arXiv-x.svg"></a> and <a href="https://cot.example.org/">the CoT site</a>.\n',
            [("https://arxiv.org/abs/2201.11903", None, 1), ("https://cot.example.org/", "the CoT site", 1)],
        ),
        (  # an HTML list and table
            "<ul><li><a href='https://github.com/a/a'>A</a> - first</li>\n<li><b>B</b> <a href='https://github.com/b/b'>code</a></li></ul>\n",
            [("https://github.com/a/a", "A", 1), ("https://github.com/b/b", "B", 2)],
        ),
        (  # a link inside <details>
            "<details><summary>More</summary><a href='https://example.org/more'>More things</a></details>\n",
            [("https://example.org/more", "More things", 1)],
        ),
    ],
)
def test_html(markdown: str, expected: list[tuple[str, str | None, int]]) -> None:
    links, _ = extract_links(markdown)
    assert [(link.url, link.text, link.line) for link in links] == expected


# -- autolinks as GitHub renders them (issue 12) -----------------------------------------------------


@pytest.mark.parametrize(
    ("markdown", "urls"),
    [
        ("see www.example.com/docs. and https://a.org/b, then (http://c.org/d)\n", ["http://www.example.com/docs", "https://a.org/b", "http://c.org/d"]),
        ("bare domains are text: huggingface.co, VB.NET and example.org\n", []),
        ("ftp://files.example.org and //cdn.example.org/x are not autolinked\n", []),
        ("论文链接：https://arxiv.org/abs/2505.02322项目网站：https://htp.example.org/代码链接：https://github.com/a/htp\n",
         ["https://arxiv.org/abs/2505.02322", "https://htp.example.org/", "https://github.com/a/htp"]),
        ("https://zh.wikipedia.org/wiki/中文 is one link\n", ["https://zh.wikipedia.org/wiki/%E4%B8%AD%E6%96%87"]),
        ("- [LLM]([https://github.com/simonw/llm) - a CLI\n", ["https://github.com/simonw/llm"]),
    ],
)
def test_autolinks(markdown: str, urls: list[str]) -> None:
    links, _ = extract_links(markdown)
    assert [link.url for link in links] == urls


# -- nothing dropped silently (issue 12; issue 18 item 14) ---------------------------------------------


@pytest.mark.parametrize(
    ("markdown", "skipped"),
    [
        ("```\ncurl https://api.example.org/v1\n```\n", [("https://api.example.org/v1", 2, "in code (not a link)")]),
        ("Use `https://example.org/x` here.\n", [("https://example.org/x", 1, "in code (not a link)")]),
        ("<!-- [old](https://old.example.org) -->\n", [("https://old.example.org", 1, "in an HTML comment (not shown)")]),
        ("A local server http://[::1]:39851/ is text.\n", [("http://[::1]:39851/", 1, "not a link as GitHub shows it")]),
        ("[x][missing]\n\n[used]: https://used.example.org\n[unused]: https://unused.example.org\n\nsee [used]\n",
         [("https://unused.example.org", 4, "reference definition never used")]),
        ('<p>Mirror: https://mirror.example.org/</p>\n', [("https://mirror.example.org/", 1, "in HTML text or an attribute (not a link)")]),
        ("> see [q]\n>\n> [q]: https://quoted.example.org\n> [u]: https://unused-in-quote.example.org\n",
         [("https://unused-in-quote.example.org", 4, "reference definition never used")]),
    ],
)
def test_urls_that_are_not_links_are_reported(markdown: str, skipped: list[tuple[str, int, str]]) -> None:
    _, found = extract_links(markdown)
    assert [(s.url, s.line, s.reason) for s in found if s.reason != "image"] == skipped


def test_every_link_of_a_mixed_list_is_accounted_for() -> None:
    markdown = (
        "# Mixed\n[![CI](https://img.shields.io/badge/ci.svg)](https://github.com/me/list/actions)\n\n"
        "| Paper | Code |\n|---|---|\n| [P](https://arxiv.org/abs/2101.00001) | [code](https://github.com/p/p) |\n\n"
        '<p><a href="https://example.org/a">A</a> <img src="https://example.org/i.png"></p>\n\n'
        "* www.example.com/page and https://x.org/y\n* `https://code.example.org` <!-- https://hidden.example.org -->\n"
        "```\nhttps://fenced.example.org\n```\n"
    )
    result = parse_list(markdown.encode(), "list.md")
    accounted = {u for e in result.entries for u in e.urls} | {s.url for s in result.skipped}
    badges = set(re.findall(r"\[!\[[^\]]*\]\(([^)]+)\)", markdown))  # the image of a badge link
    written = {m.group().rstrip(".,)") for m in re.finditer(r"(?:https?://|www\.)[^\s)\]\"'<>`]+", markdown)} - badges
    assert {w for w in written if not any(a.startswith(w) or a.endswith(w) for a in accounted)} == set()
