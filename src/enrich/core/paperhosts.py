"""Papers wherever they are linked: the hosts whose URLs name a paper, and each one's stable id.

Pure; no network. `paper_link` reads a URL's host, path and query and says which paper it names,
under which scheme, and which page describes it (the landing page the web source reads for the
paper's metadata; a PDF link lands on its abstract page). `enrich.core.links.classify` turns the
answer into an entry of kind ``paper`` with the id ``{scheme}:{key}``.

Each scheme, its hosts and URL shapes, and the landing page read (→):

``arxiv:ID``
    arXiv mirrors and the Hub's paper pages, one entry with the abs link's:
    ``alphaxiv.org/{abs,overview,pdf}/ID``, ``papers.cool/arxiv/ID``,
    ``ar5iv.labs.arxiv.org/html/ID``, ``ar5iv.org/{abs,html}/ID``, ``huggingface.co/papers/ID``
    (``hf.co``), ``semanticscholar.org/arxiv/ID``; arxiv.org itself is `links`' own.
    → none: the arXiv API is asked.
``doi:DOI`` (lower-cased: DOIs are case-insensitive)
    ``doi.org/DOI``, ``dx.doi.org/DOI``; publishers whose URLs embed one:
    ``nature.com/articles/X`` and the old ``nature.com/JOURNAL/journal/vN/nM/{pdf,full,abs}/X``
    (10.1038/X); ``dl.acm.org``, ``science.org``,
    ``onlinelibrary.wiley.com``, ``pnas.org``, ``tandfonline.com``, ``pubs.acs.org``,
    ``journals.sagepub.com`` under ``/doi/[abs|full|pdf|epdf|…/]DOI``;
    ``link.springer.com/{article,chapter}/DOI``; ``biorxiv.org``, ``medrxiv.org``
    ``/content/10.1101/IDvN`` (the version dropped from the id).
    → the URL's own page (``doi.org/DOI`` for a DOI link, through its redirects).
``openreview:ID`` (case-sensitive)
    ``openreview.net/{forum,pdf,attachment}?id=ID`` (a ``noteId`` is a comment, not the paper).
    → ``openreview.net/forum?id=ID``.
``acl:ID``
    ``aclanthology.org/ID[/|.pdf|vN.pdf]``, ``aclweb.org/anthology/ID``, the old
    ``aclweb.org/anthology/D/D15/D15-1041.pdf`` (``anthology-new/`` before 2012), the
    2017-2019 site ``aclanthology.info/papers/ID/slug``: new ids ``2023.acl-long.656``, old ids
    ``N19-1423``; ``/volumes/…`` is not a paper.
    → ``aclanthology.org/ID/``.
``neurips:YEAR/HASH`` and ``neurips:NUMBER``
    ``papers.nips.cc``, ``proceedings.neurips.cc``, ``papers.neurips.cc``:
    ``/paper[_files/paper]/YEAR/{hash,file}/HASH-{Abstract,Paper}[-TRACK].{html,pdf}``; the
    old site's ``/paper/NUMBER-slug[.pdf]`` (the two forms of one paper are two ids: the
    mapping is not in the URL).
    → the ``…/hash/HASH-Abstract[-TRACK].html`` page; the old page without ``.pdf``.
``pmlr:VOLUME/KEY``
    ``proceedings.mlr.press/vN/KEY.html``, ``…/vN/KEY/KEY.pdf``; the old
    ``jmlr.org/proceedings/papers/vN/KEY.{html,pdf}`` (and on ``jmlr.csail.mit.edu``).
    ``…/vN/KEY-supp.pdf`` is the paper's supplement, not a paper.
    → ``proceedings.mlr.press/vN/KEY.html``.
``cvf:STEM``
    ``openaccess.thecvf.com`` and its forerunner ``www.cv-foundation.org/openaccess/`` (CVPR and
    ICCV up to 2016): ``…/html/STEM.html`` or ``…/papers/STEM.pdf`` whose file stem
    ends ``_paper`` (``Yu_RLHF-V_…_CVPR_2024_paper``): main conferences and workshops, the old
    ``content_cvpr_2018/`` and the new ``content/CVPR2024/`` trees; supplements are not papers.
    → the ``html/`` twin of a ``papers/`` PDF.
``ieee:NUMBER``
    ``ieeexplore.ieee.org/document/N``, ``/abstract/document/N``,
    ``/stamp/stamp.jsp?arnumber=N`` and the other ``….jsp?arnumber=N`` pages.
    → ``ieeexplore.ieee.org/document/N``.
``s2:HASH``
    ``semanticscholar.org/paper/[slug/]HASH`` (40 hex digits, lower-cased).
    → ``www.semanticscholar.org/paper/HASH``.
``jmlr:vN/KEY``
    ``jmlr.org/papers/vN/KEY[.html|.pdf]``, ``jmlr.org/papers/volumeN/KEY/KEY.pdf``,
    ``jmlr.org/papers/volumeN/KEY/source/KEY.pdf``, ``jmlr.org/beta/papers/vN/KEY.html``; the
    same on ``jmlr.csail.mit.edu``, JMLR's home until 2009.
    → ``jmlr.org/papers/vN/KEY.html``.

Anything else on these hosts (a volume's table of contents, a supplement, a venue page) is not
a paper: `paper_link` answers None and the URL stays a web page.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote


@dataclass(frozen=True)
class PaperLink:
    """What a paper URL names: ``scheme`` and ``key`` make the entry id ``scheme:key``;
    ``landing`` is the page that describes the paper (None for arXiv: its API is asked).
    For ``arxiv``, ``key`` is the id as written (a version, ``.pdf``), checked by `links`."""

    scheme: str
    key: str
    landing: str | None = None


_DOI = re.compile(r"^10\.\d{4,9}/\S+$")
_DOI_PATH_HOSTS = {
    "dl.acm.org", "www.science.org", "science.org", "onlinelibrary.wiley.com", "www.pnas.org",
    "pnas.org", "www.tandfonline.com", "tandfonline.com", "pubs.acs.org",
    "journals.sagepub.com",
}  # fmt: skip
_NATURE_VIEWS = {"pdf", "full", "abs"}
_DOI_PATH_VIEWS = {"abs", "full", "pdf", "epdf", "fullHtml", "book", "reader", "pdfdirect"}
_RXIV_HOSTS = {"www.biorxiv.org", "biorxiv.org", "www.medrxiv.org", "medrxiv.org"}
_RXIV_ID = re.compile(r"^(?P<id>(?:\d{4}\.\d{2}\.\d{2}\.)?\d{6,})(?P<version>v\d+)?")
_ACL_ID = re.compile(r"^(?P<id>\d{4}\.[a-z0-9]+(?:-[a-z0-9]+)*\.\d+|[A-Z]\d{2}-\d{4})(?:v\d+)?$")
_ACL_OLD_FOLDERS = re.compile(r"^[A-Z]/[A-Z]\d{2}$")
_NEURIPS_HOSTS = {"papers.nips.cc", "proceedings.neurips.cc", "papers.neurips.cc"}
_NEURIPS_FILE = re.compile(
    r"^(?P<hash>[0-9a-f]{32})-(?P<kind>Abstract|Paper)(?P<track>-[A-Za-z_]+)?\.(?:html|pdf)$"
)
_NEURIPS_OLD = re.compile(r"^(?P<number>\d{3,5})-[a-z0-9-]+?(?:\.pdf)?$")
_PMLR_KEY = re.compile(r"^[A-Za-z0-9_-]+$")
_PMLR_VOLUME = re.compile(r"^[vr]\d+$")
_CVF_STEM = re.compile(r"^(?P<stem>[^/]+_paper)\.(?:html|pdf)$")
_S2_HASH = re.compile(r"^[0-9a-fA-F]{40}$")
_IEEE_NUMBER = re.compile(r"^\d{4,10}$")
_JMLR_HOSTS = {"jmlr.org", "www.jmlr.org", "jmlr.csail.mit.edu"}  # the last: JMLR's first home
_JMLR_VOLUME = re.compile(r"^(?:v|volume)(?P<n>\d+)$")
_JMLR_KEY = re.compile(r"^[A-Za-z0-9_.-]*\d[A-Za-z0-9_.-]*$")  # 20-074, blei03a; not index

_ARXIV_MIRRORS: dict[str, tuple[str, ...]] = {
    # host: the first path segments after which the arXiv id stands
    "alphaxiv.org": ("abs", "overview", "pdf"),
    "www.alphaxiv.org": ("abs", "overview", "pdf"),
    "papers.cool": ("arxiv",),
    "ar5iv.labs.arxiv.org": ("html", "abs"),
    "ar5iv.org": ("html", "abs"),
    "www.ar5iv.org": ("html", "abs"),
    "huggingface.co": ("papers",),
    "www.huggingface.co": ("papers",),
    "hf.co": ("papers",),
    "www.semanticscholar.org": ("arxiv",),
    "semanticscholar.org": ("arxiv",),
}


def is_paper_host(host: str) -> bool:
    """Whether `paper_link` reads any URL of ``host`` (lower-case) as a paper."""
    return host in _ARXIV_MIRRORS or host in _RULES


def paper_link(host: str, path: str, query: str) -> PaperLink | None:
    """The paper a URL names (``host`` lower-case, ``path`` and ``query`` as in the URL)."""
    segments = [unquote(s) for s in path.split("/") if s]
    if not segments:
        return None
    mirror = _arxiv_mirror(host, segments)
    if mirror is not None:
        return mirror
    for rule in _RULES.get(host, ()):
        found = rule(host, segments, query)
        if found is not None:
            return found
    return None


def _arxiv_mirror(host: str, segments: list[str]) -> PaperLink | None:
    heads = _ARXIV_MIRRORS.get(host)
    if not heads or len(segments) < 2 or segments[0] not in heads:
        return None
    candidate = "/".join(segments[1:])
    for suffix in (".pdf", ".md"):
        candidate = candidate.removesuffix(suffix)
    return PaperLink("arxiv", candidate)


def doi_key(doi: str) -> str | None:
    """A DOI as the id's key (lower-case: DOIs are case-insensitive), or None if it is none."""
    text = doi.strip().removeprefix("doi:").removeprefix("DOI:").strip()
    for prefix in ("https://doi.org/", "http://doi.org/", "https://dx.doi.org/",
                   "http://dx.doi.org/"):  # fmt: skip
        text = text.removeprefix(prefix)
    return text.lower() if _DOI.match(text) else None


