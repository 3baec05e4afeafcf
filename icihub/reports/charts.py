"""Charts drawn by icihub itself as inline SVG (nothing from outside, no
JavaScript). Colours are SVG presentation attributes, not inline styles, so a
strict CSP holds.

How a chart is shown (``reports/_chart.html``, the ``chart_figure`` tag): a
``<figure>`` whose ``<figcaption>`` is the chart's one title and whose SVG is
hidden from assistive technology (``aria-hidden``); the numbers are in a data
table (the report's own table beside the chart, or a visually hidden one). A bar
may still link to the records it counts for the mouse, out of the tab order
(``tabindex="-1"``): the same links are in the table.

Sizes follow the data: a bar chart is as tall as its bars need, a column chart
as wide as its columns need (one bar is a small chart, not a block). Labels are
measured (an estimate of the glyphs' width), wrapped on two lines and cut with
an ellipsis beyond; the full label is the bar's tooltip. On a right-to-left page
(Arabic) the chart is mirrored: labels on the right, bars growing to the left,
years and months running from right to left, every text ``direction="rtl"``."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from django.utils.translation import get_language_bidi

PALETTE = ["#145a9e", "#b8741a", "#2a9d8f", "#b5485d", "#6c5b7b", "#4d908e", "#c4572f", "#577590"]
INK, MUTED, AXIS = "#1b2430", "#5b6776", "#b8c2cf"
FONT = "DejaVu Sans, Noto Sans, Noto Sans Arabic, sans-serif"
GLYPH = 0.62  # the width of an average glyph, in ems (DejaVu Sans is wide)


@dataclass
class Bar:
    label: str
    value: float
    url: str | None = None
    note: str = ""


class Chart(str):
    """The SVG markup of a chart (a ``str``: it is written into pages as it is)
    with what it draws, for its caption and its data table."""

    title: str = ""
    bars: list[Bar]
    unit: str = ""

    @classmethod
    def of(cls, svg: str, title: str, bars: list[Bar], unit: str = "") -> Chart:
        chart = cls(svg)
        chart.title, chart.bars, chart.unit = title, list(bars), unit
        return chart

    @property
    def rows(self) -> list[tuple[str, str]]:
        """``(label, value)`` of each bar, for the data table."""
        return [(bar.label, f"{_fmt(bar.value)}{self.unit}") for bar in self.bars]


# -- measuring and wrapping text ----------------------------------------------------------


def text_width(text: str, size: float = 12) -> float:
    """An estimate of ``text``'s width in pixels at ``size`` (no font metrics on
    a server without a browser: a generous average glyph)."""
    return len(text) * size * GLYPH


def wrap(text: str, width: float, size: float = 12, lines: int = 2) -> list[str]:
    """``text`` in at most ``lines`` lines of at most ``width`` pixels; what does
    not fit is cut with an ellipsis."""
    chars = max(3, int(width / (size * GLYPH) + 0.01))
    out: list[str] = []
    current = ""
    for word in text.split():
        while len(word) > chars:  # a word longer than a line is cut
            if current:
                out.append(current)
                current = ""
            out.append(word[:chars])
            word = word[chars:]
        candidate = f"{current} {word}" if current else word
        if len(candidate) <= chars:
            current = candidate
        else:
            out.append(current)
            current = word
    if current:
        out.append(current)
    if len(out) > lines:
        last = out[lines - 1]
        out = out[: lines - 1] + [(last[: chars - 1] if len(last) >= chars else last) + "…"]
    return out or [""]


# -- drawing helpers ----------------------------------------------------------------------


def _fmt(value: float) -> str:
    if value is None:
        return "–"
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.1f}"


class _Canvas:
    """Coordinates written left to right, mirrored on a right-to-left page."""

    def __init__(self, width: float, rtl: bool | None = None):
        self.width = width
        self.rtl = get_language_bidi() if rtl is None else rtl

    def x(self, x: float) -> float:
        return self.width - x if self.rtl else x

    def rect_x(self, x: float, w: float) -> float:
        """The left edge of a box drawn from ``x`` over ``w`` pixels."""
        return self.width - x - w if self.rtl else x

    def text(
        self,
        x: float,
        y: float,
        lines: list[str] | str,
        *,
        anchor: str = "start",
        size: float = 12,
        fill: str = INK,
        weight: str = "",
        ltr: bool = False,
    ) -> str:
        """Text whose ``anchor`` is logical: ``start`` is the left end of a
        left-to-right text and the right end of a right-to-left one. Numbers
        (``ltr``) keep their digits' order but are anchored the same way."""
        lines = [lines] if isinstance(lines, str) else lines
        # a number keeps left to right (the chart's own direction is inherited)
        direction = (' direction="ltr"' if ltr else ' direction="rtl"') if self.rtl else ""
        if self.rtl and ltr and anchor != "middle":
            anchor = "end" if anchor == "start" else "start"
        bold = f' font-weight="{weight}"' if weight else ""
        spans = "".join(
            f'<tspan x="{self.x(x):.1f}" dy="{0 if i == 0 else size + 2}">{escape(line)}</tspan>'
            for i, line in enumerate(lines)
        )
        return (
            f'<text x="{self.x(x):.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}"'
            f'{direction}{bold} fill="{fill}">{spans}</text>'
        )


