"""Sparklines as inline SVG, drawn here rather than by a charting library.

A sparkline is one polyline and a dot: about 200 bytes for 60 points. Vega-Altair with
vl-convert would draw the same from a spec, but it brings a JavaScript engine into the
install (vl-convert bundles Deno) and writes several kilobytes of SVG per chart; 2,000 of
them would make the report tens of megabytes. Plain SVG keeps the 2,000-entry report small
enough for a phone (benches/RESULTS.md).
"""

from __future__ import annotations

from datetime import datetime

from markupsafe import Markup

# Drawn on a 160 by 40 grid (integer coordinates stay sharp), shown at 80 by 20 CSS pixels.
WIDTH, HEIGHT, PAD = 160, 40, 4


def sparkline(points: list[tuple[datetime, int]], label: str) -> Markup:
    """The series as an SVG line, time on x, the counter on y (its own min to max); a single
    point is a dot at the right end. ``label`` is the accessible name (escaped here)."""
    if not points:
        return Markup("")
    first, last = points[0][0], points[-1][0]
    seconds = (last - first).total_seconds()
    low = min(v for _, v in points)
    high = max(v for _, v in points)
    coords = []
    for when, value in points:
        x = PAD + (WIDTH - 2 * PAD) * ((when - first).total_seconds() / seconds if seconds else 1)
        y = HEIGHT / 2 if high == low else PAD + (HEIGHT - 2 * PAD) * (high - value) / (high - low)
        coords.append((round(x), round(y)))
    line = " ".join(f"{x},{y}" for x, y in coords)
    cx, cy = coords[-1]
    body = Markup('<polyline points="{}"/>').format(line) if len(coords) > 1 else ""
    # Markup.format escapes every argument that is not Markup already.
    return Markup(
        '<svg class="spark" viewBox="0 0 {w} {h}" width="80" height="20" role="img" '
        'aria-label="{label}" data-points="{n}">{body}<circle cx="{cx}" cy="{cy}" r="4"/></svg>'
    ).format(w=WIDTH, h=HEIGHT, label=label, n=len(coords), body=body, cx=cx, cy=cy)
