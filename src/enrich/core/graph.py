"""The graph: typed ties between entries (a paper's code, who cites a paper, one paper under two
ids, the entries of one list item), each with the evidence that makes it.

Pure: derived from the entries' enrichment, so ``enrich rebuild`` gives the same graph. A tie
always has a listed entry at one end; the other end may be *external* (a paper's code
repository that the list does not link): it is named by the id it would have as an entry, so
a consumer joins it the same way (`enrich.core.links.classify`).

Evidence, in order of trust, per relation:

- ``code`` (paper -> repository): the list puts both in one item (``same_item``); the Hub's
  paper page names the repository (``hub_paper``); the paper's arXiv comment or abstract links
  it (``arxiv_comment``, ``arxiv_abstract``); the repository's description or homepage names the
  paper's arXiv id (``repo_description``, ``repo_homepage``).
- ``cites`` (dataset, model, space or repository -> paper): the Hub's ``arxiv:`` tags
  (``hub_arxiv_tag``), an arXiv id in the card's text (``card_text``), the Hub paper page's most
  used models, datasets and Spaces (``hub_paper``), a Hub URL in the paper's arXiv comment
  (``arxiv_comment``); (paper -> paper) the paper's references as Semantic Scholar has them
  (``s2_references``), to the listed papers (by any id one is known under: its own, its arXiv
  version, the DOI its page declares, Semantic Scholar's ids for it) and to the external papers
  other ties already name (a paper's hundreds of other references are not the list's graph).
- ``same_as`` (a paper listed under another URL -> its arXiv version): how it was found
  (``citation_arxiv_id``, ``arxiv_link``, ``title_search``; see `ArxivMatch`).
- ``same_item`` (both ways): the list puts the two in one item.
- ``collects`` (a Hub collection -> a listed model, dataset, Space, paper or collection): the
  collection's items name it (``hub_collection``). Only to entries of the list: a collection's
  other items are in its record, not the graph.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping

from enrich.core.errors import InputError
from enrich.core.links import HUB_KINDS, Kind, classify
from enrich.core.model import (
    Direction,
    Entry,
    Evidence,
    Link,
    Reference,
    Relation,
    ScholarPaper,
    Status,
    Tie,
)

_ARXIV_MENTION = re.compile(
    r"(?:arxiv\.org/(?:abs|pdf|html)/|arxiv:\s*)(\d{4}\.\d{4,5})", re.IGNORECASE
)
_URL = re.compile(r"https?://[^\s<>()\"'\]\[{}]+")
_HUB_PATH = {Kind.DATASET: "datasets/", Kind.MODEL: "", Kind.SPACE: "spaces/"}
# The id schemes of a paper a reference may name (`reference_ids`).
_PAPER_SCHEMES = ("arxiv", "doi", "acl", "s2")

# Evidence order: the order ties list their evidence in (most trusted first).
_ORDER = {evidence: rank for rank, evidence in enumerate(Evidence)}


class _Node:
    """One end of a tie: its id, URL and whether the list links it."""

    __slots__ = ("id", "listed", "url")

    def __init__(self, id: str, url: str, listed: bool) -> None:
        self.id, self.url, self.listed = id, url, listed


def arxiv_url(arxiv_id: str) -> str:
    return f"https://arxiv.org/abs/{arxiv_id}"


def github_url(entry_id: str) -> str:
    return f"https://github.com/{entry_id.removeprefix('github:')}"


def hub_url(kind: Kind, repo_id: str) -> str:
    return f"https://huggingface.co/{_HUB_PATH[kind]}{repo_id}"


class _Index:
    """The listed entries by every id a tie may name them by: a renamed repository is found by
    its old and its new name."""

    def __init__(self, entries: list[Entry]) -> None:
        self.entries = {e.id: e for e in entries}
        self.alias: dict[str, str] = {}
        for entry in entries:
            if entry.repo is not None:
                for name in (entry.repo.full_name, entry.repo.renamed_from):
                    if name:
                        self.alias.setdefault(f"github:{name.lower()}", entry.id)

        # A listed paper by every id a reference may name it by (its own id first).
        self.papers: dict[str, str] = {}
        for entry in entries:
            if entry.kind is Kind.PAPER:
                for other in _paper_aliases(entry):
                    self.papers.setdefault(other, entry.id)
        for entry in entries:
            self.papers[entry.id] = entry.id

    def node(self, node_id: str, url: str) -> _Node:
        listed = self.entries.get(node_id) or self.entries.get(self.alias.get(node_id, ""))
        if listed is not None:
            return _Node(listed.id, listed.url, True)
        return _Node(node_id, url, False)

    def listed(self, entry: Entry) -> _Node:
        return _Node(entry.id, entry.url, True)


def _paper_aliases(entry: Entry) -> Iterator[str]:
    """The other ids a listed paper is known under: its arXiv version, the DOI its landing page
    declares, and Semantic Scholar's ids for it."""
    if entry.arxiv_match is not None:
        yield entry.arxiv_match.entry_id
    meta = entry.web.paper_meta if entry.web is not None else None
    if meta is not None and meta.doi:
        yield f"doi:{meta.doi.lower()}"
    found = entry.scholar
    if found is not None and found.found:
        ids = found.external_ids
        for scheme, value in (("arxiv", ids.arxiv), ("doi", ids.doi), ("acl", ids.acl),
                              ("s2", found.paper_id)):  # fmt: skip
            if value:
                yield f"{scheme}:{value.lower() if scheme in ('doi', 's2') else value}"


