"""Tiny inline-SVG charts, so the reports open offline with no JavaScript or CDN."""

from __future__ import annotations

from html import escape


def bar_chart(items: list[tuple[str, float]], *, width: int = 640, bar_height: int = 16,
              max_value: float | None = None, fmt: str = "{:.1%}", colour: str = "#3b6ea8") -> str:
    """Horizontal bars, one per (label, value)."""
    if not items:
        return "<p><em>no data</em></p>"
    label_width = 260
    top = max_value if max_value is not None else max(v for _, v in items) or 1.0
    height = bar_height * len(items) + 8
    rows = []
    for i, (label, value) in enumerate(items):
        y = 4 + i * bar_height
        w = 0 if top == 0 else (width - label_width - 70) * max(value, 0) / top
        rows.append(
            f'<text x="{label_width - 6}" y="{y + bar_height - 4}" text-anchor="end">{escape(label)}</text>'
            f'<rect x="{label_width}" y="{y + 2}" width="{w:.1f}" height="{bar_height - 4}" fill="{colour}"/>'
            f'<text x="{label_width + w + 4:.1f}" y="{y + bar_height - 4}">{escape(fmt.format(value))}</text>'
        )
    return (f'<svg class="chart" width="{width}" height="{height}" font-size="11" '
            f'xmlns="http://www.w3.org/2000/svg">{"".join(rows)}</svg>')


def line_chart(points: list[tuple[str, float]], *, width: int = 640, height: int = 160,
               fmt: str = "{:.1%}") -> str:
    """A line over runs (x = label order)."""
    if not points:
        return "<p><em>no data</em></p>"
    values = [v for _, v in points]
    low, high = min(values), max(values)
    span = (high - low) or 1.0
    step = (width - 80) / max(len(points) - 1, 1)
    coords = [(40 + i * step, height - 30 - (v - low) / span * (height - 60)) for i, v in enumerate(values)]
    path = " ".join(f"{'M' if i == 0 else 'L'}{x:.1f},{y:.1f}" for i, (x, y) in enumerate(coords))
    dots = "".join(
        f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="#3b6ea8"><title>{escape(label)}: {escape(fmt.format(v))}</title></circle>'
        for (x, y), (label, v) in zip(coords, points)
    )
    labels = (f'<text x="40" y="{height - 8}">{escape(points[0][0])}</text>'
              f'<text x="{width - 40}" y="{height - 8}" text-anchor="end">{escape(points[-1][0])}</text>'
              f'<text x="4" y="20">{escape(fmt.format(high))}</text><text x="4" y="{height - 30}">{escape(fmt.format(low))}</text>')
    return (f'<svg class="chart" width="{width}" height="{height}" font-size="11" xmlns="http://www.w3.org/2000/svg">'
            f'<path d="{path}" fill="none" stroke="#3b6ea8" stroke-width="2"/>{dots}{labels}</svg>')
