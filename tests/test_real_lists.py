"""The parser on real awesome lists, written by other people in their own styles (issues 12, 25).

The forty lists are read from the shared folder (``$ENRICH_SHARED/lists/real/``, by default
``../shared`` beside the checkout; its README says where each comes from); they are other
people's files and are never copied into the project, so these tests skip when that folder is
absent. Every expected value below was checked by reading the list itself: the repositories per
list against an independent count of the GitHub repository URLs in the file (the differences
are the list's own repository, licence links, badges in the list's header, links in HTML
comments, images, gists and ``github.com/…`` written without a scheme, which GitHub does not
link), the papers as its distinct arXiv ids plus its links to the paper hosts that
`core/paperhosts.py` knows (CVF, NeurIPS, PMLR, OpenReview, ACL, DOI…), the spot checks line
by line. The corpus report's totals (``benches/corpus.py``) are held by the last test.
"""

from __future__ import annotations

import bisect
import html
import importlib.util
import re
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType
from urllib.parse import unquote, urlsplit

import pytest

from enrich.core.listing import ParsedList
from shared_data import ABSENT, REAL_LISTS, parsed_real_list

REAL = REAL_LISTS

# Each real list is parsed once per test process (`shared_data.parsed_real_list`); `make test`
# runs this module on one worker (--dist loadfile).
pytestmark = pytest.mark.skipif(not REAL.is_dir(), reason=ABSENT)

