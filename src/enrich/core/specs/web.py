"""Web pages (`enrich.sources.web`): the ``web`` slot; also read for papers on other hosts."""

from __future__ import annotations

from urllib.parse import urlsplit

from enrich.core.links import Kind
from enrich.core.model import Entry, WebPage
from enrich.core.spec import Slot, SourceSpec, compared


def _marks(entry: Entry, web: WebPage) -> list[str]:
    if web.http_status is not None and web.http_status >= 400:
        return [f"broken ({web.http_status})"]
    if web.final_url and _moved(entry.url, web.final_url):
        return [f"redirected to {web.final_url}"]
    return []


def _moved(listed: str, final: str) -> bool:
    """A redirect worth telling: another host or path, not just http→https or a slash."""
    a, b = urlsplit(listed), urlsplit(final)
    strip = "www."
    return (a.netloc.lower().removeprefix(strip), a.path.rstrip("/")) != (
        b.netloc.lower().removeprefix(strip),
        b.path.rstrip("/"),
    )


WEB = Slot(
    "web",
    WebPage,
    columns=(compared("http_status"), compared("final_url")),
    name=lambda web: web.title,
    marks=_marks,
)

WEBPAGES = SourceSpec("web", (Kind.WEB, Kind.PAPER), WEB)
