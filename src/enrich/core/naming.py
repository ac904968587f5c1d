"""What to call an entry: one rule for the snapshot's ``display_title`` and every view.

The list's ``title`` is what the list wrote (null when it wrote nothing usable: a bare URL, a
badge, a link named "Paper" in an item without a title); consumers tell it apart from the
upstream's name, which only the display title falls back to.
"""

from __future__ import annotations

from enrich.core.model import Entry


def display_title(entry: Entry) -> str:
    """The list's own title, else the upstream's name for the entry — the repository's
    ``full_name`` (``CarperAI/trlx``), the paper's title, the Hub ``repo_id``, the page's title
    — else what the upstream is asked (``source_id``)."""
    if entry.title:
        return entry.title
    names = (
        entry.repo.full_name if entry.repo else None,
        entry.paper.title if entry.paper else None,
        entry.hub.repo_id if entry.hub else None,
        entry.web.title if entry.web else None,
    )
    return next((name for name in names if name), entry.source_id)