def _doi_org(host: str, segments: list[str], query: str) -> PaperLink | None:
    doi = "/".join(segments)
    key = doi_key(doi)
    return PaperLink("doi", key, f"https://doi.org/{doi}") if key else None


def _nature(host: str, segments: list[str], query: str) -> PaperLink | None:
    if len(segments) == 6 and segments[1] == "journal" and segments[4] in _NATURE_VIEWS:
        suffix = segments[5].removesuffix(".pdf").removesuffix(".html")  # the site before 2016
    elif len(segments) == 2 and segments[0] == "articles":
        suffix = segments[1].removesuffix(".pdf")
    else:
        return None
    key = doi_key(f"10.1038/{suffix}")
    return PaperLink("doi", key, f"https://www.nature.com/articles/{suffix}") if key else None


def _doi_path(host: str, segments: list[str], query: str) -> PaperLink | None:
    if len(segments) < 3 or segments[0] != "doi":
        return None
    rest = segments[1:]
    if rest[0] in _DOI_PATH_VIEWS:
        rest = rest[1:]
    doi = "/".join(rest)
    key = doi_key(doi)
    return PaperLink("doi", key, f"https://{host}/doi/{doi}") if key else None


def _springer(host: str, segments: list[str], query: str) -> PaperLink | None:
    if len(segments) >= 3 and segments[0] in ("article", "chapter"):
        doi = "/".join(segments[1:])
        key = doi_key(doi)
        return PaperLink("doi", key, f"https://{host}/{segments[0]}/{doi}") if key else None
    if len(segments) >= 4 and segments[:2] == ["content", "pdf"]:
        doi = "/".join(segments[2:]).removesuffix(".pdf")
        key = doi_key(doi)
        return PaperLink("doi", key, f"https://doi.org/{doi}") if key else None
    return None


