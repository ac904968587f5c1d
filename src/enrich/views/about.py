"""``about.json``: what the operator said about the dataset when the run published it: its name,
the list's licence, the Hub repository, the notice (the demo's "Sample data: …").

Those are settings, not data, so a later ``enrich render`` in another shell would not know them:
the demo's folder re-rendered lost its "sample data" banner and its licence, and the card's
loading snippet its Hub repository. The folder keeps them here, and ``enrich render`` starts from
them (`read`), a setting given then taking precedence.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, fields
from typing import Any

from enrich.views import About, Published

name = "about"
PATH = "about.json"


def render(published: Published) -> Mapping[str, bytes]:
    text = json.dumps(asdict(published.about), indent=2, ensure_ascii=False, sort_keys=True)
    return {PATH: (text + "\n").encode("utf-8")}


def read(data: bytes) -> About:
    """The `About` of an ``about.json``; what is missing or not a string is unset, so a file
    from an older layout, or edited by hand, costs only itself."""
    try:
        stored: Any = json.loads(data)
    except ValueError:
        return About()
    if not isinstance(stored, dict):
        return About()
    given = {f.name: stored.get(f.name) for f in fields(About)}
    return About(**{k: v for k, v in given.items() if isinstance(v, str)})
