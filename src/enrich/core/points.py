"""The arithmetic every score part shares (README, "Score"). Pure.

``lg(n) = log10(1 + n)``: 0 for none, 1 for 9, 2 for 99, 3 for 999… so that a tenfold count is
one more step, not ten times the points. Ages are counted from the snapshot's ``generated_at``
(never the clock), so a snapshot's scores are reproducible.
"""

from __future__ import annotations

import math
from datetime import datetime


def lg(count: int | float | None) -> float:
    """log10(1 + count): a step per tenfold; 0 for none or a negative count."""
    return math.log10(1 + count) if count and count > 0 else 0.0


def days(now: datetime, then: datetime | None) -> float | None:
    return (now - then).total_seconds() / 86400 if then is not None else None


def within(now: datetime, then: datetime | None, *steps: tuple[float, float]) -> float:
    """The points of the first (days, points) step that ``then`` is within."""
    age = days(now, then)
    if age is None:
        return 0.0
    return next((points for days_, points in steps if age <= days_), 0.0)
