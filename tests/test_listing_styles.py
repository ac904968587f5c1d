"""Titles, descriptions and sections as lists in many styles write them (issue 25).

One table per class of error found on real lists; each case is a small list written here in
the style of that class (sample data, not copied from any list). A rule that is a judgement is
written down in the README ("Lists the parser reads").
"""

from __future__ import annotations

import pytest

from enrich.core.listing import parse_list
from enrich.core.model import Entry


def parsed(markdown: str, source: str = "sample.md") -> dict[str, Entry]:
    return {e.id: e for e in parse_list(markdown.encode(), source).entries}


def titles(markdown: str) -> dict[str, str | None]:
    return {entry_id: entry.title for entry_id, entry in parsed(markdown).items()}


# -- names thrown away: a domain as a link text, names the generic-word check took for labels --
@pytest.mark.parametrize(
    ("markdown", "expected"),
    [
        (  # a domain or a repository path written as the link's text names the site
            "* [anvil.works](https://anvil.works) - Web app builder\n"
            "* [github.com/odino/interviews](https://github.com/odino/interviews) : questions\n",
            {"https://anvil.works/": "anvil.works", "github:odino/interviews": "github.com/odino/interviews"},
        ),
        (  # the URL itself (with its scheme, or www.) is no name
            "* [https://github.com/a/b](https://github.com/a/b) - x\n* [www.example.org](https://www.example.org) - y\n",
            {"github:a/b": None, "https://www.example.org/": None},
        ),
        (  # names that contain a generic word: title case, braces, a site's own name
            "* [Data Read](https://github.com/dr/dr) - reads data\n"
            "* [Open HTML to PDF](https://github.com/oh/oh) - renders\n"
            "* [{fmt}](https://github.com/fmtlib/fmt) - formatting\n"
            "* [GitLab](https://docs.gitlab.com/ee/development/go_guide/) - GitLab's Go guide\n"
            "* [draw.io](https://www.drawio.com) - diagrams\n",
            {"github:dr/dr": "Data Read", "github:oh/oh": "Open HTML to PDF", "github:fmtlib/fmt": "{fmt}",
             "https://docs.gitlab.com/ee/development/go_guide/": "GitLab", "https://www.drawio.com/": "draw.io"},
        ),
        (  # still generic: kinds of links, in any case, and a site's name on one of its objects
            "* Tool X [Official Code](https://github.com/x/x) [Project Page](https://x.org/p) [GitHub](https://github.com/x/y)\n",
            {"github:x/x": "Tool X", "https://x.org/p": "Tool X", "github:x/y": "Tool X"},
        ),
        (  # phrases in title case that say what a link is, or where
            "* [Guess Right](https://guess.example.org) - a game. Code is [Open Source on GitHub](https://github.com/g/guess) (not the live files).\n"
            "* [Kubero](https://kubero.dev) - a PaaS ([Demo](https://demo.kubero.dev/), [See Demo](https://kubero.dev/try))\n"
            "* [Questflow](https://questflow.ai) - agents; [Twitter](https://twitter.com/questflow)\n",
            {"github:g/guess": "Guess Right", "https://demo.kubero.dev/": "Kubero", "https://kubero.dev/try": "Kubero",
             "https://twitter.com/questflow": "Questflow"},
        ),
        (  # "Git" names Git (it is no kind of link), next to another name in a sentence
            "You'll need [Node.js](https://nodejs.org/en) (20 or later) and [Git](https://git-scm.com/) installed.\n",
            {"https://nodejs.org/en": "Node.js", "https://git-scm.com/": "Git"},
        ),
    ],
)
def test_names_are_kept(markdown: str, expected: dict[str, str | None]) -> None:
    assert {k: v for k, v in titles(markdown).items() if k in expected} == expected