def reference_ids(ref: Reference) -> list[str]:
    """The entry ids one reference may have in a list (``arxiv:…``, ``doi:…``, ``acl:…``,
    ``s2:…``): one paper's, most specific first."""
    named = (("arxiv", ref.arxiv), ("doi", ref.doi), ("acl", ref.acl), ("s2", ref.paper_id))
    return [f"{scheme}:{value}" for scheme, value in named if value]


def cited_ids(paper: ScholarPaper) -> list[str]:
    """Every entry id the paper's references may have in a list, each once, in reference
    order."""
    return list(dict.fromkeys(i for ref in paper.references for i in reference_ids(ref)))


def _reference_ties(entry: Entry, index: _Index, known: Mapping[str, _Node]) -> Iterator[_Raw]:
    """A paper's ``cites`` ties from its references: each reference to the listed paper it
    names, else to an external paper the other ties name (``known``), else none."""
    found = entry.scholar
    if found is None or not found.found:
        return
    me = index.listed(entry)
    for ref in found.references:
        ids = reference_ids(ref)
        listed = next((index.papers[i] for i in ids if i in index.papers), None)
        if listed is not None:
            yield me, index.listed(index.entries[listed]), Relation.CITES, Evidence.S2_REFERENCES
            continue
        external = next((known[i] for i in ids if i in known), None)
        if external is not None:
            yield me, external, Relation.CITES, Evidence.S2_REFERENCES


def _paper_ids(text: str) -> list[str]:
    return [f"arxiv:{i}" for i in _ARXIV_MENTION.findall(text)]


def _urls(text: str) -> Iterator[tuple[str, Kind]]:
    """The entry ids of repository and Hub URLs in a text."""
    for url in _URL.findall(text):
        try:
            ref = classify(url.rstrip(".,;:"))
        except InputError:
            continue
        if ref.kind is Kind.REPO or ref.kind in HUB_KINDS:
            yield ref.entry_id, ref.kind


_Raw = tuple[_Node, _Node, Relation, Evidence]


