"""The byte-exact patch: URLs rewritten where they stand, every other byte of the list kept.

A link's URL is found on its line as written (markdown-it hands out the href it normalized:
percent-encoded, entities decoded, so the source spelling is searched in those forms too) and
only a match that is the whole URL is replaced: ``github.com/lvwerra/trl`` is never rewritten
inside ``github.com/lvwerra/trlx``. A link whose text wraps onto the next lines has its URL a few
lines below where it starts; no match at all means no rewrite (the finding says why).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable

from markdown_it.common.normalize_url import normalizeLinkText

from enrich.core.check.model import Rewrite
from enrich.core.errors import InputError

_BOM = "\ufeff"
# Characters that continue a URL: a match followed by one of them is only part of a longer URL.
_URL_CHARS = frozenset(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~%/?#=&+@:!$'*;,"
)
# Punctuation that may end a sentence right after a bare URL (linkify leaves it out of the URL).
_TRAILING = frozenset(".,;:!?'")
# How many lines below its start a link's URL may stand (link text wrapped over lines).
_WRAP_LINES = 3
_NEWLINE = re.compile(r"\r\n|\r|\n")


def decode(data: bytes) -> str:
    """The list's text, BOM included (it is written back as it was)."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"the list is not UTF-8 text (byte {exc.start})") from None


def lines_of(text: str) -> list[str]:
    """The text's lines with their line endings, numbered as markdown-it numbers them (a CR,
    an LF or a CRLF ends a line; nothing else does, unlike `str.splitlines`)."""
    lines: list[str] = []
    start = 0
    for match in _NEWLINE.finditer(text):
        lines.append(text[start : match.end()])
        start = match.end()
    if start < len(text):
        lines.append(text[start:])
    return lines


def spellings(href: str) -> list[str]:
    """How an href may stand in the source: as is, as markdown-it shows it (percent-decoded,
    Unicode host), with ``&`` as ``&amp;``, and a bare ``www.`` link without the ``http://``
    that linkify put in front."""
    found: list[str] = []
    bare = href.removeprefix("http://") if href.startswith("http://www.") else ""
    for candidate in (href, normalizeLinkText(href), href.replace("&", "&amp;"), bare):
        if candidate and candidate not in found:
            found.append(candidate)
    return found


def _matches(line: str, old: str) -> list[int]:
    """Start offsets of ``old`` in ``line`` where it is a whole URL, not part of a longer one."""
    starts: list[int] = []
    at = line.find(old)
    while at >= 0:
        before = line[at - 1] if at > 0 else " "
        end = at + len(old)
        after = line[end] if end < len(line) else " "
        beyond = line[end + 1] if end + 1 < len(line) else " "
        whole_after = after not in _URL_CHARS or (after in _TRAILING and beyond not in _URL_CHARS)
        if not (before.isalnum() or before in "/.%-_") and whole_after:
            starts.append(at)
        at = line.find(old, at + 1)
    return starts


def locate(
    lines: list[str], line: int, href: str, rewrite: Callable[[str], str | None]
) -> Rewrite | None:
    """The rewrite of the link ``href`` that starts on ``line``: its source spelling on that
    line (or the next few), and ``rewrite(spelling)`` (None: nothing to write)."""
    for number in range(line, min(line + _WRAP_LINES, len(lines)) + 1):
        text = lines[number - 1]
        for spelling in spellings(href):
            if _matches(text, spelling):
                new = rewrite(spelling)
                if new is None or new == spelling:
                    return None
                return Rewrite(line=number, old=spelling, new=new)
    return None


def written_bare(lines: list[str], line: int, href: str) -> bool:
    """Whether the link is a bare domain in the text (``Socket.IO``, ``huggingface.co``), which
    linkify turned into ``http://…``: prose, not a URL to rewrite."""
    bare = href.removeprefix("http://")
    return bare != href and 1 <= line <= len(lines) and bool(_matches(lines[line - 1], bare))


def apply(data: bytes, rewrites: Iterable[Rewrite]) -> bytes:
    """``data`` with every rewrite made; the bytes of the lines without one are untouched."""
    lines = lines_of(decode(data))
    by_line: dict[int, dict[str, str]] = {}
    for rewrite in rewrites:
        by_line.setdefault(rewrite.line, {})[rewrite.old] = rewrite.new
    for number, changes in sorted(by_line.items()):
        if not 1 <= number <= len(lines):
            raise InputError(f"line {number}: not in the list (was it edited since the check?)")
        lines[number - 1] = _replace(lines[number - 1], changes)
    return "".join(lines).encode("utf-8")


def _replace(line: str, changes: dict[str, str]) -> str:
    """Every whole-URL occurrence of each ``old`` replaced, in one left-to-right pass (so that
    one rewrite's result is never rewritten again)."""
    spans: list[tuple[int, int, str]] = []
    for old in sorted(changes, key=len, reverse=True):
        for start in _matches(line, old):
            end = start + len(old)
            if all(end <= s or start >= e for s, e, _ in spans):
                spans.append((start, end, changes[old]))
    out: list[str] = []
    at = 0
    for start, end, new in sorted(spans):
        out.append(line[at:start])
        out.append(new)
        at = end
    out.append(line[at:])
    return "".join(out)


def unified_diff(before: bytes, after: bytes, name: str) -> str:
    """A unified diff (``git apply`` / ``patch -p1`` read it) of the list before and after."""
    old = lines_of(decode(before).removeprefix(_BOM))
    new = lines_of(decode(after).removeprefix(_BOM))
    out: list[str] = []
    for line in difflib.unified_diff(old, new, f"a/{name}", f"b/{name}"):
        if line.endswith(("\n", "\r")):
            out.append(line)
        else:
            out.append(line + "\n\\ No newline at end of file\n")
    return "".join(out)
