"""``feed.xml``: an Atom feed of what changed, for people who subscribe rather than look.

One item per run that changed something (its changelog as HTML; a run where nothing changed is
no item), and one per notable event of a run (an entry added to the list, a new release, a new
arXiv version, code released, a paper adopted on the Hub, a link that broke, a repository
renamed or archived), over the last runs: this run's diff and the diffs published before it
(`Published.diffs`, read from ``diffs/runs/*.json`` and bounded by ``ENRICH_FEED_RUNS``). Every
run keeps its own diff, so a second run on one day is a second item beside the first, never a
replacement of it. The feed is rebuilt from those files every run, so it is a pure function of
the published dataset, and a run that is lost from the feed is one whose diff is no longer
published.

Item ids are ``urn:uuid`` names derived from what the item is (the list, by its name; the run's
id; the event, its entry, its new value and its day), never from when the feed was written nor
from how the list's path was spelt: a reader that saw an item never sees it again as new, and a
rerun that finds the same event gives it the same id. Links point at the entry's own page (the
repository, the paper, the Hub page); a run's item links to that run's changelog, relative to
the feed (``diffs/runs/RUN-ID.md``).

The first run announces its snapshot in one item (every entry is new: no item each).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime

from feedgen.feed import FeedGenerator
from markdown_it import MarkdownIt

from enrich.core.changelog import changelog, is_empty
from enrich.core.diff import EVENTS, Diff, Event
from enrich.views import Published
from enrich.views.card import title as dataset_title
from enrich.views.facts import list_key

name = "feed"
PATH = "feed.xml"

# The events worth an item of their own, in the changelog's order ("code_released": a paper
# gained a code repository in the graph; "hub_adoption": models and datasets citing a paper
# grew by ENRICH_HUB_ADOPTION_MIN or more).
NOTABLE = ("added", "renamed", "link_broke", "archived", "new_version", "new_release",
           "code_released", "hub_adoption")  # fmt: skip
# A night that breaks thousands of links should not bury the feed: past this many, a run's
# remaining events are in its changelog item only.
MAX_EVENT_ITEMS_PER_RUN = 100
_NAMESPACE = uuid.UUID("6f0d5c1e-2a7b-4d8e-9c3f-5b1a7e2d4c60")  # enrich's, for item ids
# Changelog Markdown -> HTML: raw HTML in it stays text (titles come from untrusted lists).
_MARKDOWN = MarkdownIt("commonmark", {"html": False}).enable("table")


def render(published: Published) -> Mapping[str, bytes]:
    return {PATH: feed_xml(published)}


def runs(published: Published) -> list[Diff]:
    """This run's diff and the earlier ones, newest first, each run once."""
    found = [published.diff] if published.diff is not None else []
    seen = {d["to"]["run_id"] for d in found}
    for diff in published.diffs:
        if diff["to"]["run_id"] not in seen:
            seen.add(diff["to"]["run_id"])
            found.append(diff)
    return sorted(found, key=lambda d: d["to"]["generated_at"], reverse=True)


def feed_xml(published: Published) -> bytes:
    header = published.snapshot.header
    source = header.list_source
    key = list_key(header)  # the ids' list part: its name, however its path was spelt
    feed = FeedGenerator()
    feed.id(_urn(f"feed:{key}"))
    feed.title(f"{dataset_title(published)}: what changed")
    feed.subtitle(
        f"Changes of the awesome list {source}, enriched every night"
        + (f". {published.about.notice}" if published.about.notice else "")
    )
    feed.author({"name": "enrich"})
    feed.link(href=PATH, rel="self", type="application/atom+xml")
    if published.about.hub_repo:
        feed.link(href=f"https://huggingface.co/datasets/{published.about.hub_repo}",
                  rel="alternate")  # fmt: skip
    feed.generator("enrich")
    feed.updated(header.generated_at)
    # feedgen prepends entries by default; appended in order, newest first. An id seen once is
    # not added again (an event undone and redone within a day).
    seen: set[str] = set()
    for diff in runs(published):
        if not changed(diff):
            continue
        _add_run(feed, key, diff, seen)
        for event in notable(diff)[:MAX_EVENT_ITEMS_PER_RUN]:
            _add_event(feed, key, diff, event, seen)
    return bytes(feed.atom_str(pretty=True))


def changed(diff: Diff) -> bool:
    """Whether a run is worth an item: the first snapshot, or anything that moved."""
    return diff["first_run"] or not is_empty(diff)


def notable(diff: Diff) -> list[Event]:
    if diff["first_run"]:
        return []
    return [e for e in diff["events"] if e["event"] in NOTABLE]


def run_title(diff: Diff) -> str:
    return f"{_day(diff['to']['generated_at'])}: {what_changed(diff)}"


def what_changed(diff: Diff) -> str:
    """A run's changes in a few words: its events by kind, else what moved (by entries)."""
    if diff["first_run"]:
        return f"first snapshot, {diff['summary']['added']} entries"
    tally = diff["summary"]["events"]
    parts = [f"{n} {EVENTS.get(event, event).lower()}" for event, n in tally.items()]
    if not parts:  # no event: what moved, by how many entries
        for rows, what in ((diff["counters"], "counts moved"), (diff["changes"], "changed")):
            n = len({row["id"] for row in rows})
            if n:
                parts.append(f"{n} {'entry' if n == 1 else 'entries'}: {what}")
    return "; ".join(parts) if parts else "nothing changed"


def _add_run(feed: FeedGenerator, key: str, diff: Diff, seen: set[str]) -> None:
    run_id = diff["to"]["run_id"]
    item_id = _urn(f"run:{key}:{run_id}")
    if item_id in seen:
        return
    seen.add(item_id)
    item = feed.add_entry(order="append")
    item.id(item_id)
    item.title(run_title(diff))
    item.updated(_time(diff["to"]["generated_at"]))
    item.link(href=f"diffs/runs/{run_id}.md", rel="alternate")
    item.content(_MARKDOWN.render(changelog(diff)), type="html")
    item.category(term="run")


def _add_event(feed: FeedGenerator, key: str, diff: Diff, event: Event, seen: set[str]) -> None:
    day = _day(diff["to"]["generated_at"])
    label = EVENTS.get(event["event"], event["event"])
    subject = event["title"] or event["id"]
    new = event["new"]
    shown = "" if event["event"] == "added" or not new else f" ({new})"
    if event["event"] == "hub_adoption":
        shown = f" ({new} models and datasets)"
    item_id = _urn(f"event:{key}:{day}:{event['event']}:{event['id']}:{new}")
    if item_id in seen:
        return
    seen.add(item_id)
    item = feed.add_entry(order="append")
    item.id(item_id)
    item.title(f"{label}: {subject}{shown}")
    item.updated(_time(diff["to"]["generated_at"]))
    # A code release links to the code; every other event to its entry.
    url = event.get("code_url") or event["url"]
    if url and url.startswith(("https://", "http://")):
        item.link(href=url, rel="alternate")
    old = event["old"]
    change = f": {old or '–'} → {new or '–'}" if event["event"] != "added" else ""
    where = f" (in {new})" if event["event"] == "added" and new else ""
    evidence = event.get("evidence")
    why = f" ({', '.join(evidence)})" if evidence else ""
    item.content(f"{event['id']}{change}{where}{why}, {day}", type="text")
    item.category(term=event["event"])


def _urn(name: str) -> str:
    return f"urn:uuid:{uuid.uuid5(_NAMESPACE, name)}"


def _time(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp)


def _day(stamp: str) -> str:
    return _time(stamp).date().isoformat()
