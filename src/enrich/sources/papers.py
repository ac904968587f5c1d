"""Papers across hosts: a listed paper's arXiv version, and every arXiv paper's Hub page.

A supplementary source: it adds records to paper entries whose status another source decides
(the arxiv source for arXiv papers, the web source for papers read from a landing page), and
its papers on other hosts wait for both (it reads what the web source found on their pages).

Fetch: the arXiv papers' Hub pages at once (in chunks, like any source); the papers on other
hosts in one last task, after the web and arxiv sources' tasks and this source's others (it
asks arXiv, whose spacing only one task can keep; its first request waits the spacing, since
the arxiv task may have just asked; a Hub page asked this run already is not asked again):

1. For each paper on another host, what its landing page declared (this run's web document):
   title, authors, ``citation_arxiv_id``, arXiv links. Kept as a ``input-…`` document.
2. Its arXiv version: the declared id, or a linked id whose arXiv title and first author are
   the page's; both asked in batched ``id_list`` queries. Else an exact-title search:
   ``search_query=ti:"…" OR ti:"…"``, ``arxiv_title_batch_size`` titles a request; a title
   whose answer came back full is asked again alone. A candidate is accepted only by
   `enrich.core.papermatch` (same normalized title, same first author's surname, no rival).
   The arXiv record comes in the same answers: no further request. A warm night: a page that
   declares what it declared the night before keeps that night's conclusion (``reused``): its
   tie stands, its arXiv record asked again by id; a miss is searched again only after
   ``paper_search_days``.
3. The Hub's page of every arXiv paper (listed, or resolved): one ``GET /api/papers/{id}`` each
   (`HfApi.paper_info`'s request, sent through `enrich.sources.hubhttp`: bounded, retried
   within the run's budget; read with the library's `PaperInfo`), on the Hub's request slots. A
   404 is an answer: the paper is not on the Hub. It is asked again only after a back-off
   (`recheck_after`: a week, then 2, 4, 8 weeks while it stays 404), and meanwhile carried
   from run to run (`carried_absence`: the last 404, ``reused``, its time kept; the back-off
   in the document's ``absent``). The request carries ``If-None-Match`` when the last answer
   had an ETag; a 304 keeps that answer.

Conditional requests: the Hub documents none for ``/api/papers``. Its documented 304s are for
file resolves (``/resolve/``; huggingface.js#1713: ``/raw/`` ignores ``If-None-Match`` even with
a matching ETag), and no recorded answer of ``/api/papers/{id}`` shows an ETag. Nothing about a
paper page says nothing changed (upvotes, stars and citing repositories move on their own), so
each night asks once per paper; the validator is sent in case the Hub starts honouring it.

Normalize is pure over the source's own documents: the decision is taken again from the inputs
and the answers (`enrich.core.papermatch`), so a stricter rule is a rebuild, not a refetch.
"""

from __future__ import annotations

import copy
import logging
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any

from huggingface_hub.hf_api import PaperInfo
from huggingface_hub.utils import build_hf_headers  # type: ignore[attr-defined]

from enrich.core import pagemeta, papermatch
from enrich.core.errors import InputError
from enrich.core.links import Kind, classify
from enrich.core.model import ArxivMatch, Entry, HubLinked, HubPaper, Paper, Status
from enrich.core.outcome import Outcome
from enrich.core.rawdocs import (
    OK,
    Absent,
    ArxivQuery,
    ArxivSearch,
    ErrorInfo,
    HubPaperDocument,
    PaperInput,
    ResolvedHint,
    WebDocument,
    exchange,
)
from enrich.core.settings import Settings
from enrich.core.spec import SourceSpec
from enrich.core.specs.arxiv import PAPER
from enrich.core.specs.papers import ARXIV_MATCH, PAPERS
from enrich.sources.arxiv import Fetcher, parse_feed, read_queries
from enrich.sources.base import (
    FetchContext,
    RawSink,
    SourceBase,
    chunks,
    in_range,
    load_json,
    parse_time,
)
from enrich.sources.clock import RunClock
from enrich.sources.hubhttp import HubHTTP, offline
from enrich.sources.huggingface import hub_error_info
from enrich.sources.limits import RetryBudget

logger = logging.getLogger(__name__)

HUB_PAGE = "https://huggingface.co/papers/"
TOP_LINKED = 5  # the most-used citing repositories kept per kind: a reader's first look
# A title search asks for this many results per title (ten near-namesakes are plenty).
RESULTS_PER_TITLE = 10
SINGLE_TITLE_RESULTS = 50