# -- paper titles outside the link, and titles cut or polluted ---------------------------------
@pytest.mark.parametrize(
    ("markdown", "expected"),
    [
        (  # a citation: the title, a year in parentheses, authors, then [pdf]
            "1. Deep learning (2015), Y. LeCun et al. [[pdf]](https://www.nature.com/articles/nature14539.pdf)\n"
            "2. Representation learning: A review and new perspectives (2013), Y. Bengio et al. [[pdf]](https://arxiv.org/pdf/1206.5538)\n",
            {"doi:10.1038/nature14539": ("Deep learning", "(2015), Y. LeCun et al."),
             "arxiv:1206.5538": ("Representation learning: A review and new perspectives", "(2013), Y. Bengio et al.")},
        ),
        (  # a title with a subtitle before generic links keeps its colon (ASCII or full-width)
            "* Scaling Laws: A Study of Compute [paper](https://arxiv.org/abs/2001.08361)\n"
            "* 深度学习：一个综述 [论文](https://arxiv.org/abs/2002.00001)\n",
            {"arxiv:2001.08361": ("Scaling Laws: A Study of Compute", None), "arxiv:2002.00001": ("深度学习：一个综述", None)},
        ),
        (  # a name and a sentence that describes it still split at the colon
            "* Flask: a microframework for Python. [code](https://github.com/pallets/flask)\n",
            {"github:pallets/flask": ("Flask", "a microframework for Python.")},
        ),
        (  # a [YYYY/MM] date before a bold title; the title's colon and its full stop
            "- [2023/04] **Generative Agents: Interactive Simulacra of Human Behavior.** *J. Park et al. arXiv.* "
            "[[paper](https://arxiv.org/abs/2304.03442)] [[code](https://github.com/joonspk-research/generative_agents)]\n",
            {"arxiv:2304.03442": ("Generative Agents: Interactive Simulacra of Human Behavior", "J. Park et al. arXiv."),
             "github:joonspk-research/generative_agents": ("Generative Agents: Interactive Simulacra of Human Behavior", "J. Park et al. arXiv.")},
        ),
        (  # quote marks around a bold title are the list's punctuation, not the title's
            '- [2023/08] **"AgentBench: Evaluating LLMs as Agents."** *X. Liu et al.* [[paper](https://arxiv.org/abs/2308.03688)]\n'
            "- **“Why Should I Trust You?”** [pdf](https://arxiv.org/abs/1602.04938)\n",
            {"arxiv:2308.03688": ("AgentBench: Evaluating LLMs as Agents", "X. Liu et al."),
             "arxiv:1602.04938": ("Why Should I Trust You?", None)},
        ),
        (  # and around a link's text
            '- Inspired by the paper ["Generative Agents: Interactive Simulacra"](https://arxiv.org/abs/2304.03442)\n'
            "- [“The system can’t handle a billion dollars”](https://xcancel.com/s/status/1) - ERPs break.\n",
            {"arxiv:2304.03442": ("Generative Agents: Interactive Simulacra", 'Inspired by the paper "Generative Agents: Interactive Simulacra"'),
             "https://xcancel.com/s/status/1": ("The system can’t handle a billion dollars", "ERPs break.")},
        ),
        (  # a date in other spellings, and in a table cell
            "- (2024.05) Foo: A Bar [paper](https://arxiv.org/abs/2405.00001)\n"
            "- 【2023-11】 **Baz** [paper](https://arxiv.org/abs/2311.00001)\n",
            {"arxiv:2405.00001": ("Foo: A Bar", None), "arxiv:2311.00001": ("Baz", None)},
        ),
        (  # an underlined or superscript label before a title is no title
            "- <u>Survey</u> **A Survey of Agents** [paper](https://arxiv.org/abs/2308.11432)\n"
            "- <sup>new</sup> [Reflexion](https://arxiv.org/abs/2303.11366) - verbal RL\n",
            {"arxiv:2308.11432": ("A Survey of Agents", None), "arxiv:2303.11366": ("Reflexion", "verbal RL")},
        ),
    ],
)
def test_paper_titles_whole_and_clean(markdown: str, expected: dict[str, tuple[str | None, str | None]]) -> None:
    entries = parsed(markdown)
    assert {k: (entries[k].title, entries[k].description) for k in expected} == expected


