"""The vocabulary of titles: which link texts are generic, what is a date or a size, separators.

A link text is *generic* when it says what kind of link it is ("Paper", "Code", "[pdf]", an
emoji, a badge image, the bare URL) rather than naming the thing; such a link takes its item's
title. The list is documented in the README ("Lists the parser reads").
"""

from __future__ import annotations

import functools
import re
from urllib.parse import unquote, urlsplit

from enrich.core.errors import InputError
from enrich.core.links import Kind, classify

# Lower-cased, stripped of surrounding punctuation. Names that can be the thing itself
# ("PyTorch", "Benchmark") are not here: a library called pytorch is titled pytorch.
GENERIC_TEXTS = frozenset({
    "paper", "papers", "pdf", "arxiv", "abs", "abstract", "html", "doi", "openreview",
    "code", "codes", "source", "source code", "github", "gitlab", "repo", "repository",
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
    "coming soon", "open source", "open-source", "wiki", "wikipedia", "stars", "github stars",
})  # fmt: skip

# Words that say what part or version of an item's thing a link is: a framework
# ("[PyTorch](…)" in a paper's code column), a language edition, a part, a role in a
# self-hosting list ("Clients", "Alternative"); not a platform's name (Reddit, Discord: a
# site). Each can also be the thing itself ("[PyTorch]" first in its bullet), so such a text
# is generic only where its item has a title of its own that is not this link's
# (`is_qualifier`, `entries._title`).
# Sites where a project has an account ("[Discord](…)", "[LinkedIn](…)" in a project's links):
# such a link is the project's presence there, titled by the project when the list names it
# (a heading link above, a title line) and the item says nothing else; alone, the site's name.
PLATFORMS = frozenset({
    "discord", "slack", "telegram", "reddit", "linkedin", "medium", "substack", "mastodon",
    "bilibili", "wechat", "weibo", "facebook", "instagram", "threads", "bluesky", "tiktok",
    "product hunt", "producthunt", "hacker news", "gitter", "matrix", "twitch",
})  # fmt: skip
QUALIFIERS = frozenset({
    "pytorch", "torch", "tensorflow", "tf", "keras", "jax", "flax", "mxnet", "caffe", "caffe2",
    "theano", "chainer", "paddle", "paddlepaddle", "mindspore", "lasagne", "matlab", "lua",
    "python", "c++", "cuda", "julia", "r", "java", "javascript", "js", "rust", "go", "scala",
    "tensorflow 2", "pytorch lightning", "onnx", "official pytorch", "official tensorflow",
    "english", "en", "chinese", "中文", "简体中文", "繁體中文", "日本語", "japanese", "korean",
    "한국어", "русский", "russian", "español", "spanish", "français", "french", "deutsch",
    "german", "português", "portuguese", "translation", "translated", "original",
    "part 1", "part 2", "part 3", "part 4", "part 5", "part i", "part ii", "part iii",
    "volume 1", "volume 2", "vol 1", "vol 2", "chapter", "episode", "lecture", "lectures",
    "clients", "client", "server", "alternative", "alternatives", "mirror", "fork", "demo site",
    "leaderboard", "leaderboards", "benchmark page", "collection", "collections", "playground",
    "api", "app", "apps", "android", "ios", "web app", "desktop", "cli", "plugin", "extension",
    "podcast", "newsletter",
    "changelog", "release", "releases", "download page", "install", "installation",
    "usage", "examples", "example", "tutorial", "guide", "quickstart", "getting started",
    "v1", "v2", "v3", "v4", "v5", "1.0", "2.0", "3.0",
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
    "visit", "click", "check", "read", "follow", "view",
})  # fmt: skip
_ASIDE = re.compile(r"(?<=\S)\s*[(（][^()（）]*[)）]\s*$")
_PHRASE_STARTS = frozenset({
    "see", "read", "view", "visit", "check", "click", "follow", "get", "the", "our",
    "my", "this", "full", "watch", "try", "download", "join", "more",
})  # fmt: skip
_WHERE = frozenset({"on", "at", "in", "via", "from"})
_CONNECTIVES = frozenset({"a", "an", "the", "to", "of", "for", "and", "or", "in", "on", "with"})
# Sites whose pages are people's and projects' own (an account, a channel, a repository).
_ACCOUNT_HOSTS = frozenset({
    "github.com", "gitlab.com", "huggingface.co", "hf.co", "twitter.com", "x.com",
    "youtube.com", "medium.com", "reddit.com", "linkedin.com", "facebook.com", "instagram.com",
    "bitbucket.org", "codeberg.org", "discord.com", "discord.gg", "t.me", "zhihu.com",
})  # fmt: skip
# Hosts under which each subdomain is someone's own site (x.github.io is not GitHub's).
_HOSTED_SITES = (".github.io", ".gitlab.io", ".readthedocs.io", ".netlify.app", ".vercel.app",
                 ".herokuapp.com", ".pages.dev", ".blogspot.com", ".wordpress.com")  # fmt: skip