class PaperSource(SourceBase[HubPaper]):
    spec: SourceSpec[HubPaper] = PAPERS
    per_entry_documents: bool = False

    def depends(self, entry: Entry) -> bool:
        """A paper on another host waits for its landing page (web) and keeps arXiv's spacing
        after the arxiv source; an arXiv paper's Hub page is asked at once."""
        return not entry.id.startswith("arxiv:")

    def fetch(self, entries: list[Entry], raw: RawSink, ctx: FetchContext) -> None:
        settings = ctx.settings
        listed = [e for e in entries if e.id.startswith("arxiv:")]
        others = [e for e in entries if not e.id.startswith("arxiv:")]
        inputs = _inputs(others, raw)
        _reuse(inputs, raw, self.name, settings.paper_search_days, ctx.clock)
        resolved = (
            _resolve(inputs, raw, settings, self.name, ctx.budget, ctx.clock) if inputs else {}
        )
        for paper_input in inputs:
            raw.put(self.name, f"input-{paper_input['entry_id']}", paper_input)
        unresolved = len(others) - len(resolved)
        if unresolved:
            ctx.progress(unresolved)
        wanted: dict[str, int] = {}
        for paper_id in [e.source_id for e in listed] + list(resolved.values()):
            wanted[paper_id] = wanted.get(paper_id, 0) + 1
        if offline():  # huggingface_hub's offline mode: no Hub page asked, none recorded
            ctx.progress(sum(wanted.values()))
            return
        # Asked already this run (the listed arXiv papers' task ran first): not asked again.
        for doc in raw.documents(self.name, {f"hub-{i}" for i in wanted}):
            ctx.progress(wanted.pop(doc["arxiv_id"], 0))
        previous = raw.previous(
            self.name, {f"hub-{i}" for i in wanted}, lambda d: bool(d.get("exchanges"))
        )

        def one(paper_id: str) -> None:
            before = previous.get(f"hub-{paper_id}")
            doc = carried_absence(paper_id, before, ctx.clock.now())
            if doc is None:
                with ctx.slots.slot("huggingface"):
                    doc = _hub_page(paper_id, ctx, http, before)
                mark_absence(doc, before, settings)
            raw.put(self.name, f"hub-{paper_id}", doc)
            ctx.progress(wanted[paper_id])

        with (
            HubHTTP(settings, ctx.budget) as http,
            ThreadPoolExecutor(max(settings.hub_concurrency, 1), "enrich-papers") as pool,
        ):
            list(pool.map(one, sorted(wanted)))

    def normalize(self, entries: list[Entry], documents: list[Any]) -> dict[str, Outcome[Any]]:
        docs = _Documents(documents)
        outcomes: dict[str, Outcome[Any]] = {}
        for entry in entries:
            if entry.id.startswith("arxiv:"):
                hub = docs.hub.get(entry.source_id)
                if hub is not None:
                    outcomes[entry.id] = in_range(_hub_outcome(hub))
                continue
            paper_input = docs.inputs.get(entry.id)
            if paper_input is None:
                continue
            outcomes[entry.id] = in_range(_resolved_outcome(paper_input, docs))
        return outcomes


# -- fetch --------------------------------------------------------------------------------------


def _inputs(entries: list[Entry], raw: RawSink) -> list[PaperInput]:
    """What each landing page declared, from this run's web documents."""
    pages: dict[str, WebDocument] = {
        d["entry_id"]: d for d in raw.documents("web", {e.id for e in entries})
    }
    found: list[PaperInput] = []
    for entry in entries:
        doc = pages.get(entry.id)
        hops = doc["hops"] if doc is not None else []
        last = hops[-1] if hops else None
        paper_input = PaperInput(
            entry_id=entry.id, landing=None, title=None, authors=[], arxiv_id=None, arxiv_links=[]
        )
        if last is None or last["status"] not in OK:
            paper_input["missing"] = "landing page not read this run"
            found.append(paper_input)
            continue
        paper_input["landing"] = last["url"]
        meta = pagemeta.paper_meta(last["body"], last["url"])
        paper_input["arxiv_links"] = list(last["body"].get("arxiv_links") or [])
        if meta is None:
            paper_input["missing"] = "the landing page declares no paper metadata"
        else:
            paper_input["title"] = meta.title
            paper_input["authors"] = [a.name for a in meta.authors]
            paper_input["arxiv_id"] = meta.arxiv_id
        found.append(paper_input)
    return found