# -- descriptions elsewhere in the item, and markup left in text -------------------------------
@pytest.mark.parametrize(
    ("markdown", "expected"),
    [
        (  # <kbd> badges are no description; the text after <br> is
            "> **[Jimfs](https://github.com/google/jimfs)** <kbd>★ 2.6k</kbd> <kbd>Apache-2.0</kbd> 🟢<br>In-memory file system.\n",
            {"github:google/jimfs": ("Jimfs", "In-memory file system.")},
        ),
        (  # the text after <br> names something in passing: still the item's description, tied
            "> **[iCal4j](https://github.com/ical4j/ical4j)** <kbd>★ 837</kbd><br>Parse iCalendar [RFC 5545](https://tools.ietf.org/html/rfc5545) data.\n",
            {"github:ical4j/ical4j": ("iCal4j", "Parse iCalendar RFC 5545 data."),
             "https://tools.ietf.org/html/rfc5545": ("RFC 5545", "Parse iCalendar RFC 5545 data.")},
        ),
        (  # a bold title, its authors and its venue on lines of their own (hard breaks)
            "**Active Retrieval Augmented Generation**  \n*Z. Jiang, F. Xu*  \narXiv – May 2023 [[paper](https://arxiv.org/abs/2305.06983)]\n",
            {"arxiv:2305.06983": ("Active Retrieval Augmented Generation", "Z. Jiang, F. Xu arXiv – May 2023")},
        ),
        (  # a title wrapped over two lines above a bare URL; a last line of text describes it
            "Thinking With Videos: Tool-Augmented Learning for\nLong Video Reasoning\nhttps://arxiv.org/abs/2508.04416\n\n"
            "Single-stream Policy Optimization\nhttps://arxiv.org/abs/2509.13232\nTencent\n",
            {"arxiv:2508.04416": ("Thinking With Videos: Tool-Augmented Learning for Long Video Reasoning", None),
             "arxiv:2509.13232": ("Single-stream Policy Optimization", "Tencent")},
        ),
        (  # a tag line in code under an item is no description
            "**CogCoM: Chain-of-Manipulations** — 可执行操作。[paper](https://arxiv.org/pdf/2402.04236)\n`Grounding, Scale`\n",
            {"arxiv:2402.04236": ("CogCoM: Chain-of-Manipulations", "可执行操作。")},
        ),
        (  # GitHub emoji codes anywhere, a warning sign before the dash, a label tag before <br>
            "* [Beast](https://github.com/boostorg/beast) :zap: - HTTP and WebSocket. [Boost]\n"
            "* [Synapse](https://github.com/m/synapse) `⚠` - Depends on a proprietary service.\n"
            "- [Docker/CLI](https://github.com/docker/cli) _(label: exp/beginner)_ <br> The Docker CLI\n",
            {"github:boostorg/beast": ("Beast", "HTTP and WebSocket. [Boost]"),
             "github:m/synapse": ("Synapse", "Depends on a proprietary service."),
             "github:docker/cli": ("Docker/CLI", "The Docker CLI")},
        ),
        (  # links named by a part ("Clients") among labels leave no "(, Clients)" behind
            "- [FaynoSync](https://faynosync.com) - Update server. ([Source Code](https://github.com/ku9nov/faynoSync), "
            "[Clients](https://github.com/ku9nov/faynoSync-dashboard)) `Apache-2.0` `Go`\n",
            {"https://faynosync.com/": ("FaynoSync", "Update server. Apache-2.0 Go"),
             "github:ku9nov/faynosync-dashboard": ("FaynoSync", "Update server. Apache-2.0 Go")},
        ),
        (  # a label and a named link: no description that only repeats the title
            "Paper link: [A Survey on LLM-based Agents](https://arxiv.org/abs/2308.11432)\n",
            {"arxiv:2308.11432": ("A Survey on LLM-based Agents", None)},
        ),
        (  # a link named in a sentence: the sentence describes it
            "- 🥳 [2023/09/20] This project has been listed on [GitHub Trendings](https://github.com/trending)!  It is a great honor!\n",
            {"https://github.com/trending": ("GitHub Trendings", "This project has been listed on GitHub Trendings! It is a great honor!")},
        ),
        (  # a platform's name in a sentence stays; field labels before links and prose go
            "- [Signal](https://signal.org) - Use it rather than [Telegram](https://telegram.org), or Viber.\n"
            "- **Adsqa: Ad Videos** Project page: https://github.com/t/adsqa **主要内容**：分析广告视频。\n",
            {"https://signal.org/": ("Signal", "Use it rather than Telegram, or Viber."),
             "github:t/adsqa": ("Adsqa: Ad Videos", "分析广告视频。")},
        ),
        (  # a field name before the prose of a table cell, a bracket opened by a dropped link
            "| Model | Notes |\n|---|---|\n| [Yi](https://github.com/01-ai/Yi) | **Highlights**: bilingual. |\n\n"
            "* [Little Go Book](https://github.com/sefus/the-little-go-book) - K. Seguin ([PDF](https://x.org/g.pdf), EPUB)\n",
            {"github:01-ai/yi": ("Yi", "bilingual."), "github:sefus/the-little-go-book": ("Little Go Book", "K. Seguin (EPUB)")},
        ),
    ],
)
def test_descriptions_as_written(markdown: str, expected: dict[str, tuple[str | None, str | None]]) -> None:
    entries = parsed(markdown)
    assert {k: (entries[k].title, entries[k].description) for k in expected} == expected


