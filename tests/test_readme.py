"""The README is the front door: every dataset field and every CLI command is documented."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import BaseModel

from enrich.cli import app
from enrich.core.model import (
    ArxivMatch,
    Card,
    Entry,
    Header,
    HubLinked,
    HubPaper,
    HubRepo,
    Item,
    Link,
    LinksDocument,
    MetaSources,
    Paper,
    PaperMeta,
    Position,
    Repo,
    Score,
    ScorePart,
    Snapshot,
    Tie,
    WebPage,
)

README = (Path(__file__).parent.parent / "README.md").read_text()


@pytest.mark.parametrize(
    "model",
    [Header, Entry, Position, Item, Paper, Repo, HubRepo, Card, WebPage, Score, ScorePart, PaperMeta,
     MetaSources, HubPaper, HubLinked, ArxivMatch, Snapshot, Tie, Link, LinksDocument],
)
def test_every_field_is_documented(model: type[BaseModel]) -> None:
    missing = [name for name in model.model_fields if f"`{name}`" not in README]
    assert missing == []


def test_every_command_is_documented() -> None:
    commands = [c.name or (c.callback.__name__ if c.callback else "") for c in app.registered_commands]
    assert commands and all(re.search(rf"`enrich {name}\b", README) for name in commands)


def test_two_commands() -> None:
    assert "make demo" in README and "make test" in README
