"""Charts as server-side SVG: no script and no request beyond the page; each has a <title> and <desc> and its
figures as text, so a screen reader gets the numbers too."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from itertools import count

from markupsafe import Markup, escape

_ids = count(1)
SELF_COLOUR, OTHERS_COLOUR, GRID = "#b35900", "#0b5cad", "#c8ced8"


@dataclass(frozen=True)
class Axis:
    """One spoke of a radar chart: a label and the two series' values (None: no figure)."""

    label: str
    first: float | None
    second: float | None


@dataclass(frozen=True)
class Bar:
    """One bar: a label, a value (None when there is none) and an optional note shown instead (e.g. withheld)."""

    label: str
    value: float | None
    note: str | None = None
    limit: float | None = None  # a mark drawn across the bar, e.g. a cap


Format = Callable[[float], str]


def plain(value: float) -> str:
    """Two decimals (pages pass the locale's formatter instead)."""
    return f"{value:.2f}"


def _fmt(value: float | None, fmt: Format) -> str:
    return "—" if value is None else fmt(value)


def _open(width: int, height: int, title: str, desc: str, css_class: str) -> tuple[str, list[str]]:
    uid = f"chart{next(_ids)}"
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
            f'height="{height}" role="img" aria-labelledby="{uid}-t {uid}-d" class="{css_class}">'
            f'<title id="{uid}-t">{escape(title)}</title><desc id="{uid}-d">{escape(desc)}</desc>')
    return uid, [head]


def radar(axes: list[Axis], scale_min: int, scale_max: int, title: str, first_name: str, second_name: str,
          fmt: Format = plain) -> Markup:
    """A radar chart of two series (e.g. self vs others) over the axes, scale_min at the centre."""
    size, centre, radius = 420, 210, 120
    desc = "; ".join(f"{a.label}: {first_name} {_fmt(a.first, fmt)}, {second_name} {_fmt(a.second, fmt)}"
                     for a in axes)
    _uid, parts = _open(size, size + 20, title, desc, "radar")
    n = max(len(axes), 3)

    def point(i: int, value: float) -> tuple[float, float]:
        share = (value - scale_min) / (scale_max - scale_min) if scale_max > scale_min else 0
        angle = -math.pi / 2 + 2 * math.pi * i / n
        return centre + radius * share * math.cos(angle), centre + radius * share * math.sin(angle)

    for level in range(scale_min, scale_max + 1):
        ring = " ".join(f"{x:.1f},{y:.1f}" for x, y in (point(i, level) for i in range(n)))
        parts.append(f'<polygon points="{ring}" fill="none" stroke="{GRID}" stroke-width="1"/>')
        x, y = point(0, level)
        parts.append(f'<text x="{x + 4:.1f}" y="{y + 4:.1f}" font-size="10" fill="#5a6270">{level}</text>')
    for i, axis in enumerate(axes):
        x, y = point(i, scale_max)
        parts.append(f'<line x1="{centre}" y1="{centre}" x2="{x:.1f}" y2="{y:.1f}" stroke="{GRID}"/>')
        lx, ly = point(i, scale_max + (scale_max - scale_min) * 0.22)
        anchor = "middle" if abs(lx - centre) < 20 else ("start" if lx > centre else "end")
        parts.append(f'<text x="{lx:.1f}" y="{ly:.1f}" font-size="12" text-anchor="{anchor}">{escape(axis.label)}</text>')
    for name, colour, values, dash in ((first_name, SELF_COLOUR, [a.first for a in axes], "6 4"),
                                       (second_name, OTHERS_COLOUR, [a.second for a in axes], "")):
        known = [(i, v) for i, v in enumerate(values) if v is not None]
        if not known:
            continue
        shape = " ".join(f"{x:.1f},{y:.1f}" for x, y in (point(i, v) for i, v in known))
        parts.append(f'<polygon class="series" points="{shape}" fill="{colour}" fill-opacity="0.15" stroke="{colour}" '
                     f'stroke-width="2" stroke-dasharray="{dash}"><title>{escape(name)}</title></polygon>')
        for i, v in known:
            x, y = point(i, v)
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{colour}"><title>{escape(axes[i].label)}: '
                         f'{escape(name)} {fmt(v)}</title></circle>')
    legend_y = size
    for k, (name, colour, dash) in enumerate(((first_name, SELF_COLOUR, "6 4"), (second_name, OTHERS_COLOUR, ""))):
        x = 40 + k * 200
        parts.append(f'<line x1="{x}" y1="{legend_y}" x2="{x + 30}" y2="{legend_y}" stroke="{colour}" stroke-width="3" '
                     f'stroke-dasharray="{dash}"/><text x="{x + 36}" y="{legend_y + 4}" font-size="13">{escape(name)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def bars(items: list[Bar], maximum: float, title: str, fmt: Format = plain, minimum: float = 0) -> Markup:
    """Horizontal bars from ``minimum`` to ``maximum``; an item with a note shows the note instead of a bar."""
    row, label_w, bar_w = 34, 170, 300
    width, height = label_w + bar_w + 90, row * len(items) + 20
    desc = "; ".join(f"{b.label}: {b.note or _fmt(b.value, fmt)}" + (f" (limit {fmt(b.limit)})" if b.limit
                     is not None else "") for b in items)
    _uid, parts = _open(width, height, title, desc, "bars")
    span = (maximum - minimum) or 1
    for k, b in enumerate(items):
        y = 10 + k * row
        parts.append(f'<text x="{label_w - 8}" y="{y + 18}" font-size="13" text-anchor="end">{escape(b.label)}</text>')
        parts.append(f'<rect x="{label_w}" y="{y + 4}" width="{bar_w}" height="20" fill="#f4f6f9" stroke="{GRID}"/>')
        if b.note is not None:
            parts.append(f'<text class="note" x="{label_w + 8}" y="{y + 18}" font-size="13" font-style="italic" '
                         f'fill="#b00020">{escape(b.note)}</text>')
            continue
        if b.value is not None:
            w = bar_w * max(0.0, min(1.0, (b.value - minimum) / span))
            parts.append(f'<rect class="bar" x="{label_w}" y="{y + 4}" width="{w:.1f}" height="20" fill="{OTHERS_COLOUR}">'
                         f'<title>{escape(b.label)}: {fmt(b.value)}</title></rect>')
        if b.limit is not None:
            lx = label_w + bar_w * max(0.0, min(1.0, (b.limit - minimum) / span))
            parts.append(f'<line x1="{lx:.1f}" y1="{y}" x2="{lx:.1f}" y2="{y + 28}" stroke="#b00020" stroke-width="2" '
                         f'stroke-dasharray="4 2"/>')
        parts.append(f'<text x="{label_w + bar_w + 8}" y="{y + 18}" font-size="13">{escape(_fmt(b.value, fmt))}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
