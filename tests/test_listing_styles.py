"""Titles, descriptions and sections as lists in many styles write them (issue 25).

One table per class of error found on real lists; each case is a small list written here in
the style of that class (sample data, not copied from any list). A rule that is a judgement is
written down in the README ("Lists the parser reads").
"""

from __future__ import annotations

import pytest

from enrich.core.listing import parse_list
from enrich.core.model import Entry


def parsed(markdown: str, source: str = "sample.md") -> dict[str, Entry]:
    return {e.id: e for e in parse_list(markdown.encode(), source).entries}


def titles(markdown: str) -> dict[str, str | None]:
    return {entry_id: entry.title for entry_id, entry in parsed(markdown).items()}


# -- names thrown away: a domain as a link text, names the generic-word check took for labels --
@pytest.mark.parametrize(
    ("markdown", "expected"),
    [
        (  # a domain or a repository path written as the link's text names the site
            "* [anvil.works](https://anvil.works) - Web app builder\n"
            "* [github.com/odino/interviews](https://github.com/odino/interviews) : questions\n",
            {"https://anvil.works/": "anvil.works", "github:odino/interviews": "github.com/odino/interviews"},
        ),
        (  # the URL itself (with its scheme, or www.) is no name
            "* [https://github.com/a/b](https://github.com/a/b) - x\n* [www.example.org](https://www.example.org) - y\n",
            {"github:a/b": None, "https://www.example.org/": None},
        ),
        (  # names that contain a generic word: title case, braces, a site's own name
            "* [Data Read](https://github.com/dr/dr) - reads data\n"
            "* [Open HTML to PDF](https://github.com/oh/oh) - renders\n"
            "* [{fmt}](https://github.com/fmtlib/fmt) - formatting\n"
            "* [GitLab](https://docs.gitlab.com/ee/development/go_guide/) - GitLab's Go guide\n"
            "* [draw.io](https://www.drawio.com) - diagrams\n",
            {"github:dr/dr": "Data Read", "github:oh/oh": "Open HTML to PDF", "github:fmtlib/fmt": "{fmt}",
             "https://docs.gitlab.com/ee/development/go_guide/": "GitLab", "https://www.drawio.com/": "draw.io"},
        ),
        (  # still generic: kinds of links, in any case, and a site's name on one of its objects
            "* Tool X [Official Code](https://github.com/x/x) [Project Page](https://x.org/p) [GitHub](https://github.com/x/y)\n",
            {"github:x/x": "Tool X", "https://x.org/p": "Tool X", "github:x/y": "Tool X"},
        ),
        (  # phrases in title case that say what a link is, or where
            "* [Guess Right](https://guess.example.org) - a game. Code is [Open Source on GitHub](https://github.com/g/guess) (not the live files).\n"
            "* [Kubero](https://kubero.dev) - a PaaS ([Demo](https://demo.kubero.dev/), [See Demo](https://kubero.dev/try))\n"
            "* [Questflow](https://questflow.ai) - agents; [Twitter](https://twitter.com/questflow)\n",
            {"github:g/guess": "Guess Right", "https://demo.kubero.dev/": "Kubero", "https://kubero.dev/try": "Kubero",
             "https://twitter.com/questflow": "Questflow"},
        ),
        (  # "Git" names Git (it is no kind of link), next to another name in a sentence
            "You'll need [Node.js](https://nodejs.org/en) (20 or later) and [Git](https://git-scm.com/) installed.\n",
            {"https://nodejs.org/en": "Node.js", "https://git-scm.com/": "Git"},
        ),
    ],
)
def test_names_are_kept(markdown: str, expected: dict[str, str | None]) -> None:
    assert {k: v for k, v in titles(markdown).items() if k in expected} == expected
