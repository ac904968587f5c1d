"""Which entries of a list the fake API has sample data for, so the demo asks it about no other.

The fake answers as the real services do: a repository it holds no sample of is GitHub's 404,
an arXiv id it does not know is absent from the feed, a Hub id is the Hub's 401/404. On a list
of the user's own (``enrich demo --list mine.md``) that turned real, live repositories into
"not found on GitHub (deleted or private)", which `enrich check` then calls dead. Making the
fake answer otherwise (a 503, invented figures) would be the fake lying in the real format,
and an unanswered entry counted as a failure would make the publish guard refuse the demo.

So the demo leaves them out: an entry the sample data cannot answer is ``skipped``, "not
fetched on purpose", as the demo's web pages already are, with the reason `NO_SAMPLE`. Skipped
is neither a failure (the guard does not count it) nor a fact about the link (`enrich check`
says nothing of it), and the dataset says plainly why the entry has no values.
"""

from __future__ import annotations

from collections.abc import Iterable

from enrich.core.links import Kind
from enrich.core.model import Entry
from enrich.sandbox.server import FakeAPI

NO_SAMPLE = "offline demo: the sample data has no answer for this entry (not fetched)"
_HUB_PLURAL = {Kind.DATASET: "datasets", Kind.MODEL: "models", Kind.SPACE: "spaces"}


def without_sample(api: FakeAPI, entries: Iterable[Entry]) -> list[Entry]:
    """The entries the fake's GitHub, arXiv or Hub would be asked about and holds no sample
    data for (a renamed repository's redirect counts as sample data), in the given order. Web
    pages and papers on other hosts are not the fake APIs' (the demo does not fetch them)."""
    arxiv = {paper_id.lower() for paper_id in api.arxiv_titles()}
    redirects = api.redirects()
    missing = []
    for entry in entries:
        if entry.kind is Kind.REPO:
            known = api.find(f"github/repos/{entry.source_id}.json") is not None or (
                entry.source_id.lower() in redirects
            )
        elif entry.kind is Kind.PAPER and entry.id.startswith("arxiv:"):
            known = entry.source_id.lower() in arxiv
        elif entry.kind is Kind.COLLECTION:
            known = api.find(f"huggingface/collections/{entry.source_id}.json") is not None
        elif entry.kind in _HUB_PLURAL:
            relative = f"huggingface/{_HUB_PLURAL[entry.kind]}/{entry.source_id}.json"
            known = api.find(relative) is not None
        else:
            continue
        if not known:
            missing.append(entry)
    return missing


def notice(missing: list[Entry], total: int, shown: int = 3) -> str:
    """The demo's one line about them (stderr, at the start): how many, which, what follows."""
    names = ", ".join(e.id for e in missing[:shown])
    more = f" and {len(missing) - shown} more" if len(missing) > shown else ""
    return (
        f"enrich demo: the sample data has no answer for {len(missing)} of the list's {total} "
        f"entries ({names}{more}): they are skipped (not fetched), not reported missing"
    )
