"""The section path, as the list's author means it.

- A heading (Markdown or a top-level HTML ``<h1>`` to ``<h6>``) of level n closes every section
  of level >= n.
- A paragraph that is only bold or emphasized text (``*2020*``, ``**Tools**``) is a
  pseudo-heading one level below the current heading; the next pseudo-heading replaces it
  (never stacks), a heading of that level or above closes it.
- A pseudo-heading directly followed by a heading of level n, under a heading of a level
  above n, is a *group label* for the headings of level n that follow (``**AI & ML**``
  above ``### Deep Learning``): it sits between level n-1 and n until the next group label
  or a heading above level n. Any other pseudo-heading ends at the next heading or
  thematic break (``---``).
- An emphasized sentence (ending ``.`` ``!`` ``?``, or bracketed) right after a heading is that
  section's description, never a heading.
- ``<summary>`` of a ``<details>`` block is a pseudo-heading that ends with the block; so
  does every heading inside the block (a ``<details>`` per category, ``####`` sub-categories
  inside it: the next category is not under the last one's sub-category).
- A section's name is its text without GitHub emoji codes (``:trident:``), a count of what
  it holds (``<kbd>5 projects</kbd>``, ``(4 links)``) or a link back to the contents
  (``[[TOC]](#contents)``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from enrich.core.listing.words import SHORTCODE

_COUNT = re.compile(
    r"\s*[(（\[]?\s*\d[\d,.]*\s*(?:projects?|links?|items?|entries|resources?|repos?"
    r"|repositories|papers?|tools?|apps?|libraries|books?|articles?|sites?)\s*[)）\]]?\s*$",
    re.IGNORECASE,
)


def clean_name(text: str) -> str:
    """A section's name as a reader calls it: no emoji codes, no trailing count."""
    text = " ".join(SHORTCODE.sub(" ", text).split())
    return _COUNT.sub("", text).strip() or text


@dataclass(slots=True)
class _Level:
    level: float
    title: str
    pseudo: bool
    group: bool = False


@dataclass
class Sections:
    """The stack of open sections; ``path`` is what a link records."""

    _stack: list[_Level] = field(default_factory=list)
    _saved: list[list[_Level]] = field(default_factory=list)  # the path at each <details>
    descriptions: dict[tuple[str, ...], str] = field(default_factory=dict)
    _path: tuple[str, ...] = ()
    title: str | None = None  # the first level-1 heading's text: the list's own name

    @property
    def path(self) -> tuple[str, ...]:
        return self._path

    def heading(self, level: int, title: str) -> None:
        title = clean_name(title)
        if level == 1 and title and self.title is None:
            self.title = title
        self._stack = [s for s in self._stack if s.level < level and (s.group or not s.pseudo)]
        if title:
            self._stack.append(_Level(level, title, False))
        self._changed()

    def pseudo(self, title: str, *, summary: bool = False) -> None:
        """A pseudo-heading; a ``<summary>``'s holds over the headings inside its block."""
        title = clean_name(title)
        base = max((s.level for s in self._stack if not s.pseudo), default=0)
        self._stack = [s for s in self._stack if s.level <= base]
        self._stack.append(_Level(base + 0.5, title, True, group=summary))
        self._changed()

    def group(self, title: str, level: int) -> None:
        """A pseudo-heading that labels the headings of ``level`` after it."""
        title = clean_name(title)
        self._stack = [s for s in self._stack if s.level < level - 0.5]
        self._stack.append(_Level(level - 0.5, title, True, group=True))
        self._changed()

    def rule(self) -> None:
        """A thematic break (``---``) ends a pseudo-heading (not a group label)."""
        self._stack = [s for s in self._stack if s.group or not s.pseudo]
        self._changed()

    def has_parent(self, level: int) -> bool:
        """Whether a heading of ``level`` would sit under an open heading."""
        return any(not s.pseudo and s.level < level for s in self._stack)

    def describe(self, text: str) -> None:
        self.descriptions.setdefault(self._path, text)

    def open_details(self) -> None:
        self._saved.append(list(self._stack))

    def close_details(self) -> None:
        """The block ends: its summary and the headings inside it end with it."""
        if not self._saved:
            return
        self._stack = self._saved.pop()
        self._changed()

    def _changed(self) -> None:
        self._path = tuple(s.title for s in self._stack)