# -- a link text naming a framework or a part; secondary links in a sentence -------------------
@pytest.mark.parametrize(
    ("markdown", "expected"),
    [
        (  # a code column's link named by its framework takes the row's title
            "| Title | Code |\n|---|---|\n| [Supervised Learning of Sentence Embeddings](https://arxiv.org/abs/1705.02364) "
            "| [Pytorch](https://github.com/facebookresearch/InferSent) |\n",
            {"github:facebookresearch/infersent": "Supervised Learning of Sentence Embeddings"},
        ),
        (  # parts, editions, roles and leaderboards of the item's thing
            "* [The Rust Book](https://doc.rust-lang.org/book/) ([English](https://doc.rust-lang.org/en/), [中文](https://kaisery.github.io/trpl-zh-cn/))\n"
            "* [MMLU](https://github.com/hendrycks/test) - a benchmark [🏆 Leaderboard](https://mmlu.example.org/lb) [Coming soon](https://mmlu.example.org/soon)\n"
            "* [Deep Learning Lectures](https://dl.example.org) [Part 1](https://youtu.be/aaa) [Part 2](https://youtu.be/bbb)\n",
            {"https://doc.rust-lang.org/en/": "The Rust Book", "https://kaisery.github.io/trpl-zh-cn/": "The Rust Book",
             "https://mmlu.example.org/lb": "MMLU", "https://mmlu.example.org/soon": "MMLU",
             "https://youtu.be/aaa": "Deep Learning Lectures", "https://youtu.be/bbb": "Deep Learning Lectures"},
        ),
        (  # the same word first in its item is the thing itself, and in a sentence it names another
            "* [PyTorch](https://github.com/pytorch/pytorch) - Tensors and neural networks\n"
            "* [keras](https://github.com/keras-team/keras) - runs on top of [TensorFlow](https://github.com/tensorflow/tensorflow)\n",
            {"github:pytorch/pytorch": "PyTorch", "github:tensorflow/tensorflow": "TensorFlow"},
        ),
        (  # words of a sentence are no title; a name, or the target's own name, is
            "- [OpenZiti](https://github.com/openziti/ziti) - SDKs for languages such as [golang](https://github.com/openziti/sdk-golang) "
            "and more; see [alternatives](https://github.com/lycheeverse/lychee#features), the [Test Kitchen](https://github.com/openziti-test-kitchen) "
            "and [zssh](https://github.com/openziti-test-kitchen/zssh), which uses [greenlet](https://github.com/python-greenlet/greenlet) "
            "and [rsync](https://linux.die.net/man/1/rsync).\n",
            {"github:openziti/sdk-golang": None, "github:lycheeverse/lychee": None, "https://github.com/openziti-test-kitchen": "Test Kitchen",
             "github:openziti-test-kitchen/zssh": "zssh", "github:python-greenlet/greenlet": "greenlet", "https://linux.die.net/man/1/rsync": "rsync"},
        ),
        (  # a list of sites in a sentence: each its own name
            "* Also, [Quora](https://www.quora.com/), [Reddit](https://www.reddit.com), you know the drill.\n",
            {"https://www.quora.com/": "Quora", "https://www.reddit.com/": "Reddit"},
        ),
    ],
)
def test_parts_and_secondary_links(markdown: str, expected: dict[str, str | None]) -> None:
    assert {k: v for k, v in titles(markdown).items() if k in expected} == expected


def sections(markdown: str) -> dict[str, list[str]]:
    return {entry_id: entry.section for entry_id, entry in parsed(markdown).items()}