# Entries per kind.
COUNTS = {
    "2mo-Awesome-Thinking-with-PI.md": {"dataset": 3, "paper": 82, "repo": 83, "web": 36},
    "ChristosChristofidis-awesome-deep-learning.md": {"paper": 33, "repo": 112, "web": 450},
    "EbookFoundation-free-programming-books-free-programming-books-ru.md": {"repo": 21, "web": 224},
    "EthicalML-awesome-production-machine-learning.md": {"paper": 1, "repo": 541, "space": 1, "web": 18},
    "Hannibal046-Awesome-LLM.md": {"collection": 22, "model": 14, "paper": 56, "repo": 150, "space": 2, "web": 126},
    "Lissy93-awesome-privacy.md": {"repo": 255, "web": 1326},
    "MunGell-awesome-for-beginners.md": {"repo": 223, "web": 13},
    "Paitesanshi-LLM-Agent-Survey.md": {"paper": 112, "repo": 50, "web": 21},
    "Shubhamsaboo-awesome-llm-apps.md": {"repo": 3, "web": 11},
    "WooooDyy-LLM-Agent-Paper-List.md": {"dataset": 3, "model": 1, "paper": 249, "repo": 95, "web": 56},
    "akullpp-awesome-java.md": {"repo": 785, "web": 124},
    "amusi-CVPR2024-Papers-with-Code.md": {"paper": 95, "repo": 87, "web": 29},
    "avelino-awesome-go.md": {"repo": 2791, "web": 346},
    "awesome-foss-awesome-sysadmin.md": {"repo": 227, "web": 426},
    "dair-ai-ML-Papers-of-the-Week.md": {"dataset": 2, "model": 3, "paper": 1130, "repo": 50, "web": 1418},
    "dypsilon-frontend-dev-bookmarks-TOTALLY-GIGANTIC-FILE.md": {"repo": 254, "web": 697},
    "e2b-dev-awesome-ai-agents.md": {"paper": 21, "repo": 109, "space": 4, "web": 647},
    "fffaraz-awesome-cpp.md": {"repo": 1038, "web": 603},
    "horseee-Awesome-Efficient-LLM.md": {"model": 1, "paper": 210, "repo": 92, "web": 1},
    "huggingface-awesome-huggingface.md": {"model": 1, "repo": 52, "web": 7},
    "jaywcjlove-awesome-mac.md": {"repo": 651, "web": 1204},
    "jordimas-awesome-RLHF-language-models.md": {"dataset": 2, "paper": 8, "repo": 7, "web": 11},
    "josephmisiti-awesome-machine-learning.md": {"paper": 2, "repo": 866, "web": 366},
    "jxzhangjhu-Awesome-LLM-RAG.md": {"model": 1, "paper": 31, "repo": 22, "web": 15},
    "kdeldycke-awesome-falsehood.md": {"repo": 21, "web": 133},
    "km1994-nlp_paper_study.md": {"model": 2, "paper": 52, "repo": 74, "space": 1, "web": 23},
    "mlabonne-llm-datasets.md": {"collection": 1, "dataset": 59, "model": 1, "paper": 16, "repo": 15, "web": 12},
    "nnzhan-Awesome-Graph-Neural-Networks.md": {"paper": 134, "repo": 12, "web": 15},
    "opendilab-awesome-RLHF.md": {"dataset": 7, "model": 1, "paper": 121, "repo": 89, "web": 49},
    "public-apis-public-apis.md": {"repo": 106, "web": 1611},
    "ripienaar-free-for-dev.md": {"repo": 11, "web": 1333},
    "rust-unofficial-awesome-rust.md": {"repo": 1578, "web": 909},
    "sdmg15-Best-websites-a-programmer-should-visit.md": {"repo": 29, "web": 672},
    "sindresorhus-awesome.md": {"repo": 680, "web": 12},
    "taishi-i-awesome-japanese-nlp-resources-huggingface.ja.md": {"dataset": 165, "model": 187, "paper": 1, "repo": 1, "web": 5},
    "tensorchord-Awesome-LLMOps.md": {"model": 2, "paper": 1, "repo": 309, "web": 39},
    "trimstray-the-book-of-secret-knowledge.md": {"repo": 348, "web": 624},
    "vinta-awesome-python.md": {"repo": 480, "web": 53},
    "vuejs-awesome-vue.md": {"repo": 558, "web": 554},
    "zziz-pwc.md": {"paper": 1521, "repo": 1515, "web": 5},
}  # fmt: skip

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
    # the thirty lists added later (issue 25), one style each
    ("akullpp-awesome-java.md", "github:google/jimfs", "Jimfs", ["Awesome Java", "Projects", "Utility"], [],
     "In-memory file system."),  # a <details> category per block, <kbd> badges, the text after <br>
    ("amusi-CVPR2024-Papers-with-Code.md", "arxiv:2312.00109", "Scaffold-GS: Structured 3D Gaussians for View-Adaptive Rendering",
     ["3DGS(Gaussian Splatting)"], ["github:city-super/scaffold-gs", "https://city-super.github.io/scaffold-gs/"], None),
    ("e2b-dev-awesome-ai-agents.md", "arxiv:2310.10108", "Agent4Rec", ["Open-source projects", "Agent4Rec", "Links"], [], None),
    ("WooooDyy-LLM-Agent-Paper-List.md", "arxiv:2304.03442", "Generative Agents: Interactive Simulacra of Human Behavior",
     ["The Rise and Potential of Large Language Model Based Agents: A Survey", "1. The Birth of An Agent: Construction of LLM-based Agents",
      "1.1 Brain: Primarily Composed of An LLM", "1.1.3 Memory", "Memory capability", "Summarizing memory"],
     ["github:joonspk-research/generative_agents"], "Joon Sung Park (Stanford University) et al. arXiv."),
    ("jxzhangjhu-Awesome-LLM-RAG.md", "arxiv:2310.03714", "DSPy: Compiling Declarative Language Model Calls into Self-Improving Pipelines",
     ["Papers", "Retrieval-enhanced LLMs"], ["github:stanfordnlp/dspy"], "Omar Khattab, Arnav Singhvi"),
    ("km1994-nlp_paper_study.md", "arxiv:2004.05150", "Longformer: The Long-Document Transformer",
     ["【关于 NLP】 那些你不知道的事", "介绍", "NLP 学习篇", "理论学习篇", "【关于 transformer 】 那些的你不知道的事", "transformer 长文本改进篇"],
     ["github:allenai/longformer", "github:km1994/nlp_paper_study_transformer"], "发表会议"),
    ("Paitesanshi-LLM-Agent-Survey.md", "arxiv:2204.01691", "SayCan",
     ["A Survey on LLM-based Autonomous Agents", "🤖 Construction of LLM-based Autonomous Agent"], ["https://say-can.github.io/"],
     "Planning: w/o feedback; Action: w/o tools; CA: w/o fine-tuning"),  # a header of <td> cells over two rows
    ("awesome-foss-awesome-sysadmin.md", "github:ku9nov/faynosync-dashboard", "FaynoSync", ["Awesome Sysadmin", "Software", "Deployment Automation"],
     ["github:ku9nov/faynosync", "https://faynosync.com/"], "Self-hosted Dynamic Update Server"),
    ("ripienaar-free-for-dev.md", "https://anvil.works/", "anvil.works", ["Table of Contents", "PaaS"], [], "Web app development with nothing but Python."),
    ("trimstray-the-book-of-secret-knowledge.md", "http://www.valgrind.org/", "Valgrind",
     ["The Book of Secret Knowledge (Chapters)", "CLI Tools", "System Diagnostics/Debuggers"], [], "is an instrumentation framework"),
    ("MunGell-awesome-for-beginners.md", "github:docker/cli", "Docker/CLI", ["Awesome First Pull Request Opportunities", "Go"], [], "The Docker CLI"),
    ("horseee-Awesome-Efficient-LLM.md", "github:aboveparadise/llmcbench", "LLMCBench: Benchmarking Large Language Model Compression for Efficient Deployment",
     ["Awesome-Efficient-LLM", "Paper from Sep 30, 2024 - Now (see Full List from May 22, 2023 here)", "Network Pruning / Sparsity"],
     ["arxiv:2410.21352"], "Ge Yang, Changyi He"),
    ("fffaraz-awesome-cpp.md", "github:boostorg/beast", "Boost.Beast", ["Awesome C++", "Networking"], ["https://www.boost.org/libs/beast"],
     "HTTP and WebSocket built on Boost.Asio in C++11. [Boost]"),
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
    ("opendilab-awesome-RLHF.md", "https://github.com/sindresorhus/awesome", "badge in the list's header"),
    ("e2b-dev-awesome-ai-agents.md", "https://github.com/e2b-dev/e2b", "in an HTML comment (not shown)"),
    ("nnzhan-Awesome-Graph-Neural-Networks.md", "github.com/samihaija/mixhop", "relative link"),  # no scheme: GitHub links a path
]  # fmt: skip