_EMOJI = re.compile(r"[\U0001F000-\U0001FAFF\u2600-\u27BF\uFE0F]")
# Generic alone ("[this](…)"), words of a sentence next to others ("this paper").
_DEICTIC = frozenset({"this", "here", "more"})
# Every word of a generic text: a text without any of them is a name (the fast path).
_GENERIC_WORDS = frozenset(w for text in GENERIC_TEXTS for w in text.split())
_EDGES = re.compile(r"^[\W_]+|[\W_]+$")
_PARTS = re.compile(r"\s*(?:&|/|\+|,|·|\||\band\b)\s*", re.IGNORECASE)
_MAY_PART = re.compile(r"[&/+,·|]|and", re.IGNORECASE)  # what `_PARTS` needs to match
_BRACKETS = {"(": ")", "[": "]", "{": "}", "【": "】", "（": "）", "<": ">", "「": "」"}
_URLISH = re.compile(r"^(?:[a-z][a-z0-9+.-]*://|www\.)", re.IGNORECASE)
_MARKER_BRACKETS = frozenset("([【（「")
_CJK_LINK_WORDS = ("地址", "链接", "网址", "主页", "下载", "官网", "代码", "源码")

# GitHub's emoji codes anywhere in text (":zap:", ":star:"): markup, not words.
SHORTCODE = re.compile(r"(?<![\w:/]):[a-z0-9_+\-]+:(?![\w/])")
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
    folded = " ".join(text.split()).lower()
    if folded and folded[0].isalnum() and folded[-1].isalnum():
        return folded  # nothing to strip (the common case; ``[\W_]`` is "not alphanumeric")
    return _EDGES.sub("", folded)


@functools.lru_cache(maxsize=4096)
def is_generic(text: str | None, href: str = "") -> bool:
    """Whether a link text says what kind of link it is rather than what it links to."""
    if text and text.endswith(("++", "#")) and text[0].isalnum():
        return False  # "Video++", "C#": a name
    if is_label(text, href):
        return not _names_its_site(text or "", href)
    words = fold(text or "").split()
    if not _GENERIC_WORDS.intersection(words):
        return False
    if len(words) > 1 and title_case(text or ""):
        return False  # "Data Read", "Open HTML to PDF": a name in title case
    words = [w for w in (fold(w) for w in words) if w]
    return any(w in GENERIC_TEXTS for w in words) and all(
        w in GENERIC_TEXTS or w in _FILLER for w in words
    )  # "in this paper", "see the code here"


@functools.lru_cache(maxsize=4096)
def is_qualifier(text: str | None) -> bool:
    """A text that names a part or version of its item's thing (`QUALIFIERS`), not the thing."""
    folded = fold(_EMOJI.sub("", text or ""))
    return folded in QUALIFIERS or fold(folded.replace("(", " ").split(" ")[0]) in (
        "pytorch", "tensorflow", "keras", "jax", "mxnet", "caffe", "chainer", "paddlepaddle",
    )  # fmt: skip  # "PyTorch (official)", "TensorFlow implementation"


