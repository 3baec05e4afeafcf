"""The figures others published, stored as sourced facts, shown beside
icihub's own count: the demo's 2017 beside NATO's published first year."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from icihub.core.models import AuditEntry, Citation
from icihub.reports import reference
from icihub.reports import report as reports
from icihub.reports.models import PublishedFigure
from icihub.reports.scope import Period, Scope
from icihub.testing import client_for

pytestmark = pytest.mark.django_db


def test_the_published_figures_are_sourced_reference_data(db):
    rows = {p.key: p for p in PublishedFigure.objects.prefetch_related("citations__source")}
    assert {k: (p.figure, p.value) for k, p in rows.items()} == {
        "first-year-activities": ("activities", 14),
        "first-year-officers": ("trained", 478),
        "first-year-instructors": ("travellers", 149),
        "to-2025-04-dialogue-events": ("events", 101),
        "to-2025-04-training-courses": ("sessions", 56),
    }
    officers = rows["first-year-officers"]
    citation = officers.citations.get()
    assert citation.source.key == "seed-003"
    assert citation.kind == Citation.Kind.NUMBER and citation.value == "478"
    assert citation.quote == (
        "Nato said during its first year, 14 courses and activities were carried out at the "
        "Centre, 478 officers from ICI and GCC countries were trained and 149 instructors and "
        "experts travelled to the Centre to deliver the courses."
    )
    assert citation.quote in citation.source.text  # verbatim from the seed article
    kuna = rows["to-2025-04-dialogue-events"].citations.get()
    assert kuna.source.key == "kuna-2025-04" and kuna.value == "101"
    assert str(rows["to-2025-04-training-courses"].period_end) == "2025-04-30"


def test_loading_them_again_changes_nothing(db):
    before = AuditEntry.objects.count()
    reference.load(lambda line: None)
    assert AuditEntry.objects.count() == before


@pytest.fixture
def demo(db):
    from icihub.training import demo as training_demo

    training_demo.load(lambda line: None)


def test_the_demos_2017_beside_the_published_figures(demo, nato_staff):
    report = reports.build_annual(Scope.for_user(nato_staff, Period.of_year(2017)))
    published = {c.published.key: (c.published.value, c.icihub.value) for c in report.comparisons}
    assert published == {
        "first-year-activities": (14, 14),
        "first-year-officers": (478, 478),
        "first-year-instructors": (149, 149),
    }
    assert report.summary == (
        "In 2017, 14 courses and activities were carried out at the Centre, 478 officers from "
        "ICI and GCC countries were trained and 149 instructors and experts travelled to the "
        "Centre."
    )
    html = client_for(nato_staff).get("/reports/annual/", {"year": 2017}).content.decode()
    section = html[html.index('id="published-figures"') :]
    for key, value in (("first-year-activities", "14"), ("first-year-officers", "478")):
        row = re.search(rf'data-published="{key}">(.*?)</tr>', section, re.S).group(1)
        assert re.search(rf'published-value">{value}<', row)
        assert re.search(rf'icihub-value"><a [^>]*>{value}</a>', row), row
    # To April 2025, beside the Kuwait News Agency's figures.
    to_2025 = {
        c.published.key: c
        for c in reports.comparisons(Scope.for_user(nato_staff, Period.of_year(2017)))
    }
    courses = to_2025["to-2025-04-training-courses"]
    assert courses.period == Period(dt.date(2017, 1, 1), dt.date(2025, 4, 30))
    # 14 in 2017, the JALLC course of April 2019 and the MARCOM course of June 2024
    assert courses.published.value == 56 and courses.icihub.value == 16
    # The public page shows the comparison to everyone, from public records.
    public = client_for(None).get("/reports/public/", {"year": 2017}).content.decode()
    assert 'data-published="first-year-officers"' in public


def test_the_reports_say_when_their_figures_count_demo_data(demo, nato_staff):
    report = reports.build_annual(Scope.for_user(nato_staff, Period.of_year(2017)))
    # 13 demo sessions; the CBRN course of December 2017 is the source's (its
    # 15 Kuwaiti experts are invented, so they count among the demo people).
    assert report.demo["sessions"] == 13
    # Everyone who attended in 2017 is invented: 478 completed, others did not.
    assert report.demo["participants"] > 478
    assert report.includes_demo
    assert all(c.includes_demo for c in report.comparisons)
    assert report.as_dict()["demo_data"]["sessions"] == 13
    assert all(p["icihub_includes_demo_data"] for p in report.as_dict()["published"])
    html = client_for(nato_staff).get("/reports/annual/", {"year": 2017}).content.decode()
    assert 'id="demo-data"' in html and "13 demonstration sessions" in html
    row = re.search(r'data-published="first-year-officers">(.*?)</tr>', html, re.S).group(1)
    assert 'class="badge demo"' in row
    public = client_for(None).get("/reports/public/", {"year": 2017}).content.decode()
    assert 'id="demo-data"' in public
    # A year without demo rows says nothing.
    quiet = reports.build_annual(Scope.for_user(nato_staff, Period.of_year(2015)))
    assert not quiet.includes_demo and set(quiet.demo.values()) == {0}
    html = client_for(nato_staff).get("/reports/annual/", {"year": 2015}).content.decode()
    assert 'id="demo-data"' not in html


def test_without_demo_data_the_published_comparison_has_no_demo_badge(nato_staff):
    report = reports.build_annual(Scope.for_user(nato_staff, Period.of_year(2017)))
    assert not report.includes_demo
    assert not any(c.includes_demo for c in report.comparisons)
    html = client_for(nato_staff).get("/reports/annual/", {"year": 2017}).content.decode()
    assert 'id="demo-data"' not in html and 'class="badge demo"' not in html
    public = client_for(None).get("/reports/public/", {"year": 2017}).content.decode()
    assert 'id="demo-data"' not in public
