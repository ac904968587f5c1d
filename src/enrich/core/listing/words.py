"""The vocabulary of titles: which link texts are generic, what is a date or a size, separators.

A link text is *generic* when it says what kind of link it is ("Paper", "Code", "[pdf]", an
emoji, a badge image, the bare URL) rather than naming the thing; such a link takes its item's
title. The list is documented in the README ("Lists the parser reads").
"""

from __future__ import annotations

import functools
import re
from urllib.parse import unquote

# Lower-cased, stripped of surrounding punctuation. Names that can be the thing itself
# ("PyTorch", "Benchmark") are not here: a library called pytorch is titled pytorch.
GENERIC_TEXTS = frozenset({
    "paper", "papers", "pdf", "arxiv", "abs", "abstract", "html", "doi", "openreview",
    "code", "codes", "source", "source code", "github", "gitlab", "git", "repo", "repository",
    "official", "official code", "official repo", "unofficial", "implementation",
    "project", "project page", "projectpage", "page", "website", "web", "site", "homepage",
    "home", "home page", "webpage", "web page", "demo", "demos", "live demo", "video", "videos",
    "youtube", "tweet", "twitter", "x", "thread", "blog", "blog post", "post", "article",
    "link", "links", "url", "here", "this", "this link", "click here", "more", "read more",
    "details", "model", "models", "weights", "checkpoint", "checkpoints", "dataset",
    "datasets", "data", "hf", "hugging face", "huggingface", "hf hub", "hub", "space",
    "spaces", "colab", "notebook", "docs", "doc", "documentation", "slides", "slide",
    "poster", "talk", "bibtex", "bib", "citation", "cite", "download", "report",
    "tech report", "technical report", "paper link", "code link", "zhihu",
    "知乎", "论文", "论文链接", "论文地址", "代码", "代码链接", "代码地址", "项目", "项目主页",
    "项目网站", "项目地址", "主页", "链接", "地址", "示例", "官网", "博客", "视频", "数据集",
    "模型", "演示",
    # field labels: "**Highlight**: …" (and CJK ones) introduce text, they name nothing
    "highlight", "highlights", "note", "notes", "summary", "tl;dr", "tldr", "keyword",
    "keywords", "主要内容", "简介", "摘要", "亮点", "机构", "作者", "论文名称", "论文标题",
})  # fmt: skip

# A link text that only identifies: an arXiv id ("arXiv:2509.00676", "2305.10601v2"), a DOI,
# a footnote number.
_IDENTIFIER = re.compile(
    r"^(?:arxiv[:\s]*)?\d{4}\.\d{4,5}(?:v\d+)?$|^doi:\s*\S+$|^10\.\d{4,9}/\S+$|^\d{1,3}$",
    re.IGNORECASE,
)
# Words that do not name anything, around a generic word ("see the paper", "our code").
_FILLER = frozenset({
    "the", "a", "an", "this", "that", "these", "in", "on", "at", "of", "for", "to", "see",
    "our", "my", "their", "its", "his", "her", "your", "full", "original", "available",
    "open", "public", "released", "arxiv", "github", "is", "are", "and", "or", "with",
    "visit", "click", "check", "read", "follow", "view", "go",
})  # fmt: skip
# Generic alone ("[this](…)"), words of a sentence next to others ("this paper").
_DEICTIC = frozenset({"this", "here", "more"})
# Every word of a generic text: a text without any of them is a name (the fast path).
_GENERIC_WORDS = frozenset(w for text in GENERIC_TEXTS for w in text.split())
_EDGES = re.compile(r"^[\W_]+|[\W_]+$")
_PARTS = re.compile(r"\s*(?:&|/|\+|,|·|\||\band\b)\s*", re.IGNORECASE)
_BRACKETS = {"(": ")", "[": "]", "{": "}", "【": "】", "（": "）", "<": ">", "「": "」"}
_URLISH = re.compile(r"^(?:https?://|www\.)|^[\w.-]+\.[a-z]{2,}/", re.IGNORECASE)

