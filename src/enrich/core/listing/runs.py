"""The commonest inline runs tokenized without markdown-it's inline parser, to the same tokens.

Most runs of a long list are text, ``[a name](https://…)`` links and ```code``` spans and
nothing else (``- [Name](https://…) - What it does.``). For such a run markdown-it's inline
rules (CommonMark) can only produce one token sequence: text, ``link_open`` (its ``href`` the
destination through ``normalizeLink``), the label's text, ``link_close``, ``code_inline``. This
module recognizes such runs with one regular expression and builds those tokens; any other run
(a character that could start emphasis, an escape, an entity, an image, HTML, an autolink, a
line break, a link with a title or angle brackets, brackets that are not a link) answers None
and is parsed by markdown-it as before. ``benches/parse_diff.py`` checks the parse is unchanged
on the real lists; the tests compare both tokenizations on a table of runs.
"""

from __future__ import annotations

import re
from collections.abc import Callable

# A character that no inline rule but ``text`` reads here: not a line break, an escape, a code
# span, emphasis, a bracket, HTML or an autolink; ``&`` when it starts no entity; ``!`` when it
# starts no image.
_CHAR = r"(?:[^\n\\`*_\[\]<&!]|&(?!#?[A-Za-z0-9]+;)|!(?!\[))"
# A link destination markdown-it reads as it is: no space or control character (which end it),
# no bracket or parenthesis, no escape, no entity; never empty.
_DEST = r"(?:[^\s\x00-\x1f\x7f()<>\\&]|&(?![A-Za-z0-9#]+;))+"
_PIECE = re.compile(
    rf"(?P<text>{_CHAR}+)"
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
    tokens: list[Piece] = []
    at, end = 0, len(content)
    match = _PIECE.match
    while at < end:
        found = match(content, at)
        if found is None:
            return None
        at = found.end()
        text = found.group("text")
        if text is not None:
            tokens.append(Piece("text", text))
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
    return tokens
