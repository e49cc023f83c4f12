"""Small inline SVG charts (bars, histogram, lines), drawn in Python.

A report must open offline and with no JavaScript chart library; matplotlib is not a
dependency of the engine. Each chart is a few dozen ``<rect>``/``<polyline>``
elements with a ``<title>`` per mark (the browser shows it on hover), so the page stays
small: the four charts of a transport report add about 10 kB.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["bar_chart", "histogram", "line_chart"]

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 70, 20, 20, 60
COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b")


def _fmt(value: float) -> str:
    if abs(value) >= 1e6:
        return f"{value / 1e6:.3g}m"
    if abs(value) >= 1e4:
        return f"{value / 1e3:.3g}k"
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"


def _frame(title: str, y_label: str, y_max: float, body: list[str], kind: str) -> str:
    inner_h = HEIGHT - TOP - BOTTOM
    axis = [
        f'<text x="{LEFT}" y="12" font-size="12" font-weight="bold">{escape(title)}</text>',
        f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{HEIGHT - BOTTOM}" stroke="#333"/>',
        f'<line x1="{LEFT}" y1="{HEIGHT - BOTTOM}" x2="{WIDTH - RIGHT}" '
        f'y2="{HEIGHT - BOTTOM}" stroke="#333"/>',
    ]
    for i in range(5):
        v = y_max * i / 4
        y = HEIGHT - BOTTOM - inner_h * i / 4
        axis.append(
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11">'
            f"{_fmt(v)}</text>"
        )
    axis.append(
        f'<text x="14" y="{TOP + inner_h / 2:.0f}" font-size="11" text-anchor="middle" '
        f'transform="rotate(-90 14 {TOP + inner_h / 2:.0f})">{escape(y_label)}</text>'
    )
    return (
        f'<svg class="chart" data-chart="{kind}" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" role="img" aria-label="{escape(title)}">'
        f"<title>{escape(title)}</title>{''.join(axis)}{''.join(body)}</svg>"
    )


def _y(value: float, y_max: float) -> float:
    return HEIGHT - BOTTOM - (HEIGHT - TOP - BOTTOM) * (value / y_max if y_max else 0.0)


def bar_chart(title: str, labels: Sequence[str], values: Sequence[float], y_label: str) -> str:
    """One bar per label (``class="bar"``), value on hover."""
    y_max = max([*values, 0.0]) * 1.1 or 1.0
    n = max(len(values), 1)
    step = (WIDTH - LEFT - RIGHT) / n
    body = []
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        x = LEFT + i * step + step * 0.15
        y = _y(value, y_max)
        body.append(
            f'<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{step * 0.7:.1f}" '
            f'height="{HEIGHT - BOTTOM - y:.1f}" fill="{COLOURS[i % len(COLOURS)]}">'
            f"<title>{escape(label)}: {value:,.1f}</title></rect>"
        )
        cx = x + step * 0.35
        body.append(
            f'<text x="{cx:.1f}" y="{HEIGHT - BOTTOM + 14}" font-size="10" text-anchor="end" '
            f'transform="rotate(-30 {cx:.1f} {HEIGHT - BOTTOM + 14})">{escape(label[:28])}</text>'
        )
    return _frame(title, y_label, y_max, body, "bar")


def histogram(
    title: str, values: Sequence[float], *, bin_width: float, limits: dict[str, float],
    x_label: str,
) -> str:  # fmt: skip
    """Counts of ``values`` in bins of ``bin_width`` from 0, with a dashed line per limit."""
    top = max([*values, *limits.values(), bin_width])
    bins = int(top // bin_width) + 1
    counts = [0] * bins
    for v in values:
        counts[min(int(v // bin_width), bins - 1)] += 1
    y_max = max(counts) * 1.1 or 1.0
    scale = (WIDTH - LEFT - RIGHT) / (bins * bin_width)
    body = []
    for i, c in enumerate(counts):
        x, y = LEFT + i * bin_width * scale, _y(c, y_max)
        lo = i * bin_width
        body.append(
            f'<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{bin_width * scale - 1:.1f}" '
            f'height="{HEIGHT - BOTTOM - y:.1f}" fill="{COLOURS[0]}">'
            f"<title>{lo:g}-{lo + bin_width:g}: {c}</title></rect>"
        )
        if i % max(1, bins // 10) == 0:
            body.append(
                f'<text x="{x:.1f}" y="{HEIGHT - BOTTOM + 14}" font-size="10" '
                f'text-anchor="middle">{lo:g}</text>'
            )
    for j, (name, limit) in enumerate(limits.items()):
        x = LEFT + limit * scale
        body.append(
            f'<line class="limit" x1="{x:.1f}" y1="{TOP}" x2="{x:.1f}" y2="{HEIGHT - BOTTOM}" '
            f'stroke="{COLOURS[3]}" stroke-dasharray="4 3"/>'
            f'<text x="{x - 3:.1f}" y="{TOP + 12 + 12 * j}" font-size="11" text-anchor="end" '
            f'fill="{COLOURS[3]}">{escape(name)} {limit:g}</text>'
        )
    body.append(
        f'<text x="{(LEFT + WIDTH - RIGHT) / 2:.0f}" y="{HEIGHT - 20}" font-size="11" '
        f'text-anchor="middle">{escape(x_label)}</text>'
    )
    return _frame(title, "count", y_max, body, "histogram")


def line_chart(
    title: str, series: dict[str, tuple[Sequence[float], Sequence[float]]], *,
    x_label: str, y_label: str, points: dict[str, tuple[float, float]] | None = None,
) -> str:  # fmt: skip
    """One polyline per series (x, y) with a dot per point; ``points`` adds labelled dots."""
    points = points or {}
    xs = [x for sx, _ in series.values() for x in sx] + [p[0] for p in points.values()]
    ys = [y for _, sy in series.values() for y in sy] + [p[1] for p in points.values()]
    if not xs:
        return ""
    x_lo, x_hi = min(xs), max(xs)
    x_span = (x_hi - x_lo) or 1.0
    y_max = max([*ys, 0.0]) * 1.1 or 1.0

    def px(x: float) -> float:
        return LEFT + (WIDTH - LEFT - RIGHT) * (x - x_lo) / x_span

    body = []
    for i, (name, (sx, sy)) in enumerate(series.items()):
        colour = COLOURS[i % len(COLOURS)]
        pts = " ".join(f"{px(x):.1f},{_y(y, y_max):.1f}" for x, y in zip(sx, sy, strict=True))
        body.append(f'<polyline points="{pts}" fill="none" stroke="{colour}" stroke-width="2"/>')
        for x, y in zip(sx, sy, strict=True):
            body.append(
                f'<circle class="point" cx="{px(x):.1f}" cy="{_y(y, y_max):.1f}" r="3" '
                f'fill="{colour}"><title>{escape(name)}: {x:g}, {y:,.1f}</title></circle>'
            )
        body.append(
            f'<text x="{LEFT + 8}" y="{TOP + 12 + 13 * i}" font-size="11" '
            f'fill="{colour}">{escape(name)}</text>'
        )
    for j, (name, (x, y)) in enumerate(points.items()):
        colour = COLOURS[(len(series) + j) % len(COLOURS)]
        body.append(
            f'<circle class="point" cx="{px(x):.1f}" cy="{_y(y, y_max):.1f}" r="5" '
            f'fill="{colour}"><title>{escape(name)}: {x:g}, {y:,.1f}</title></circle>'
            f'<text x="{px(x) + 7:.1f}" y="{_y(y, y_max) + 4:.1f}" font-size="11" '
            f'fill="{colour}">{escape(name)}</text>'
        )
    for i in range(5):
        x = x_lo + x_span * i / 4
        body.append(
            f'<text x="{px(x):.1f}" y="{HEIGHT - BOTTOM + 14}" font-size="10" '
            f'text-anchor="middle">{_fmt(x)}</text>'
        )
    body.append(
        f'<text x="{(LEFT + WIDTH - RIGHT) / 2:.0f}" y="{HEIGHT - 20}" font-size="11" '
        f'text-anchor="middle">{escape(x_label)}</text>'
    )
    return _frame(title, y_label, y_max, body, "line")
