"""Typed records: the list entry, each source's enrichment, and the published snapshot.

These classes are the dataset's schema: the JSON Schema (``schema.json``) and the Parquet
schema are both derived from them, and the README documents every field. Field order here is
the key order in ``latest.json``. Bump `SCHEMA_VERSION` on any change a reader would notice:
minor for added fields, major for renamed/removed ones.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import Enum, StrEnum
from functools import cache
from types import UnionType
from typing import Annotated, Any, TypeVar, Union, get_args, get_origin

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from enrich.core.links import Kind

SCHEMA_VERSION = "1.6"


class Record(BaseModel):
    """Base of every record: strict about unknown fields so a schema drift fails loudly."""

    model_config = ConfigDict(extra="forbid", use_enum_values=False, defer_build=True)


class Status(StrEnum):
    """How fresh an entry's enrichment is."""

    OK = "ok"  # fetched this run
    STALE = "stale"  # this run's fetch failed; values are the last good ones (see stale_since)
    ERROR = "error"  # fetch failed and there are no earlier values
    # Not fetched on purpose (source left out, offline demo, blocked URL): the last good values
    # kept, when there are any (fetched_at says when they were fetched).
    SKIPPED = "skipped"
    PENDING = "pending"  # parsed, not enriched yet (an unenriched snapshot)


class Failure(StrEnum):
    """What kind of failure made an entry ``error`` or ``stale``: for machines (the publish
    guard, consumers filtering dead links from outages). The first three are facts about the
    link; the next three say this run could not fetch it; ``deferred`` is planned."""

    NOT_FOUND = "not_found"  # the upstream says it does not exist: 404, 410, unknown id, no host
    REJECTED = "rejected"  # a definite refusal of the link itself: bad id or name, other 4xx
    BLOCKED = "blocked"  # never fetched: the link points at an address links must not reach
    UNREACHABLE = "unreachable"  # no answer worth reading: connection, timeout, 5xx, rate limit
    UNAUTHORIZED = "unauthorized"  # an API answered 401/403 (a revoked or missing token)
    MALFORMED = "malformed"  # an answer that is not what the API sends (HTML, wrong types)
    DEFERRED = "deferred"  # left for a later night: the rate limit could not cover it


class Position(Record):
    """Where a link stands in the list; a URL listed twice has two positions."""

    section: list[str] = Field(description="Heading path, pseudo-headings such as *2020* included")
    line: int = Field(description="1-based line of the link in the list file")
    index: int = Field(description="1-based order of the link among all links of the list")
    parent: str | None = Field(default=None, description="Text of the enclosing list item")
    item: int | None = Field(
        default=None, description="`index` of the item (in the entry's `items`) the link stands in"
    )


class ItemKind(StrEnum):
    """What kind of thing in the list an item is."""

    LIST_ITEM = "list_item"  # a bullet or numbered item, with its untitled sub-items
    TABLE_ROW = "table_row"  # a row of a Markdown or HTML table
    PARAGRAPH = "paragraph"  # a line of a paragraph outside lists and tables


class Item(Record):
    """A list item, table row or paragraph line: what the list's author wrote about one thing.

    The links of one item are tied ("same list item"): a paper and its code in one row."""

    index: int = Field(description="1-based order of the item in the list; equal for one item")
    kind: ItemKind
    title: str | None = Field(
        default=None,
        description="Bold text, title cell, or the text before its links or the first named link",
    )
    description: str | None = Field(
        default=None, description="The item's prose after its title, link texts kept"
    )
    section: list[str] = Field(description="Heading path of the item")
    line: int = Field(description="1-based line where the item starts")
    columns: list[str] = Field(
        default_factory=list,
        description="A table row's column headers, in order (``column N`` for an empty one)",
    )
    cells: list[str] = Field(
        default_factory=list, description="A table row's cell texts, in the order of `columns`"
    )


class Author(Record):
    name: str
    affiliations: list[str] = Field(default_factory=list)


class Paper(Record):
    """An arXiv paper, from the arXiv API's Atom entry."""

    arxiv_id: str = Field(description="Versionless id, e.g. 2204.05862")
    versioned_id: str = Field(description="Id of the latest version, e.g. 2204.05862v2")
    version: int = Field(description="Latest version number")
    title: str
    authors: list[Author]
    abstract: str
    primary_category: str | None = None
    categories: list[str] = Field(default_factory=list)
    published: AwareDatetime | None = Field(default=None, description="First version's date")
    updated: AwareDatetime | None = Field(default=None, description="Latest version's date")
    doi: str | None = None
    journal_ref: str | None = None
    comment: str | None = None
    abs_url: str | None = None
    pdf_url: str | None = None