# What a link text says when it names the kind of link, not the thing (the issue's own list).
GENERIC = {"paper", "code", "pdf", "[pdf]", "arxiv", "github", "project", "website", "demo", "tweet",
           "blog", "link", "model", "dataset", "hf", "official", "here", "this"}  # fmt: skip

_ENTITY = re.compile(r"&(?:#\d+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")  # with their ";"
_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"'`)\]]+", re.IGNORECASE)
_IMAGE = re.compile(r"!\[[^\]]*\]\(\s*<?([^)\s>]+)|<img[^>]*\bsrc=[\"']([^\"']+)|srcset=[\"']([^\"']+)", re.I)


def _parse(name: str) -> ParsedList:
    """The list parsed under its file name, once per process (shared: never changed)."""
    return parsed_real_list(name)


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
    text = _ENTITY.sub(lambda m: html.unescape(m.group()), (REAL / name).read_text())
    parsed = _parse(name)
    known = sorted({unquote(u) for e in parsed.entries for u in e.urls} | {unquote(s.url) for s in parsed.skipped})
    images = sorted({unquote(g) for m in _IMAGE.finditer(text) for g in m.groups() if g})
    stems = {k.rstrip("/") for k in known}
    missing = []
    for match in _URL.finditer(text):
        url = unquote(match.group()).rstrip(".,;:!?*_~'")
        if _any_starts_with(images, url):
            continue
        # An entry's URL that starts with it, or one that it starts with (each prefix looked up).
        if not (_any_starts_with(known, url) or any(url[:n] in stems for n in range(len(url) + 1))):
            missing.append(url)
    assert missing == []


def _any_starts_with(ordered: list[str], prefix: str) -> bool:
    """Whether a string of ``ordered`` (sorted) starts with ``prefix``: the first one not below
    it does, if any does (a search, not a scan: awesome-go has thousands of links)."""
    at = bisect.bisect_left(ordered, prefix)
    return at < len(ordered) and ordered[at].startswith(prefix)


@pytest.mark.parametrize("name", COUNTS)
def test_no_generic_title_where_the_item_has_a_better_one(name: str) -> None:
    for entry in _parse(name).entries:
        if entry.title is not None and not _names_its_site(entry.title, entry.url):
            assert entry.title.strip("[]() ").lower() not in GENERIC, entry.id


def _names_its_site(title: str, url: str) -> bool:
    """"arXiv" for arxiv.org's API manual, "here" for developer.here.com: the site's own name."""
    return title.lower() in (urlsplit(url).hostname or "").lower().split(".")


@pytest.mark.parametrize("name", COUNTS)
def test_sections_are_the_lists_own_headings(name: str) -> None:
    """Every section name is written in the file, and no tagline (a sentence) is a section."""
    text = (REAL / name).read_text()
    flat = _flat(text)
    headings = {_flat(h) for h in re.findall(r"^#+\s+(.+?)\s*#*$", text, re.MULTILINE)}
    asked: set[str] = set()  # a section's name, asked once (at its first entry), not per entry
    for entry in _parse(name).entries:
        for part in [p for p in entry.section if p not in asked]:
            asked.add(part)
            assert _flat(part) in flat, (entry.id, part)
            assert not part.endswith((".", "。")) or _flat(part) in headings, (entry.id, part)


def _flat(text: str) -> str:
    """Text without markup (tags, link targets, emphasis and code marks, heading hashes)."""
    text = re.sub(r"\[([^\]\n]*)\]\([^)\n]*\)", r"\1", text)
    return " ".join(re.sub(r"<[^<>\n]+>|[*_`#]", "", text).split())


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


def _corpus() -> ModuleType:
    """benches/corpus.py, the corpus report (a script, not a package: loaded by its path)."""
    path = Path(__file__).resolve().parent.parent / "benches" / "corpus.py"
    spec = importlib.util.spec_from_file_location("corpus", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["corpus"] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow  # parses every real list twice (the parser, an independent reader): ~13 s of CPU
def test_the_corpus_totals_hold(monkeypatch: pytest.MonkeyPatch) -> None:
    """The corpus report's totals over every real list (issue 25): no link lost against an
    independent count, empty titles at most 0.5% of entries, generic-word titles at most 0.3%.
    A change that helps one list and hurts three shows here."""
    corpus = _corpus()
    # The report's "undescribed" count, which this test does not hold, is left out: its reader
    # (`item_blocks`, a third pass of markdown-it over each list) was 5 of the test's 18 s of CPU.
    monkeypatch.setattr(corpus, "item_blocks", lambda text: {})
    rows, total = corpus.report(REAL, repeat=1)
    assert len(rows) == len(COUNTS)
    assert total.lost == 0, [(r.name, r.lost) for r in rows if r.lost]
    assert total.empty_titles <= 0.005 * total.entries, total
    assert total.generic_titles <= 0.003 * total.entries, total
