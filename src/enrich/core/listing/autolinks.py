"""Bare URLs as GitHub autolinks them, and a census of every URL-looking string.

GitHub's extended autolinks (GFM spec, "Autolinks (extension)") start with ``http://``,
``https://`` or ``www.`` (and e-mail addresses); a bare domain (``huggingface.co``, ``VB.NET``)
is not a link. linkify-it-py finds the candidates and decides where each one ends; we keep
only GitHub's kinds, and end a URL where CJK text begins: in ``…/abs/2505.02322项目网站`` the
link is to the paper, then comes text (and, after a full-width colon, maybe another link),
except where CJK text starts a path segment or a query value (``/wiki/中文``).

Matching is done word by word (an autolink never spans whitespace), so a paragraph of
100,000 URLs costs 100,000 small matches, not a quadratic scan.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from linkify_it import LinkifyIt

# Runs of CJK ideographs, kana, hangul, CJK and full-width punctuation.
_CJK_RUN = re.compile(
    r"[\u2e80-\u2fff\u3000-\u30ff\u3100-\u31ff\u3200-\u4dbf\u4e00-\u9fff\ua960-\ua97f"
    r"\uac00-\ud7ff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\U00020000-\U0003134f]+"
)
# CJK punctuation and full-width forms: text, never part of a URL.
_CJK_PUNCTUATION = re.compile(
    r"[\u3000-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65]"
)
# Where CJK text may continue a URL: right after one of these it is a path segment or a value.
_CJK_MAY_FOLLOW = "/=?&#"
# GFM: trailing punctuation is not part of an autolink.
_TRAILING = "?!.,:*_~'\";"
# A word longer than this is cut at each scheme before matching (a guard for megabyte-long
# words of glued URLs; no real URL is that long).
_MAX_WORD = 4096
_WORD = re.compile(r"\S+")
_SCHEME_SPLIT = re.compile(r"(?=https?://)", re.IGNORECASE)
# The census: anything that looks like a URL, to account for every link of the file.
# It stops at brackets and quotes (a candidate is compared as a prefix of the links found).
CANDIDATE = re.compile(
    r"(?:https?://(?:\[[0-9A-Fa-f:.]+\])?|www\.)"
    r"[^\s<>()\[\]{}\"'`\u3000-\u303f\uff00-\uffef\u4e00-\u9fff]*",
    re.IGNORECASE,
)
_ENTITY = re.compile(r"&(?:#\d+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")


def unescape(text: str) -> str:
    """HTML entities decoded as CommonMark does (only with their ``;``)."""
    return _ENTITY.sub(lambda m: html.unescape(m.group()), text) if "&" in text else text


@dataclass(frozen=True, slots=True)
class Autolink:
    start: int
    end: int
    url: str  # with scheme (``http://`` added to ``www.``, ``mailto:`` to e-mail addresses)
    text: str  # as written


class Autolinker:
    """Finds GitHub's autolinks in plain text (not thread-safe: one per parse)."""

    def __init__(self) -> None:
        self._linkify = LinkifyIt()

    def find(self, text: str) -> list[Autolink]:
        if "://" not in text and "www." not in text.lower() and "@" not in text:
            return []
        found: list[Autolink] = []
        for word in _WORD.finditer(text):
            chunk = word.group()
            if "://" not in chunk and "www." not in chunk.lower() and "@" not in chunk:
                continue
            if len(chunk) > _MAX_WORD:
                offset = word.start()
                for piece in _SCHEME_SPLIT.split(chunk):
                    found += self._match(piece, offset)
                    offset += len(piece)
            else:
                found += self._match(chunk, word.start())
        return found

    def _match(self, text: str, offset: int) -> list[Autolink]:
        found: list[Autolink] = []
        if not self._linkify.test(text):
            return found
        for match in self._linkify.match(text) or []:
            start, end = match.index, match.last_index
            schema = match.schema or ""
            if schema not in ("http:", "https:", "mailto:") and not (
                schema == "" and match.text.lower().startswith("www.")
            ):
                continue  # a bare domain, ftp:, protocol-relative //: not GitHub autolinks
            cut = _cjk_end(match.text)
            if cut is not None:
                written = match.text[:cut].rstrip(_TRAILING)
                if len(written) > len(match.text.split("//", 1)[0]) + 2:
                    url = match.url[: len(match.url) - len(match.text) + len(written)]
                    found.append(
                        Autolink(offset + start, offset + start + len(written), url, written)
                    )
                tail_start = start + cut
                found += self._match(text[tail_start:end], offset + tail_start)
                continue
            found.append(Autolink(offset + start, offset + end, match.url, match.text))
        return found


def _cjk_end(url: str) -> int | None:
    """Where CJK text ends a URL, if anywhere: at the first CJK run that does not start a path
    segment or a value, or that holds CJK punctuation (``…/代码链接：`` is a label)."""  # noqa: RUF002
    head = url.find("//")
    for run in _CJK_RUN.finditer(url, head + 2 if head >= 0 else 0):
        at = run.start()
        if url[at - 1] not in _CJK_MAY_FOLLOW or _CJK_PUNCTUATION.search(run.group()):
            return at
    return None