class Language(Record):
    name: str
    bytes: int


class Release(Record):
    tag: str
    name: str | None = None
    published_at: AwareDatetime | None = None


class Repo(Record):
    """A GitHub repository, from the REST (or GraphQL) API."""

    repo_id: int = Field(description="GitHub's numeric id: survives renames and transfers")
    full_name: str = Field(description="Current owner/name")
    renamed_from: str | None = Field(
        default=None, description="The owner/name the list links to, when GitHub redirected it"
    )
    html_url: str
    description: str | None = None
    homepage: str | None = None
    stars: int
    forks: int
    watchers: int = Field(description="Subscribers (people watching), not stargazers")
    open_issues: int = Field(description="Open issues plus open pull requests, as GitHub counts")
    language: str | None = None
    languages: list[Language] = Field(default_factory=list)
    license: str | None = Field(default=None, description="SPDX id; NOASSERTION for unknown")
    topics: list[str] = Field(default_factory=list)
    created_at: AwareDatetime | None = None
    pushed_at: AwareDatetime | None = None
    archived: bool = False
    fork: bool = False
    default_branch: str | None = None
    latest_release: Release | None = None
    last_commit_at: AwareDatetime | None = Field(
        default=None, description="Committer date of the newest commit on the default branch"
    )
    commits_30d: int | None = None
    commits_365d: int | None = None
    contributors: int | None = Field(default=None, description="Including anonymous ones")


class Card(Record):
    """A Hub repository card (README.md): its YAML metadata and its text."""

    license: str | None = None
    task_categories: list[str] = Field(default_factory=list)
    language: list[str] = Field(default_factory=list)
    size_categories: list[str] = Field(default_factory=list)
    pretty_name: str | None = None
    configs: list[str] = Field(default_factory=list, description="Config names")
    metadata_json: str | None = Field(
        default=None, description="The whole YAML front matter, as a JSON string"
    )
    text: str | None = Field(default=None, description="The card's Markdown, front matter removed")
    summary: str | None = Field(default=None, description="First paragraph of prose, plain text")


class HubRepo(Record):
    """A Hugging Face dataset, model or space, from the Hub API."""

    repo_type: str = Field(description="dataset, model or space")
    repo_id: str
    sha: str | None = None
    last_modified: AwareDatetime | None = None
    created_at: AwareDatetime | None = None
    downloads: int | None = Field(default=None, description="Downloads in the last 30 days")
    downloads_all_time: int | None = None
    likes: int | None = None
    tags: list[str] = Field(default_factory=list)
    gated: str | None = Field(default=None, description="null, 'auto' or 'manual'")
    private: bool = False
    arxiv_ids: list[str] = Field(default_factory=list, description="From arxiv:* tags")
    card: Card | None = None


class CollectionItem(Record):
    """One item of a Hub collection: a Hub object named by its type and id."""

    type: str = Field(description="model, dataset, space, paper, collection (or a newer type)")
    item_id: str = Field(
        description="The Hub's id of the object: a repo id, an arXiv id, a collection's slug"
    )
    entry_id: str | None = Field(
        default=None,
        description="The id it has as an entry (hf:model/…, arxiv:…); null for "
        "a type the pipeline does not enrich",
    )
    position: int = Field(description="Its place in the collection, from 0")
    note: str | None = Field(default=None, description="The owner's note on it, as plain text")


class HubCollection(Record):
    """A Hugging Face Hub collection, from ``/api/collections/{owner}/{slug}``."""

    slug: str = Field(description="owner/slug as the Hub answers it (current title)")
    title: str
    owner: str = Field(description="The user or organization that owns it")
    owner_type: str | None = Field(default=None, description="user or org")
    description: str | None = None
    upvotes: int | None = Field(default=None, description="Upvotes of the collection")
    item_count: int = Field(description="How many items it holds")
    items: list[CollectionItem] = Field(default_factory=list, description="In the Hub's order")
    last_updated: AwareDatetime | None = None
    private: bool = False
    gated: bool = Field(default=False, description="Whether its items ask for an access request")
    theme: str | None = None
    url: str | None = Field(default=None, description="The collection's page")


class Redirect(Record):
    """One redirect on the way to a page: the URL asked and the status it answered."""

    status: int = Field(description="301, 302, 303, 307 or 308")
    url: str = Field(description="The URL that answered with the redirect")


