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
