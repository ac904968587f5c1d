"""Untrusted text made inert for Markdown: list titles, card text and upstream reasons end up in
the changelog and the Prefect UI, where a crafted title must not become a link, an image, HTML
or a table cell."""

from __future__ import annotations

import re

# Escaped everywhere; "-", "+" and "." matter only at the start of a line, where our text
# never is (it always follows "- " or "| ").
_SPECIAL = re.compile(r"([\\`*_{}\[\]()#!|~])")


def md(text: object) -> str:
    """``text`` as plain Markdown text: one line, every special character backslash-escaped."""
    flat = " ".join(str(text).split())
    html_safe = flat.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _SPECIAL.sub(r"\\\1", html_safe)


def code(text: object) -> str:
    """``text`` as an inline code span (backticks and pipes cannot end it or split a table)."""
    flat = " ".join(str(text).split()).replace("`", "'").replace("|", "¦")
    return f"`{flat}`"


def link(text: object, url: str | None) -> str:
    """A Markdown link to an http(s) URL only; any other scheme is shown, not linked."""
    if url and url.startswith(("https://", "http://")):
        safe = url.replace(" ", "%20").replace("<", "%3C").replace(">", "%3E")
        return f"[{md(text)}](<{safe}>)"
    return md(text)