class MetaSources(Record):
    """Where each field of a `PaperMeta` was read: the tag (``citation_title``, ``dc.creator``)
    or the JSON-LD property (``json-ld:ScholarlyArticle.author``); null when the field is."""

    title: str | None = None
    authors: str | None = None
    published: str | None = None
    venue: str | None = None
    doi: str | None = None
    pdf_url: str | None = None
    arxiv_id: str | None = None
    abstract: str | None = None


class PaperMeta(Record):
    """A paper's metadata as its landing page declares it: the Highwire / Google Scholar tags
    (``citation_*``), else Dublin Core, else schema.org ``ScholarlyArticle`` JSON-LD."""

    title: str | None = None
    authors: list[Author] = Field(default_factory=list, description="In the page's order")
    published: str | None = Field(
        default=None, description="ISO date, as precise as the page: 2018, 2018-06, 2018-06-18"
    )
    venue: str | None = Field(default=None, description="Conference, journal or book title")
    doi: str | None = Field(default=None, description="Lower-case, no doi.org prefix")
    pdf_url: str | None = None
    arxiv_id: str | None = Field(default=None, description="As the page declares it")
    abstract: str | None = None
    sources: MetaSources = Field(default_factory=MetaSources)


class WebPage(Record):
    """A web page, from an HTTP GET."""

    final_url: str | None = None
    http_status: int | None = None
    content_type: str | None = None
    title: str | None = None
    checked_at: AwareDatetime | None = None
    redirects: list[Redirect] = Field(
        default_factory=list, description="The redirects followed, in order (permanent: 301/308)"
    )
    https_equivalent: bool | None = Field(
        default=None,
        description="For an http:// link: whether its https:// form answers the same page "
        "(null: not asked)",
    )
    og_title: str | None = Field(default=None, description="OpenGraph og:title")
    description: str | None = Field(
        default=None, description="og:description, else the description meta tag"
    )
    paper_meta: PaperMeta | None = Field(
        default=None, description="The scholarly metadata the page declares, if any"
    )


class ExternalIds(Record):
    """A paper's ids elsewhere, as Semantic Scholar links them (DOI lower-cased)."""

    arxiv: str | None = Field(default=None, description="Versionless arXiv id")
    doi: str | None = Field(default=None, description="Lower-case, no doi.org prefix")
    dblp: str | None = Field(default=None, description="DBLP key, e.g. conf/acl/LoWNKW20")
    acl: str | None = Field(default=None, description="ACL Anthology id")
    pubmed: str | None = None
    pubmed_central: str | None = None
    mag: str | None = Field(default=None, description="Microsoft Academic Graph id")


class Venue(Record):
    """Where a paper was published, as Semantic Scholar's venue records have it."""

    id: str | None = Field(default=None, description="Semantic Scholar's venue id")
    name: str | None = None
    type: str | None = Field(default=None, description="conference, journal…")
    url: str | None = None


class OpenAccessPdf(Record):
    url: str | None = None
    status: str | None = Field(default=None, description="GREEN, GOLD, HYBRID, BRONZE…")
    license: str | None = None


class FieldOfStudy(Record):
    category: str
    source: str | None = Field(default=None, description="external or s2-fos-model")


class Reference(Record):
    """A paper another cites, by its ids (only references with some id are kept)."""

    paper_id: str | None = Field(default=None, description="Semantic Scholar paper id")
    arxiv: str | None = None
    doi: str | None = None
    acl: str | None = None


class ScholarPaper(Record):
    """A paper in Semantic Scholar's Academic Graph (``POST /graph/v1/paper/batch``)."""

    asked_as: str = Field(description="The id Semantic Scholar was asked: ARXIV:…, DOI:…, ACL:…")
    found: bool = Field(description="False: Semantic Scholar does not know the id (not an error)")
    paper_id: str | None = Field(default=None, description="Semantic Scholar's paper id (sha)")
    corpus_id: int | None = Field(default=None, description="Semantic Scholar's numeric id")
    url: str | None = None
    title: str | None = None
    citations: int | None = Field(default=None, description="Papers citing this one (a counter)")
    influential_citations: int | None = Field(
        default=None, description="Citations Semantic Scholar judges influential (a counter)"
    )
    reference_count: int | None = Field(default=None, description="Papers this one cites")
    venue: str | None = None
    publication_venue: Venue | None = None
    year: int | None = None
    publication_date: str | None = Field(default=None, description="ISO date, YYYY-MM-DD")
    fields_of_study: list[str] = Field(default_factory=list)
    s2_fields_of_study: list[FieldOfStudy] = Field(default_factory=list)
    publication_types: list[str] = Field(
        default_factory=list, description="JournalArticle, Conference, Review…"
    )
    is_open_access: bool | None = None
    open_access_pdf: OpenAccessPdf | None = None
    tldr: str | None = Field(default=None, description="Semantic Scholar's one-sentence summary")
    tldr_model: str | None = None
    external_ids: ExternalIds = Field(default_factory=ExternalIds)
    references: list[Reference] = Field(
        default_factory=list, description="The cited papers Semantic Scholar could identify"
    )
    fetched_at: AwareDatetime | None = Field(
        default=None,
        description="When it was read: kept with the record on a night the scholar source "
        "failed or was left out (its values are then that night's)",
    )