def _rxiv(host: str, segments: list[str], query: str) -> PaperLink | None:
    if len(segments) != 3 or segments[:2] != ["content", "10.1101"]:
        return None
    match = _RXIV_ID.match(segments[2])
    if not match:
        return None
    version = match.group("version") or ""
    return PaperLink(
        "doi", f"10.1101/{match.group('id')}",
        f"https://{host}/content/10.1101/{match.group('id')}{version}",
    )  # fmt: skip


def _openreview(host: str, segments: list[str], query: str) -> PaperLink | None:
    if segments[0] not in ("forum", "pdf", "attachment") or len(segments) != 1:
        return None
    ids = parse_qs(query).get("id") or []
    if not ids or not re.fullmatch(r"[A-Za-z0-9_-]{5,}", ids[0]):
        return None
    return PaperLink("openreview", ids[0], f"https://openreview.net/forum?id={ids[0]}")


def _acl(host: str, segments: list[str], query: str) -> PaperLink | None:
    if host.endswith("aclanthology.info"):  # the site of 2017-2019: /papers/ID/slug
        if segments[0] != "papers" or len(segments) not in (2, 3):
            return None
        segments = segments[1:2]
    elif host.endswith("aclweb.org"):
        if segments[0] not in ("anthology", "anthology-new"):  # -new: the site before 2012
            return None
        segments = segments[1:]
        if len(segments) == 3 and _ACL_OLD_FOLDERS.match("/".join(segments[:2])):
            segments = segments[2:]  # anthology/D/D15/D15-1041.pdf: the old site's folders
    if len(segments) != 1:
        return None
    match = _ACL_ID.match(segments[0].removesuffix(".pdf"))
    if not match:
        return None
    paper = match.group("id")
    return PaperLink("acl", paper, f"https://aclanthology.org/{paper}/")