# -- titles that stand above their links: a bold line over labelled links, a heading link ------
@pytest.mark.parametrize(
    ("markdown", "expected"),
    [
        (  # a bold line over a list of "Label: URL" items titles them (and is no section)
            "# 3DGS\n\n**Scaffold-GS: Structured 3D Gaussians**\n\n- Homepage: https://city-super.github.io/scaffold-gs/\n"
            "- Paper: https://arxiv.org/abs/2312.00109\n- Code: https://github.com/city-super/Scaffold-GS\n\n"
            "**GPS-Gaussian**\n\n- Paper(Oral): https://arxiv.org/abs/2312.02155\n- Code: [GitHub](https://github.com/aipixel/GPS-Gaussian)\n",
            {"https://city-super.github.io/scaffold-gs/": ("Scaffold-GS: Structured 3D Gaussians", ["3DGS"]),
             "arxiv:2312.00109": ("Scaffold-GS: Structured 3D Gaussians", ["3DGS"]),
             "github:city-super/scaffold-gs": ("Scaffold-GS: Structured 3D Gaussians", ["3DGS"]),
             "arxiv:2312.02155": ("GPS-Gaussian", ["3DGS"]), "github:aipixel/gps-gaussian": ("GPS-Gaussian", ["3DGS"])},
        ),
        (  # a bold line over items with names of their own is a pseudo-heading, as before
            "# Tools\n\n**Trainers**\n\n- [trl](https://github.com/huggingface/trl) - PPO\n- Paper: https://arxiv.org/abs/1909.08593\n",
            {"github:huggingface/trl": ("trl", ["Tools", "Trainers"]), "arxiv:1909.08593": (None, ["Tools", "Trainers"])},
        ),
        (  # a project that is a heading link: "[Paper]", "[Docs]" in its <details> are its own
            "## [Agent4Rec](https://github.com/LehengTHU/Agent4Rec)\nRecommender simulator\n\n<details>\n\n### Links\n"
            "- [Paper](https://arxiv.org/abs/2310.10108)\n- [Docs](https://agent4rec.readthedocs.io/)\n\n</details>\n\n"
            "## [AgentForge](https://github.com/DataBassGit/AgentForge)\n<details>\n\n### Links\n- [Web](https://www.agentforge.net/)\n"
            "- [Discord](https://discord.gg/agentforge)\n</details>\n\n## Community\n\n- [Discord](https://discord.gg/community)\n",
            {"arxiv:2310.10108": ("Agent4Rec", ["Agent4Rec", "Links"]), "https://agent4rec.readthedocs.io/": ("Agent4Rec", ["Agent4Rec", "Links"]),
             "https://www.agentforge.net/": ("AgentForge", ["AgentForge", "Links"]),
             "https://discord.gg/agentforge": ("AgentForge", ["AgentForge", "Links"]),  # the project's Discord
             "https://discord.gg/community": ("Discord", ["Community"])},
        ),
    ],
)
def test_titles_above_their_links(markdown: str, expected: dict[str, tuple[str | None, list[str]]]) -> None:
    entries = parsed(markdown)
    assert {k: (entries[k].title, entries[k].section) for k in expected} == expected


def test_a_heading_link_is_described_by_the_line_under_it() -> None:
    entries = parsed(
        "## [Godmode](https://godmode.space/)\nInspired by AutoGPT and BabyAGI, with nice UI\n\n<details>\n\n### Category\nGeneral\n</details>\n\n"
        "## [Fine](https://www.fine.dev/)\n\n- [Docs](https://docs.fine.dev/) - how to\n"
    )
    assert (entries["https://godmode.space/"].title, entries["https://godmode.space/"].description) == (
        "Godmode", "Inspired by AutoGPT and BabyAGI, with nice UI")
    assert entries["https://www.fine.dev/"].description is None


