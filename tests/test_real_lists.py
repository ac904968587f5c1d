"""The parser on real awesome lists, written by other people in their own styles (issue 12).

The lists are read from ``../shared/lists/real/`` beside the checkout (its README says where each
comes from); they are other people's files and are never copied into the project, so these
tests skip when that folder is absent. Every expected value below was checked by reading the
list itself: the repositories per list against an independent count of the GitHub repositories
in the file (the differences are the list's own repository, licence links and a link to an
image), the papers as its distinct arXiv ids plus its links to the paper hosts that
`core/paperhosts.py` knows (CVF, NeurIPS, PMLR, OpenReview, ACL, DOI…), the spot checks line
by line.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from urllib.parse import unquote

import pytest

from enrich.core.listing import ParsedList, parse_list
from shared_data import ABSENT, REAL_LISTS

REAL = REAL_LISTS

pytestmark = pytest.mark.skipif(not REAL.is_dir(), reason=ABSENT)

# Entries per kind.
COUNTS = {
    "2mo-Awesome-Thinking-with-PI.md": {"dataset": 3, "paper": 82, "repo": 83, "web": 36},
    "Hannibal046-Awesome-LLM.md": {"model": 14, "paper": 56, "repo": 150, "space": 2, "web": 148},
    "dair-ai-ML-Papers-of-the-Week.md": {"dataset": 2, "model": 3, "paper": 1130, "repo": 50, "web": 1418},
    "huggingface-awesome-huggingface.md": {"model": 1, "repo": 52, "web": 7},
    "jordimas-awesome-RLHF-language-models.md": {"dataset": 2, "paper": 8, "repo": 7, "web": 11},
    "mlabonne-llm-datasets.md": {"dataset": 59, "model": 1, "paper": 16, "repo": 15, "web": 13},
    "opendilab-awesome-RLHF.md": {"dataset": 7, "model": 1, "paper": 121, "repo": 89, "web": 49},
    "sindresorhus-awesome.md": {"repo": 680, "web": 12},
    "vinta-awesome-python.md": {"repo": 480, "web": 53},
    "zziz-pwc.md": {"paper": 1521, "repo": 1515, "web": 5},
}

PY = ["Awesome Python", "Projects"]
HF = ["awesome-huggingface"]
PI = ["Awesome Thinking with PI (Perception & Interaction)"]
WEEK = ["ML Papers of The Week"]

# (list, entry id, title, section, tied to, description starts with) — read off the list.
SPOTS = [
    # a bold group label above ### sections; a link inside a description; a tagline is not a level
    ("vinta-awesome-python.md", "github:gevent/gevent", "gevent",
     [*PY, "Python Language", "Asynchronous Programming"], ["github:python-greenlet/greenlet"],
     "A coroutine-based Python networking library that uses greenlet."),
    ("vinta-awesome-python.md", "github:django/django", "django",  # listed thrice: tied in each item
     [*PY, "Web Development", "Web Frameworks"],
     ["https://docs.djangoproject.com/en/dev/ref/contrib/gis/", "https://docs.djangoproject.com/en/dev/topics/db/models/"],
     "The most popular web framework in Python."),
    ("vinta-awesome-python.md", "github:pytorch/pytorch", "pytorch", [*PY, "AI & ML", "Deep Learning"], [],
     "Tensors and Dynamic neural networks"),
    ("vinta-awesome-python.md", "github:farama-foundation/gymnasium", "gymnasium",
     [*PY, "AI & ML", "Deep Learning"], ["github:openai/gym"],
     "A standard API for reinforcement learning environments with popular reference environments (gym successor)."),
    # italic taglines under headings are descriptions; "(from X)" asides keep their words
    ("huggingface-awesome-huggingface.md", "github:huggingface/transformers", "transformers",
     [*HF, "🤗 Official Libraries"], [], "State-of-the-art natural language processing"),
    ("huggingface-awesome-huggingface.md", "github:prithivirajdamodaran/styleformer", "Styleformer",
     [*HF, "🔁 Style Transfer"], [], "A neural language style transfer framework"),
    ("huggingface-awesome-huggingface.md", "github:microsoft/deepspeed", "Deepspeed",
     [*HF, "🌗 Model Scalability"], ["https://huggingface.co/docs/transformers/master/main_classes/deepspeed"],
     "(from Microsoft) Deepspeed-ZeRO"),
    # a table inside <details>; <summary> groups; the malformed "[LLM]([https://…)"
    ("Hannibal046-Awesome-LLM.md", "arxiv:1706.03762", "Attention Is All You Need",
     ["Awesome-LLM", "Milestone Papers"], [], "keywords: Transformers; Institute: Google"),
    ("Hannibal046-Awesome-LLM.md", "github:deepseek-ai/deepseek-coder-v2", "DeepSeek-Coder-v2-16|236B-MOE",
     ["Awesome-LLM", "Open LLM", "DeepSeek"], [], None),
    ("Hannibal046-Awesome-LLM.md", "github:simonw/llm", "LLM", ["Awesome-LLM", "LLM Applications"], [],
     "A CLI utility and Python library"),
    ("Hannibal046-Awesome-LLM.md", "github:benman1/generative_ai_with_langchain",
     "Generative AI with LangChain: Build large language model (LLM) apps with Python, ChatGPT, and other LLMs",
     ["Awesome-LLM", "LLM Books"], ["https://amzn.to/3GUlRng"], "it comes with a GitHub repository that showcases"),
    # table rows of "**Title** - summary" (and the later "Title  summary") with Paper/Tweet/Code links
    ("dair-ai-ML-Papers-of-the-Week.md", "arxiv:2411.11843", "Bi-Mamba",
     [*WEEK, "Top ML Papers of the Week (November 18 - November 24) - 2024"], [], "a scalable 1-bit Mamba architecture"),
    ("dair-ai-ML-Papers-of-the-Week.md", "arxiv:2502.05171", "Scaling up Test-Time Compute with Latent Reasoning",
     [*WEEK, "Top ML Papers of the Week (February 10 - February 16) - 2025"],
     ["https://x.com/omarsar0/status/1890506648772571452"], "This work introduces a latent recurrent-depth transformer"),
    ("dair-ai-ML-Papers-of-the-Week.md", "github:simplescaling/s1", "s1: Simple test-time scaling",
     [*WEEK, "Top ML Papers of the Week (February 3 - February 9) - 2025"],
     ["arxiv:2501.19393", "http://twitter.com/omarsar0/status/1886428631041225030"], "Researchers from Stanford, UW"),
    # | Title | Conf | Code | Stars |: the paper and its code are one row
    ("zziz-pwc.md", "github:nvidia/vid2vid", "Video-to-Video Synthesis", ["2018"], ["arxiv:1808.06601"], "Conf: NIPS"),
    ("zziz-pwc.md", "github:dmitryulyanov/deep-image-prior", "Deep Image Prior", ["2018"],
     ["cvf:Ulyanov_Deep_Image_Prior_CVPR_2018_paper"], "Conf: CVPR"),
    # Hub datasets in tables: the Notes column, not the size or the date
    ("mlabonne-llm-datasets.md", "hf:dataset/mlabonne/open-perfectblend", "open-perfectblend",
     ["📅 Instruction Datasets", "General"], ["arxiv:2409.20370"], "Open reproduction of the dataset described in this paper."),
    ("mlabonne-llm-datasets.md", "arxiv:2409.20370", "open-perfectblend",
     ["📅 Instruction Datasets", "General"], ["hf:dataset/mlabonne/open-perfectblend"], "Open reproduction"),
    # "- Code: [Official](…)" under a paper belongs to the paper's item
    ("opendilab-awesome-RLHF.md", "github:rmovva/wimhf",
     "What's In My Human Feedback? Learning Interpretable Descriptions of Preference Data",
     ["Awesome RLHF (RL with Human Feedback)", "Papers", "2025"], ["arxiv:2510.26202"],
     "Rajiv Movva, Smitha Milli, Sewon Min, Emma Pierson; Sparse Autoencoders"),  # its sub-items
    # shields.io badges to arXiv and GitHub; bare URLs under a title line; a URL glued to CJK text
    ("2mo-Awesome-Thinking-with-PI.md", "arxiv:2201.11903",
     "Chain-of-Thought Prompting Elicits Reasoning in Large Language Models",
     [*PI, "2. 💬 Thinking with Language", "2.1 Language as Explicit Thought"], [], "最早的 CoT 提示范式。"),
    ("2mo-Awesome-Thinking-with-PI.md", "github:sitloboi2012/visualization-of-thought",
     "Visualization-of-Thought Elicits Spatial Reasoning in Large Language Models",
     [*PI, "2. 💬 Thinking with Language", "2.1 Language as Explicit Thought"], ["arxiv:2404.03622"], None),
    ("2mo-Awesome-Thinking-with-PI.md", "arxiv:2505.02322",
     "HyperTree Planning: Enhancing LLM Reasoning via Hierarchical Thinking",
     [*PI, "2. 💬 Thinking with Language", "2.1 Language as Explicit Thought"],
     ["github:aintdoin/hypertreeplanning", "https://aintdoin.github.io/hypertree-planning.github.io/"],
     "来自中国科学技术大学与华为诺亚方舟实验室的团队给出了答案"),  # the quote's last line of text
    ("2mo-Awesome-Thinking-with-PI.md", "github:liuziyu77/visual-rft",
     "Visual-RFT: Visual Reinforcement Fine-Tuning (ICCV 2025)",
     [*PI, "2. 💬 Thinking with Language", "2.4 Text-Space Multimodal Reasoning", "目标检测/分割",
      "Visual-RFT: Visual Reinforcement Fine-Tuning (ICCV 2025)"], ["arxiv:2503.01785"], None),
    ("2mo-Awesome-Thinking-with-PI.md", "github:huggingface/open-r1", "Open-R1",
     [*PI, "2. 💬 Thinking with Language", "2.3 R1-Style Models Overview (as of March)"], [],
     "Foundational LLMs: Qwen2.5-1.5B-Instruct; Institution: HuggingFace; Task: Generic"),
    # nested lists of lists, an HTML header of sponsors
    ("sindresorhus-awesome.md", "github:bcoe/awesome-cross-platform-nodejs", "Cross-Platform", ["Platforms"], [],
     "Writing cross-platform code on Node.js."),
    ("sindresorhus-awesome.md", "https://depot.dev/", "Fast remote container builds and GitHub Actions runners.", [], [], None),
]  # fmt: skip

# Skipped links that must be skipped, with their reason.
SKIPS = [
    ("2mo-Awesome-Thinking-with-PI.md", "https://github.com/2-mo/Awesome-Thinking-with-PI/issues", "the list's own repository"),
    ("2mo-Awesome-Thinking-with-PI.md", "https://github.com/2-mo/Awesome-Thinking-with-PI", "in an HTML comment (not shown)"),
    ("Hannibal046-Awesome-LLM.md", "https://awesome.re", "badge (links to a badge service)"),
    ("zziz-pwc.md", "https://github.com/zziz/pwc/issues/11", "the list's own repository"),
    ("sindresorhus-awesome.md", "https://github.com/sindresorhus/awesome#readme", "the list's own repository"),
    ("vinta-awesome-python.md", "https://github.com/vinta/awesome-python/blob/master/CONTRIBUTING.md",
     "a repository's licence or contributing guide"),
]  # fmt: skip

# What a link text says when it names the kind of link, not the thing (the issue's own list).
GENERIC = {"paper", "code", "pdf", "[pdf]", "arxiv", "github", "project", "website", "demo", "tweet",
           "blog", "link", "model", "dataset", "hf", "official", "here", "this"}  # fmt: skip

_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"'`)\]]+", re.IGNORECASE)
_IMAGE = re.compile(r"!\[[^\]]*\]\(\s*<?([^)\s>]+)|<img[^>]*\bsrc=[\"']([^\"']+)|srcset=[\"']([^\"']+)", re.I)


@functools.cache
def _parse(name: str) -> ParsedList:
    return parse_list((REAL / name).read_bytes(), name)


@pytest.mark.parametrize(("name", "counts"), COUNTS.items())
def test_counts_per_kind(name: str, counts: dict[str, int]) -> None:
    assert dict(Counter(e.kind.value for e in _parse(name).entries)) == counts


@pytest.mark.parametrize(("name", "entry_id", "title", "section", "tied", "description"), SPOTS)
def test_spot_checks(
    name: str, entry_id: str, title: str, section: list[str], tied: list[str], description: str | None
) -> None:
    entry = {e.id: e for e in _parse(name).entries}[entry_id]
    assert (entry.title, entry.section, entry.same_item) == (title, section, tied)
    if description is None:
        assert entry.description is None
    else:
        assert entry.description is not None and entry.description.startswith(description)


@pytest.mark.parametrize(("name", "url", "reason"), SKIPS)
def test_skipped_with_a_reason(name: str, url: str, reason: str) -> None:
    assert (url, reason) in {(s.url, s.reason) for s in _parse(name).skipped}


@pytest.mark.parametrize("name", COUNTS)
def test_no_link_of_the_file_is_unaccounted_for(name: str) -> None:
    """Every URL written in the file (images aside) is an entry's URL or a skipped one."""
    text = (REAL / name).read_text()
    parsed = _parse(name)
    known = sorted({unquote(u) for e in parsed.entries for u in e.urls} | {unquote(s.url) for s in parsed.skipped})
    images = {unquote(g) for m in _IMAGE.finditer(text) for g in m.groups() if g}
    missing = []
    for match in _URL.finditer(text):
        url = unquote(match.group()).rstrip(".,;:!?*_~'")
        if any(i.startswith(url) for i in images):
            continue
        if not any(k.startswith(url) or url.startswith(k.rstrip("/")) for k in known):
            missing.append(url)
    assert missing == []