def _link(inner: str, url: str | None, title: str) -> str:
    """A bar with its tooltip; a link for the mouse only (the data table beside
    the chart carries the same link for the keyboard and screen readers)."""
    if not url:
        return f"<g><title>{escape(title)}</title>{inner}</g>"
    return f'<a href="{escape(url)}" tabindex="-1"><title>{escape(title)}</title>{inner}</a>'


def _finish(
    width: float, height: float, rtl: bool, kind: str, parts: list[str], bars, title, unit
) -> Chart:
    direction = ' direction="rtl"' if rtl else ""
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'width="{width:.0f}" height="{height:.0f}" aria-hidden="true" focusable="false" '
        f'class="chart-svg chart-{kind}" data-bars="{len(bars)}"{direction} font-family="{FONT}">'
        + "".join(parts)
        + "</svg>"
    )
    return Chart.of(svg, title, bars, unit)


def _empty(title: str, kind: str, rtl: bool) -> Chart:
    canvas = _Canvas(120, rtl)
    return _finish(120, 28, rtl, kind, [canvas.text(4, 18, "–", fill=MUTED)], [], title, "")


# -- charts -------------------------------------------------------------------------------------


def horizontal_bars(
    bars: list[Bar], *, title: str, width: int = 560, unit: str = "", rtl: bool | None = None
) -> Chart:
    """Labelled horizontal bars (countries, areas, organisations): as tall as
    its bars; labels wrapped on two lines beside the bars, the values after
    them, nothing drawn over a bar."""
    canvas = _Canvas(width, rtl)
    if not bars:
        return _empty(title, "bars", canvas.rtl)
    size, pad, gap = 12, 6, 6
    values = [f"{_fmt(b.value)}{unit}" for b in bars]
    value_w = max(text_width(v, size) for v in values) + gap
    longest = max(text_width(b.label, size) for b in bars)
    label_w = min(longest, width * 0.38) + gap
    labels = [wrap(b.label, label_w - gap, size) for b in bars]
    plot_w = width - 2 * pad - label_w - value_w
    top = max((b.value or 0) for b in bars) or 1
    thickness = 16
    parts, y = [], pad
    for bar, lines, value in zip(bars, labels, values, strict=True):
        row = max(thickness + 8, len(lines) * (size + 2) + 8)
        w = max(1.0, plot_w * (bar.value or 0) / top) if bar.value else 0
        middle = y + row / 2
        x0 = pad + label_w
        first_line = middle - (len(lines) - 1) * (size + 2) / 2 + size * 0.35
        inner = (
            canvas.text(x0 - gap, first_line, lines, anchor="end", size=size)
            + f'<rect x="{canvas.rect_x(x0, w):.1f}" y="{middle - thickness / 2:.1f}" '
            f'width="{w:.1f}" height="{thickness}" rx="2" fill="{PALETTE[0]}"/>'
            + canvas.text(x0 + w + 4, middle + size * 0.35, value, size=size, ltr=True)
        )
        parts.append(_link(inner, bar.url, f"{bar.label}: {value} {bar.note}".strip()))
        y += row
    height = y + pad
    return _finish(width, height, canvas.rtl, "bars", parts, bars, title, unit)


def columns(
    bars: list[Bar],
    *,
    title: str,
    width: int | None = None,
    height: int = 170,
    unit: str = "",
    max_width: int = 720,
    rtl: bool | None = None,
) -> Chart:
    """Vertical columns (years, months): as wide as its columns need, up to
    ``max_width``; a label under each column on up to two lines (the first
    column is on the right of a right-to-left page)."""
    if not bars:
        return _empty(title, "columns", bool(get_language_bidi() if rtl is None else rtl))
    size, pad = 11, 8
    longest_word = max(
        (text_width(word, size) for bar in bars for word in bar.label.split()), default=20
    )
    values_w = max(text_width(f"{_fmt(b.value)}{unit}", size) for b in bars)
    step = max(40.0, min(96.0, max(longest_word, values_w) + 10))
    if width is None:
        width = int(min(max_width, 2 * pad + step * len(bars)))
    step = (width - 2 * pad) / len(bars)
    canvas = _Canvas(width, rtl)
    bar_w = min(36.0, step * 0.6)
    labels = [wrap(b.label, step - 4, size) for b in bars]
    label_lines = max(len(lines) for lines in labels)
    baseline = height - pad - label_lines * (size + 2) - 4
    plot_h = baseline - pad - size - 6
    top = max((b.value or 0) for b in bars) or 1
    parts = [
        f'<line x1="{pad}" y1="{baseline}" x2="{width - pad}" y2="{baseline}" stroke="{AXIS}"/>'
    ]
    for i, (bar, lines) in enumerate(zip(bars, labels, strict=True)):
        h = plot_h * (bar.value or 0) / top
        centre = pad + i * step + step / 2
        value = f"{_fmt(bar.value)}{unit}"
        inner = (
            f'<rect x="{canvas.rect_x(centre - bar_w / 2, bar_w):.1f}" y="{baseline - h:.1f}" '
            f'width="{bar_w:.1f}" height="{h:.1f}" rx="2" fill="{PALETTE[0]}"/>'
            + canvas.text(centre, baseline - h - 4, value, anchor="middle", size=size, ltr=True)
            + canvas.text(
                centre, baseline + size + 3, lines, anchor="middle", size=size, fill=MUTED
            )
        )
        parts.append(_link(inner, bar.url, f"{bar.label}: {value}"))
    return _finish(width, height, canvas.rtl, "columns", parts, bars, title, unit)


