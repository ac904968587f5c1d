"""What to call an entry: one rule for the snapshot's ``display_title`` and every view.

The list's ``title`` is what the list wrote (null when it wrote nothing usable: a bare URL, a
badge, a link named "Paper" in an item without a title); consumers tell it apart from the
upstream's name, which only the display title falls back to.
"""

from __future__ import annotations

from enrich.core.model import Entry
from enrich.core.spec import Registry
from enrich.core.specs import REGISTRY


def display_title(entry: Entry, registry: Registry = REGISTRY) -> str:
    """The list's own title, else the upstream's name for the entry (each source's spec names
    it: the repository's ``full_name`` (``CarperAI/trlx``), the paper's title, the Hub
    ``repo_id``, the page's title), else what the upstream is asked (``source_id``)."""
    if entry.title:
        return entry.title
    return registry.display_name(entry) or entry.source_id
