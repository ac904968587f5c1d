"""Sparklines as inline SVG, drawn here rather than by a charting library.

A sparkline is one polyline and a dot: 200 to 400 bytes for 40 points. Vega-Altair with
vl-convert draws the same line in 1,235 bytes and 17 ms (measured: Altair 6.3, vl-convert-python
1.9, whose 84 MB wheel carries a JavaScript engine), which for 2,000 entries is over half a
minute and two and a half megabytes; this takes a fraction of a second (benches/RESULTS.md).
"""

from __future__ import annotations

from markupsafe import Markup, escape

# Drawn on a 160 by 40 grid (integer coordinates stay sharp), shown at 80 by 20 CSS pixels.
WIDTH, HEIGHT, PAD = 160, 40, 4


# Fewer points draw no trend: one is a dot, two a straight line whatever happened between.
MIN_POINTS = 3


def sparkline(points: list[tuple[int, int]], label: str) -> Markup:
    """The series (time, value) as an SVG line, time on x, the value on y (its own min to max);
    nothing below `MIN_POINTS`. ``label`` is the accessible name (escaped here)."""
    if len(points) < MIN_POINTS:
        return Markup("")
    first, last = points[0][0], points[-1][0]
    seconds = last - first
    low = min(v for _, v in points)
    high = max(v for _, v in points)
    coords = []
    for when, value in points:
        x = PAD + (WIDTH - 2 * PAD) * ((when - first) / seconds if seconds else 1)
        y = HEIGHT / 2 if high == low else PAD + (HEIGHT - 2 * PAD) * (high - value) / (high - low)
        coords.append((round(x), round(y)))
    line = " ".join(f"{x},{y}" for x, y in coords)
    cx, cy = coords[-1]
    # Every value put in is a number, but the label, which is escaped: safe as it stands.
    return Markup(  # noqa: S704
        f'<svg class="spark" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(label)}" data-points="{len(coords)}"><polyline points="{line}"/>'
        f'<circle cx="{cx}" cy="{cy}" r="4"/></svg>'
    )
