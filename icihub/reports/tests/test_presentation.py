"""How the report pages present their numbers: the definition behind a
disclosure, the year before beside each number, the trends across the years,
charts in a figure with one caption (hidden from assistive technology beside
their data, mirrored in Arabic), summaries whose plurals agree with their
numbers, the amber badges' contrast and the pages' message regions."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.conf import settings

from icihub.partners.models import Country
from icihub.reports import figures as F
from icihub.testing import client_for

from .builders import grow, make_course

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_years(centre_staff):
    """2015: one completed session (9 officers of Kuwait, Qatar and Bahrain, an
    instructor, an event); 2016: two of them (18 officers, two instructors,
    two events); nothing before."""
    course = make_course(centre_staff, "NIRC-T-001", "crisis-management", title="Trends")
    grow(course, dt.date(2015, 3, 1))
    grow(course, dt.date(2016, 3, 1))
    grow(course, dt.date(2016, 6, 1))
    return course


def _card(html: str, key: str) -> str:
    return re.search(rf'id="figure-{key}">(.*?)</details>\s*</div>', html, re.S).group(1)


def _page(user, path="/reports/", language="en", **params):
    client = client_for(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(path, params)
    assert response.status_code == 200
    return response.content.decode()


def test_each_number_beside_the_year_before(two_years, nato_staff):
    html = _page(nato_staff, year=2016)
    trained = _card(html, "trained")
    assert re.search(r">18</a>", trained)
    assert 'class="yoy yoy-up" data-previous="9" data-change="+9"' in trained
    assert '<bdi dir="ltr">+100%</bdi>' in trained and "2015: 9" in trained
    activities = _card(html, "activities")
    assert 'data-previous="1" data-change="+1"' in activities
    # where the year before had nothing: "new"
    first = _page(nato_staff, year=2015)
    assert 'data-previous="0"' in _card(first, "trained")
    assert '<span class="badge ok">new</span>' in _card(first, "trained")
    # a period that is not a whole year has no year before
    other = _page(nato_staff, **{"from": "2016-02-01", "to": "2016-07-01"})
    assert 'class="yoy' not in other and 'id="trends"' not in other


def test_definitions_are_behind_a_disclosure(two_years, nato_staff):
    html = _page(nato_staff, year=2016)
    for key in ("trained", "activities", "events"):
        card = _card(html, key) + "</details>"
        definition = str(F.FIGURES[key].definition)
        details = re.search(r'<details class="definition">(.*?)</details>', card, re.S).group(1)
        assert definition[:40] in details.replace("&#x27;", "'")
        assert definition[:40] not in card.split("<details", 1)[0].replace("&#x27;", "'")
    assert '<p class="definition">' not in html


def test_trends_across_the_years_with_data(two_years, nato_staff):
    html = _page(nato_staff, year=2016)
    section = re.search(r'<section class="card trends" id="trends">(.*?)</section>', html, re.S)
    trained = re.search(r'id="trend-trained">(.*?)</figure>', section.group(1), re.S).group(1)
    assert "<figcaption>Officers trained</figcaption>" in trained
    assert 'aria-hidden="true"' in trained
    table = re.search(r'<table class="visually-hidden">(.*?)</table>', trained, re.S).group(1)
    rows = re.findall(r'<th scope="row">(\d+)</th><td>([^<]*)</td>', table)
    assert rows == [("2015", "9"), ("2016", "18")]  # from the first year with data


def test_charts_are_figures_with_one_caption_and_no_image_holds_a_link(two_years, nato_staff):
    html = _page(nato_staff, year=2016)
    for svg in re.findall(r"<svg .*?</svg>", html, re.S):
        if "<a " in svg:
            assert 'role="img"' not in svg
            assert 'aria-hidden="true"' in svg
            assert all('tabindex="-1"' in a for a in re.findall(r"<a [^>]*>", svg))
    section = re.search(r'id="table-trained_by_country">(.*?)</section>', html, re.S).group(1)
    assert section.count("<figcaption>") == 1
    assert "<figcaption>Officers trained</figcaption>" in section
    title = "Officers trained by country"
    assert section.count(title) == 1  # the section's heading, not repeated in the chart
    # sized to its data: three countries, three bars
    assert 'class="chart-svg chart-bars" data-bars="3"' in section
    month = re.search(r'id="table-sessions_by_month">(.*?)</section>', html, re.S).group(1)
    assert 'chart-columns" data-bars="2"' in month
    width = int(re.search(r'<svg [^>]*width="(\d+)"[^>]*chart-columns', month).group(1))
    assert width < 200  # two months: a small chart, not a 560-pixel block


def test_arabic_pages_draw_mirrored_charts_with_arabic_names(two_years, nato_staff):
    Country.objects.filter(iso3="KWT").update(name_ar="الكويت")
    html = _page(nato_staff, language="ar", year=2016)
    assert 'dir="rtl"' in html
    section = re.search(r'id="table-trained_by_country">(.*?)</section>', html, re.S).group(1)
    svg = re.search(r"<svg .*?</svg>", section, re.S).group(0)
    assert 'direction="rtl"' in svg
    assert re.search(r'<text [^>]*direction="rtl"[^>]*><tspan[^>]*>الكويت</tspan>', svg)
    assert "<td>الكويت</td>" in section  # the table says the same


def test_summaries_agree_with_their_numbers(two_years, nato_staff):
    one = _page(nato_staff, year=2015)
    assert "1 course or activity was carried out at the Centre" in one
    assert "1 instructor or expert travelled to the Centre" in one
    assert "1 courses" not in one and "1 instructors" not in one
    many = _page(nato_staff, year=2016)
    assert "2 courses and activities were carried out at the Centre" in many
    assert "18 officers from ICI and GCC countries were trained" in many
    assert "2 instructors and experts travelled to the Centre" in many
    country = _page(nato_staff, "/reports/country/BHR/", year=2015)
    assert "3 officers from Bahrain were trained at the Centre (3 attendances)" in country
    assert "0 of its requests were awaiting an answer" in country


def _contrast(foreground: str, background: str) -> float:
    def luminance(colour):
        colour = colour.lstrip("#")
        channels = [int(colour[i : i + 2], 16) / 255 for i in (0, 2, 4)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    light, dark = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_amber_badges_contrast_at_least_4_5_to_1():
    css = (Path(settings.BASE_DIR) / "static/icihub/app.css").read_text()
    if not css:
        pytest.fail("app.css not found")
    warn = re.search(r"--warn:\s*(#[0-9a-f]{6})", css).group(1)
    badge = re.search(r"\.badge\.warn \{ background: (#[0-9a-f]{6}); color: var\(--warn\)", css)
    assert _contrast(warn, badge.group(1)) >= 4.5
    assert _contrast(warn, "#ffffff") >= 4.5
    assert _contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)  # the formula


def test_news_is_a_status_and_an_error_an_alert(nato_staff):
    client = client_for(nato_staff)
    response = client.post("/reports/annual/2999/lock/", follow=True)
    html = response.content.decode()
    region = re.search(
        r'<div id="messages" role="status" aria-live="polite">(.*?)</div>', html, re.S
    )
    assert re.search(
        r'<li class="msg msg-error"><span role="alert">[^<]+</span></li>', region.group(1)
    )
    assert '<div id="alert-announcer" class="visually-hidden" role="alert">' in html
    # news is said politely, in the status region, not as an alert
    response = client.post("/reports/annual/2016/lock/", follow=True)
    html = response.content.decode()
    region = re.search(
        r'<div id="messages" role="status" aria-live="polite">(.*?)</div>', html, re.S
    )
    assert re.search(r'<li class="msg msg-success">The figures of 2016 are locked', region.group(1))
    assert 'role="alert">The figures' not in html