# Separators between an item's title and its description, and around links.
SEPARATOR_CHARS = " \t-–—:：|,;·•/"
# Date-like and size-like cells are not a description ("2023-05", "Mar 2026", "15.87M", "5578").
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_DATE = re.compile(
    rf"^(?:\d{{4}}(?:[-/.]\d{{1,2}}){{0,2}}|\d{{1,2}}[-/.]\d{{1,2}}[-/.]\d{{2,4}}"
    rf"|{_MONTH}\s*\d{{1,2}}(?:st|nd|rd|th)?,?\s*(?:\d{{4}})?|\d{{1,2}}\s+{_MONTH},?\s*\d{{4}}"
    rf"|{_MONTH},?\s+\d{{4}}|\d{{4}}\s+{_MONTH}|\(?{_MONTH}\s*'?\d{{2,4}}\)?)$",
    re.IGNORECASE,
)
_SIZE = re.compile(
    r"^[~≈<>+]?\s*\d[\d,._ ]*\s*(?:[kmbgt]|bn|mio|million|billion|[kmgtp]i?b|bytes?|tokens?"
    r"|samples?|rows?|examples?|pairs?|hours?|h|%|x|×|stars?)?\s*\+?$",
    re.IGNORECASE,
)
_PLACEHOLDER = frozenset(
    {"", "-", "--", "—", "–", "n/a", "na", "none", "?", "tbd", "/", "…", "..."}
)


def fold(text: str) -> str:
    """Lower-cased, whitespace collapsed, surrounding punctuation and symbols stripped."""
    return _EDGES.sub("", " ".join(text.split()).lower())


@functools.lru_cache(maxsize=4096)
def is_generic(text: str | None, href: str = "") -> bool:
    """Whether a link text says what kind of link it is rather than what it links to."""
    if is_label(text, href):
        return True
    words = fold(text or "").split()
    if not _GENERIC_WORDS.intersection(words):
        return False
    words = [w for w in (fold(w) for w in words) if w]
    return any(w in GENERIC_TEXTS for w in words) and all(
        w in GENERIC_TEXTS or w in _FILLER for w in words
    )  # "in this paper", "see the code here"


@functools.lru_cache(maxsize=4096)
def is_label(text: str | None, href: str = "") -> bool:
    """A generic link text that is a bare label ("Paper", "[pdf]", a badge, the URL) rather
    than words of a sentence ("in this paper"): dropped from descriptions."""
    text = " ".join((text or "").split())
    if not text:
        return True  # an image-only link (a badge) or an empty text
    if text[0] in _BRACKETS and text[-1] == _BRACKETS[text[0]]:
        return True  # a bracketed marker: "[pdf]", "(QA)", "[Code]"
    if "." in text or ":" in text:
        bare = href.split("://", 1)[-1].removeprefix("www.") if href else None
        if href and text in (href, unquote(href), bare):
            return True  # a bare URL
        if _URLISH.match(text):
            return True
    folded = fold(text)
    if not folded or folded in GENERIC_TEXTS or _IDENTIFIER.match(folded):
        return True
    if not _GENERIC_WORDS.intersection(_PARTS.sub(" ", folded).split()):
        return False  # the common case: a name with no generic word in it
    parts = [p for p in _PARTS.split(folded) if p]
    if parts and all(fold(p) in GENERIC_TEXTS for p in parts):
        return True  # "Code & Data", "Paper / Code"
    words = [w for w in (fold(w) for w in folded.split()) if w]
    return all(w in GENERIC_TEXTS and w not in _DEICTIC for w in words)  # "Official Code"


def is_data_value(text: str) -> bool:
    """A cell that records a date, a size or a count, or is empty: not a description."""
    folded = " ".join(text.split()).strip().lower()
    return folded in _PLACEHOLDER or bool(_DATE.match(folded) or _SIZE.match(folded))


# Header names of the column that holds the row's title, and of description-like columns.
TITLE_HEADERS = frozenset({
    "title", "name", "paper", "papers", "paper title", "paper name", "model", "models",
    "dataset", "datasets", "project", "projects", "repo", "repository", "tool", "tools",
    "library", "libraries", "method", "methods", "work", "resource", "resources",
    "benchmark", "benchmarks", "framework", "frameworks", "course", "book", "item",
    "名称", "标题", "论文", "模型", "数据集", "项目", "方法",
})  # fmt: skip
DESCRIPTION_HEADERS = frozenset({
    "notes", "note", "description", "desc", "summary", "abstract", "comment", "comments",
    "remarks", "remark", "details", "highlights", "highlight", "tl;dr", "tldr", "about",
    "overview", "info", "introduction", "intro", "explanation", "contribution",
    "contributions", "key idea", "key ideas", "简介", "描述", "说明", "备注", "摘要", "介绍",
})  # fmt: skip
