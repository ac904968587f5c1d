"""The check's typed report: findings per list entry, each with its list lines and, when a safe
rewrite exists, the exact text ``--fix`` replaces."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field


class FindingKind(StrEnum):
    """What a maintainer is told about an entry, most urgent first."""

    DEAD = "dead"  # gone: 404/410 or no DNS on N consecutive runs; a deleted repository
    MOVED = "moved"  # renamed/transferred repository, permanent redirect, same page on https
    DUPLICATE = "duplicate"  # the same upstream object listed on more than one line
    UNMAINTAINED = "unmaintained"  # archived, or no commit for more than a year
    STALE = "stale"  # no fresh data for more than K runs (last good values kept)
    FLAKY = "flaky"  # gone tonight, but not yet on N consecutive runs


# What makes `enrich check` exit 1 unless ``--fail-on`` says otherwise: what the maintainer
# fixes in the list itself. Unmaintained, stale and flaky entries are reported, not failed on.
ATTENTION = (FindingKind.DEAD, FindingKind.MOVED, FindingKind.DUPLICATE)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Rewrite(_Model):
    """One replacement ``--fix`` makes: on ``line`` (1-based), the text ``old`` (a URL exactly as
    written there) becomes ``new``; nothing else of the file changes."""

    line: int
    old: str
    new: str


class Finding(_Model):
    kind: FindingKind
    id: str = Field(description="The entry's id (the first one, for a duplicate group)")
    url: str = Field(description="The URL as written in the list")
    lines: list[int] = Field(description="Every list line the finding is about, ascending")
    message: str = Field(description="One line, plain text")
    new_url: str | None = Field(default=None, description="moved: where the entry is now")
    runs: int | None = Field(default=None, description="dead, flaky, stale: consecutive runs")
    fix: list[Rewrite] = Field(default_factory=list, description="What --fix rewrites")
    not_fixed: str | None = Field(default=None, description="moved: why --fix leaves it")

    @property
    def annotated_lines(self) -> list[int]:
        """The lines to flag: every line of the entry; for a duplicate, the repeats only."""
        if self.kind == FindingKind.DUPLICATE and len(self.lines) > 1:
            return self.lines[1:]
        return self.lines


class Rules(_Model):
    """The thresholds of a check (from `enrich.core.settings.Settings`, ``check_*``)."""

    dead_after_runs: int = 3
    stale_after_runs: int = 3
    unmaintained_days: int = 365


@dataclass(frozen=True)
class Run:
    """One entry in one published run (a day of the history): its status and, for the newest
    runs, why it was not ``ok`` (None when not known)."""

    status: str
    reason: str | None = None


class Report(_Model):
    list_source: str
    list_sha256: str = Field(description="Of the list's bytes the report (and its fix) is for")
    dataset_generated_at: AwareDatetime = Field(description="The published run checked against")
    dataset_run_id: str
    rules: Rules
    entries: int = Field(description="Entries of the list")
    checked: int = Field(description="Of them, in the published dataset")
    not_in_dataset: list[str] = Field(
        default_factory=list, description="Ids of entries added since that run (not checked)"
    )
    findings: list[Finding] = Field(default_factory=list)

    def count(self, kind: FindingKind) -> int:
        return sum(1 for f in self.findings if f.kind == kind)

    def rewrites(self) -> list[Rewrite]:
        return [rewrite for finding in self.findings for rewrite in finding.fix]

    def failing(self, kinds: Iterable[FindingKind], fixed: bool = False) -> list[Finding]:
        """The findings of ``kinds``; with ``fixed``, those the written patch did not settle."""
        wanted = set(kinds)
        return [f for f in self.findings if f.kind in wanted and not (fixed and f.fix)]