class ScorePart(Record):
    """One part of a score: its name (``popularity``, ``activity``…) and the points it gave."""

    name: str
    points: float


class Score(Record):
    """An entry's score and why: the sum of its parts (`enrich.core.score`, README "Score")."""

    scheme: str = Field(description="Which formula: repo, paper or hub (with its version)")
    total: float = Field(description="Sum of the parts' points, rounded to one decimal")
    parts: list[ScorePart]


class HubLinked(Record):
    """A Hub repository that cites a paper (its card links the paper)."""

    repo_id: str
    downloads: int | None = None
    likes: int | None = None


class HubPaper(Record):
    """An arXiv paper's page on the Hugging Face Hub (``huggingface.co/papers/ID``)."""

    arxiv_id: str
    on_hub: bool = Field(description="False: the Hub has no page for the paper (not an error)")
    url: str | None = Field(default=None, description="The paper page")
    title: str | None = None
    published_at: AwareDatetime | None = None
    submitted_at: AwareDatetime | None = Field(
        default=None, description="When it was submitted to the Hub's Daily Papers"
    )
    upvotes: int | None = Field(default=None, description="Upvotes of the paper page (a counter)")
    comments: int | None = Field(default=None, description="Null when the answer has no count")
    github_repo: str | None = Field(default=None, description="The paper's code, as the Hub has it")
    github_repo_id: str | None = Field(
        default=None, description="That repository's entry id (github:owner/repo)"
    )
    github_stars: int | None = None
    project_page: str | None = None
    ai_keywords: list[str] = Field(default_factory=list)
    ai_summary: str | None = None
    organization: str | None = None
    num_models: int | None = Field(default=None, description="Models citing the paper")
    num_datasets: int | None = None
    num_spaces: int | None = None
    top_models: list[HubLinked] = Field(
        default_factory=list, description="The most downloaded of them (at most 5)"
    )
    top_datasets: list[HubLinked] = Field(default_factory=list)
    top_spaces: list[HubLinked] = Field(default_factory=list, description="The most liked")
    fetched_at: AwareDatetime | None = Field(
        default=None,
        description="When the page was read: kept with the record on a night the papers "
        "source failed or was left out",
    )


class ArxivMatch(Record):
    """The arXiv version of a paper listed under another URL (a conference page, a DOI), and
    how it was found: the two ids name one paper."""

    arxiv_id: str
    entry_id: str = Field(description="The arXiv paper's entry id: arxiv:ID")
    evidence: str = Field(
        description="citation_arxiv_id (the page says so), arxiv_link (a link on the page whose "
        "arXiv title matches), title_search (exact title and first author's surname)"
    )
    detail: str | None = Field(default=None, description="The link, or the title searched")


class Relation(StrEnum):
    """What a tie between two entries says (`enrich.core.graph`)."""

    CODE = "code"  # paper -> repository: the paper's code
    # dataset, model, space or repository -> paper: it names the paper; paper -> paper: it
    # references it (Semantic Scholar)
    CITES = "cites"
    SAME_AS = "same_as"  # a paper listed under another URL -> its arXiv version
    SAME_ITEM = "same_item"  # both ways: the list puts the two in one item
    COLLECTS = "collects"  # Hub collection -> a listed entry it holds