# -- sub-items that hold the item's title or description ---------------------------------------
@pytest.mark.parametrize(
    ("markdown", "expected"),
    [
        (  # a note about a paper: the paper's links take the "论文" line's title, "简介" describes
            "- [【关于 Longformer】那些你不知道的事](https://github.com/km/notes/tree/master/longformer/)\n"
            "  - 论文：Longformer: The Long-Document Transformer\n  - 论文地址：https://arxiv.org/abs/2004.05150\n"
            "  - github：https://github.com/allenai/longformer\n  - 简介：长文档的 Transformer。\n",
            {"arxiv:2004.05150": ("Longformer: The Long-Document Transformer", "长文档的 Transformer。"),
             "github:allenai/longformer": ("Longformer: The Long-Document Transformer", "长文档的 Transformer。")},
        ),
        (  # the same under a heading that is a link: the sub-items still belong to their item;
            # a CJK label of a link ("… 源码地址", "source code address") names no title
            "###### [【关于 新词发现】那些你不知道的事](https://github.com/km/ie/tree/master/nwd/)\n\n"
            "- [【关于 AutoPhrase】那些你不知道的事](https://github.com/km/ie/tree/master/ap/)\n  - 论文：《AutoPhrase: Phrase Mining》\n"
            "  - 论文源码地址：https://github.com/luozhouyang/AutoPhraseX\n  - 论文地址：https://arxiv.org/abs/1702.04457\n",
            {"arxiv:1702.04457": ("AutoPhrase: Phrase Mining", None), "github:luozhouyang/autophrasex": ("AutoPhrase: Phrase Mining", None)},
        ),
        (  # "Description:" and "Title:" sub-bullets in English
            "* [Tool](https://github.com/t/tool)\n    * Description: A tool for things.\n\n"
            "* Paper: https://arxiv.org/abs/2401.00001\n    * Title: Some Paper About Things\n",
            {"github:t/tool": ("Tool", "A tool for things."), "arxiv:2401.00001": ("Some Paper About Things", None)},
        ),
        (  # sub-items of authors and keywords describe a paper that has no description otherwise
            "- [Towards Efficient Online Exploration](https://arxiv.org/abs/2509.22633)\n  - Gen Li, Yuling Yan\n"
            "  - Keyword: Online RL, Bandits\n  - Code: [Official](https://github.com/g/explore)\n",
            {"arxiv:2509.22633": ("Towards Efficient Online Exploration", "Gen Li, Yuling Yan; Online RL, Bandits"),
             "github:g/explore": ("Towards Efficient Online Exploration", "Gen Li, Yuling Yan; Online RL, Bandits")},
        ),
    ],
)
def test_fields_in_sub_items(markdown: str, expected: dict[str, tuple[str | None, str | None]]) -> None:
    entries = parsed(markdown)
    assert {k: (entries[k].title, entries[k].description) for k in expected} == expected


# -- sections: taglines, <details> categories, names without markup ---------------------------
@pytest.mark.parametrize(
    ("markdown", "expected"),
    [
        (  # an italic tagline under a heading describes it (no sub-section); a short label is one
            "## GUI\n\n*Libraries for building graphical user interfaces*\n\n* [toga](https://github.com/beeware/toga)\n\n"
            "## Models\n\n**Large Language Models**\n\n* [llama](https://github.com/meta/llama)\n",
            {"github:beeware/toga": ["GUI"], "github:meta/llama": ["Models", "Large Language Models"]},
        ),
        (  # each <details> category ends with its block, headings inside it too
            "## Projects\n\n<details>\n<summary><strong>CLI</strong> <kbd>9 projects</kbd></summary>\n\n#### Argument Parsing <kbd>5 projects</kbd>\n\n"
            "> **[JCommander](https://github.com/cbeust/jcommander)**<br>Parses flags.\n\n</details>\n\n"
            "<details>\n<summary><strong>Cloud</strong> <kbd>6 projects</kbd></summary>\n\n> **[Jclouds](https://github.com/apache/jclouds)**<br>Clouds.\n\n</details>\n",
            {"github:cbeust/jcommander": ["Projects", "CLI", "Argument Parsing"], "github:apache/jclouds": ["Projects", "Cloud"]},
        ),
        (  # emoji codes, a "[TOC]" link back to the contents, counts: not part of a section's name
            "# :trident: The Book\n\n#### CLI Tools &nbsp;[<sup>[TOC]</sup>](#table-of-contents)\n\n"
            "##### :black_small_square: Shells (4 links)\n\n- [fish](https://fishshell.com/) - a shell\n",
            {"https://fishshell.com/": ["The Book", "CLI Tools", "Shells"]},
        ),
    ],
)
def test_section_names(markdown: str, expected: dict[str, list[str]]) -> None:
    assert {k: v for k, v in sections(markdown).items() if k in expected} == expected


