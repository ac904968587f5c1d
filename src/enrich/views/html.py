"""What the HTML pages share (a list's report, `enrich.views.report`, and the catalog's page,
`enrich.views.catalog`): one Jinja2 environment (autoescape: whatever a list or an upstream
wrote is text, never markup), the inline assets with their Content-Security-Policy hashes, the
policy itself, links made only to http(s) URLs, and text cut to a length."""

from __future__ import annotations

import base64
import hashlib
from functools import cache
from importlib.resources import files

from jinja2 import Environment, PackageLoader, select_autoescape


@cache
def environment() -> Environment:
    return Environment(
        loader=PackageLoader("enrich.views", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,  # the package's templates do not change while a process runs
    )


@cache
def asset(name: str) -> tuple[str, str]:
    """A template asset's text and its CSP hash source (``'sha256-…'``)."""
    text = (files("enrich.views") / "templates" / name).read_text(encoding="utf-8")
    digest = base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode()
    return text, f"'sha256-{digest}'"


def csp(style_hash: str, script_hash: str | None = None) -> str:
    """The page's policy: its own inline style and script (by hash) and data: images only,
    no script at all without ``script_hash``; nothing fetched, no base, no form."""
    script = script_hash or "'none'"
    return (
        f"default-src 'none'; style-src {style_hash}; script-src {script}; img-src data:; "
        "base-uri 'none'; form-action 'none'"
    )


def href(url: str | None) -> str | None:
    """``url`` when it may be a link (http or https), else None: never ``javascript:``."""
    return url if url and url.startswith(("https://", "http://")) else None


def short(text: str | None, limit: int) -> str:
    """``text`` on one line, cut to ``limit`` characters (an ellipsis says it was)."""
    flat = " ".join((text or "").split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"