class Evidence(StrEnum):
    """Why a tie is there, most trusted first (README "The graph")."""

    SAME_ITEM = "same_item"  # the list puts both in one item
    CITATION_ARXIV_ID = "citation_arxiv_id"  # the paper's page declares its arXiv id
    ARXIV_LINK = "arxiv_link"  # a link on the paper's page, whose arXiv title matches
    TITLE_SEARCH = "title_search"  # arXiv has the exact title and first author's surname
    HUB_PAPER = "hub_paper"  # the Hub's paper page names it
    HUB_ARXIV_TAG = "hub_arxiv_tag"  # the Hub repository's arxiv: tag
    ARXIV_COMMENT = "arxiv_comment"  # a URL in the paper's arXiv comment
    ARXIV_ABSTRACT = "arxiv_abstract"  # a URL in the paper's abstract
    REPO_DESCRIPTION = "repo_description"  # the repository's description names the arXiv id
    REPO_HOMEPAGE = "repo_homepage"  # the repository's homepage is the paper's arXiv page
    CARD_TEXT = "card_text"  # the Hub card's text names the arXiv id
    HUB_COLLECTION = "hub_collection"  # the Hub collection's items name it
    S2_REFERENCES = "s2_references"  # the paper's references, as Semantic Scholar has them


class Direction(StrEnum):
    """Which end of a tie an entry is."""

    OUT = "out"  # the entry is the tie's source (the paper of a code tie)
    IN = "in"  # the entry is its target (the repository of a code tie)


class Tie(Record):
    """A tie of this entry to another, as the entry sees it; `links.parquet` has each once."""

    relation: Relation
    direction: Direction
    other: str = Field(description="The other end's id (an entry id, listed or external)")
    url: str = Field(description="The other end's URL")
    listed: bool = Field(description="Whether the list links the other end (else external)")
    evidence: list[Evidence] = Field(description="Why, most trusted first")


class Link(Record):
    """An edge of the graph (``links.parquet``): at least one end is an entry of the list; the
    other may be external, named by the id it would have as an entry."""

    source: str = Field(description="Id of the source: the paper of a code tie, the citer")
    target: str = Field(description="Id of the target: the repository, the cited paper")
    relation: Relation
    evidence: list[Evidence] = Field(description="Why, most trusted first")
    source_url: str = Field(description="The source's URL (as listed, for a listed entry)")
    target_url: str
    source_listed: bool = Field(description="Whether the list links the source")
    target_listed: bool = Field(description="Whether the list links the target")


class Deferred(Record):
    """A field the rate limit left for a later night: the value the entry carries for it is
    the last good one, fetched at ``fetched_at`` (null: never fetched yet)."""

    field: str = Field(description="The field (``contributors``) or a whole record (``repo``)")
    fetched_at: AwareDatetime | None = Field(
        default=None, description="When the value carried was fetched (null: never)"
    )


class Entry(Record):
    """One thing the list links to, with its enrichment."""

    id: str = Field(description="Stable key: arxiv:ID, github:owner/repo, hf:KIND/id, or URL")
    kind: Kind
    source_id: str = Field(description="What the upstream is asked: arXiv id, owner/repo, …")
    url: str = Field(description="The URL as first written in the list")
    urls: list[str] = Field(description="Every spelling of this entry's URL in the list")
    title: str | None = Field(
        default=None, description="Link text, or its item's title when the text is generic"
    )
    display_title: str | None = Field(
        default=None,
        description="What to call the entry: title, else the upstream's name (repository "
        "full_name, paper title, Hub repo_id, page title), else source_id",
    )
    description: str | None = Field(default=None, description="Its first item's description")
    section: list[str] = Field(description="Section path of the first position")
    positions: list[Position]
    items: list[Item] = Field(
        default_factory=list, description="The items the entry appears in, in list order"
    )
    same_item: list[str] = Field(
        default_factory=list, description="Ids of the other entries in one of its items (sorted)"
    )
    listed_version: int | None = Field(default=None, description="arXiv version the list links")
    status: Status = Status.PENDING
    status_reason: str | None = None
    failure: Failure | None = Field(
        default=None, description="For error and stale entries: what kind of failure (Failure)"
    )
    fetched_at: AwareDatetime | None = Field(default=None, description="When values were fetched")
    stale_since: AwareDatetime | None = Field(
        default=None, description="For stale entries: when the kept values were fetched"
    )
    deferred: list[Deferred] = Field(
        default_factory=list,
        description="Fields left for a later night by the rate limit (the plan's order serves "
        "them first next), each with the age of the value carried; never a failure",
    )
    cross_links: list[str] = Field(
        default_factory=list,
        description="Ids of the listed entries a code or cites tie joins it to, either way",
    )
    ties: list[Tie] = Field(
        default_factory=list, description="Its ties in the graph, both directions (sorted)"
    )
    paper: Paper | None = None
    repo: Repo | None = None
    hub: HubRepo | None = None
    collection: HubCollection | None = Field(
        default=None, description="A Hub collection's title, owner, upvotes and items"
    )
    web: WebPage | None = None
    hub_paper: HubPaper | None = Field(
        default=None, description="The Hub's page of the paper (an arXiv paper, or its version)"
    )
    arxiv_match: ArxivMatch | None = Field(
        default=None, description="For a paper listed under another URL: its arXiv version"
    )
    scholar: ScholarPaper | None = Field(
        default=None,
        description="Semantic Scholar's record of the paper: citations, venue, references "
        "(found false: Semantic Scholar does not know it)",
    )
    score: Score | None = Field(
        default=None, description="Score from the enrichment, with its parts (README: Score)"
    )