# -- HTML tables whose cells span rows or columns ----------------------------------------------
def test_spanning_cells_keep_the_columns_in_place() -> None:
    """A header of <td> cells over two rows (colspan, rowspan), and a category cell spanning rows:
    each row's title is its Model cell and its description names the right columns."""
    markdown = (
        "<table>\n<tr><td rowspan='2'>Category</td><td rowspan='2'>Model</td><td colspan='2'>Memory</td><td rowspan='2'>Paper</td></tr>\n"
        "<tr><td>Operation</td><td>Structure</td></tr>\n"
        "<tr><td rowspan='2'>Agents</td><td>WebGPT</td><td>-</td><td>Unified</td><td><a href='https://arxiv.org/abs/2112.09332'>Paper</a></td></tr>\n"
        "<tr><td>SayCan</td><td>Read/Write</td><td>Hybrid</td><td><a href='https://arxiv.org/abs/2204.01691'>Paper</a></td></tr>\n"
        "</table>\n"
    )
    entries = parsed(markdown)
    assert (entries["arxiv:2112.09332"].title, entries["arxiv:2112.09332"].description) == (
        "WebGPT", "Category: Agents; Memory Structure: Unified")
    assert (entries["arxiv:2204.01691"].title, entries["arxiv:2204.01691"].description) == (
        "SayCan", "Category: Agents; Memory Operation: Read/Write; Memory Structure: Hybrid")
    assert entries["arxiv:2204.01691"].items[0].columns == ["Category", "Model", "Memory Operation", "Memory Structure", "Paper"]


# -- badges before a title, in the list's header; links into a repository -----------------------
@pytest.mark.parametrize(
    ("markdown", "source", "expected", "skipped"),
    [
        (  # a stars badge before the paper's title link: the title is the paper's, not repeated below
            "| Title | Paper |\n|---|---|\n| [![Star](https://img.shields.io/github/stars/A/LLMCBench.svg)](https://github.com/A/LLMCBench)<br>"
            "[LLMCBench: Benchmarking Compression](https://arxiv.org/abs/2410.21352) <br> Ge Yang, Changyi He | [Paper](https://arxiv.org/abs/2410.21352) |\n",
            "sample.md",
            {"github:a/llmcbench": ("LLMCBench: Benchmarking Compression", "Ge Yang, Changyi He"),
             "arxiv:2410.21352": ("LLMCBench: Benchmarking Compression", "Ge Yang, Changyi He")},
            [],
        ),
        (  # badges in the list's header decorate the list: skipped, with the reason
            "# Awesome X [![Awesome](https://awesome.re/badge.svg)](https://github.com/sindresorhus/awesome)\n\n"
            "[![Discord](https://img.shields.io/discord/1.svg)](https://discord.gg/abc) A list of things.\n\n"
            "## Things\n\n- [thing](https://github.com/t/thing) [![CI](https://ci.example.org/b.svg)](https://ci.example.org/t)\n",
            "sample.md",
            {"github:t/thing": ("thing", None), "https://ci.example.org/t": ("thing", None)},
            [("https://github.com/sindresorhus/awesome", "badge in the list's header"),
             ("https://discord.gg/abc", "badge in the list's header")],
        ),
        (  # a github: list's links to its own folders are pages of the list, one entry each
            "# Apps\n\n* [🔍 Research Agent](advanced_ai_agents/research_agent/) - searches\n"
            "* [Chat with PDF](rag_tutorials/chat_with_pdf/README.md) - asks\n* [Licence](LICENSE)\n",
            "github:Shubhamsaboo/awesome-llm-apps/README.md",
            {"https://github.com/Shubhamsaboo/awesome-llm-apps/tree/HEAD/advanced_ai_agents/research_agent/": ("Research Agent", "searches"),
             "https://github.com/Shubhamsaboo/awesome-llm-apps/blob/HEAD/rag_tutorials/chat_with_pdf/README.md": ("Chat with PDF", "asks")},
            [("https://github.com/Shubhamsaboo/awesome-llm-apps/blob/HEAD/LICENSE", "a repository's licence or contributing guide")],
        ),
    ],
)
def test_badges_and_pages(markdown: str, source: str, expected: dict[str, tuple[str | None, str | None]],
                          skipped: list[tuple[str, str]]) -> None:  # fmt: skip
    result = parse_list(markdown.encode(), source)
    entries = {e.id: e for e in result.entries}
    assert {k: (entries[k].title, entries[k].description) for k in expected} == expected
    assert set(skipped) <= {(s.url, s.reason) for s in result.skipped}


