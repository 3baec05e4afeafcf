"""Charts drawn by icihub itself as inline SVG (nothing from outside, no
JavaScript). Every bar can be a link to the records it counts. Colours are SVG
presentation attributes, not inline styles, so a strict CSP holds."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

PALETTE = ["#145a9e", "#f2a541", "#2a9d8f", "#b5485d", "#6c5b7b", "#4d908e", "#e76f51", "#577590"]


@dataclass
class Bar:
    label: str
    value: float
    url: str | None = None
    note: str = ""


def _fmt(value: float) -> str:
    if value is None:
        return "–"
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.1f}"


def _link(inner: str, url: str | None, title: str) -> str:
    if not url:
        return f"<g><title>{escape(title)}</title>{inner}</g>"
    return f'<a href="{escape(url)}"><title>{escape(title)}</title>{inner}</a>'


def horizontal_bars(bars: list[Bar], *, title: str, width: int = 560, unit: str = "") -> str:
    """Labelled horizontal bars (good for countries, areas, organisations)."""
    if not bars:
        return _empty(title, width)
    row, pad = 26, 8
    longest = max(len(b.label) for b in bars)
    label_w = min(230, max(90, 7 * min(longest, 32) + 12))
    height = pad * 2 + row * len(bars) + 24
    top = max((b.value or 0) for b in bars) or 1
    plot_w = width - label_w - 70
    parts = [_header(title, width, height, bars)]
    parts.append(
        f'<text x="{pad}" y="16" font-size="13" font-weight="600" fill="#1b2430">{escape(title)}</text>'
    )
    for i, bar in enumerate(bars):
        y = 24 + pad + i * row
        w = max(1.0, plot_w * (bar.value or 0) / top) if bar.value else 0
        label = bar.label if len(bar.label) <= 32 else bar.label[:31] + "…"
        inner = (
            f'<text x="{label_w - 6}" y="{y + 15}" font-size="12" text-anchor="end" fill="#1b2430">{escape(label)}</text>'
            f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row - 8}" rx="2" fill="{PALETTE[0]}"/>'
            f'<text x="{label_w + w + 5:.1f}" y="{y + 15}" font-size="12" fill="#1b2430">{_fmt(bar.value)}{escape(unit)}</text>'
        )
        parts.append(
            _link(inner, bar.url, f"{bar.label}: {_fmt(bar.value)}{unit} {bar.note}".strip())
        )
    parts.append("</svg>")
    return "".join(parts)


def columns(
    bars: list[Bar], *, title: str, width: int = 560, height: int = 220, unit: str = ""
) -> str:
    """Vertical columns (good for years or months)."""
    if not bars:
        return _empty(title, width)
    pad_l, pad_b, pad_t = 36, 36, 30
    plot_h = height - pad_b - pad_t
    top = max((b.value or 0) for b in bars) or 1
    step = (width - pad_l - 10) / len(bars)
    bar_w = max(4.0, step * 0.7)
    parts = [_header(title, width, height, bars)]
    parts.append(
        f'<text x="4" y="16" font-size="13" font-weight="600" fill="#1b2430">{escape(title)}</text>'
    )
    parts.append(
        f'<line x1="{pad_l}" y1="{height - pad_b}" x2="{width - 6}" y2="{height - pad_b}" stroke="#b8c2cf"/>'
    )
    for i, bar in enumerate(bars):
        h = plot_h * (bar.value or 0) / top
        x = pad_l + i * step + (step - bar_w) / 2
        y = height - pad_b - h
        label = bar.label if len(bar.label) <= 8 else bar.label[:7] + "…"
        inner = (
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" rx="2" fill="{PALETTE[0]}"/>'
            f'<text x="{x + bar_w / 2:.1f}" y="{y - 4:.1f}" font-size="11" text-anchor="middle" fill="#1b2430">{_fmt(bar.value)}</text>'
            f'<text x="{x + bar_w / 2:.1f}" y="{height - pad_b + 14}" font-size="11" text-anchor="middle" fill="#5b6776">{escape(label)}</text>'
        )
        parts.append(_link(inner, bar.url, f"{bar.label}: {_fmt(bar.value)}{unit}"))
    parts.append("</svg>")
    return "".join(parts)


def shares(bars: list[Bar], *, title: str, width: int = 560) -> str:
    """A single stacked bar showing shares of a whole, with a legend."""
    total = sum((b.value or 0) for b in bars)
    if not bars or not total:
        return _empty(title, width)
    height = 60 + 20 * ((len(bars) + 1) // 2)
    parts = [_header(title, width, height, bars)]
    parts.append(
        f'<text x="4" y="16" font-size="13" font-weight="600" fill="#1b2430">{escape(title)}</text>'
    )
    x = 4.0
    plot_w = width - 8
    for i, bar in enumerate(bars):
        w = plot_w * (bar.value or 0) / total
        colour = PALETTE[i % len(PALETTE)]
        inner = f'<rect x="{x:.1f}" y="24" width="{w:.1f}" height="18" fill="{colour}"/>'
        parts.append(
            _link(
                inner,
                bar.url,
                f"{bar.label}: {_fmt(bar.value)} ({100 * (bar.value or 0) / total:.0f}%)",
            )
        )
        x += w
    for i, bar in enumerate(bars):
        col, line = i % 2, i // 2
        lx, ly = 4 + col * (width / 2), 60 + line * 20
        colour = PALETTE[i % len(PALETTE)]
        inner = (
            f'<rect x="{lx:.1f}" y="{ly - 10}" width="10" height="10" fill="{colour}"/>'
            f'<text x="{lx + 14:.1f}" y="{ly}" font-size="12" fill="#1b2430">{escape(bar.label)}: {_fmt(bar.value)}</text>'
        )
        parts.append(_link(inner, bar.url, f"{bar.label}: {_fmt(bar.value)}"))
    parts.append("</svg>")
    return "".join(parts)


def _header(title: str, width: int, height: int, bars: list[Bar] = ()) -> str:
    """An image named by its title; a chart whose bars are links is a group
    instead (an image's content is hidden from assistive technology, so the
    links inside one could not be reached)."""
    role = "group" if any(bar.url for bar in bars) else "img"
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="{role}" aria-label="{escape(title)}" font-family="DejaVu Sans, sans-serif">'
    )


def _empty(title: str, width: int) -> str:
    return (
        _header(title, width, 50)
        + f'<text x="4" y="16" font-size="13" font-weight="600" fill="#1b2430">{escape(title)}</text>'
        + '<text x="4" y="38" font-size="12" fill="#5b6776">–</text></svg>'
    )