def shares(bars: list[Bar], *, title: str, width: int = 560, rtl: bool | None = None) -> Chart:
    """A single stacked bar showing shares of a whole, with a legend (in two
    columns when the entries fit, else one)."""
    canvas = _Canvas(width, rtl)
    total = sum((b.value or 0) for b in bars)
    if not bars or not total:
        return _empty(title, "shares", canvas.rtl)
    size, pad = 12, 4
    entries = [f"{b.label}: {_fmt(b.value)} ({100 * (b.value or 0) / total:.0f}%)" for b in bars]
    per_line = 2 if max(text_width(e, size) for e in entries) + 24 < (width - 2 * pad) / 2 else 1
    column_w = (width - 2 * pad) / per_line
    parts, x = [], float(pad)
    plot_w = width - 2 * pad
    for i, (bar, entry) in enumerate(zip(bars, entries, strict=True)):
        w = plot_w * (bar.value or 0) / total
        inner = (
            f'<rect x="{canvas.rect_x(x, w):.1f}" y="{pad}" width="{w:.1f}" height="18" '
            f'fill="{PALETTE[i % len(PALETTE)]}"/>'
        )
        parts.append(_link(inner, bar.url, entry))
        x += w
    y = pad + 18 + 10
    for i, (bar, entry) in enumerate(zip(bars, entries, strict=True)):
        col, line = i % per_line, i // per_line
        lx, ly = pad + col * column_w, y + line * 20
        label = wrap(entry, column_w - 24, size, lines=1)
        inner = (
            f'<rect x="{canvas.rect_x(lx, 10):.1f}" y="{ly + 2}" width="10" height="10" '
            f'fill="{PALETTE[i % len(PALETTE)]}"/>'
            + canvas.text(lx + 14, ly + 11, label, size=size)
        )
        parts.append(_link(inner, bar.url, entry))
    height = y + ((len(bars) + per_line - 1) // per_line) * 20 + pad
    return _finish(width, height, canvas.rtl, "shares", parts, bars, title, "")


def line(
    bars: list[Bar],
    *,
    title: str,
    height: int = 120,
    unit: str = "",
    step: int = 52,
    rtl: bool | None = None,
) -> Chart:
    """A line across years (a figure's trend): a point per year with its value
    above and its year below, as wide as its years need; the years run from
    right to left on a right-to-left page."""
    if not bars:
        return _empty(title, "line", bool(get_language_bidi() if rtl is None else rtl))
    size, pad = 11, 8
    values = [f"{_fmt(b.value)}{unit}" for b in bars]
    step = max(step, int(max(text_width(v, size) for v in values)) + 10)
    width = 2 * pad + step * len(bars)
    canvas = _Canvas(width, rtl)
    baseline = height - pad - size - 4
    plot_top = pad + size + 6
    top = max((b.value or 0) for b in bars) or 1
    points = []
    for i, bar in enumerate(bars):
        x = pad + i * step + step / 2
        y = baseline - (baseline - plot_top) * (bar.value or 0) / top
        points.append((canvas.x(x), y, x))
    path = " ".join(f"{px:.1f},{py:.1f}" for px, py, _x in points)
    parts = [
        f'<line x1="{pad}" y1="{baseline}" x2="{width - pad}" y2="{baseline}" stroke="{AXIS}"/>',
        f'<polyline points="{path}" fill="none" stroke="{PALETTE[0]}" stroke-width="2"/>',
    ]
    for (px, py, x), bar, value in zip(points, bars, values, strict=True):
        inner = (
            f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3.5" fill="{PALETTE[0]}"/>'
            + canvas.text(x, py - 7, value, anchor="middle", size=size, ltr=True)
            + canvas.text(x, baseline + size + 3, bar.label, anchor="middle", size=size, fill=MUTED)
        )
        parts.append(_link(inner, bar.url, f"{bar.label}: {value}"))
    return _finish(width, height, canvas.rtl, "line", parts, bars, title, unit)
