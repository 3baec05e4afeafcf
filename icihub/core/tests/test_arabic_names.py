"""Arabic throughout: every name that has an Arabic form shows it on Arabic
pages (filter options, facets, list rows, detail headings, e-mails), by the one
rule of ``core.text.localized``; the English form stays on English pages with
the Arabic beside it. Citation markers are isolated (``<bdi>``); the nomination
state "Waiting" reads as the waiting list, not as waiting time."""

from __future__ import annotations

import re
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Template
from django.utils import translation
from django.utils.translation import trans_real

from icihub.core.text import beside, local, localized
from icihub.gulf.models import Closure
from icihub.menu.models import Area
from icihub.partners.models import Country
from icihub.testing import client_for
from icihub.training.models import (
    CENTRE_VENUE,
    Participant,
    local_rank,
    local_venue,
)
from icihub.training.tests import factories

COURSE_EN = "Crisis management for practitioners"
COURSE_AR = "إدارة الأزمات"  # also the Arabic name of its area, "Crisis management"


def arabic(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"
    return client


def option(value: str, label: str) -> str:
    return f'<option value="{value}">{label}</option>'


# -- the rule ------------------------------------------------------------------------------


def test_the_rule_picks_the_arabic_form_on_arabic_pages_only():
    assert localized("Kuwait", "الكويت") == "Kuwait"
    assert beside("الكويت") == "الكويت"
    with translation.override("ar"):
        assert localized("Kuwait", "الكويت") == "الكويت"
        assert localized("Kuwait", "") == "Kuwait"  # no Arabic form: the English one
        assert localized(None, "") == ""
        assert beside("الكويت") == ""  # the name itself is Arabic already


@pytest.mark.django_db
def test_records_and_the_template_filter_follow_the_same_rule(centre_staff):
    course = factories.make_course(centre_staff)
    closure = Closure(name="Summer closure", name_ar="العطلة الصيفية")
    template = Template(
        '{% load icihub %}{{ course|local:"title" }}|{{ area|local }}|'
        '{% if course|arabic_beside:"title" %}{{ course.title_ar }}{% endif %}'
    )
    context = Context({"course": course, "area": Area.objects.get(code="crisis-management")})
    assert template.render(context) == f"{COURSE_EN}|Crisis management|{COURSE_AR}"
    assert str(course) == f"NIRC-T-001 – {COURSE_EN}"
    assert str(closure) == "Summer closure"
    with translation.override("ar"):
        assert template.render(context) == f"{COURSE_AR}|{COURSE_AR}|"
        assert str(course) == f"NIRC-T-001 – {COURSE_AR}"
        assert course.local_title == local(course, "title") == COURSE_AR
        assert str(closure) == "العطلة الصيفية"


@contextmanager
def _catalogue_entries(entries: dict):
    """Entries added to the active catalogue for the block (new messages reach
    the committed catalogue when the lead merges them)."""
    catalog = trans_real.catalog()._catalog
    saved = {key: catalog[key] for key in entries if key in catalog}
    for key, text in entries.items():
        catalog[key] = text
    try:
        yield
    finally:
        for key in entries:
            if key in saved:
                catalog[key] = saved[key]
            else:
                for part in catalog._catalogs:
                    part.pop(key, None)


def test_ranks_and_the_centre_s_venue_go_through_the_catalogue():
    # Ranks are free text, shown as recorded on English pages; on Arabic pages
    # the rank table (training/ranks.py) names them, whatever their case and
    # spacing, in the person's branch: a navy's "Lieutenant" (OF-2) is not the
    # army's (OF-1), an air force colonel is a "عقيد طيار"; an unknown rank
    # shows as recorded.
    assert local_rank("Lieutenant Colonel") == "Lieutenant Colonel"
    assert Participant(rank="Colonel", service="army").local_rank == "Colonel"
    assert local_rank("Wing Walker") == "Wing Walker"
    assert local_rank("") == ""
    with translation.override("ar"):
        assert local_rank("Lieutenant", "navy") == "نقيب بحري"
        assert local_rank(" lieutenant ", "army") == "ملازم أول"
        assert Participant(rank="Colonel", service="army").local_rank == "عقيد"
        assert Participant(rank="Colonel", service="air_force").local_rank == "عقيد طيار"
        assert local_rank("Wing Walker") == "Wing Walker"
    # The Centre's venue is stored in English and shown from the catalogue.
    assert local_venue(CENTRE_VENUE) == CENTRE_VENUE
    venue_ar = "مركز الناتو الإقليمي لمبادرة إسطنبول للتعاون، مدينة الكويت"
    with translation.override("ar"), _catalogue_entries({CENTRE_VENUE: venue_ar}):
        assert local_venue(CENTRE_VENUE) == venue_ar
        assert local_venue("Istanbul") == "Istanbul"


@pytest.mark.django_db
def test_people_are_named_with_their_honorific_in_the_page_s_language():
    from icihub.partners.models import Person

    person = Person.objects.get(slug="fawaz-al-sabah")
    assert str(person) == "Shaikh Fawaz Al Sabah"
    with translation.override("ar"), _catalogue_entries({"honorific\x04Sheikh": "الشيخ"}):
        assert str(person) == "الشيخ فواز الصباح"


# -- pages ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_list_with_filters_shows_arabic_names_and_options(centre_staff):
    factories.make_course(centre_staff)
    english = client_for(centre_staff).get("/training/courses/").content.decode()
    assert COURSE_EN in english
    assert option("crisis-management", "Crisis management") in english
    assert f'<div class="ar" dir="rtl" lang="ar">{COURSE_AR}</div>' in english  # beside it

    html = arabic(client_for(centre_staff)).get("/training/courses/").content.decode()
    assert COURSE_AR in html
    assert COURSE_EN not in html
    assert option("crisis-management", COURSE_AR) in html
    assert option("cyber-defence", "الدفاع السيبراني") in html
    assert "Crisis management" not in html and "Cyber defence" not in html
    assert f'<div class="ar" dir="rtl" lang="ar">{COURSE_AR}</div>' not in html  # not twice


@pytest.mark.django_db
def test_country_filter_options_of_the_participants_are_arabic(centre_staff):
    factories.make_participant(centre_staff, "KWT", 1)
    html = arabic(client_for(centre_staff)).get("/training/participants/").content.decode()
    assert option("KWT", "الكويت") in html
    assert option("KWT", "Kuwait") not in html


@pytest.mark.django_db
def test_the_menu_s_facets_are_arabic(centre_staff):
    factories.make_course(centre_staff)
    labels = re.compile(r'<span class="facet-label">([^<]*)</span>')
    english = labels.findall(client_for(centre_staff).get("/menu/").content.decode())
    assert "Crisis management" in english and "Kuwait" in english
    html = arabic(client_for(centre_staff)).get("/menu/").content.decode()
    shown = labels.findall(html)
    assert COURSE_AR in shown and "الكويت" in shown and "البحرين" in shown
    assert not {"Crisis management", "Kuwait", "Bahrain"} & set(shown)
    assert COURSE_EN not in html


@pytest.mark.django_db
def test_a_detail_page_is_headed_in_arabic(centre_staff):
    course = factories.make_course(centre_staff)
    path = f"/training/courses/{course.pk}/"
    english = client_for(centre_staff).get(path).content.decode()
    assert f"<code>NIRC-T-001</code> {COURSE_EN}</h1>" in english
    assert f'<p class="lead ar" dir="rtl" lang="ar">{COURSE_AR}</p>' in english
    html = arabic(client_for(centre_staff)).get(path).content.decode()
    assert f"<code>NIRC-T-001</code> {COURSE_AR}</h1>" in html
    assert f"<title>NIRC-T-001 – {COURSE_AR} · icihub</title>" in html
    assert COURSE_EN not in html and "Crisis management" not in html
    assert f'<p class="lead ar" dir="rtl" lang="ar">{COURSE_AR}</p>' not in html


@pytest.mark.django_db
def test_registry_lists_show_the_arabic_name_once(client):
    kuwait = Country.objects.get(iso3="KWT")
    beside_it = f'<span class="ar" dir="rtl" lang="ar">{kuwait.name_ar}</span>'
    english = client.get("/partners/countries/", {"q": "kuwait"}).content.decode()
    assert ">Kuwait</a>" in english and beside_it in english
    html = arabic(client).get("/partners/countries/", {"q": "kuwait"}).content.decode()
    assert f">{kuwait.name_ar}</a>" in html
    assert ">Kuwait</a>" not in html and beside_it not in html
    # The "Name (Arabic)" line of the record keeps it, in both languages.
    detail = arabic(client).get("/partners/countries/KWT/").content.decode()
    assert f"<dd>{beside_it}</dd>" in detail


@pytest.mark.django_db
def test_an_email_names_the_course_in_its_language(centre_staff):
    from django.template.loader import render_to_string

    session = factories.make_session(factories.make_course(centre_staff), centre_staff)
    nomination = type("N", (), {"country": Country.objects.get(iso3="KWT")})()
    context = {
        "course": session.course,
        "session": session,
        "nomination": nomination,
        "participant": factories.make_participant(centre_staff, "KWT", 1),
    }
    with translation.override("ar"):
        text = render_to_string("training/email/waitlisted.txt", context)
    assert COURSE_AR in text and "الكويت" in text
    assert COURSE_EN not in text and "Kuwait" not in text


# -- citation markers ------------------------------------------------------------------------


MARKER = re.compile(r'<sup class="cite">(<bdi>)?<a [^>]*>\[[^\]<]+\]</a>(</bdi>)?</sup>')


@pytest.mark.django_db
def test_citation_markers_are_isolated_and_kept_on_one_line(client):
    html = arabic(client).get("/partners/countries/KWT/").content.decode()
    markers = MARKER.findall(html)
    assert markers, "Kuwait's sourced facts carry citation markers"
    assert all(opened and closed for opened, closed in markers)
    css = (Path(settings.BASE_DIR) / "static" / "icihub" / "app.css").read_text()
    rule = re.search(r"sup\.cite[^{]*\{([^}]*)\}", css)
    assert rule and "white-space: nowrap" in rule.group(1)


# -- translations ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_waiting_is_the_waiting_list_not_waiting_time(centre_staff):
    with translation.override("ar"):
        assert translation.gettext("Waiting") == "في الانتظار"
        assert translation.gettext("Waiting list") == "قائمة الانتظار"
        # The requests' column is the time since the request: there, waiting time.
        assert translation.pgettext("time since the request", "Waiting") == "مدة الانتظار"
    session = factories.make_session(
        factories.make_course(centre_staff), centre_staff, quotas={"KWT": 1}
    )
    html = arabic(client_for(centre_staff)).get(f"/training/sessions/{session.pk}/")
    html = html.content.decode()
    assert '<th class="num">في الانتظار</th>' in html
    assert "وقت الانتظار" not in html and "مدة الانتظار" not in html
    assert "<td>الكويت</td>" in html or ">الكويت<" in html  # the seat table's country


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/dialogue/", "/programmes/", "/programmes/requests/", "/reports/"]
)
def test_country_filters_of_every_list_are_arabic(nato_staff, path):
    english = client_for(nato_staff).get(path).content.decode()
    assert option("KWT", "Kuwait") in english, path
    html = arabic(client_for(nato_staff)).get(path).content.decode()
    assert option("KWT", "الكويت") in html
    assert option("KWT", "Kuwait") not in html
    # In the order of the Arabic names.
    labels = re.findall(r'<option value="[A-Z]{3}">([^<]+)</option>', html)
    assert labels == sorted(labels)