_DECLARED = ("landing", "title", "authors", "arxiv_id", "arxiv_links")


def _reuse(
    inputs: list[PaperInput], raw: RawSink, source: str, search_days: float, clock: RunClock
) -> None:
    """Last night's conclusion for each page that declares what it declared then: its tie (the
    record is asked again by id), or its miss while the search is younger than ``search_days``."""
    keys = {f"input-{p['entry_id']}": p for p in inputs if not p.get("missing")}
    previous = raw.previous(source, set(keys), lambda d: "entry_id" in d and not d.get("missing"))
    now = clock.now()
    for key, paper_input in keys.items():
        before = previous.get(key)
        if before is None or any(before.get(k) != paper_input.get(k) for k in _DECLARED):
            continue
        searched = parse_time(before.get("searched_at"))
        if before.get("resolved"):
            paper_input["resolved"] = before["resolved"]
            paper_input["reused"] = "the page declares what it did: last night's arXiv tie holds"
        elif searched is not None and (now - searched).total_seconds() < search_days * 86_400:
            paper_input["searched_at"] = before["searched_at"]
            paper_input["reused"] = f"the page declares what it did; no arXiv match at {searched}"
        else:
            continue
        if before.get("searched_at"):
            paper_input["searched_at"] = before["searched_at"]


def _resolve(
    inputs: list[PaperInput],
    raw: RawSink,
    settings: Settings,
    source: str,
    budget: RetryBudget,
    clock: RunClock,
) -> dict[str, str]:
    """Each input's arXiv id, asking arXiv what is needed (entry id -> arXiv id); the inputs
    get this run's conclusion (``resolved``, ``searched_at``) for the next night."""
    fetcher = _Spaced(Fetcher(raw, settings, source, budget, clock), settings.arxiv_delay_seconds)
    fresh = [p for p in inputs if not p.get("reused")]
    candidates = {
        i for p in fresh for i in ([p["arxiv_id"]] if p["arxiv_id"] else []) + p["arxiv_links"]
    }
    candidates |= {
        p["resolved"]["arxiv_id"] for p in inputs if p.get("reused") and p.get("resolved")
    }
    for batch in chunks(sorted(candidates), settings.arxiv_batch_size):
        fetcher.query(batch)
    known = {paper.arxiv_id: paper for paper in _query_papers(raw, source)}
    resolved: dict[str, str] = {}
    pending: dict[str, list[PaperInput]] = {}
    for paper_input in inputs:
        hint = paper_input.get("resolved")
        if paper_input.get("reused"):
            if hint and hint["arxiv_id"] in known:
                resolved[paper_input["entry_id"]] = hint["arxiv_id"]
            continue
        found = _from_page(paper_input, known)
        if found is not None:
            resolved[paper_input["entry_id"]] = found.arxiv_id
            _conclude(paper_input, _page_match(paper_input, found))
        elif paper_input["title"] and paper_input["authors"]:
            pending.setdefault(paper_input["title"], []).append(paper_input)
    titles = sorted(pending)
    for batch in chunks(titles, max(settings.arxiv_title_batch_size, 1)):
        limit = min(settings.arxiv_batch_size, RESULTS_PER_TITLE * len(batch))
        papers = fetcher.search(batch, limit)
        if papers is None:
            continue
        again: list[str] = []
        for title in batch:
            hit = _pick(pending[title], papers)
            if hit is None and len(papers) >= limit and len(batch) > 1:
                again.append(title)  # a full answer may have crowded this title out
                continue
            _found(pending[title], hit, resolved, clock)
        for title in again:
            alone = fetcher.search([title], SINGLE_TITLE_RESULTS)
            if alone is not None:
                _found(pending[title], _pick(pending[title], alone), resolved, clock)
    return resolved


def _found(
    inputs: list[PaperInput], hit: Paper | None, resolved: dict[str, str], clock: RunClock
) -> None:
    """A title search answered: each page of that title gets the conclusion."""
    for paper_input in inputs:
        paper_input["searched_at"] = clock.stamp()
        if hit is not None:
            resolved[paper_input["entry_id"]] = hit.arxiv_id
            _conclude(paper_input, _title_match(paper_input, hit))