def _neurips(host: str, segments: list[str], query: str) -> PaperLink | None:
    if segments[:2] == ["paper_files", "paper"]:
        prefix, rest = "paper_files/paper", segments[2:]
    elif segments[0] == "paper":
        prefix, rest = "paper", segments[1:]
    else:
        return None
    if len(rest) == 1:
        old = _NEURIPS_OLD.match(rest[0])
        if not old:
            return None
        page = rest[0].removesuffix(".pdf")
        return PaperLink("neurips", old.group("number"), f"https://{host}/paper/{page}")
    if len(rest) != 3 or not rest[0].isdigit() or rest[1] not in ("hash", "file"):
        return None
    match = _NEURIPS_FILE.match(rest[2])
    if not match:
        return None
    year, digest, track = rest[0], match.group("hash"), match.group("track") or ""
    landing = f"https://{host}/{prefix}/{year}/hash/{digest}-Abstract{track}.html"
    return PaperLink("neurips", f"{year}/{digest}", landing)


def _pmlr(host: str, segments: list[str], query: str) -> PaperLink | None:
    if host in _JMLR_HOSTS:
        if segments[:2] != ["proceedings", "papers"]:
            return None
        segments = segments[2:]
    if len(segments) == 2 and segments[1].endswith(".html"):
        volume, key = segments[0], segments[1].removesuffix(".html")
    elif len(segments) == 2 and segments[1].endswith(".pdf"):  # the old jmlr.org layout
        volume, key = segments[0], segments[1].removesuffix(".pdf")
    elif len(segments) == 3 and segments[2] == f"{segments[1]}.pdf":
        volume, key = segments[0], segments[1]
    else:
        return None
    if not (_PMLR_VOLUME.match(volume) and _PMLR_KEY.match(key)) or key.endswith("-supp"):
        return None  # KEY-supp.pdf: the paper's supplementary material, not the paper
    return PaperLink(
        "pmlr", f"{volume}/{key}", f"https://proceedings.mlr.press/{volume}/{key}.html"
    )


