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
- ``<summary>`` of a ``<details>`` block is a pseudo-heading that ends with the block.
"""

from __future__ import annotations

from dataclasses import dataclass, field


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
    _saved: list[tuple[list[_Level], int]] = field(default_factory=list)  # at each <details>
    _headings: int = 0  # real headings seen (a <details> that holds one is not undone)
    descriptions: dict[tuple[str, ...], str] = field(default_factory=dict)
    _path: tuple[str, ...] = ()
    title: str | None = None  # the first level-1 heading's text: the list's own name

    @property
    def path(self) -> tuple[str, ...]:
        return self._path

    def heading(self, level: int, title: str) -> None:
        self._headings += 1
        if level == 1 and title and self.title is None:
            self.title = title
        self._stack = [s for s in self._stack if s.level < level and (s.group or not s.pseudo)]
        if title:
            self._stack.append(_Level(level, title, False))
        self._changed()

    def pseudo(self, title: str) -> None:
        base = max((s.level for s in self._stack if not s.pseudo), default=0)
        self._stack = [s for s in self._stack if s.level <= base]
        self._stack.append(_Level(base + 0.5, title, True))
        self._changed()

    def group(self, title: str, level: int) -> None:
        """A pseudo-heading that labels the headings of ``level`` after it."""
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
        self._saved.append((list(self._stack), self._headings))

    def close_details(self) -> None:
        if not self._saved:
            return
        stack, headings = self._saved.pop()
        if headings == self._headings:  # nothing but the summary changed inside: undo it
            self._stack = stack
            self._changed()

    def _changed(self) -> None:
        self._path = tuple(s.title for s in self._stack)