def _conclude(paper_input: PaperInput, match: ArxivMatch) -> None:
    paper_input["resolved"] = ResolvedHint(
        arxiv_id=match.arxiv_id, evidence=match.evidence, detail=match.detail
    )


class _Spaced:
    """The fetcher, its first request held back by arXiv's spacing: the arxiv task, which ran
    just before, may have asked a moment ago."""

    def __init__(self, fetcher: Fetcher, delay: float) -> None:
        self.fetcher = fetcher
        self.delay = delay
        self.waited = False

    def _wait(self) -> None:
        if not self.waited:
            time.sleep(self.delay)
            self.waited = True

    def query(self, ids: list[str]) -> set[str]:
        self._wait()
        return self.fetcher.query(ids)

    def search(self, titles: list[str], max_results: int) -> list[Paper] | None:
        self._wait()
        return self.fetcher.search(titles, max_results)


def _query_papers(raw: RawSink, source: str) -> list[Paper]:
    docs = [d for d in raw.documents(source) if d.get("request") == "query"]
    return [paper for _, paper in read_queries(docs).papers.values()]


def _hub_page(
    paper_id: str, ctx: FetchContext, http: HubHTTP, previous: HubPaperDocument | None
) -> HubPaperDocument:
    """One paper page (`enrich.sources.hubhttp`: bounded, retried); a 200 whose body is not
    JSON is asked again (within the run's retry budget), as the Hub source does."""
    settings = ctx.settings
    doc = HubPaperDocument(arxiv_id=paper_id, exchanges=[])
    url = f"{settings.hf_endpoint.rstrip('/')}/api/papers/{paper_id}"
    token = settings.hf_token.get_secret_value() if settings.hf_token else None
    headers = build_hf_headers(token=token)
    old = previous["exchanges"][-1] if previous and previous["exchanges"] else None
    if old is not None and old["status"] in OK and old.get("etag"):
        headers["If-None-Match"] = str(old["etag"])
    wait = settings.http_backoff_seconds
    for attempt in range(settings.http_retries + 1):
        try:
            response = http.get(url, headers)
        except Exception as exc:  # no answer: the table of the Hub's failures says which
            doc["error"] = hub_error_info(exc)
            return doc
        now = ctx.clock.now()
        if response.status_code == 304 and old is not None:
            hop = exchange("paper", url, 304, {**old["headers"], **response.headers}, old["body"],
                           now)  # fmt: skip
            hop["revalidated"] = old.get("revalidated") or old["fetched_at"]
            doc["exchanges"].append(hop)
            return doc
        if response.status_code != 200:
            doc["exchanges"].append(
                exchange("paper", url, response.status_code, response.headers, response.text, now)
            )
            return doc
        try:
            body = load_json(response.content)
        except ValueError:
            if attempt < settings.http_retries and ctx.budget.wait(wait):
                logger.info("the Hub sent a malformed paper page for %s; asking again", paper_id)
                wait = min(wait * 2, 30)
                continue
            doc["exchanges"].append(
                exchange("paper", url, 200, response.headers, response.text, now)
            )
            doc["error"] = ErrorInfo(kind="malformed", message="the Hub sent a malformed answer")
            return doc
        doc["exchanges"].append(exchange("paper", url, 200, response.headers, body, now))
        return doc
    raise AssertionError("unreachable")


def recheck_after(answers: int, settings: Settings) -> timedelta:
    """How long a paper the Hub answered 404 for ``answers`` times in a row keeps that answer
    before it is asked again: ``hub_paper_recheck_days``, doubled after each further 404, at
    most ``hub_paper_recheck_max_days``."""
    days = settings.hub_paper_recheck_days * 2 ** max(answers - 1, 0)
    return timedelta(days=min(days, settings.hub_paper_recheck_max_days))


def _absence(doc: HubPaperDocument | None) -> Absent | None:
    """The back-off of a document whose last answer is a 404; one written before back-offs
    existed is its first 404."""
    if doc is None or doc.get("error") or not doc["exchanges"]:
        return None
    last = doc["exchanges"][-1]
    if last["status"] != 404:
        return None
    return doc.get("absent") or Absent(since=last["fetched_at"], answers=1, next_at="")