def _raw_ties(entry: Entry, index: _Index) -> Iterator[_Raw]:
    """Every (source, target, relation, evidence) this entry's own data gives."""
    me = index.listed(entry)
    for other_id in entry.same_item:
        other = index.entries.get(other_id)
        if other is None:
            continue
        yield me, index.listed(other), Relation.SAME_ITEM, Evidence.SAME_ITEM
        if entry.kind is Kind.PAPER and other.kind is Kind.REPO:
            yield me, index.listed(other), Relation.CODE, Evidence.SAME_ITEM
    page = entry.hub_paper
    if page is not None and page.on_hub:
        if page.github_repo_id:
            code = index.node(page.github_repo_id, github_url(page.github_repo_id))
            yield me, code, Relation.CODE, Evidence.HUB_PAPER
        for kind, linked in (
            (Kind.MODEL, page.top_models),
            (Kind.DATASET, page.top_datasets),
            (Kind.SPACE, page.top_spaces),
        ):
            prefix = {Kind.MODEL: "model", Kind.DATASET: "dataset", Kind.SPACE: "space"}[kind]
            for hub in linked:
                user = index.node(f"hf:{prefix}/{hub.repo_id.lower()}", hub_url(kind, hub.repo_id))
                yield user, me, Relation.CITES, Evidence.HUB_PAPER
    if entry.paper is not None:
        for text, evidence in (
            (entry.paper.comment, Evidence.ARXIV_COMMENT),
            (entry.paper.abstract, Evidence.ARXIV_ABSTRACT),
        ):
            for named, kind in _urls(text or ""):
                url = github_url(named) if kind is Kind.REPO else _hub_url_of(named)
                node = index.node(named, url)
                if kind is Kind.REPO:
                    yield me, node, Relation.CODE, evidence
                elif evidence is Evidence.ARXIV_COMMENT:
                    yield node, me, Relation.CITES, evidence
    if entry.arxiv_match is not None:
        match = entry.arxiv_match
        version = index.node(match.entry_id, arxiv_url(match.arxiv_id))
        yield me, version, Relation.SAME_AS, Evidence(match.evidence)
    if entry.hub is not None:
        for arxiv_id in entry.hub.arxiv_ids:
            paper = index.node(f"arxiv:{arxiv_id}", arxiv_url(arxiv_id))
            yield me, paper, Relation.CITES, Evidence.HUB_ARXIV_TAG
        if entry.hub.card is not None:
            for paper_id in _paper_ids(entry.hub.card.text or ""):
                paper = index.node(paper_id, arxiv_url(paper_id.removeprefix("arxiv:")))
                yield me, paper, Relation.CITES, Evidence.CARD_TEXT
    if entry.collection is not None:
        for item in entry.collection.items:
            held = index.node(item.entry_id, "") if item.entry_id else None
            if held is not None and held.listed:
                yield me, held, Relation.COLLECTS, Evidence.HUB_COLLECTION
    if entry.repo is not None:
        for text, evidence in (
            (entry.repo.description, Evidence.REPO_DESCRIPTION),
            (entry.repo.homepage, Evidence.REPO_HOMEPAGE),
        ):
            for paper_id in _paper_ids(text or ""):
                paper = index.node(paper_id, arxiv_url(paper_id.removeprefix("arxiv:")))
                yield paper, me, Relation.CODE, evidence


def _hub_url_of(entry_id: str) -> str:
    kind, _, repo_id = entry_id.removeprefix("hf:").partition("/")
    return hub_url(Kind(kind), repo_id)


def links(entries: list[Entry]) -> list[Link]:
    """The graph's edges made from the entries' enrichment, one per (source, target,
    relation) with all its evidence, sorted.

    A symmetric relation (``same_item``) appears in both directions, so ``where source = X``
    finds every tie of X; a tie of an entry to itself (a paper whose Hub page names a listed
    repository that is the same entry) is dropped."""
    index = _Index(entries)
    found: dict[tuple[str, str, Relation], tuple[_Node, _Node, set[Evidence]]] = {}

    def add(ties: Iterator[_Raw]) -> None:
        for source, target, relation, evidence in ties:
            if source.id == target.id or not (source.listed or target.listed):
                continue
            key = (source.id, target.id, relation)
            if key not in found:
                found[key] = (source, target, set())
            found[key][2].add(evidence)

    for entry in entries:
        add(_raw_ties(entry, index))
    # References reach the external papers the other ties name, not every paper cited.
    known = {
        node.id: node
        for source, target, _ in found.values()
        for node in (source, target)
        if not node.listed and node.id.partition(":")[0] in _PAPER_SCHEMES
    }
    for entry in entries:
        add(_reference_ties(entry, index, known))
    return sorted(
        (
            _link(source, target, relation, sorted(evidence, key=_ORDER.__getitem__))
            for (_, _, relation), (source, target, evidence) in found.items()
        ),
        key=lambda link: (link.source, link.relation, link.target),
    )