def title_case(text: str) -> bool:
    """A name in title case: every word capitalized but short connectives ("Open HTML to PDF",
    "Data Read"); not a phrase that starts like a sentence ("See Demo", "The Code") or says
    where the thing is ("Open Source on GitHub")."""
    words = [w for w in text.split() if w[:1].isalpha()]
    if len(words) < 2 or words[0].lower() in _PHRASE_STARTS:
        return False
    if len(words) > 2 and words[-2].lower() in _WHERE and fold(words[-1]) in GENERIC_TEXTS:
        return False
    return all(
        w[0].isupper() or (w.lower() in _CONNECTIVES and 0 < at < len(words) - 1)
        for at, w in enumerate(words)
    )


def _names_its_site(text: str, href: str) -> bool:
    """A site's name on a link to a page of that site, not to one of its objects: "[GitLab](…
    docs.gitlab.com/…)", "[GitHub](https://github.com)"; not "[GitHub](github.com/o/r)", nor
    "[Twitter](twitter.com/someone)", nor "[Demo](https://demo.x.dev)" (the site's name is
    the label before its top-level domain)."""
    folded = fold(text).replace(" ", "")
    if not folded.isalnum() or "://" not in href:
        return False
    host = (urlsplit(href).hostname or "").lower()
    labels = host.split(".")
    if len(labels) < 2 or folded != labels[-2] or host.endswith(_HOSTED_SITES):
        return False
    if host.removeprefix("www.") in _ACCOUNT_HOSTS and urlsplit(href).path.strip("/"):
        return False  # twitter.com/someone, github.com/someone: an account, not the site
    try:
        return classify(href).kind is Kind.WEB
    except InputError:
        return False


@functools.lru_cache(maxsize=4096)
def is_label(text: str | None, href: str = "") -> bool:
    """A generic link text that is a bare label ("Paper", "[pdf]", a badge, the URL) rather
    than words of a sentence ("in this paper"): dropped from descriptions."""
    text = " ".join((text or "").split())
    if not text:
        return True  # an image-only link (a badge) or an empty text
    if ")" in text or "）" in text:
        text = _ASIDE.sub(" ", text).strip() or text  # "Paper (Oral)", "Code(official)"
    if text[0] in _MARKER_BRACKETS and text[-1] == _BRACKETS[text[0]] and _short(text[1:-1]):
        return True  # a bracketed marker: "[pdf]", "(QA)", "[Code]"; not "{fmt}", a name
    if "." in text or ":" in text:
        if href and text in (href, unquote(href)):
            return True  # the URL as written
        if _URLISH.match(text):
            return True  # "https://…", "www.…": a URL; "anvil.works" or "github.com/x/y" names
    folded = fold(text)
    if not folded or folded in GENERIC_TEXTS or _IDENTIFIER.match(folded):
        return True
    if folded.endswith(_CJK_LINK_WORDS) and len(folded) <= 8:
        return True  # "论文源码地址", "项目主页": "… address", "… link", "… page"
    spaced = _PARTS.sub(" ", folded) if _MAY_PART.search(folded) else folded
    if not _GENERIC_WORDS.intersection(spaced.split()):
        return False  # the common case: a name with no generic word in it
    parts = [p for p in _PARTS.split(folded) if p]
    if parts and all(fold(p) in GENERIC_TEXTS for p in parts):
        return True  # "Code & Data", "Paper / Code"
    words = [w for w in (fold(w) for w in folded.split()) if w]
    return all(w in GENERIC_TEXTS and w not in _DEICTIC for w in words)  # "Official Code"


def _short(text: str) -> bool:
    """A marker's few words: two at most, twelve characters at most ("pdf", "text2vec")."""
    return len(text.split()) < 3 and len(text.strip()) <= 12


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
