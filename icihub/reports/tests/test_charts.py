"""The charts' markup: hidden from assistive technology (their numbers are in a
data table), sized to their data, labels kept inside the chart and off the
bars, mirrored on a right-to-left page."""

import re

import pytest

from icihub.reports import charts

DRAWS = (charts.horizontal_bars, charts.columns, charts.shares, charts.line)


def _size(svg: str) -> tuple[float, float]:
    match = re.search(r'<svg [^>]*width="([\d.]+)" height="([\d.]+)"', svg)
    return float(match.group(1)), float(match.group(2))


def _rects(svg: str) -> list[tuple[float, float]]:
    """(x, width) of every bar."""
    return [
        (float(x), float(w))
        for x, w in re.findall(r'<rect x="([-\d.]+)" y="[-\d.]+" width="([-\d.]+)"', svg)
    ]


def _texts(svg: str) -> list[tuple[float, str, str]]:
    """(x, anchor, text) of every text."""
    out = []
    for attrs, body in re.findall(r"<text ([^>]*)>(.*?)</text>", svg):
        x = float(re.search(r'\bx="([-\d.]+)"', attrs).group(1))
        anchor = re.search(r'text-anchor="(\w+)"', attrs).group(1)
        out.append((x, anchor, re.sub(r"<[^>]+>", " ", body).strip(), attrs))
    return out


def test_no_chart_is_an_image_holding_links_it_is_hidden_beside_its_data():
    linked = [charts.Bar("Kuwait", 3, url="/reports/records/trained/?country=KWT")]
    for draw in DRAWS:
        svg = draw(linked, title="Trained", rtl=False)
        assert 'role="img"' not in svg
        assert 'aria-hidden="true"' in svg and 'focusable="false"' in svg
        # the links are for the mouse only; the table beside the chart has them
        links = re.findall(r"<a [^>]*>", svg)
        assert links and all('tabindex="-1"' in link for link in links), draw
        # no title drawn inside: the page's <figcaption> is the one title
        assert "Trained" not in re.sub(r"<title>.*?</title>", "", svg)
        # what the data table needs
        assert svg.bars == linked and svg.rows == [("Kuwait", "3")]


def test_a_bar_chart_is_as_tall_as_its_bars_and_a_column_chart_as_wide():
    def bars(n):
        return [charts.Bar(f"Country {i}", 10 + i) for i in range(n)]

    one_w, one_h = _size(charts.horizontal_bars(bars(1), title="t", rtl=False))
    ten_w, ten_h = _size(charts.horizontal_bars(bars(10), title="t", rtl=False))
    assert one_w == ten_w
    assert one_h < 50  # one bar is a small chart, not a block
    assert ten_h == pytest.approx(10 * (one_h - 12) + 12)  # rows of the same height

    one_w, one_h = _size(charts.columns(bars(1), title="t", rtl=False))
    six_w, six_h = _size(charts.columns(bars(6), title="t", rtl=False))
    assert one_w < 120 and one_h == six_h
    assert six_w == pytest.approx(6 * (one_w - 16) + 16, abs=6)
    # a one-bar column is narrow, not the chart's whole width
    ((x, w),) = _rects(charts.columns(bars(1), title="t", rtl=False))
    assert w <= 36
    assert 'data-bars="6"' in charts.columns(bars(6), title="t", rtl=False)

    twelve = charts.line(bars(12), title="t", rtl=False)
    assert _size(twelve)[0] > 4 * _size(charts.line(bars(2), title="t", rtl=False))[0]


def test_long_labels_wrap_inside_the_chart_and_values_stay_off_the_bars():
    long = "The Kingdom of Saudi Arabia's Armed Forces Joint Command and Staff College"
    svg = charts.horizontal_bars(
        [charts.Bar(long, 120), charts.Bar("Qatar", 4)], title="t", width=560, rtl=False
    )
    width, _height = _size(svg)
    label = next(t for t in _texts(svg) if t[2].startswith("The Kingdom"))
    x, anchor, text, _attrs = label
    assert text.count(" ") >= 2 and "…" in text  # wrapped on two lines and cut
    assert anchor == "end" and charts.text_width("Kingdom of Saudi") < x < width * 0.45
    (bar_x, bar_w), (small_x, small_w) = _rects(svg)
    assert bar_x > x  # the bar starts after its label
    values = [t for t in _texts(svg) if t[2] in ("120", "4")]
    for value_x, value_anchor, text, _a in values:
        start, w = (bar_x, bar_w) if text == "120" else (small_x, small_w)
        assert value_anchor == "start" and value_x >= start + w  # after the bar
        assert value_x + charts.text_width(text) <= width  # and inside the chart


def test_wrap_cuts_what_does_not_fit_on_two_lines():
    assert charts.wrap("Crisis management", 200) == ["Crisis management"]
    assert charts.wrap("Crisis management", 80) == ["Crisis", "management"]
    lines = charts.wrap("one two three four five six seven", 60)
    assert len(lines) == 2 and lines[-1].endswith("…")


def test_right_to_left_charts_are_mirrored():
    bars = [charts.Bar("الكويت", 12, url="/r/?country=KWT"), charts.Bar("قطر", 6)]
    ltr = charts.horizontal_bars(bars, title="t", width=560, rtl=False)
    rtl = charts.horizontal_bars(bars, title="t", width=560, rtl=True)
    assert 'direction="rtl"' in rtl and 'direction="rtl"' not in ltr
    for (lx, lw), (rx, rw) in zip(_rects(ltr), _rects(rtl), strict=True):
        assert rw == lw and rx == pytest.approx(560 - lx - lw, abs=0.2)  # bars grow to the left
    labels = [t for t in _texts(rtl) if t[2] == "الكويت"]
    ((x, anchor, _text, attrs),) = labels
    assert 'direction="rtl"' in attrs and anchor == "end"  # its left end beside the bar
    assert x > 560 / 2  # on the right
    # numbers keep their digits' order, anchored to the left of their bar
    ((vx, vanchor, _t, vattrs),) = [t for t in _texts(rtl) if t[2] == "12"]
    assert 'direction="ltr"' in vattrs and vanchor == "end"
    assert vx <= _rects(rtl)[0][0]
    # the first column and the first year are on the right
    for draw in (charts.columns, charts.line):
        svg = draw([charts.Bar("2024", 1), charts.Bar("2025", 2)], title="t", rtl=True)
        first, second = (t for t in _texts(svg) if t[2] in ("2024", "2025"))
        assert first[2] == "2024" and first[0] > second[0]


def test_the_page_language_decides_the_direction(settings):
    from django.utils import translation

    with translation.override("ar"):
        assert 'direction="rtl"' in charts.columns([charts.Bar("يناير", 1)], title="t")
    with translation.override("en"):
        assert 'direction="rtl"' not in charts.columns([charts.Bar("January", 1)], title="t")