def _link(source: _Node, target: _Node, relation: Relation, evidence: list[Evidence]) -> Link:
    return Link(
        source=source.id,
        target=target.id,
        relation=relation,
        evidence=evidence,
        source_url=source.url,
        target_url=target.url,
        source_listed=source.listed,
        target_listed=target.listed,
    )


def ties(entries: list[Entry], edges: Iterable[Link]) -> list[Entry]:
    """Entries with their `Entry.ties` (both directions) and `Entry.cross_links` (the listed
    entries a ``code`` or ``cites`` tie joins it to, either way) set from the graph."""
    mine: dict[str, list[Tie]] = {e.id: [] for e in entries}
    for edge in edges:
        if edge.source in mine:
            mine[edge.source].append(_tie(edge, Direction.OUT))
        if edge.target in mine and edge.relation is not Relation.SAME_ITEM:
            mine[edge.target].append(_tie(edge, Direction.IN))
    out = []
    for entry in entries:
        own = sorted(mine[entry.id], key=lambda t: (t.relation, t.direction, t.other))
        crossed = {
            t.other for t in own if t.listed and t.relation in (Relation.CODE, Relation.CITES)
        }
        out.append(entry.model_copy(update={"ties": own, "cross_links": sorted(crossed)}))
    return out


def _tie(edge: Link, direction: Direction) -> Tie:
    out = direction is Direction.OUT
    return Tie(
        relation=edge.relation,
        direction=direction,
        other=edge.target if out else edge.source,
        url=edge.target_url if out else edge.source_url,
        listed=edge.target_listed if out else edge.source_listed,
        evidence=edge.evidence,
    )


def external_repos(edges: Iterable[Link]) -> list[tuple[str, str]]:
    """The repositories the list does not link that are a listed paper's code: (id, URL), in
    the order of the number of papers naming them, then id (what a bounded run enriches first)."""
    count: dict[str, int] = {}
    urls: dict[str, str] = {}
    for edge in edges:
        if edge.relation is Relation.CODE and edge.source_listed and not edge.target_listed:
            count[edge.target] = count.get(edge.target, 0) + 1
            urls[edge.target] = edge.target_url
    return [(i, urls[i]) for i in sorted(count, key=lambda i: (-count[i], i))]


def external_entry(entry_id: str, url: str) -> Entry:
    """The entry of an external repository (`external_repos`): in no section, at no position
    of the list, enriched like a listed one."""
    ref = classify(url)
    return Entry(
        id=entry_id, kind=ref.kind, source_id=ref.source_id, url=url, urls=[url],
        section=[], positions=[], status=Status.PENDING,
    )  # fmt: skip


def with_graph(entries: list[Entry]) -> tuple[list[Entry], list[Link]]:
    """The entries with their ties, and the graph's edges."""
    edges = links(entries)
    return ties(entries, edges), edges


def edges(entries: Iterable[Entry]) -> list[Link]:
    """The graph's edges read back from the entries' ties (what `links` gave `ties`): each
    edge is the out-tie of its listed source, or the in-tie of its listed target when the
    source is external; so a snapshot read from any of its files gives its links table."""
    found: list[Link] = []
    for entry in entries:
        me = _Node(entry.id, entry.url, True)
        for tie in entry.ties:
            other = _Node(tie.other, tie.url, tie.listed)
            if tie.direction is Direction.OUT:
                source, target = me, other
            elif not tie.listed:
                source, target = other, me
            else:
                continue  # the listed source's out-tie gives this edge
            found.append(_link(source, target, tie.relation, tie.evidence))
    return sorted(found, key=lambda link: (link.source, link.relation, link.target))


def code_repos(entry: Entry, related: Mapping[str, Entry]) -> list[Entry]:
    """The enriched repositories that are ``entry``'s code (its ``code`` ties out), listed or
    external, in tie order. A snapshot older than the ties (schema 1.3) has its cross links."""
    named = (
        [
            t.other
            for t in entry.ties
            if t.relation is Relation.CODE and t.direction is Direction.OUT
        ]
        if entry.ties
        else entry.cross_links
    )
    return [found for i in named if (found := related.get(i)) is not None and found.repo]