M = TypeVar("M", bound=BaseModel)


def updated(model: M, /, **changes: Any) -> M:
    """A copy of ``model`` with ``changes``, each validated against its field's type: an
    unknown field or a value of the wrong type raises `pydantic.ValidationError`. What every
    step that changes an entry uses (``model_copy(update=…)`` would take
    ``{"repoo": 1, "status": "bogus"}`` silently). A value that is exactly of its field's
    class (a `Repo` for ``repo: Repo | None``, a `Status`, None where allowed) is taken as it
    is; any other is validated by pydantic (and coerced: ``"ok"`` becomes `Status.OK`)."""
    kind = type(model)
    checked: dict[str, Any] = {}
    for name, value in changes.items():
        exact, adapter = _field_check(kind, name)
        if adapter is None:
            raise ValidationError.from_exception_data(
                kind.__name__,
                [{"type": "no_such_attribute", "loc": (name,), "input": value,
                  "ctx": {"attribute": name}}],
            )  # fmt: skip
        checked[name] = value if type(value) in exact else adapter.validate_python(value)
    return model.model_copy(update=checked)


# Classes whose instances need no check for a field of that type (their own validation made
# them): records and enums; not str, int or datetime, whose constraints pydantic checks.
_TRUSTED = (BaseModel, Enum)


@cache
def _field_check(
    model: type[BaseModel], name: str
) -> tuple[frozenset[type], TypeAdapter[Any] | None]:
    """The classes taken as they are for ``model.name``, and the adapter validating others."""
    info = model.model_fields.get(name)
    if info is None:
        return frozenset(), None
    annotation = info.annotation
    options = (
        get_args(annotation) if get_origin(annotation) in (Union, UnionType) else (annotation,)
    )
    exact = frozenset(
        option
        for option in options
        if option is type(None) or (isinstance(option, type) and issubclass(option, _TRUSTED))
    )
    metadata = info.metadata
    form: Any = Annotated[(annotation, *metadata)] if metadata else annotation
    return exact, TypeAdapter(form)


class Skipped(Record):
    """A link of the list that is not an entry, and why."""

    url: str
    line: int
    reason: str


class Count(Record):
    name: str
    count: int


class Header(Record):
    """What a reader needs to trust a snapshot: its version, time, input and totals."""

    schema_version: str = SCHEMA_VERSION
    generated_at: AwareDatetime
    run_id: str
    list_source: str = Field(
        description="The list as given: a URL, github:OWNER/REPO/PATH[@REF], bundled:NAME, or "
        "a path relative to the folder the run started in"
    )
    list_title: str | None = Field(
        default=None, description="The list's own name: its first level-1 heading (since 1.4)"
    )
    list_sha256: str
    entries: int
    by_kind: list[Count]
    by_status: list[Count]
    skipped_links: list[Skipped] = Field(default_factory=list)


class Snapshot(Record):
    header: Header
    entries: list[Entry]
    external: list[Entry] = Field(
        default_factory=list,
        description="Repositories the list does not link that are a listed paper's code, "
        "enriched like entries (no section or positions; sorted by id)",
    )


class LinksDocument(Record):
    """``links.json``: the graph's edges of a snapshot, with its header."""

    header: Header
    links: list[Link]


def counts(values: list[str]) -> list[Count]:
    """Sorted tallies, so headers compare equal whatever the entry order."""
    tally: dict[str, int] = {}
    for value in values:
        tally[value] = tally.get(value, 0) + 1
    return [Count(name=k, count=v) for k, v in sorted(tally.items())]


def utc_date(moment: datetime) -> str:
    """The UTC day a snapshot belongs to (names dated files)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d")
