"""The commonest inline runs tokenized without markdown-it's inline parser, to the same tokens.

Most runs of a long list are text, ``[a name](https://…)`` links, ```code``` spans and one
pair of ``**`` or ``*`` and nothing else (``- **[Name](https://…)** - What it does.``). For
such a run markdown-it's inline rules (CommonMark) can only produce one token sequence: text,
``link_open`` (its ``href`` the destination through ``normalizeLink``), the label's text,
``link_close``, ``code_inline``, ``strong_open``/``em_open`` and their closers where the two
runs of stars open and close by CommonMark's flanking rules. This module recognizes such runs
with one regular expression and builds those tokens; any other run (``_``, more stars, an
escape, an entity, an image, HTML, an autolink, a line break, a link with a title or angle
brackets, brackets that are not a link) answers None
and is parsed by markdown-it as before. ``benches/parse_diff.py`` checks the parse is unchanged
on the real lists; the tests compare both tokenizations on a table of runs.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from markdown_it.common.utils import isMdAsciiPunct, isPunctChar, isWhiteSpace

# A character that no inline rule but ``text`` reads here: not a line break, an escape, a code
# span, emphasis, a bracket, HTML or an autolink; ``&`` when it starts no entity; ``!`` when it
# starts no image.
_CHAR = r"(?:[^\n\\`*_\[\]<&!]|&(?!#?[A-Za-z0-9]+;)|!(?!\[))"
# A link destination markdown-it reads as it is: no space or control character (which end it),
# no bracket or parenthesis, no escape, no entity; never empty.
_DEST = r"(?:[^\s\x00-\x1f\x7f()<>\\&]|&(?![A-Za-z0-9#]+;))+"
_PIECE = re.compile(
    rf"(?P<text>{_CHAR}+)"
    r"|(?P<stars>\*{1,2})(?!\*)"
    rf"|\[(?P<label>{_CHAR}*)\]\((?P<dest>{_DEST})\)"
    r"|`(?P<code>[^`\n]+)`"
)


class Piece:
    """An inline token as the reader reads it: its type, content and ``href`` (markdown-it's
    `Token` has twelve fields, two of them dictionaries made for each token)."""

    __slots__ = ("attrs", "content", "type")

    def __init__(self, kind: str, content: str = "", attrs: dict[str, str] | None = None) -> None:
        self.type, self.content, self.attrs = kind, content, attrs or _NO_ATTRS


_NO_ATTRS: dict[str, str] = {}
_CLOSE = Piece("link_close")


def simple_tokens(content: str, normalize: Callable[[str], str]) -> list[Piece] | None:
    """The inline tokens of ``content`` when it is plain text, simple links and code spans
    (as markdown-it would make them); None for anything else."""
    pair = _emphasis(content) if "*" in content else ()
    if pair is None:
        return None
    tokens: list[Piece] = []
    at, end = 0, len(content)
    match = _PIECE.match
    stars: list[int] = []
    while at < end:
        found = match(content, at)
        if found is None:
            return None
        at = found.end()
        text = found.group("text")
        if text is not None:
            tokens.append(Piece("text", text))
            continue
        if found.group("stars") is not None:
            stars.append(found.start())
            kind = "strong" if len(found.group("stars")) == 2 else "em"
            tokens.append(Piece(f"{kind}_open" if len(stars) == 1 else f"{kind}_close"))
            continue
        code = found.group("code")
        if code is not None:
            if code[0] == " " and code[-1] == " " and code.strip(" "):
                code = code[1:-1]  # one space inside each backtick is padding
            tokens.append(Piece("code_inline", code))
            continue
        tokens.append(Piece("link_open", "", {"href": normalize(found.group("dest"))}))
        label = found.group("label")
        if label:
            tokens.append(Piece("text", label))
        tokens.append(_CLOSE)
    if tuple(stars) != pair:  # a run of stars in a code span: markdown-it reads it
        return None
    return tokens


def _emphasis(content: str) -> tuple[int, int] | None:
    """Where the two runs of ``*`` of a run that has two, of one length, open and close
    emphasis (CommonMark's flanking rules, as markdown-it applies them); None otherwise."""
    runs = [(m.start(), m.end()) for m in _STARS.finditer(content)]
    if (
        len(runs) != 2
        or runs[0][1] - runs[0][0] != runs[1][1] - runs[1][0]
        or runs[0][1] > 2 + runs[0][0]
    ):
        return None
    (open_at, open_end), (close_at, close_end) = runs
    if (
        not _flanking(content, open_at, open_end)[0]
        or not _flanking(content, close_at, close_end)[1]
    ):
        return None
    return open_at, close_at


_STARS = re.compile(r"\*+")


def _flanking(content: str, start: int, end: int) -> tuple[bool, bool]:
    """Whether the run of ``*`` at ``content[start:end]`` is left- and right-flanking (for
    ``*``, whether it can open and close), as markdown-it's ``scanDelims`` tells."""
    last = content[start - 1] if start > 0 else " "
    after = content[end] if end < len(content) else " "
    last_punct = isMdAsciiPunct(ord(last)) or isPunctChar(last)
    next_punct = isMdAsciiPunct(ord(after)) or isPunctChar(after)
    last_space, next_space = isWhiteSpace(ord(last)), isWhiteSpace(ord(after))
    left = not (next_space or (next_punct and not (last_space or last_punct)))
    right = not (last_space or (last_punct and not (next_space or next_punct)))
    return left, right