@pytest.mark.parametrize("name", COUNTS)
def test_no_generic_title_where_the_item_has_a_better_one(name: str) -> None:
    for entry in _parse(name).entries:
        if entry.title is not None:
            assert entry.title.strip("[]() ").lower() not in GENERIC, entry.id


@pytest.mark.parametrize("name", COUNTS)
def test_sections_are_the_lists_own_headings(name: str) -> None:
    """Every section name is written in the file, and no tagline (a sentence) is a section."""
    flat = " ".join(re.sub(r"<[^<>\n]+>|[*_`#]", "", (REAL / name).read_text()).split())
    for entry in _parse(name).entries:
        for part in entry.section:
            assert part in flat, (entry.id, part)
            assert not part.endswith((".", "。")), (entry.id, part)


# Papers tied to their code by the list alone (a row or item holding both), before any fetch:
# counted by `enrich.core.graph` and checked against the lists (zziz-pwc: one table row per
# paper with a `[Paper]` and a `[Code]` link; one row links no code).
PAPERS_WITH_CODE = {
    "2mo-Awesome-Thinking-with-PI.md": 36,
    "dair-ai-ML-Papers-of-the-Week.md": 31,
    "opendilab-awesome-RLHF.md": 71,
    "zziz-pwc.md": 1520,
}


@pytest.mark.parametrize(("name", "expected"), sorted(PAPERS_WITH_CODE.items()))
def test_a_row_with_paper_and_code_ties_them(name: str, expected: int) -> None:
    from enrich.core.graph import with_graph
    from enrich.core.model import Evidence, Relation

    entries, _ = with_graph(_parse(name).entries)
    coded = [e for e in entries if e.kind == "paper"
             and any(t.relation is Relation.CODE and t.evidence == [Evidence.SAME_ITEM] for t in e.ties)]  # fmt: skip
    assert len(coded) == expected