def carried_absence(
    paper_id: str, before: HubPaperDocument | None, now: datetime
) -> HubPaperDocument | None:
    """Last run's 404 carried to this run, while its back-off lasts: no request, the answer
    and its age kept (not on the Hub as of then; an answer, not a failure). None: ask."""
    absent = _absence(before)
    due = parse_time(absent["next_at"]) if absent else None
    if before is None or absent is None or due is None or now >= due:
        return None
    last = before["exchanges"][-1]
    why = (f"not on the Hub (404) since {absent['since'][:10]}, {absent['answers']} answers in a "
           f"row; asked again after {absent['next_at'][:10]}")  # fmt: skip
    return HubPaperDocument(arxiv_id=paper_id, exchanges=[{**last, "reused": why}], absent=absent)


def mark_absence(
    doc: HubPaperDocument, before: HubPaperDocument | None, settings: Settings
) -> None:
    """A 404 answered now starts (or extends) the paper's back-off, kept in its document."""
    if doc.get("error") or not doc["exchanges"] or doc["exchanges"][-1]["status"] != 404:
        return
    answered = doc["exchanges"][-1]["fetched_at"]
    earlier = _absence(before)
    answers = earlier["answers"] + 1 if earlier else 1
    due = datetime.fromisoformat(answered) + recheck_after(answers, settings)
    doc["absent"] = Absent(
        since=earlier["since"] if earlier else answered, answers=answers, next_at=due.isoformat()
    )


# -- normalize ----------------------------------------------------------------------------------


class _Documents:
    """The source's documents of one run, by kind."""

    def __init__(self, documents: list[Any]) -> None:
        self.inputs: dict[str, PaperInput] = {}
        self.hub: dict[str, HubPaperDocument] = {}
        queries: list[ArxivQuery] = []
        self.searches: list[ArxivSearch] = []
        for doc in documents:
            if "arxiv_id" in doc and "exchanges" in doc:
                self.hub[doc["arxiv_id"]] = doc
            elif doc.get("request") == "query":
                queries.append(doc)
            elif doc.get("request") == "search":
                self.searches.append(doc)
            elif "entry_id" in doc:
                self.inputs[doc["entry_id"]] = doc
        self.known = {i: p for i, (_, p) in read_queries(queries).papers.items()}

    def searched(self, title: str) -> tuple[list[Paper], str | None]:
        """The papers every search for ``title`` returned, and an error when none answered."""
        papers: list[Paper] = []
        answered, error = False, None
        for doc in self.searches:
            if title not in doc.get("titles", []):
                continue
            if doc["status"] == 200 and isinstance(doc["body"], str):
                answered = True
                papers += parse_feed(doc["body"].encode("utf-8"))
            else:
                error = doc.get("error") or f"arXiv answered HTTP {doc['status']}"
        return papers, (None if answered else error)


def _from_page(paper_input: PaperInput, known: dict[str, Paper]) -> Paper | None:
    """The arXiv paper the page itself names: its declared id (when arXiv knows it), or the
    one linked paper whose title and first author are the page's."""
    declared = paper_input["arxiv_id"]
    if declared and declared in known:
        return known[declared]
    linked = [known[i] for i in paper_input["arxiv_links"] if i in known]
    return _pick([paper_input], linked)


def _pick(inputs: list[PaperInput], papers: Iterable[Paper]) -> Paper | None:
    first = inputs[0]
    return papermatch.pick(first["title"], first["authors"], papers)


def _resolved_outcome(paper_input: PaperInput, docs: _Documents) -> Outcome[Any]:
    """A paper on another host: its arXiv version (tie, record) and that version's Hub page."""
    if paper_input.get("missing") == "landing page not read this run":
        # Nothing to decide on: the last good tie and records stay (the web entry says why).
        return Outcome(Status.ERROR, reason="arXiv version not checked: landing page not read")
    match: ArxivMatch | None = None
    hint = paper_input.get("resolved")
    if paper_input.get("reused"):
        # Unchanged declarations: last night's conclusion, with the record asked again by id.
        if hint is not None:
            paper = docs.known.get(hint["arxiv_id"])
            if paper is None:
                return Outcome(Status.ERROR, reason="arXiv record of the tie not read")
            match = ArxivMatch(entry_id=f"arxiv:{hint['arxiv_id']}", **hint)
        else:
            paper = None
    elif (paper := _from_page(paper_input, docs.known)) is not None:
        match = _page_match(paper_input, paper)
    elif paper_input["title"] and paper_input["authors"]:
        found, error = docs.searched(paper_input["title"])
        if error is not None:
            return Outcome(Status.ERROR, reason=f"arXiv title search failed: {error}")
        paper = _pick([paper_input], found)
        if paper is not None:
            match = _title_match(paper_input, paper)
    extra = (PAPER.fill(paper), ARXIV_MATCH.fill(match))
    if paper is None:
        return Outcome(Status.OK, None, extra=extra)
    hub = docs.hub.get(paper.arxiv_id)
    if hub is None:
        return Outcome(Status.OK, None, extra=extra)
    outcome = _hub_outcome(hub)
    if outcome.status == Status.ERROR:
        return outcome
    return Outcome(Status.OK, outcome.record, extra=extra)


