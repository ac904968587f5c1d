"""Link classification: URL -> kind, canonical source id and stable entry id."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from enrich.core import links
from enrich.core.errors import RejectedURLError
from enrich.core.links import Kind, classify, normalize_url

CASES = [
    # arXiv: abs, pdf (with or without .pdf), html, versions, old-style ids, export host
    ("https://arxiv.org/abs/2204.05862", Kind.PAPER, "2204.05862", "arxiv:2204.05862", None),
    ("https://arxiv.org/abs/2204.05862v3", Kind.PAPER, "2204.05862", "arxiv:2204.05862", 3),
    ("https://arxiv.org/pdf/2302.07730.pdf", Kind.PAPER, "2302.07730", "arxiv:2302.07730", None),
    ("https://arxiv.org/pdf/2302.07730v2.pdf", Kind.PAPER, "2302.07730", "arxiv:2302.07730", 2),
    ("https://arxiv.org/pdf/2302.07730", Kind.PAPER, "2302.07730", "arxiv:2302.07730", None),
    ("https://arxiv.org/html/2402.01234v1", Kind.PAPER, "2402.01234", "arxiv:2402.01234", 1),
    ("http://export.arxiv.org/abs/1909.08593", Kind.PAPER, "1909.08593", "arxiv:1909.08593", None),
    ("https://www.arxiv.org/abs/1501.00001", Kind.PAPER, "1501.00001", "arxiv:1501.00001", None),
    ("https://arxiv.org/abs/0704.0001", Kind.PAPER, "0704.0001", "arxiv:0704.0001", None),
    ("https://arxiv.org/abs/hep-th/9901001", Kind.PAPER, "hep-th/9901001", "arxiv:hep-th/9901001", None),
    ("https://arxiv.org/abs/math.GT/0309136v2", Kind.PAPER, "math.GT/0309136", "arxiv:math.GT/0309136", 2),
    ("https://arxiv.org/pdf/hep-th/9901001v1.pdf", Kind.PAPER, "hep-th/9901001", "arxiv:hep-th/9901001", 1),
    # GitHub repositories, any sub-page, .git, trailing slash, www., http:
    ("https://github.com/lvwerra/trl", Kind.REPO, "lvwerra/trl", "github:lvwerra/trl", None),
    ("https://github.com/CarperAI/trlx/", Kind.REPO, "CarperAI/trlx", "github:carperai/trlx", None),
    ("http://www.github.com/CarperAI/trlx.git", Kind.REPO, "CarperAI/trlx", "github:carperai/trlx", None),
    ("https://github.com/huggingface/trl/tree/main/examples", Kind.REPO, "huggingface/trl", "github:huggingface/trl", None),
    ("https://github.com/huggingface/trl/blob/main/README.md#usage", Kind.REPO, "huggingface/trl", "github:huggingface/trl", None),
    ("https://github.com/huggingface/trl/issues/12", Kind.REPO, "huggingface/trl", "github:huggingface/trl", None),
    # GitHub pages that are not repositories
    ("https://github.com/huggingface", Kind.WEB, "https://github.com/huggingface", "https://github.com/huggingface", None),
    ("https://github.com/topics/rlhf", Kind.WEB, "https://github.com/topics/rlhf", "https://github.com/topics/rlhf", None),
    ("https://gist.github.com/karpathy/abc123", Kind.WEB, "https://gist.github.com/karpathy/abc123", "https://gist.github.com/karpathy/abc123", None),
    ("https://lilianweng.github.io/posts/rlhf/", Kind.WEB, "https://lilianweng.github.io/posts/rlhf/", "https://lilianweng.github.io/posts/rlhf/", None),
    # Hugging Face: datasets, spaces, models, sub-pages; site pages are web pages
    ("https://huggingface.co/datasets/Anthropic/hh-rlhf", Kind.DATASET, "Anthropic/hh-rlhf", "hf:dataset/anthropic/hh-rlhf", None),
    ("https://huggingface.co/datasets/stanfordnlp/SHP/tree/main", Kind.DATASET, "stanfordnlp/SHP", "hf:dataset/stanfordnlp/shp", None),
    ("https://huggingface.co/datasets/squad", Kind.DATASET, "squad", "hf:dataset/squad", None),
    ("https://hf.co/spaces/HuggingFaceH4/open_llm_leaderboard", Kind.SPACE, "HuggingFaceH4/open_llm_leaderboard", "hf:space/huggingfaceh4/open_llm_leaderboard", None),
    ("https://huggingface.co/OpenAssistant/reward-model-deberta-v3-large", Kind.MODEL, "OpenAssistant/reward-model-deberta-v3-large", "hf:model/openassistant/reward-model-deberta-v3-large", None),
    ("https://huggingface.co/gpt2/blob/main/config.json", Kind.WEB, "https://huggingface.co/gpt2/blob/main/config.json", "https://huggingface.co/gpt2/blob/main/config.json", None),
    ("https://huggingface.co/models/gpt2", Kind.MODEL, "gpt2", "hf:model/gpt2", None),
    # the Hub's first models had no owner; their old URLs still lead to them (an owner's page does not)
    ("https://huggingface.co/t5-11b", Kind.MODEL, "t5-11b", "hf:model/t5-11b", None),
    ("https://huggingface.co/distilbert-base-uncased-finetuned-sst-2-english", Kind.MODEL, "distilbert-base-uncased-finetuned-sst-2-english", "hf:model/distilbert-base-uncased-finetuned-sst-2-english", None),
    ("https://huggingface.co/bert-base-uncased", Kind.MODEL, "bert-base-uncased", "hf:model/bert-base-uncased", None),
    ("https://huggingface.co/THUDM", Kind.WEB, "https://huggingface.co/THUDM", "https://huggingface.co/THUDM", None),
    ("https://huggingface.co/bertin-project", Kind.WEB, "https://huggingface.co/bertin-project", "https://huggingface.co/bertin-project", None),
    ("https://huggingface.co/deep-rl-course/unit0/introduction", Kind.WEB, "https://huggingface.co/deep-rl-course/unit0/introduction", "https://huggingface.co/deep-rl-course/unit0/introduction", None),
    ("https://huggingface.co/blog/rlhf", Kind.WEB, "https://huggingface.co/blog/rlhf", "https://huggingface.co/blog/rlhf", None),
    ("https://huggingface.co/docs/trl/index", Kind.WEB, "https://huggingface.co/docs/trl/index", "https://huggingface.co/docs/trl/index", None),
    ("https://huggingface.co/papers/2203.02155", Kind.PAPER, "2203.02155", "arxiv:2203.02155", None),  # a Hub paper page is the arXiv paper (tests/test_paper_links.py)
    ("https://huggingface.co/learn/nlp-course/chapter1", Kind.WEB, "https://huggingface.co/learn/nlp-course/chapter1", "https://huggingface.co/learn/nlp-course/chapter1", None),
    # Hub collections are Hub objects: the id is the slug's trailing object id, which stays
    # when the title (and the slug's other words) change; a short slug without one is the id
    ("https://huggingface.co/collections/01-ai/yi-vl-663f557228538eae745769f3", Kind.COLLECTION, "01-ai/yi-vl-663f557228538eae745769f3", "hf:collection/01-ai/663f557228538eae745769f3", None),
    ("https://huggingface.co/collections/01-ai/yi-vision-663f557228538eae745769f3", Kind.COLLECTION, "01-ai/yi-vision-663f557228538eae745769f3", "hf:collection/01-ai/663f557228538eae745769f3", None),
    ("https://huggingface.co/collections/OpenGVLab/internvl-65b92d6be81c86166ca0dde4/", Kind.COLLECTION, "OpenGVLab/internvl-65b92d6be81c86166ca0dde4", "hf:collection/opengvlab/65b92d6be81c86166ca0dde4", None),
    ("https://huggingface.co/collections/bigcode/%E2%AD%90-starcoder-64f9bd5740eb5daaeb81dbec", Kind.COLLECTION, "bigcode/⭐-starcoder-64f9bd5740eb5daaeb81dbec", "hf:collection/bigcode/64f9bd5740eb5daaeb81dbec", None),
    ("https://hf.co/collections/nvidia/nemotron-post-training-v3", Kind.COLLECTION, "nvidia/nemotron-post-training-v3", "hf:collection/nvidia/nemotron-post-training-v3", None),
    ("https://huggingface.co/collections", Kind.WEB, "https://huggingface.co/collections", "https://huggingface.co/collections", None),
    ("https://huggingface.co/collections/Qwen", Kind.WEB, "https://huggingface.co/collections/Qwen", "https://huggingface.co/collections/Qwen", None),
    ("https://huggingface.co/collections/Qwen/qwen-65c0e50c3f1ab89cb8704144/extra", Kind.WEB, "https://huggingface.co/collections/Qwen/qwen-65c0e50c3f1ab89cb8704144/extra", "https://huggingface.co/collections/Qwen/qwen-65c0e50c3f1ab89cb8704144/extra", None),
    ("https://huggingface.co/collections/Qwen/..", Kind.WEB, "https://huggingface.co/collections/Qwen/..", "https://huggingface.co/collections/Qwen/..", None),
    ("https://huggingface.co/Anthropic", Kind.WEB, "https://huggingface.co/Anthropic", "https://huggingface.co/Anthropic", None),
    # Web pages: normalized URL
    ("HTTPS://WWW.Anthropic.com:443/?utm_source=x#top", Kind.WEB, "https://www.anthropic.com/", "https://www.anthropic.com/", None),
    ("http://web.stanford.edu:80/class/a.pdf", Kind.WEB, "http://web.stanford.edu/class/a.pdf", "http://web.stanford.edu/class/a.pdf", None),
    ("https://www.youtube.com/watch?v=2MBJOuVq380&utm_medium=s", Kind.WEB, "https://www.youtube.com/watch?v=2MBJOuVq380", "https://www.youtube.com/watch?v=2MBJOuVq380", None),
    ("https://arxiv.org/list/cs.CL/recent", Kind.WEB, "https://arxiv.org/list/cs.CL/recent", "https://arxiv.org/list/cs.CL/recent", None),
]


@pytest.mark.parametrize(("url", "kind", "source_id", "entry_id", "version"), CASES)
def test_classify(url: str, kind: Kind, source_id: str, entry_id: str, version: int | None) -> None:
    ref = classify(url)
    assert (ref.kind, ref.source_id, ref.entry_id, ref.version) == (kind, source_id, entry_id, version)
    assert ref.url == url


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("javascript:alert(1)", "javascript: URL is not fetched"),
        ("data:text/html,hi", "data: URL is not fetched"),
        ("file:///etc/passwd", "file: URL is not fetched"),
        ("ftp://example.com/x", "ftp: URL is not fetched"),
        ("https://", "URL has no host"),
        ("https:///path", "URL has no host"),
        ("docs/intro.md", "relative URL is not fetched"),
        ("http://[::1", "unparseable URL"),
        ("http://example.com:99999/", "unparseable URL"),
    ],
)
def test_rejected(url: str, reason: str) -> None:
    with pytest.raises(RejectedURLError, match=reason.split(" ")[0].rstrip(":")):
        classify(url)
    with pytest.raises(RejectedURLError) as info:
        classify(url)
    assert str(info.value).startswith(reason)


@pytest.mark.parametrize(
    "spellings",
    [
        ["https://arxiv.org/abs/2204.05862", "https://arxiv.org/pdf/2204.05862v2.pdf", "http://export.arxiv.org/abs/2204.05862v1"],
        ["https://github.com/LVWERRA/TRL", "http://www.github.com/lvwerra/trl.git", "https://github.com/lvwerra/trl/tree/main"],
        ["https://huggingface.co/datasets/Anthropic/hh-rlhf", "https://hf.co/datasets/anthropic/HH-RLHF/blob/main/README.md"],
        ["https://example.com/a%7Eb", "https://EXAMPLE.com/a~b", "https://example.com:443/a~b#frag"],
        ["https://bücher.example/x", "https://xn--bcher-kva.example/x"],
    ],
)
def test_one_id_for_every_spelling(spellings: list[str]) -> None:
    assert len({classify(url).entry_id for url in spellings}) == 1


def test_normalize_keeps_meaningful_query() -> None:
    assert normalize_url("https://x.org/p?b=2&a=1&utm_campaign=z") == "https://x.org/p?b=2&a=1"


@pytest.mark.parametrize(
    ("url", "entry_id"),
    [
        # an IPv6 host keeps its brackets (issue 18, item 15)
        ("http://[::1]:39851/", "http://[::1]:39851/"),
        ("https://[2001:db8::7]/a", "https://[2001:db8::7]/a"),
        # %2F is a slash inside a segment, not a separator: it stays an escape (hex upper-cased)
        ("https://example.org/files/a%2Fb", "https://example.org/files/a%2Fb"),
        ("https://example.org/files/a%2fb", "https://example.org/files/a%2Fb"),
        ("https://example.org/q/what%3F", "https://example.org/q/what%3F"),
        ("https://example.org/100%25", "https://example.org/100%25"),
        # escapes of unreserved characters still decode (%7E is ~)
        ("https://example.org/%7Euser", "https://example.org/~user"),
    ],
)
def test_ids_keep_what_makes_a_url_different(url: str, entry_id: str) -> None:
    assert classify(url).entry_id == entry_id


def test_an_escaped_slash_and_a_slash_are_two_entries() -> None:
    assert classify("https://example.org/a%2Fb").entry_id != classify("https://example.org/a/b").entry_id


# -- the plain shapes read without urlsplit (`links._plain`): the same answer as in full ------

TAKEN = [
    # (url, why it is read at once)
    ("https://github.com/lvwerra/trl", "a repository"),
    ("http://www.github.com/CarperAI/trlx/", "www., http:, a trailing slash"),
    ("https://github.com/huggingface/trl/tree/main/examples", "a repository's sub-page"),
    ("https://github.com/o/r.git", "a clone URL: the repository"),
    ("https://arxiv.org/abs/2204.05862v3", "an arXiv abstract with its version"),
    ("https://arxiv.org/pdf/2302.07730.pdf", "an arXiv PDF"),
    ("https://arxiv.org/abs/hep-th/9901001", "an old-style arXiv id"),
    ("https://huggingface.co/datasets/org/ds-7", "a Hub dataset"),
    ("https://hf.co/spaces/HuggingFaceH4/open_llm_leaderboard", "a Hub space"),
    ("https://huggingface.co/org/model-7", "a Hub model"),
    ("https://huggingface.co/gpt2", "a Hub model of the first ones, without owner"),
    ("https://huggingface.co/collections/org/yi-vl-663f557228538eae745769f3", "a Hub collection"),
    ("https://example7.org/page/12", "a web page"),
    ("https://www.example.org", "a web page without path: /"),
    ("http://a-b.example.org//x/(1)/a~b/c:d@e;f=g,h'i", "a path of characters kept as they are"),
]

REFUSED = [
    # (url, why it is read in full)
    ("https://GitHub.com/o/r", "an upper-case host"),
    ("https://github.com./o/r", "a host with its trailing dot"),
    ("https://github.com:443/o/r", "a port"),
    ("https://user@github.com/o/r", "user info"),
    ("https://github.com/o/r?tab=readme", "a query"),
    ("https://github.com/o/r#usage", "a fragment"),
    ("https://github.com/o/r%20x", "an escape"),
    ("https://github.com/o/r x", "a space"),
    ("https://github.com/o/r\tx", "a tab (urlsplit removes it)"),
    (" https://github.com/o/r", "a leading space (classify strips it)"),
    ("https://github.com/o/r\n", "a line end"),
    ("https://github.com/topics", "a GitHub page that is not a repository"),
    ("https://github.com/o/..", "a path that walks out"),
    ("https://arxiv.org/abs/2204.0586２", "a digit that is not ASCII"),
    ("https://arxiv.org/list/cs.CL/recent", "an arXiv page that is not a paper"),
    ("https://huggingface.co/papers/2204.05862", "a Hub paper page: an arXiv paper"),
    ("https://huggingface.co/docs/trl", "a Hub site page"),
    ("https://alphaxiv.org/abs/2204.05862", "an arXiv mirror"),
    ("https://doi.org/10.1145/3442188.3445922", "a paper host"),
    ("https://www.nature.com/articles/s41586-021-03819-2", "a paper host"),
    ("https://host_name.org/a", "an underscore in the host"),
    ("https://bücher.example/x", "a host that is not ASCII"),
    ("ftp://example.org/a", "another scheme (rejected)"),
    ("HTTPS://example.org/a", "an upper-case scheme"),
]


@pytest.mark.parametrize(("url", "why"), TAKEN, ids=[why for _, why in TAKEN])
def test_plain_shapes_are_read_without_urlsplit_to_the_same_answer(url: str, why: str) -> None:
    plain = links._PLAIN.match(url)
    assert plain is not None
    assert links._plain(url, plain["scheme"], plain["host"], plain["path"]) == links._read(url)


@pytest.mark.parametrize(("url", "why"), REFUSED, ids=[why for _, why in REFUSED])
def test_other_shapes_are_read_in_full(url: str, why: str) -> None:
    plain = links._PLAIN.match(url)
    assert plain is None or links._plain(url, plain["scheme"], plain["host"], plain["path"]) is None
    assert _answer(classify, url) == _answer(links._read, url)


def _answer(read: Callable[[str], links.SourceRef], url: str) -> object:
    try:
        return read(url)
    except RejectedURLError as exc:
        return str(exc)


_PIECES = st.sampled_from([
    "o", "r", "Org", "r.git", "..", ".", "abs", "pdf", "2204.05862", "v2", "2204.05862v3.pdf",
    "hep-th", "9901001", "datasets", "spaces", "models", "collections", "tree", "papers", "docs",
    "topics", "gpt2", "a~b", "%7E", "%2F", "a b", "?q=1", "#f", "ä", ":", "@", "_", "",
])  # fmt: skip
_HOSTS = st.sampled_from([
    "github.com", "www.github.com", "GitHub.com", "arxiv.org", "export.arxiv.org",
    "huggingface.co", "hf.co", "doi.org", "alphaxiv.org", "openreview.net", "example.org",
    "a-b.example7.org", "example.org.", "example.org:8080", "[::1]", "x_y.org",
])  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(["https", "http", "HTTP", "ftp"]), _HOSTS, st.lists(_PIECES, max_size=5))
def test_classify_answers_as_urlsplit_reads_it(scheme: str, host: str, path: list[str]) -> None:
    url = f"{scheme}://{host}" + "".join("/" + piece for piece in path)
    assert _answer(classify, url) == _answer(links._read, url)