def test_a_repositorys_folders_give_it_no_title() -> None:
    """Links to folders of one repository are one entry (the repository); its title is what a
    link to the repository itself says, else none when several folders would name it (the
    repository's name stands in); a single folder's link titles it as any link does."""
    entries = parsed(
        "* [mPLUG-Owl2](https://github.com/X-PLUG/mPLUG-Owl/tree/main/mPLUG-Owl2) - the second\n"
        "* [Swivel](https://github.com/tensorflow/models/tree/master/research/swivel) - embeddings\n"
        "* [Slim](https://github.com/tensorflow/models/tree/master/research/slim) - image models\n"
        "* [transformers](https://github.com/huggingface/transformers/tree/main/examples) - examples\n"
        "* [Transformers](https://github.com/huggingface/transformers) - the library\n"
    )
    models, library = entries["github:tensorflow/models"], entries["github:huggingface/transformers"]
    assert (models.title, models.description, [i.title for i in models.items]) == (None, None, ["Swivel", "Slim"])
    assert (library.title, library.description) == ("Transformers", "the library")
    assert (entries["github:x-plug/mplug-owl"].title, entries["github:x-plug/mplug-owl"].description) == ("mPLUG-Owl2", "the second")


@pytest.mark.parametrize(
    ("markdown", "expected"),
    [
        (  # a badge that names its repository titles it when nothing else in the item does
            "## Tools\n\n[![EasyR1](https://img.shields.io/github/stars/hiyouga/EasyR1?label=EasyR1)](https://github.com/hiyouga/EasyR1) — R1 templates.\n",
            {"github:hiyouga/easyr1": ("EasyR1", "R1 templates.")},
        ),
        (  # one that names a site or a counter does not; a title line above wins
            "## Papers\n\n[![arXiv](https://img.shields.io/badge/arXiv-2505.15298-b31b1b)](https://arxiv.org/pdf/2505.15298)\n\n"
            "Nav-R1: Reasoning and Navigation\n\n[![DeepSeek](https://img.shields.io/badge/x-y)](https://arxiv.org/abs/2505.00001)\n",
            {"arxiv:2505.15298": (None, None), "arxiv:2505.00001": ("Nav-R1: Reasoning and Navigation", None)},
        ),
        (  # a title line stays the title of the quote under it (its first lines without links too)
            "## GUI\n\nLearning Active Perception for GUI Grounding\n> Soochow University\n**主要内容**：提出LASER框架。\n"
            "**链接**：[https://github.com/wwfnb/Laser](https://github.com/wwfnb/Laser)\n",
            {"github:wwfnb/laser": ("Learning Active Perception for GUI Grounding", "提出LASER框架。")},
        ),
    ],
)
def test_titles_of_last_resort(markdown: str, expected: dict[str, tuple[str | None, str | None]]) -> None:
    entries = parsed(markdown)
    assert {k: (entries[k].title, entries[k].description) for k in expected} == expected


@pytest.mark.parametrize(
    ("markdown", "expected"),
    [
        (  # a generic word that is the repository's own name, or a name around one
            "- [hub](https://github.com/github/hub) - wraps git\n- [datasets](https://github.com/huggingface/datasets) - the hub of datasets\n"
            "- [Go Blog](https://blog.golang.org) - the official Go blog\n* [Video++](https://github.com/matt-42/vpp) - video processing\n",
            {"github:github/hub": "hub", "github:huggingface/datasets": "datasets", "https://blog.golang.org/": "Go Blog",
             "github:matt-42/vpp": "Video++"},
        ),
        (  # a name in brackets is no marker ("[pdf]" is): "【…】" around a title
            "> **所有文章已经搬到 [【关于AiGC那些你不知道的事】](https://yaz.feishu.cn/mindnotes/OS)，方便大家利用手机学习**\n",
            {"https://yaz.feishu.cn/mindnotes/OS": "关于AiGC那些你不知道的事"},
        ),
        (  # a reference that never resolved shows its URL: the bracketed text before it is the title
            "* [Jpegli][https://github.com/google/jpegli] - an improved JPEG encoder\n",
            {"github:google/jpegli": "Jpegli"},
        ),
    ],
)
def test_names_that_look_generic(markdown: str, expected: dict[str, str | None]) -> None:
    assert {k: v for k, v in titles(markdown).items() if k in expected} == expected