def _cvf(host: str, segments: list[str], query: str) -> PaperLink | None:
    if host.endswith("cv-foundation.org"):
        if segments[0] != "openaccess":
            return None
        segments = segments[1:]  # the same trees, now served by openaccess.thecvf.com
    match = _CVF_STEM.match(segments[-1])
    if not match or len(segments) < 3:
        return None
    folders = segments[:-1]
    if "papers" in folders:
        at = folders.index("papers")
        after = folders[at + 1 :]
        if after and after[0].startswith("w") and after[0][1:].isdigit():
            # old workshops: content_cvpr_2018_workshops/papers/w1/X.pdf -> …/w1/html/X.html
            folders = [*folders[:at], after[0], "html", *after[1:]]
        else:
            folders = [*folders[:at], "html", *after]
    elif "html" not in folders:
        return None
    landing = "https://openaccess.thecvf.com/" + "/".join([*folders, match.group("stem") + ".html"])
    return PaperLink("cvf", match.group("stem"), landing)


def _ieee(host: str, segments: list[str], query: str) -> PaperLink | None:
    number: str | None = None
    if "document" in segments:
        at = segments.index("document")
        if at + 1 < len(segments) and segments[0] in ("document", "abstract"):
            number = segments[at + 1]
    elif segments[-1].endswith(".jsp"):
        number = next(iter(parse_qs(query).get("arnumber") or []), None)
    if not number or not _IEEE_NUMBER.match(number):
        return None
    return PaperLink("ieee", number, f"https://ieeexplore.ieee.org/document/{number}")


def _s2(host: str, segments: list[str], query: str) -> PaperLink | None:
    if segments[0] != "paper" or len(segments) not in (2, 3) or not _S2_HASH.match(segments[-1]):
        return None
    digest = segments[-1].lower()
    return PaperLink("s2", digest, f"https://www.semanticscholar.org/paper/{digest}")


def _jmlr(host: str, segments: list[str], query: str) -> PaperLink | None:
    if segments[0] == "beta":
        segments = segments[1:]
    if len(segments) < 3 or segments[0] != "papers":
        return None
    volume = _JMLR_VOLUME.match(segments[1])
    if not volume:
        return None
    if len(segments) == 3:
        key = segments[2].removesuffix(".html").removesuffix(".pdf")
    elif segments[3:] in ([f"{segments[2]}.pdf"], ["source", f"{segments[2]}.pdf"]):
        key = segments[2]  # volumeN/KEY/KEY.pdf, volumeN/KEY/source/KEY.pdf
    else:
        return None
    if not _JMLR_KEY.match(key):
        return None
    n = volume.group("n")
    return PaperLink("jmlr", f"v{n}/{key}", f"https://jmlr.org/papers/v{n}/{key}.html")


_Rule = Callable[[str, list[str], str], PaperLink | None]
_RULES: dict[str, tuple[_Rule, ...]] = {
    "doi.org": (_doi_org,),
    "dx.doi.org": (_doi_org,),
    "www.doi.org": (_doi_org,),
    "nature.com": (_nature,),
    "www.nature.com": (_nature,),
    **{host: (_doi_path,) for host in _DOI_PATH_HOSTS},
    "link.springer.com": (_springer,),
    **{host: (_rxiv,) for host in _RXIV_HOSTS},
    "openreview.net": (_openreview,),
    "www.openreview.net": (_openreview,),
    "aclanthology.org": (_acl,),
    "www.aclanthology.org": (_acl,),
    "aclweb.org": (_acl,),
    "www.aclweb.org": (_acl,),
    **{host: (_neurips,) for host in _NEURIPS_HOSTS},
    "proceedings.mlr.press": (_pmlr,),
    "openaccess.thecvf.com": (_cvf,),
    "www.cv-foundation.org": (_cvf,),
    "cv-foundation.org": (_cvf,),
    "ieeexplore.ieee.org": (_ieee,),
    "www.semanticscholar.org": (_s2,),
    "semanticscholar.org": (_s2,),
    **{host: (_jmlr, _pmlr) for host in _JMLR_HOSTS},
    "aclanthology.info": (_acl,),
    "www.aclanthology.info": (_acl,),
}