def _page_match(paper_input: PaperInput, paper: Paper) -> ArxivMatch:
    declared = paper_input["arxiv_id"] == paper.arxiv_id
    return ArxivMatch(
        arxiv_id=paper.arxiv_id, entry_id=f"arxiv:{paper.arxiv_id}",
        evidence="citation_arxiv_id" if declared else "arxiv_link",
        detail=f"https://arxiv.org/abs/{paper.arxiv_id}",
    )  # fmt: skip


def _title_match(paper_input: PaperInput, paper: Paper) -> ArxivMatch:
    return ArxivMatch(
        arxiv_id=paper.arxiv_id, entry_id=f"arxiv:{paper.arxiv_id}", evidence="title_search",
        detail=paper_input["title"],
    )  # fmt: skip


def _hub_outcome(doc: HubPaperDocument) -> Outcome[HubPaper]:
    paper_id = doc["arxiv_id"]
    if doc.get("error"):
        return Outcome(Status.ERROR, reason=f"Hub paper page not read: {doc['error']['message']}")
    last = doc["exchanges"][-1]
    fetched_at = parse_time(last["fetched_at"])
    if last["status"] == 404:
        missing = HubPaper(arxiv_id=paper_id, on_hub=False, fetched_at=fetched_at)
        return Outcome(Status.OK, missing, fetched_at=fetched_at)
    if last["status"] not in OK or not isinstance(last["body"], dict):
        return Outcome(Status.ERROR, reason=f"Hub paper page not read: HTTP {last['status']}")
    try:
        record = hub_paper(paper_id, last["body"])
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        reason = f"the Hub's paper page is malformed ({type(exc).__name__})"
        return Outcome(Status.ERROR, reason=reason)
    record = record.model_copy(update={"fetched_at": fetched_at})
    return Outcome(Status.OK, record, fetched_at=fetched_at)


def hub_paper(paper_id: str, body: dict[str, Any]) -> HubPaper:
    """The record of one ``/api/papers/{id}`` answer, read by the library's `PaperInfo`."""
    info = PaperInfo(**copy.deepcopy(body))
    repo_id = None
    if info.github_repo:
        try:
            ref = classify(info.github_repo)
            repo_id = ref.entry_id if ref.kind == Kind.REPO else None
        except InputError:
            repo_id = None
    organization = info.organization.name if info.organization is not None else None
    comments = body.get("numComments")
    return HubPaper(
        arxiv_id=paper_id,
        on_hub=True,
        url=HUB_PAGE + paper_id,
        title=" ".join(info.title.split()) if info.title else None,
        published_at=info.published_at,
        submitted_at=info.submitted_at,
        upvotes=info.upvotes,
        comments=comments if isinstance(comments, int) else None,
        github_repo=info.github_repo,
        github_repo_id=repo_id,
        github_stars=info.github_stars,
        project_page=info.project_page,
        ai_keywords=[str(k) for k in info.ai_keywords or []],
        ai_summary=info.ai_summary,
        organization=organization or None,
        num_models=info.num_total_models,
        num_datasets=info.num_total_datasets,
        num_spaces=getattr(info, "numTotalSpaces", None),
        top_models=_top(info.linked_models or [], by_downloads=True),
        top_datasets=_top(info.linked_datasets or [], by_downloads=True),
        top_spaces=_top(info.linked_spaces or [], by_downloads=False),
    )


def _top(repos: list[Any], by_downloads: bool) -> list[HubLinked]:
    """The most used citing repositories: by downloads (models, datasets) or likes (Spaces)."""
    linked = [
        HubLinked(repo_id=r.id, downloads=getattr(r, "downloads", None), likes=r.likes)
        for r in repos
    ]
    if by_downloads:
        linked.sort(key=lambda r: (-(r.downloads or 0), -(r.likes or 0), r.repo_id))
    else:
        linked.sort(key=lambda r: (-(r.likes or 0), r.repo_id))
    return linked[:TOP_LINKED]
