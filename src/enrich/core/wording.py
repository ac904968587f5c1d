"""How people read figures and lengths of time, worded one way wherever they read one (the
changelog, list.md, index.html, the specs' facts lines). Pure."""

from __future__ import annotations

from datetime import datetime, timedelta


def number(value: float, *, signed: bool = False) -> str:
    """A figure as people write it: ``+544960``, ``-3.333``, ``2.5``; never ``5.4e+05``."""
    text = f"{value:+.3f}" if signed else f"{value:.3f}"
    return text.rstrip("0").rstrip(".")


# The units a span is said in, each with the least of it worth that unit: months and years
# only from two of them, so that a 40-day trend reads "40 days", not "1.3 months".
_UNITS = (
    ("year", 365.25 * 86400, 2.0),
    ("month", 30.44 * 86400, 2.0),
    ("day", 86400.0, 1.0),
    ("hour", 3600.0, 1.0),
    ("minute", 60.0, 1.0),
)


def span(gap: timedelta) -> str:
    """A length of time, worded one way wherever a person reads one (the changelog, list.md,
    index.html, ages): ``3 days``, ``1.5 days``, ``5 hours``, ``12 minutes``, ``23 seconds``,
    ``40 days``, ``4 months``, ``2.2 years``; one decimal below ten, whole numbers above."""
    seconds = gap.total_seconds()
    for unit, size, least in _UNITS:
        if abs(seconds) >= least * size:
            return _amount(seconds / size, unit)
    return _amount(seconds, "second")


def _amount(value: float, unit: str) -> str:
    text = number(round(value, 1) if abs(value) < 10 else round(value))
    return f"{text} {unit}" + ("" if text in ("1", "-1") else "s")


def compact(n: int | float) -> str:
    """18107 -> 18.1k, 2841650 -> 2.8M: counts people read at a glance."""
    size = abs(n)
    for limit, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if size >= limit:
            text = f"{n / limit:.1f}".removesuffix(".0")
            return f"{text}{suffix}"
    return f"{n:g}" if isinstance(n, float) else str(n)


def ago(now: datetime, then: datetime | None) -> str | None:
    """An age, worded as every span is (`span`): ``3 days ago``."""
    if then is None:
        return None
    return f"{span(max(now - then, timedelta(0)))} ago"
